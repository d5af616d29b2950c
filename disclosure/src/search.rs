//! The search index's schema and tokenizers, defined once for the writer (`site-gen`) and the
//! reader (`search-server`), and the mapping from a [`Disclosure`] to the document indexed for it.
//!
//! Chinese text is indexed so that matching never depends on word segmentation: every run of Han
//! characters becomes its overlapping character bigrams, and the run's last character alone
//! after them ([`CjkTokenizer`]), so every position of a run holds exactly one token, the one
//! that starts with the character there. A query cuts its words into bigrams and asks for them
//! as a phrase, so any piece of two or more characters of a title or a company name finds it,
//! however a segmenter would have cut the sentence; a character alone is found as the terms
//! that start with it ([`is_one_han`]). jieba (a segmenter made for Chinese) indexes titles and
//! names a second time, in a field that is only ever used to rank whole-word matches higher.
//! Codes (project codes, 文号, credit codes) are normalised and indexed by every suffix, so a
//! prefix search over the suffixes finds any part of a code.
//!
//! This module builds documents and schemas; it never opens, writes or reads an index on disk.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use tantivy::{Index, TantivyDocument};

use crate::model::{Details, Disclosure, Organisation, Trade};

// Tokenizer names carry a version: the schema names them, so an index written with an older
// tokenization has a different schema and is rebuilt from scratch rather than half-matched.

/// Name of the bigram tokenizer used to index text fields.
pub const CJK: &str = "cjk_v2";
/// Name of the suffix tokenizer used to index codes.
pub const CODE_SUFFIX: &str = "code_suffix_v1";
/// Name of the jieba tokenizer of the ranking-only `words` field.
pub const JIEBA: &str = "jieba_v1";

/// The longest code (after normalisation) whose suffixes are indexed; longer strings are not codes.
const MAX_CODE_CHARS: usize = 40;
/// Tokens longer than this (bytes) are dropped: base64 blobs and the like are not searchable words.
const MAX_TOKEN_BYTES: usize = 60;

/// Typed handles of every field of the index, built once per process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    /// The disclosure's id, raw: deleting and updating go by this term.
    pub id: Field,
    /// Kind key (`notice`, `penalty`, …), raw and fast for filters and facet counts.
    pub kind: Field,
    /// Category key of notices and results, raw and fast.
    pub category: Field,
    /// Department id, raw and fast.
    pub department: Field,
    /// Stage key of notices and results, raw and fast.
    pub stage: Field,
    /// County or district, raw and fast.
    pub region: Field,
    /// Publication date as days since 0001-01-01 (`NaiveDate::num_days_from_ce`), for range
    /// filters and for sorting.
    pub date: Field,
    /// Title, bigram-indexed and stored (for the highlighted title).
    pub title: Field,
    /// Company and person names the disclosure is about: bidders, penalty and credit subjects.
    pub names: Field,
    /// Body text (Markdown turned into plain text) with the kind-specific prose fields, stored for
    /// snippets.
    pub body: Field,
    /// Labels a reader might search by: kind, category, stage, department, region, list, codes.
    pub meta: Field,
    /// Title and names cut by jieba, used only as a ranking boost for whole words.
    pub words: Field,
    /// Every suffix of every normalised code the disclosure carries.
    pub codes: Field,
    /// Every normalised code whole, for exact matches ranked first.
    pub code: Field,
    /// The site path of the disclosure's page.
    pub url: Field,
    /// The disclosure as JSON without its body, for pages and APIs that need its details.
    pub data: Field,
    /// The buyer (招标人 / 采购人 / 出让人) of a notice or result, its name as published: raw
    /// and fast, for the facet and the filter.
    pub buyer: Field,
    /// The agency (代理机构) of a notice or result, its name as published: raw and fast.
    pub agency: Field,
    /// The buyer's credit code, raw: `buyer=<code>` filters by it (every name it went by).
    pub buyer_code: Field,
    /// The agency's credit code, raw.
    pub agency_code: Field,
    /// The companies the disclosure is about, stored as `code\tname` lines ([`about_companies`]):
    /// a hit links to their pages.
    pub companies: Field,
}

