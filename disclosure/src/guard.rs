//! The personal-data guard: judges what a page publishes as a reader reads it, not how the source
//! spells it.
//!
//! SPEC (Validation): an 18-digit citizen id (GB 11643) or a bank card number (Luhn) is refused on
//! every public page, an 11-digit mobile number on pages about persons; masked forms pass. Before
//! judging, the text is turned into what a reader sees: TOML is already decoded by the time a field
//! reaches the guard (`\u0033`, line continuations), the body's Markdown is reduced to its text
//! (emphasis inside a number joins the number again), HTML entities are resolved, Unicode is folded
//! by NFKC (full-width digits and letters, ideographic spaces) and default-ignorable characters
//! (zero-width spaces and joiners, soft hyphens, direction marks) are removed. A number may then be
//! written in groups: spaces, dashes and dots between its groups are ignored, and a mobile number
//! may carry `+86`/`86`.
//!
//! What the law requires to be published passes: an account the text names as an organisation's
//! (单位账户, 基本户, 专户, 收款人 an organisation) is not a personal bank card, and the evaluation
//! panel may be named on an award. The guard never splits a run of digits: a 20-digit order number
//! holds no 18-digit id, so codes, amounts and dates are left alone. It only finds; `parse` turns its
//! findings into diagnostics with the file's line and field, and `[[public_numbers]]` exempts a
//! number that an author has declared lawful with a reason.
//!
//! It knows nothing of the file system or of HTTP: site-gen and intake call it through
//! [`crate::parse::parse_disclosure`], so both refuse the same text.

use std::ops::ControlFlow;

use crate::ident::{is_citizen_id, luhn_valid};
use crate::text::Piece;

/// Which kind of personal data a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    CitizenId,
    BankCard,
    Mobile,
}

impl PersonalData {
    pub fn describe(self) -> &'static str {
        match self {
            PersonalData::CitizenId => {
                "an unmasked citizen id number (公民身份号码); publish it masked, e.g. 410402********1234"
            }
            PersonalData::BankCard => {
                "an unmasked bank card number; publish it masked, e.g. 6222 **** **** 1234, or, if it is an organisation's account, say so (单位账户, 基本户, 专户, 收款人 and the organisation's name) or list it under [[public_numbers]] with a reason"
            }
            PersonalData::Mobile => {
                "an unmasked mobile number on a page about persons; publish it masked, e.g. 138****5678"
            }
        }
    }
}

/// One number the guard refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte offset in the normalised text.
    pub offset: usize,
    pub kind: PersonalData,
    /// The number's digits as a reader reads them (`X` included for an id; no `86` prefix).
    pub digits: String,
}

/// Text as a reader sees it, normalised for the guard, with the source line of each part.
#[derive(Debug, Default, Clone)]
pub struct Published {
    text: String,
    /// Where each part starts in `text`, and the source line it came from.
    lines: Vec<(usize, usize)>,
}

impl Published {
    pub fn new() -> Published {
        Published::default()
    }

    /// The text of one field value, as published.
    pub fn of(value: &str) -> Published {
        let mut p = Published::new();
        p.push(value, 0);
        p
    }

    /// Appends a part of the text from source line `line`: HTML entities resolved, NFKC-folded,
    /// default-ignorable characters removed.
    pub fn push(&mut self, part: &str, line: usize) {
        if self.lines.last().is_none_or(|&(_, l)| l != line) {
            self.lines.push((self.text.len(), line));
        }
        let decoded = html_escape::decode_html_entities(part);
        fold_into(&mut self.text, &decoded);
    }