impl Fields {
    /// Handles of the fields of `schema`, which must be [`schema()`]'s.
    pub fn from_schema(schema: &Schema) -> Result<Fields, tantivy::TantivyError> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            kind: f("kind")?,
            category: f("category")?,
            department: f("department")?,
            stage: f("stage")?,
            region: f("region")?,
            date: f("date")?,
            title: f("title")?,
            names: f("names")?,
            body: f("body")?,
            meta: f("meta")?,
            words: f("words")?,
            codes: f("codes")?,
            code: f("code")?,
            url: f("url")?,
            data: f("data")?,
            buyer: f("buyer")?,
            agency: f("agency")?,
            buyer_code: f("buyer_code")?,
            agency_code: f("agency_code")?,
            companies: f("companies")?,
        })
    }
}

/// The one schema of the search index.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let cjk = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(CJK)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let raw = STRING | STORED | FAST;
    let id = b.add_text_field("id", STRING | STORED);
    let kind = b.add_text_field("kind", raw.clone());
    let category = b.add_text_field("category", raw.clone());
    let department = b.add_text_field("department", raw.clone());
    let stage = b.add_text_field("stage", raw.clone());
    let region = b.add_text_field("region", raw);
    let date = b.add_i64_field(
        "date",
        NumericOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored(),
    );
    let title = b.add_text_field("title", cjk(true));
    let names = b.add_text_field("names", cjk(false));
    let body = b.add_text_field("body", cjk(true));
    let meta = b.add_text_field("meta", cjk(false));
    let words = b.add_text_field(
        "words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(JIEBA)
                .set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    let codes = b.add_text_field(
        "codes",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(CODE_SUFFIX)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let code = b.add_text_field("code", STRING);
    let url = b.add_text_field("url", STORED);
    let data = b.add_text_field("data", STORED);
    let buyer = b.add_text_field("buyer", STRING | FAST);
    let agency = b.add_text_field("agency", STRING | FAST);
    let buyer_code = b.add_text_field("buyer_code", STRING);
    let agency_code = b.add_text_field("agency_code", STRING);
    let companies = b.add_text_field("companies", STORED);
    let fields = Fields {
        id,
        kind,
        category,
        department,
        stage,
        region,
        date,
        title,
        names,
        body,
        meta,
        words,
        codes,
        code,
        url,
        data,
        buyer,
        agency,
        buyer_code,
        agency_code,
        companies,
    };
    (b.build(), fields)
}

/// Registers the tokenizers the schema names on `index`. Both the writer and the server call it
/// right after opening the index.
pub fn register_tokenizers(index: &Index) {
    let manager = index.tokenizers();
    manager.register(CJK, TextAnalyzer::from(CjkTokenizer::index()));
    manager.register(CODE_SUFFIX, TextAnalyzer::from(CodeSuffixTokenizer));
    manager.register(
        JIEBA,
        TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .build(),
    );
}

/// Days since 0001-01-01, the value of the `date` field.
pub fn date_value(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date a `date` field value stands for.
pub fn date_from_value(value: i64) -> Option<NaiveDate> {
    i32::try_from(value)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

// ---------------------------------------------------------------------------------------------
// Tokenizers

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF | 0x30000..=0x3134F)
}

/// Folds full-width ASCII (`ＡＢＣ１２３`) to ASCII and lowercases, so codes typed either way match.
fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

/// A word character that is not Han: Latin letters, digits, other scripts.
fn is_word(c: char) -> bool {
    !is_han(c) && fold(c).is_alphanumeric()
}

/// Cuts text into the tokens the index and the queries share:
/// - a run of Han characters gives its overlapping bigrams, each at the position of the
///   character it starts; a run of one character gives that character. What else a run gives
///   depends on the mode: the index gives the run's last character alone at its position, so
///   each position holds one token and a character's occurrences are the tokens starting with
///   it; a query gives nothing else; [`CjkTokenizer::characters`] gives every character alone
///   at its position, as the reader sees the text;
/// - a run of other letters and digits gives one lowercased token (`PDSJT`, `2026` → `pdsjt`,
///   `2026`), full-width forms folded to ASCII;
/// - everything else separates tokens and takes no position, so a phrase query of the tokens of
///   a string matches wherever the same string appears, whatever punctuation surrounds it.
///
/// The index once held every character alone beside the bigram it starts; that doubled the
/// postings of every body for the sake of one-character queries, which the terms starting with
/// the character answer as well (issue 13: a quarter of the CPU of a build with the index).
#[derive(Debug, Clone, Copy)]
pub struct CjkTokenizer {
    singles: Singles,
}

/// Which characters of a run of two or more a [`CjkTokenizer`] also gives alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Singles {
    Last,
    None,
    Every,
}