    /// Ends a block (paragraph, table cell, list item): no number runs across it.
    pub fn boundary(&mut self) {
        if !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// The body's text as a reader sees it, from its Markdown ([`crate::text::walk`]): inline
    /// markup dropped (so
    /// `1101**0519**…` is one number again), a soft line break read as a space, blocks and table
    /// cells kept apart. `first_line` is the body's first line in the source file.
    pub fn from_markdown(body: &str, first_line: usize) -> Published {
        Published::from_markdown_with_links(body, first_line, &mut Vec::new())
    }

    /// [`Published::from_markdown`], in the same pass gathering the body's links and images
    /// into `links`, each with its line in the source file.
    pub fn from_markdown_with_links(
        body: &str,
        first_line: usize,
        links: &mut Vec<crate::text::Link>,
    ) -> Published {
        let mut p = Published::new();
        let line_of = crate::text::line_finder(body, first_line);
        crate::text::walk(body, |piece, range| {
            match piece {
                Piece::Text(t) => p.push(&t, line_of(range.start)),
                Piece::SoftBreak => p.push(" ", line_of(range.start)),
                // No number runs across a line, a table cell or a block.
                Piece::HardBreak | Piece::CellEnd | Piece::BlockEnd => p.boundary(),
                Piece::Link { dest, image } => links.push(crate::text::Link {
                    line: line_of(range.start),
                    dest: dest.into_string(),
                    image,
                }),
            }
            ControlFlow::Continue(())
        });
        p
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The source line of the text at `offset`.
    pub fn line_at(&self, offset: usize) -> usize {
        let i = self.lines.partition_point(|&(start, _)| start <= offset);
        self.lines.get(i.saturating_sub(1)).map_or(0, |&(_, l)| l)
    }

    /// The personal data in this text; `mobiles` says whether mobile numbers count.
    pub fn personal_data(&self, mobiles: bool) -> Vec<Finding> {
        find_personal_data(&self.text, mobiles)
    }
}

/// A number as errors, the build summary and the publication log show it: enough to find it,
/// not enough to repeat it.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    if n <= 8 {
        return "*".repeat(n);
    }
    // 138****5678 for a mobile, 1101**********002X for an id, as masked numbers are published.
    let head: String = chars[..if n <= 11 { 3 } else { 4 }].iter().collect();
    let tail: String = chars[n - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - head.len() - 4))
}

/// A number's digits as the guard reads them (separators and full-width forms folded, `X` kept):
/// how a declared public number is compared with what the guard found.
pub fn number_digits(value: &str) -> String {
    Published::of(value)
        .as_str()
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Appends `text` NFKC-folded, without its default-ignorable characters. ICU4X's normalizer
/// copies the runs that are already NFKC (most of a Chinese body: Han characters and ASCII) as
/// they are, and folds only the rest (full-width punctuation and digits, compatibility forms).
fn fold_into(out: &mut String, text: &str) {
    const NFKC: icu_normalizer::ComposingNormalizerBorrowed<'static> =
        icu_normalizer::ComposingNormalizerBorrowed::new_nfkc();
    let start = out.len();
    // Writing to a String cannot fail.
    let _ = NFKC.normalize_to(text, out);
    if out[start..].chars().any(is_default_ignorable) {
        let kept: String = out[start..]
            .chars()
            .filter(|c| !is_default_ignorable(*c))
            .collect();
        out.truncate(start);
        out.push_str(&kept);
    }
}

/// Unicode's default-ignorable code points that a renderer shows as nothing: zero-width spaces
/// and joiners, soft hyphens, direction and invisible operators, variation selectors, tags.
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Characters a writer puts between the groups of one number (after NFKC: full-width forms are
/// already ASCII). Slashes, colons and commas are not among them: they part dates, times and
/// amounts, not the groups of a number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '-'
            | '.'
            | '·'
            | '•'
            | '・'
            | '‐'
            | '‑'
            | '‒'
            | '–'
            | '—'
            | '―'
            | '−'
            | '_'
    )
}

/// At most this many separator characters between two groups of one number ("double spaces",
/// " - ").
const MAX_SEPARATOR: usize = 3;

/// A run of ASCII digits in the normalised text.
struct Group {
    start: usize,
    end: usize,
    /// An `X`/`x` follows at once (the check character of a citizen id).
    x: bool,
}

/// Finds the personal data in normalised text (see [`Published`]).
pub fn find_personal_data(text: &str, mobiles: bool) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let mut groups = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let x = matches!(bytes.get(i), Some(b'X' | b'x'));
        groups.push(Group { start, end: i, x });
    }

    // Chains: groups joined by a few separators, as one number is written in groups.
    let mut found = Vec::new();
    let mut chain_start = 0;
    for k in 0..groups.len() {
        let joined_to_next = groups.get(k + 1).is_some_and(|next| {
            let between = &text[groups[k].end..next.start];
            !groups[k].x
                && between.chars().count() <= MAX_SEPARATOR
                && between.chars().all(is_separator)
        });
        if !joined_to_next {
            scan_chain(text, &groups[chain_start..=k], mobiles, &mut found);
            chain_start = k + 1;
        }
    }
    found
}