impl CjkTokenizer {
    /// The tokenizer of indexed text: bigrams, and each run's last character.
    pub fn index() -> CjkTokenizer {
        CjkTokenizer {
            singles: Singles::Last,
        }
    }

    /// The tokenizer of query text: bigrams, and single characters only for one-character runs.
    pub fn query() -> CjkTokenizer {
        CjkTokenizer {
            singles: Singles::None,
        }
    }

    /// Bigrams and every character alone: the occurrences a reader would mark, for picking the
    /// fragment of a body that shows a query's words.
    pub fn characters() -> CjkTokenizer {
        CjkTokenizer {
            singles: Singles::Every,
        }
    }

    /// The tokens of `text`, in order, as (position, text).
    pub fn tokens(self, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let mut t = self;
        let mut stream = t.token_stream(text);
        while stream.advance() {
            let tok = stream.token();
            out.push((tok.position, tok.text.clone()));
        }
        out
    }
}

/// Whether a token is one Han character: a query token whose occurrences in the index are the
/// terms that start with it (the bigrams it begins, and itself where it ends a run).
pub fn is_one_han(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_han(c))
}

impl Tokenizer for CjkTokenizer {
    type TokenStream<'a> = CjkTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokenStream<'a> {
        let mut spans = Vec::with_capacity(text.len() / 2);
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let end_of = |i: usize| chars.get(i).map_or(text.len(), |(o, _)| *o);
        let mut position = 0;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].1;
            if is_han(c) {
                let start = i;
                while i < chars.len() && is_han(chars[i].1) {
                    i += 1;
                }
                let len = i - start;
                if len == 1 {
                    spans.push(Span::new(
                        chars[start].0,
                        end_of(start + 1),
                        position,
                        false,
                    ));
                    position += 1;
                    continue;
                }
                for k in 0..len {
                    let at = start + k;
                    let last = k + 1 == len;
                    let alone = match self.singles {
                        Singles::Every => true,
                        Singles::Last => last,
                        Singles::None => false,
                    };
                    if alone {
                        spans.push(Span::new(chars[at].0, end_of(at + 1), position + k, false));
                    }
                    if !last {
                        spans.push(Span::new(chars[at].0, end_of(at + 2), position + k, false));
                    }
                }
                position += len;
            } else if is_word(c) {
                let start = i;
                while i < chars.len() && is_word(chars[i].1) {
                    i += 1;
                }
                let (from, to) = (chars[start].0, end_of(i));
                if to - from <= MAX_TOKEN_BYTES {
                    spans.push(Span::new(from, to, position, true));
                }
                position += 1;
            } else {
                i += 1;
            }
        }
        CjkTokenStream {
            text,
            spans,
            next: 0,
            current: Token::default(),
        }
    }
}

/// Where a token is in the text; its text is only written out when the stream reaches it, into
/// one reused buffer, so tokenizing a long body allocates once.
#[derive(Debug, Clone, Copy)]
struct Span {
    from: usize,
    to: usize,
    position: usize,
    /// Letters and digits: folded to lowercase ASCII on the way out.
    fold: bool,
}

impl Span {
    fn new(from: usize, to: usize, position: usize, fold: bool) -> Span {
        Span {
            from,
            to,
            position,
            fold,
        }
    }
}

/// The token stream of [`CjkTokenizer`].
pub struct CjkTokenStream<'a> {
    text: &'a str,
    spans: Vec<Span>,
    next: usize,
    current: Token,
}

impl TokenStream for CjkTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(span) = self.spans.get(self.next).copied() else {
            return false;
        };
        self.next += 1;
        let t = &mut self.current;
        t.offset_from = span.from;
        t.offset_to = span.to;
        t.position = span.position;
        t.position_length = 1;
        t.text.clear();
        let piece = &self.text[span.from..span.to];
        if span.fold {
            t.text.extend(piece.chars().map(fold));
        } else {
            t.text.push_str(piece);
        }
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