/// Judges every run of whole groups in one chain; the longest match from each group wins and the
/// scan goes on after it.
fn scan_chain(text: &str, chain: &[Group], mobiles: bool, found: &mut Vec<Finding>) {
    let mut i = 0;
    while i < chain.len() {
        let mut digits = String::new();
        let mut best: Option<(usize, PersonalData, String)> = None;
        for (j, group) in chain.iter().enumerate().skip(i) {
            digits.push_str(&text[group.start..group.end]);
            if digits.len() > 21 {
                break;
            }
            let last = j + 1 == chain.len();
            if let Some((kind, number)) =
                judge(text, chain[i].start, &digits, group.x && last, mobiles)
            {
                best = Some((j, kind, number));
            }
        }
        match best {
            Some((j, kind, digits)) => {
                found.push(Finding {
                    offset: chain[i].start,
                    kind,
                    digits,
                });
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

/// What a run of digits is, if it is personal data.
fn judge(
    text: &str,
    start: usize,
    digits: &str,
    x_follows: bool,
    mobiles: bool,
) -> Option<(PersonalData, String)> {
    let id = if digits.len() == 17 && x_follows {
        Some(format!("{digits}X"))
    } else if digits.len() == 18 {
        Some(digits.to_string())
    } else {
        None
    };
    if let Some(id) = id.filter(|id| is_citizen_id(id) && plausible_birth_date(id)) {
        return Some((PersonalData::CitizenId, id));
    }
    if (16..=19).contains(&digits.len())
        && matches!(digits.as_bytes()[0], b'3'..=b'6' | b'9')
        && luhn_valid(digits)
        && !names_organisation_account(text, start)
    {
        return Some((PersonalData::BankCard, digits.to_string()));
    }
    if mobiles {
        let national = match digits.len() {
            11 => Some(digits),
            13 => digits.strip_prefix("86"),
            _ => None,
        };
        if let Some(m) = national.filter(|m| is_mobile(m)) {
            return Some((PersonalData::Mobile, m.to_string()));
        }
    }
    None
}

/// A mainland mobile number: 11 digits, `1[3-9]…`.
fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && matches!(b[1], b'3'..=b'9')
}

/// Whether the id's characters 7–14 are a birth date (1900 or later): a number that only happens
/// to pass the check digit, such as an order number, is not an id.
fn plausible_birth_date(id: &str) -> bool {
    let (y, m, d) = (&id[6..10], &id[10..12], &id[12..14]);
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    (1900..=2100).contains(&y) && chrono::NaiveDate::from_ymd_opt(y, m, d).is_some()
}

/// Words that name an account as an organisation's.
const ORGANISATION_ACCOUNTS: &[&str] = &[
    "单位账户",
    "单位帐户",
    "单位银行账户",
    "对公账户",
    "对公帐户",
    "基本户",
    "基本账户",
    "基本存款账户",
    "一般户",
    "一般存款账户",
    "专户",
    "专用账户",
    "国库",
    "公司账户",
];

/// Words that introduce whose account it is.
const PAYEE_MARKERS: &[&str] = &[
    "收款人",
    "收款单位",
    "收款账户名",
    "收款户名",
    "账户名称",
    "帐户名称",
    "开户名称",
    "账户名",
    "户名",
];

/// How an organisation's name ends.
const ORGANISATION_SUFFIXES: &[&str] = &[
    "公司",
    "集团",
    "局",
    "厅",
    "委员会",
    "委",
    "办公室",
    "办事处",
    "中心",
    "银行",
    "分行",
    "支行",
    "医院",
    "学校",
    "学院",
    "大学",
    "院",
    "所",
    "站",
    "社",
    "会",
    "馆",
    "队",
    "处",
    "部",
    "政府",
    "财政",
    "专户",
    "基金",
    "合作社",
    "事务所",
];

/// Whether the words just before a number (on its line) say it is an organisation's account.
fn names_organisation_account(text: &str, start: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before: String = {
        let chars: Vec<char> = text[line_start..start].chars().collect();
        chars[chars.len().saturating_sub(60)..].iter().collect()
    };
    if ORGANISATION_ACCOUNTS.iter().any(|w| before.contains(w)) {
        return true;
    }
    // 收款人：某市财政局财政专户，账号：… — the name after the payee marker that ends last
    // (开户名称, not the 户名 inside it).
    let Some(end) = PAYEE_MARKERS
        .iter()
        .filter_map(|m| before.rfind(m).map(|at| at + m.len()))
        .max()
    else {
        return false;
    };
    let name: String = before[end..]
        .trim_start_matches([':', '：', ' '])
        .chars()
        .take_while(|c| !matches!(c, ',' | '，' | ';' | '；' | '。' | '、' | '(' | '（' | ' '))
        .collect();
    ORGANISATION_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Phrases that introduce the evaluation panel's members (评标委员会 / 评审小组 / 磋商小组 / 谈判小组
/// / 询价小组成员名单). Published with the award (财政部令第87号 第六十九条; 《政府采购非招标采购方式
/// 管理办法》 第十八条), confidential before it (招标投标法 第三十七条).
pub const PANEL_MARKERS: &[&str] = &[
    "评标委员会成员",
    "评标委员会名单",
    "评审委员会成员",
    "评审委员会名单",
    "评审专家名单",
    "评审专家：",
    "评标专家名单",
    "评标专家：",
    "评审小组成员",
    "磋商小组成员",
    "谈判小组成员",
    "询价小组成员",
];

/// The first panel marker in normalised text, with its offset.
pub fn find_panel(text: &str) -> Option<(usize, &'static str)> {
    static MARKERS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(PANEL_MARKERS)
                .expect("the panel's markers make an automaton")
        });
    MARKERS
        .find(text)
        .map(|m| (m.start(), PANEL_MARKERS[m.pattern().as_usize()]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn icu_folds_as_unicode_normalization_does() {
        // Every character of the planes a body is written in, alone and beside ASCII, Han and a
        // combining mark: ICU4X's fold must give exactly what unicode-normalization's NFKC and
        // the filter give.
        let full = |t: &str| -> String { t.nfkc().filter(|c| !is_default_ignorable(*c)).collect() };
        let chars = (0..0x3_0000u32)
            .chain(0xE_0000..0xE_0100)
            .filter_map(char::from_u32);
        for c in chars {
            for text in [
                format!("{c}"),
                format!("a{c}1"),
                format!("中{c}文"),
                format!("{c}\u{301}"),
                format!("1{c}\u{200B}2"),
            ] {
                let mut quick = String::from("前");
                fold_into(&mut quick, &text);
                assert_eq!(
                    quick,
                    format!("前{}", full(&text)),
                    "{text:?} (U+{:04X})",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn the_first_panel_marker_is_found_in_one_pass() {
        // Texts cut from the markers and glued with their halves and fillers: the automaton must
        // give the first marker and its place, as a search for each marker did.
        let naive = |text: &str| {
            PANEL_MARKERS
                .iter()
                .filter_map(|m| text.find(m).map(|at| (at, *m)))
                .min()
        };
        let mut pieces: Vec<String> = vec!["。".into(), "如下".into(), "成员".into(), "：".into()];
        for m in PANEL_MARKERS {
            let chars: Vec<char> = m.chars().collect();
            for cut in 1..chars.len() {
                pieces.push(chars[..cut].iter().collect());
                pieces.push(chars[cut..].iter().collect());
            }
            pieces.push(m.to_string());
        }
        let mut seed = 7u64;
        let mut found = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..6 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(&pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let expected = naive(&text);
            found += usize::from(expected.is_some());
            assert_eq!(find_panel(&text), expected, "{text}");
        }
        assert!(found > 1000, "only {found} texts held a marker");
    }

    #[test]
    fn a_number_split_by_markdown_is_one_number_again() {
        let p = Published::from_markdown("第一段\n\n身份证 1101**0519**49123&#49;002X 止\n", 10);
        let found = p.personal_data(false);
        assert_eq!(found.len(), 1, "{found:?} in {:?}", p.as_str());
        assert_eq!(found[0].kind, PersonalData::CitizenId);
        assert_eq!(p.line_at(found[0].offset), 12);
    }

    #[test]
    fn table_cells_are_apart() {
        // Rank, bid and another bid in adjacent cells are not one long number.
        let p = Published::from_markdown(
            "| 名次 | 报价 | 复核 |\n|---|---|---|\n| 1 | 4111111 | 111111111 |\n",
            1,
        );
        assert!(p.personal_data(true).is_empty(), "{:?}", p.as_str());
    }
}