fn token(offset_from: usize, offset_to: usize, position: usize, text: String) -> Token {
    Token {
        offset_from,
        offset_to,
        position,
        text,
        position_length: 1,
    }
}

/// A token stream of tokens computed up front (codes: few and short).
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(t) => {
                self.current = std::mem::take(t);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// A code reduced to what identifies it: letters and digits lowercased (full-width folded), Han
/// characters kept, punctuation, brackets and spaces dropped. `平建罚〔2026〕12号` and
/// `平建罚[2026]12号` both become `平建罚202612号`; `PDSJT-2026-0005` becomes `pdsjt20260005`.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .map(fold)
        .filter(|c| c.is_alphanumeric() || is_han(*c))
        .collect()
}

/// Indexes each line of its input (one code per line) by every suffix of its normalised form of
/// two characters or more, so a prefix search over the suffixes finds any part of any code.
#[derive(Debug, Clone, Copy)]
pub struct CodeSuffixTokenizer;

impl Tokenizer for CodeSuffixTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        for line in text.lines() {
            let code: Vec<char> = normalize_code(line).chars().collect();
            if code.len() > MAX_CODE_CHARS {
                continue;
            }
            let offset = line.as_ptr() as usize - text.as_ptr() as usize;
            for start in 0..code.len().saturating_sub(1) {
                tokens.push(token(
                    offset,
                    offset + line.len(),
                    0,
                    code[start..].iter().collect(),
                ));
            }
        }
        VecTokenStream {
            tokens,
            next: 0,
            current: Token::default(),
        }
    }
}

/// The jieba-cut words of `text` that carry a letter, digit or Han character, lowercased: what a
/// query looks up in the `words` field.
pub fn jieba_words(text: &str) -> Vec<String> {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    let jieba = JIEBA.get_or_init(jieba_rs::Jieba::new);
    jieba
        .cut_for_search(text, true)
        .into_iter()
        .map(|w| w.word.to_lowercase())
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()) && w.len() <= MAX_TOKEN_BYTES)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Companies beside the index

/// The file `site-gen` writes into the index folder beside the index, from the same records as
/// the company pages: the search server reads it for the company card of a search, the company
/// links of hits and the credit look-up, so that a replica needs only the index folder.
pub const COMPANIES_FILE: &str = "companies.json";

/// The contents of [`COMPANIES_FILE`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompaniesFile {
    /// The build date the records were gathered on.
    pub generated: Option<NaiveDate>,
    /// Every company of the site (one per credit code, as `/companies/`), by code.
    pub companies: Vec<CompanyRecord>,
    /// Subjects of public penalties and credit entries without a valid credit code (natural
    /// persons, named with a masked id): they have no company page, but a credit look-up by
    /// name finds them.
    pub persons: Vec<PersonRecord>,
}

/// One company of [`CompaniesFile`]: what its page says of it, compactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyRecord {
    pub code: String,
    /// The name it is known by now (the page's title).
    pub name: String,
    /// Every name it appeared under, oldest first (the current one included).
    pub names: Vec<String>,
    pub bids: usize,
    pub wins: usize,
    /// The total of its wins, yuan with two decimals.
    pub won_amount: String,
    /// Ids of its credit entries, current and past, as the page lists them.
    pub credit: Vec<String>,
    /// Ids of its penalties still public on the build date.
    pub penalties: Vec<String>,
}

/// A subject without a credit code, by name, with the ids of its credit entries and penalties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRecord {
    pub name: String,
    pub credit: Vec<String>,
    pub penalties: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Synonyms

/// The trade's synonym groups (`data/synonyms.toml`): words that say the same thing; and the
/// forms the law gives of a wrong (`[[forms]]`), found by a query for the wrong.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    #[serde(default)]
    forms: Vec<Forms>,
    /// Every word of the groups and every wrong of the forms: what a query word is split into.
    #[serde(skip)]
    vocabulary: OnceLock<BTreeSet<String>>,
}

/// The forms of one wrong as the law names them (e.g. 招标投标法实施条例 第四十条 for 串通投标).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forms {
    /// The wrong: a word of one of the groups.
    pub of: String,
    /// The clauses the forms are taken from.
    pub basis: String,
    pub words: Vec<String>,
}

/// The longest query word split into known words.
const MAX_SPLIT_CHARS: usize = 24;

impl Synonyms {
    /// The list kept in the repository, compiled in.
    pub fn builtin() -> &'static Synonyms {
        static LIST: OnceLock<Synonyms> = OnceLock::new();
        LIST.get_or_init(|| {
            Synonyms::parse(include_str!("../data/synonyms.toml"))
                .expect("data/synonyms.toml is checked by a test")
        })
    }

    pub fn parse(text: &str) -> Result<Synonyms, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    pub fn forms(&self) -> &[Forms] {
        &self.forms
    }

    /// Other ways of saying `phrase`: each synonym found inside it replaced by each of its
    /// group's other words (`围标行为` → `串通投标行为`, `串标行为`), and a wrong (or its
    /// synonym) replaced by each of its forms in the law, without duplicates.
    pub fn variants(&self, phrase: &str) -> Vec<String> {
        let mut out = BTreeSet::new();
        for group in &self.groups {
            for word in group {
                if word.is_empty() || !phrase.contains(word.as_str()) {
                    continue;
                }
                let forms = self
                    .forms
                    .iter()
                    .filter(|f| group.contains(&f.of))
                    .flat_map(|f| f.words.iter());
                for other in group.iter().chain(forms) {
                    if other != word {
                        let v = phrase.replace(word.as_str(), other);
                        if v != phrase {
                            out.insert(v);
                        }
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// Whether `word` is a word of the list (a synonym, a wrong or one of its forms).
    pub fn is_known(&self, word: &str) -> bool {
        self.groups.iter().flatten().any(|w| w == word)
            || self
                .forms
                .iter()
                .any(|f| f.of == word || f.words.iter().any(|w| w == word))
    }

    /// A query word made of two or more known words (`陪标串标` → `陪标`, `串标`;
    /// `骗标弄虚作假` → `骗标`, `弄虚作假`): the words of the groups and the wrongs of the forms
    /// (the list is the dictionary: jieba's own dictionary does not know the trade's colloquial
    /// words, 陪标 or 骗标) covering it whole, fewest parts first. `None` when the word is one
    /// known word, or is not made of known words.
    pub fn split(&self, word: &str) -> Option<Vec<String>> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 4 || chars.len() > MAX_SPLIT_CHARS || self.is_known(word) {
            return None;
        }
        let vocabulary = self.vocabulary.get_or_init(|| {
            self.groups
                .iter()
                .flatten()
                .chain(self.forms.iter().map(|f| &f.of))
                .cloned()
                .collect()
        });
        // best[i]: the fewest known words covering chars[..i], and where the last one starts.
        let n = chars.len();
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for end in 1..=n {
            for start in 0..end {
                let Some((count, _)) = best[start] else {
                    continue;
                };
                let piece: String = chars[start..end].iter().collect();
                if end - start >= 2
                    && vocabulary.contains(&piece)
                    && best[end].is_none_or(|(c, _)| count + 1 < c)
                {
                    best[end] = Some((count + 1, start));
                }
            }
        }
        let (count, _) = best[n]?;
        if count < 2 {
            return None;
        }
        let mut parts = Vec::with_capacity(count);
        let mut end = n;
        while end > 0 {
            let (_, start) = best[end]?;
            parts.push(chars[start..end].iter().collect());
            end = start;
        }
        parts.reverse();
        Some(parts)
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

/// Markdown turned into the text a reader sees ([`crate::text`]): inline markup and link targets
/// dropped, raw HTML kept as the text the page shows, blocks on their own lines.
pub fn plain_text(markdown: &str) -> String {
    crate::text::plain_text(markdown, crate::text::Layout::Lines, None)
}

/// What the index stores of a disclosure besides its text: the whole disclosure except the body.
pub fn stored_data(d: &Disclosure) -> String {
    let mut copy = d.clone();
    copy.body = String::new();
    serde_json::to_string(&copy).expect("a disclosure serialises")
}

/// The disclosure stored in a document's `data` field.
pub fn parse_stored_data(json: &str) -> Option<Disclosure> {
    serde_json::from_str(json).ok()
}

/// Every code a disclosure carries: project code, 文号, credit codes, power codes, case numbers.
/// Masked personal ids are not codes.
pub fn codes(d: &Disclosure) -> Vec<&str> {
    let mut codes: Vec<&str> = Vec::new();
    if let Some(t) = d.trade() {
        codes.push(&t.project);
    }
    match &d.details {
        Details::Penalty(p) => codes.push(&p.decision_no),
        Details::Power(p) => codes.push(&p.code),
        Details::ComplaintResult(c) => codes.push(&c.case_no),
        _ => {}
    }
    codes.extend(d.subjects().into_iter().map(|(_, code)| code));
    if let Some(t) = d.trade() {
        codes.extend(parties(t).filter_map(|(_, o)| o.credit_code.as_deref()));
    }
    codes.retain(|c| !c.is_empty() && !c.contains('*'));
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The buyer and the agency of a trade, where given: (`"buyer"` or `"agency"`, organisation).
pub fn parties(t: &Trade) -> impl Iterator<Item = (&'static str, &Organisation)> {
    [("buyer", &t.buyer), ("agency", &t.agency)]
        .into_iter()
        .filter_map(|(role, o)| o.as_ref().map(|o| (role, o)))
}

/// The companies a disclosure is about, as (credit code, name): the subject of a penalty, credit
/// entry or inspection, the winners of a result — only organisations with a valid unified social
/// credit code (a natural person's masked id has none), each once. A search hit links to them.
pub fn about_companies(d: &Disclosure) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = match &d.details {
        Details::Result { bidders, .. } => bidders
            .iter()
            .filter(|b| b.won)
            .map(|b| (b.credit_code.as_str(), b.name.as_str()))
            .collect(),
        Details::Penalty(_) | Details::Credit(_) | Details::Inspection(_) => d
            .subjects()
            .into_iter()
            .map(|(name, code)| (code, name))
            .collect(),
        _ => Vec::new(),
    };
    out.retain(|(code, _)| crate::ident::check_uscc(code).is_ok());
    out.dedup();
    out
}

/// What the index searches of a disclosure, apart from its facets: the text of the `names`,
/// `meta`, `words`, `codes` and `body` fields. The index writer and the bulk export for
/// OpenSearch (`site-gen build --export-bulk`) both take it from here, so that both search the
/// same text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText<'a> {
    /// Labels a reader might search by, one per line in the `meta` field: kind, department,
    /// region, category and stage labels, buyer and agency names, list labels, codes.
    pub meta: Vec<String>,
    /// Company and person names the disclosure is about (bidders, subjects).
    pub names: Vec<&'a str>,
    /// Every code the disclosure carries ([`codes`]).
    pub codes: Vec<&'a str>,
    /// The title and the names, one per line: what jieba cuts into ranking words.
    pub words: String,
    /// The snippet's source: names and kind-specific prose first, then the body's text.
    pub body: String,
}

/// The searchable text of `d`. `department_name` is the issuing department's full and short
/// name (searchable as labels).
pub fn search_text<'a>(d: &'a Disclosure, department_name: &str) -> SearchText<'a> {
    let kind = d.kind();
    let mut meta = vec![kind.label().to_string(), department_name.to_string()];
    if let Some(region) = &d.region {
        meta.push(region.clone());
    }
    if let Some(t) = d.trade() {
        meta.push(t.category.label().to_string());
        meta.push(t.stage.label().to_string());
        for (_, o) in parties(t) {
            meta.push(o.name.clone());
        }
    }
    let mut names: Vec<&str> = d.subjects().into_iter().map(|(name, _)| name).collect();
    names.dedup();
    let mut prose: Vec<&str> = Vec::new();
    match &d.details {
        Details::Result { bidders, .. } => {
            prose.extend(bidders.iter().filter_map(|b| b.reason.as_deref()));
        }
        Details::Penalty(p) => {
            meta.push(p.decision_no.clone());
            prose.extend([p.violation.as_str(), p.basis.as_str(), p.penalty.as_str()]);
        }
        Details::Credit(c) => {
            meta.push(c.list.label().to_string());
            meta.push(format!("{}失信", c.list.label()));
            prose.extend([c.reason.as_str(), c.basis.as_str()]);
            prose.extend(c.measures.iter().map(String::as_str));
        }
        Details::Power(p) => {
            meta.push(p.code.clone());
            meta.push(p.power_type.clone());
            prose.push(&p.basis);
            prose.extend(p.responsibilities.iter().map(String::as_str));
            prose.push(&p.accountability);
        }
        Details::Inspection(i) => {
            meta.push(i.method.clone());
            meta.push(i.finding.clone());
            prose.push(&i.plan);
        }
        Details::ComplaintResult(c) => {
            meta.push(c.case_no.clone());
            prose.push(&c.outcome);
        }
        Details::Notice { .. } | Details::Page => {}
    }
    let codes = codes(d);
    meta.extend(codes.iter().map(|c| (*c).to_string()));
    let mut words = d.title.clone();
    for name in &names {
        words.push('\n');
        words.push_str(name);
    }
    let mut body = String::new();
    for part in names.iter().chain(prose.iter()) {
        if !part.trim().is_empty() {
            body.push_str(part.trim());
            body.push('\n');
        }
    }
    body.push_str(&plain_text(&d.body));
    SearchText {
        meta,
        names,
        codes,
        words,
        body,
    }
}

/// The document indexed for `d`. `department_name` is the issuing department's full and short
/// name (searchable as labels).
pub fn document(fields: &Fields, d: &Disclosure, department_name: &str) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let kind = d.kind();
    doc.add_text(fields.id, &d.id);
    doc.add_text(fields.kind, kind.key());
    doc.add_i64(fields.date, date_value(d.date));
    doc.add_text(fields.title, &d.title);
    doc.add_text(fields.url, d.url());
    doc.add_text(fields.data, stored_data(d));
    if let Some(dep) = &d.department {
        doc.add_text(fields.department, dep);
    }
    if let Some(region) = &d.region {
        doc.add_text(fields.region, region);
    }
    if let Some(t) = d.trade() {
        doc.add_text(fields.category, t.category.key());
        doc.add_text(fields.stage, t.stage.key());
        for (role, o) in parties(t) {
            let (name, code) = match role {
                "buyer" => (fields.buyer, fields.buyer_code),
                _ => (fields.agency, fields.agency_code),
            };
            doc.add_text(name, &o.name);
            if let Some(c) = &o.credit_code {
                doc.add_text(code, c);
            }
        }
    }
    for (code, name) in about_companies(d) {
        doc.add_text(fields.companies, format!("{code}\t{name}"));
    }
    let text = search_text(d, department_name);
    for code in &text.codes {
        doc.add_text(fields.code, normalize_code(code));
    }
    if !text.codes.is_empty() {
        doc.add_text(fields.codes, text.codes.join("\n"));
    }
    for name in &text.names {
        doc.add_text(fields.names, name);
    }
    doc.add_text(fields.meta, text.meta.join("\n"));
    doc.add_text(fields.words, text.words);
    doc.add_text(fields.body, text.body);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn show(tokens: Vec<(usize, String)>) -> String {
        tokens
            .into_iter()
            .map(|(p, t)| format!("{p}:{t}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn index_tokens_of_a_company_name() {
        expect![[r#"0:平顶 1:顶山 2:山市 3:市鹰 4:鹰城 5:城"#]]
            .assert_eq(&show(CjkTokenizer::index().tokens("平顶山市鹰城")));
        expect![[r#"0:平 0:平顶 1:顶 1:顶山 2:山 2:山市 3:市 3:市鹰 4:鹰 4:鹰城 5:城"#]]
            .assert_eq(&show(CjkTokenizer::characters().tokens("平顶山市鹰城")));
    }

    #[test]
    fn every_han_character_is_the_start_of_exactly_one_index_token_at_its_position() {
        let text = "关于平顶山市鹰城建设工程有限公司串通投标的处罚：罚款2万元，桥。常常";
        let index = CjkTokenizer::index().tokens(text);
        let reader = CjkTokenizer::characters().tokens(text);
        let singles: Vec<&(usize, String)> = reader.iter().filter(|(_, t)| is_one_han(t)).collect();
        assert!(singles.len() >= 30, "{singles:?}");
        for (p, c) in singles {
            let starting: Vec<_> = index
                .iter()
                .filter(|(q, t)| q == p && t.starts_with(c.as_str()))
                .collect();
            assert_eq!(starting.len(), 1, "{c} at {p}: {starting:?}");
        }
        assert!(is_one_han("桥") && !is_one_han("桥梁") && !is_one_han("a") && !is_one_han(""));
    }

    #[test]
    fn query_tokens_are_bigrams_whatever_the_segmentation() {
        expect![[r#"0:鹰城 1:城建 2:建设"#]]
            .assert_eq(&show(CjkTokenizer::query().tokens("鹰城建设")));
        expect![[r#"0:串通 1:通投 2:投标"#]]
            .assert_eq(&show(CjkTokenizer::query().tokens("串通投标")));
        expect![[r#"0:桥"#]].assert_eq(&show(CjkTokenizer::query().tokens("桥")));
    }

    #[test]
    fn codes_and_mixed_text() {
        expect![[
            r#"0:项目 1:目编 2:编号 4:pdsjt 5:2026 6:0005 7:平建 8:建罚 10:2026 11:12 12:号"#
        ]]
        .assert_eq(&show(
            CjkTokenizer::query().tokens("项目编号：PDSJT-2026-0005，平建罚〔2026〕12号"),
        ));
        expect![[r#"0:abc123 1:x 2:021"#]]
            .assert_eq(&show(CjkTokenizer::index().tokens("ＡＢＣ１２３ X 021")));
    }

    #[test]
    fn code_suffixes() {
        let mut t = CodeSuffixTokenizer;
        let mut s = t.token_stream("PDSJT-2026-0005\n平建罚〔2026〕12号");
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        expect![[r#"pdsjt20260005 dsjt20260005 sjt20260005 jt20260005 t20260005 20260005 0260005 260005 60005 0005 005 05 平建罚202612号 建罚202612号 罚202612号 202612号 02612号 2612号 612号 12号 2号"#]]
            .assert_eq(&out.join(" "));
    }

    #[test]
    fn a_phrase_of_query_tokens_lines_up_with_index_positions() {
        // The query's bigram positions must be a sub-sequence of the index's positions, shifted.
        let doc = CjkTokenizer::index().tokens("招标人：平顶山市鹰城建设工程有限公司");
        let query = CjkTokenizer::query().tokens("鹰城建设");
        let start = doc.iter().find(|(_, t)| *t == query[0].1).unwrap().0;
        for (p, t) in &query {
            assert!(
                doc.contains(&(start + p, t.clone())),
                "{t} at {}",
                start + p
            );
        }
    }

    #[test]
    fn synonyms_parse_and_expand() {
        let s = Synonyms::builtin();
        assert!(s.groups().len() >= 4);
        let v = s.variants("围标行为");
        assert!(v.contains(&"串通投标行为".to_string()), "{v:?}");
        assert!(v.contains(&"串标行为".to_string()), "{v:?}");
        assert!(s.variants("鹰城建设").is_empty());
        // A wrong finds the forms the law names of it; a form finds only itself and its group.
        let v = s.variants("串标");
        assert!(v.contains(&"投标文件异常一致".to_string()), "{v:?}");
        assert!(v.contains(&"泄露标底".to_string()), "{v:?}");
        assert!(s.variants("泄露标底").is_empty());
        let v = s.variants("弄虚作假");
        assert!(v.contains(&"虚假的业绩".to_string()), "{v:?}");
        for f in s.forms() {
            assert!(s.groups().iter().flatten().any(|w| *w == f.of), "{}", f.of);
            assert!(f.basis.contains("招标投标法实施条例"), "{}", f.basis);
        }
    }

    #[test]
    fn compounds_split_into_known_words() {
        let s = Synonyms::builtin();
        assert_eq!(s.split("陪标串标").unwrap(), ["陪标", "串标"]);
        assert_eq!(s.split("骗标弄虚作假").unwrap(), ["骗标", "弄虚作假"]);
        assert_eq!(s.split("围标串标陪标").unwrap(), ["围标", "串标", "陪标"]);
        assert_eq!(s.split("串通投标"), None, "one known word");
        assert_eq!(s.split("鹰城建设"), None, "not made of known words");
        assert_eq!(s.split("华为技术有限公司"), None);
    }

    #[test]
    fn plain_text_drops_markup() {
        expect![[r#"
            公告
            见 处罚决定。
            a b"#]]
        .assert_eq(&plain_text(
            "# 公告\n\n见 [处罚决定](/penalties/x/)。\n\n| a | b |\n|---|---|\n",
        ));
    }
}
