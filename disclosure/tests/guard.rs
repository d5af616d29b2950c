//! The personal-data guard, case by case, through the whole content parser: each disguise is a
//! complete content file that must be refused naming the field, each lawful look-alike one that
//! must parse. The numbers are made up here (check characters computed), never taken from a real
//! document.

use disclosure::ident::{is_citizen_id, luhn_valid};
use disclosure::parse::parse_disclosure;

/// A citizen id with its GB 11643 check character computed from the first 17 digits.
fn id(first17: &str) -> String {
    "0123456789X"
        .chars()
        .map(|c| format!("{first17}{c}"))
        .find(|s| is_citizen_id(s))
        .expect("some check character fits")
}

/// A card number with its Luhn check digit computed.
fn card(without_check: &str) -> String {
    (0..10)
        .map(|d| format!("{without_check}{d}"))
        .find(|s| luhn_valid(s))
        .expect("some check digit fits")
}

/// Inserts `sep` between the groups of `s` of the given sizes.
fn grouped(s: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for n in sizes {
        out.push(&s[at..at + n]);
        at += n;
    }
    assert_eq!(at, s.len(), "groups cover {s}");
    out.join(sep)
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            'X' => 'Ｘ',
            '-' => '－',
            ' ' => '\u{3000}',
            c => c,
        })
        .collect()
}

fn entities(s: &str, hex: bool) -> String {
    s.chars()
        .map(|c| {
            if hex {
                format!("&#x{:x};", c as u32)
            } else {
                format!("&#{};", c as u32)
            }
        })
        .collect()
}

/// `s` with `insert` after every `every` characters.
fn interleave(s: &str, every: usize, insert: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % every == 0 {
            out.push_str(insert);
        }
        out.push(c);
    }
    out
}

/// TOML basic-string escapes for every character: `\u0031…`.
fn toml_escaped(s: &str) -> String {
    s.chars().map(|c| format!("\\u{:04X}", c as u32)).collect()
}

#[derive(Clone, Copy)]
enum Template {
    Notice,
    Result,
    Penalty,
    Credit,
    ComplaintResult,
}

/// A complete content file of the given template, with `fields` (raw TOML `key = value` lines)
/// replacing or adding front-matter lines and `body` as the body.
fn document(template: Template, fields: &[(&str, String)], body: &str) -> String {
    let base: &[(&str, &str)] = match template {
        Template::Notice => &[
            ("kind", "\"notice\""),
            ("title", "\"某某道路改造工程施工招标公告\""),
            ("date", "2026-04-20"),
            ("department", "\"zjj\""),
            ("category", "\"construction\""),
            ("project", "\"PDSZJ-2026-0099\""),
            ("stage", "\"tender\""),
        ],
        Template::Result => &[
            ("kind", "\"result\""),
            ("title", "\"某某采购项目成交结果公告\""),
            ("date", "2026-04-20"),
            ("department", "\"czj\""),
            ("category", "\"procurement\""),
            ("project", "\"LHACG2025000057\""),
            ("stage", "\"award\""),
            ("amount", "1865000"),
        ],
        Template::Penalty => &[
            ("kind", "\"penalty\""),
            ("title", "\"行政处罚决定书\""),
            ("date", "2026-04-20"),
            ("department", "\"zjj\""),
            ("decision_no", "\"平建罚〔2026〕1号\""),
            ("subject", "\"张某\""),
            ("subject_credit_code", "\"410402********1234\""),
            ("violation", "\"提供虚假业绩\""),
            ("basis", "\"《招标投标法》第五十四条\""),
            ("penalty", "\"罚款\""),
            ("decision_date", "2026-04-01"),
            ("public_until", "2029-04-01"),
        ],
        Template::Credit => &[
            ("kind", "\"credit\""),
            ("title", "\"失信名单\""),
            ("date", "2026-04-20"),
            ("department", "\"zjj\""),
            ("list", "\"black\""),
            ("subject", "\"某某建设有限公司\""),
            ("credit_code", "\"91350100M000100Y43\""),
            ("reason", "\"串通投标\""),
            ("basis", "\"《招标投标法》第五十三条\""),
            ("from", "2026-04-01"),
            ("until", "2029-04-01"),
            ("status", "\"active\""),
            ("measures", "[\"限制参加投标\"]"),
        ],
        Template::ComplaintResult => &[
            ("kind", "\"complaint-result\""),
            ("title", "\"投诉处理结果\""),
            ("date", "2026-04-20"),
            ("department", "\"zjj\""),
            ("case_no", "\"TS-20260315-000012-K\""),
            ("outcome", "\"驳回投诉\""),
            ("decision_date", "2026-04-10"),
        ],
    };
    let mut lines: Vec<(String, String)> = base
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut tables = Vec::new();
    for (k, v) in fields {
        if k.starts_with("[[") {
            tables.push(format!("{k}\n{v}"));
        } else if let Some(line) = lines.iter_mut().find(|(key, _)| key == k) {
            line.1 = v.clone();
        } else {
            lines.push((k.to_string(), v.clone()));
        }
    }
    let mut text = String::from("+++\n");
    for (k, v) in lines {
        text.push_str(&format!("{k} = {v}\n"));
    }
    if matches!(template, Template::Result) && !fields.iter().any(|(k, _)| *k == "[[bidders]]") {
        tables.push(
            "[[bidders]]\nname = \"甲公司\"\ncredit_code = \"91350100M000100Y43\"\nbid = 1865000\nrank = 1\nwon = true"
                .to_string(),
        );
    }
    for t in tables {
        text.push('\n');
        text.push_str(&t);
        text.push('\n');
    }
    text.push_str("+++\n");
    text.push_str(body);
    text.push('\n');
    text
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

struct Disguise {
    name: &'static str,
    template: Template,
    fields: Vec<(&'static str, String)>,
    body: String,
    /// The field the error must name (`body` for the body).
    field: &'static str,
    /// Words of the error's description: "citizen id", "bank card", "mobile".
    what: &'static str,
}

fn disguises() -> Vec<Disguise> {
    let id1 = id("41040219880512345");
    let id2 = "11010519491231002X".to_string();
    let idx = id("42052119900701234");
    let card16 = "4111111111111111".to_string();
    let card19 = card("622848001234567890");
    let card62 = card("622202123456789");
    let mobile = "13912345678";
    use Template::*;
    let body = |name, template, body: String, what| Disguise {
        name,
        template,
        fields: Vec::new(),
        body,
        field: "body",
        what,
    };
    let field = |name, template, key: &'static str, value: String, what| Disguise {
        name,
        template,
        fields: vec![(key, value)],
        body: "正文".to_string(),
        field: key,
        what,
    };
    let (cid, bank, mob) = ("citizen id", "bank card", "mobile");
    let mut v = vec![
        // Citizen ids.
        body("id plain", Notice, format!("身份证号 {id1} 。"), cid),
        body("id X check", Penalty, format!("证件号{id2}"), cid),
        body("id lowercase x", Penalty, format!("证件号{}", id2.to_lowercase()), cid),
        field("id in title", Notice, "title", quoted(&format!("关于{id1}的公告")), cid),
        body("id decimal entities", Notice, entities(&id1, false), cid),
        body("id hex entities", Penalty, entities(&id2, true), cid),
        body("id some entities", Notice, format!("号码 {}&#{};{}", &id1[..8], id1.as_bytes()[8], &id1[9..]), cid),
        field("id entities in title", Penalty, "title", quoted(&entities(&id1, false)), cid),
        body("id strong inside", Notice, format!("{}**{}**{}", &id1[..4], &id1[4..10], &id1[10..]), cid),
        body("id emphasis inside", Penalty, format!("{}_{}_{}", &id1[..6], &id1[6..14], &id1[14..]), cid),
        body("id code span inside", Notice, format!("{}`{}`{}", &id1[..6], &id1[6..14], &id1[14..]), cid),
        body("id strikethrough inside", Notice, format!("{}~~{}~~", &id1[..9], &id1[9..]), cid),
        body("id link text", Notice, format!("[{}](/x/){}", &id1[..10], &id1[10..]), cid),
        field("id toml unicode escapes", Penalty, "violation", quoted(&toml_escaped(&id1)), cid),
        field("id toml escapes in title", Notice, "title", quoted(&toml_escaped(&id2)), cid),
        field("id toml line continuation", Penalty, "basis", format!("\"\"\"{}\\\n    {}\"\"\"", &id1[..9], &id1[9..]), cid),
        field("id multi-line string", Penalty, "penalty", format!("\"\"\"\n罚款，当事人{id1}\n\"\"\""), cid),
        body("id full-width", Penalty, fullwidth(&id2), cid),
        field("id full-width subject", Penalty, "subject", quoted(&format!("张三{}", fullwidth(&id1))), cid),
        body("id full-width X only", Notice, format!("{}Ｘ", &id2[..17]), cid),
        body("id zero-width space", Notice, interleave(&id1, 3, "\u{200B}"), cid),
        field("id zero-width joiner in title", Notice, "title", quoted(&interleave(&id1, 5, "\u{200D}")), cid),
        body("id soft hyphen", Penalty, interleave(&id2, 4, "\u{00AD}"), cid),
        body("id byte order mark", Notice, interleave(&id1, 9, "\u{FEFF}"), cid),
        body("id word joiner", Penalty, interleave(&id1, 2, "\u{2060}"), cid),
        body("id letters glued before", Notice, format!("ID{id1}"), cid),
        body("id letters glued after", Notice, format!("{id1}abc"), cid),
        body("id grouped 6-8-4 spaces", Notice, grouped(&id1, &[6, 8, 4], " "), cid),
        body("id grouped 6-8-4 dashes", Penalty, grouped(&id2, &[6, 8, 4], "-"), cid),
        body("id grouped double spaces", Notice, grouped(&id1, &[6, 8, 4], "  "), cid),
        body("id grouped dots", Penalty, grouped(&id1, &[6, 8, 4], "."), cid),
        body("id grouped ideographic spaces", Notice, grouped(&id1, &[6, 8, 4], "\u{3000}"), cid),
        body("id grouped en dashes", Notice, grouped(&id1, &[6, 8, 4], "–"), cid),
        body("id grouped middle dots", Notice, grouped(&id1, &[6, 8, 4], "·"), cid),
        body("id across a soft line break", Penalty, format!("当事人身份证号{}\n{}。", &id1[..10], &id1[10..]), cid),
        body("id in a table cell", Notice, format!("| 姓名 | 证件 |\n|---|---|\n| 张三 | {id1} |"), cid),
        body("id in a list item", Notice, format!("- 联系人：张三\n- 证件：{id1}"), cid),
        body("id in a heading", Notice, format!("## {id1}"), cid),
        body("id in a block quote", Penalty, format!("> 证件号码 {id2}"), cid),
        body("id in a code block", Notice, format!("```\n{id1}\n```"), cid),
        body("id mixed disguises", Penalty, fullwidth(&grouped(&idx, &[6, 8, 4], "-")).replace('－', "\u{200B}－"), cid),
        field("id in subject_credit_code", Penalty, "subject_credit_code", quoted(&id1), cid),
        field("id in credit measures", Credit, "measures", format!("[\"限制投标\", \"当事人{id1}\"]"), cid),
        field("id in region", Notice, "region", quoted(&format!("新城区{id1}")), cid),
        field("id as an integer fine", Penalty, "fine", id1.clone(), cid),
        field("id in complaint outcome", ComplaintResult, "outcome", quoted(&format!("投诉人{id1}")), cid),
        // Bank cards: refused on every page.
        body("card plain", Notice, format!("卡号 {card16}"), bank),
        body("card 19 digits", Notice, format!("卡号{card19}"), bank),
        body("card grouped 4-4-4-4", Notice, grouped(&card16, &[4, 4, 4, 4], " "), bank),
        body("card grouped double spaces", Penalty, grouped(&card16, &[4, 4, 4, 4], "  "), bank),
        body("card grouped 6+10", Notice, grouped(&card62, &[6, 10], " "), bank),
        body("card grouped 6+13", Notice, grouped(&card19, &[6, 13], " "), bank),
        body("card grouped dashes", Penalty, grouped(&card19, &[4, 4, 4, 4, 3], "-"), bank),
        body("card full-width", Notice, fullwidth(&card16), bank),
        body("card zero-width", Notice, interleave(&card19, 4, "\u{200C}"), bank),
        body("card entities", Notice, entities(&card16, false), bank),
        body("card strong inside", Penalty, format!("{}**{}**{}", &card62[..4], &card62[4..8], &card62[8..]), bank),
        field("card in title", Notice, "title", quoted(&format!("退还保证金至{card62}")), bank),
        body("card of a named person", Notice, format!("户名：张三，账号：{card19}"), bank),
        field("card toml escapes", Penalty, "penalty", quoted(&toml_escaped(&card16)), bank),
        body("card in a table", Notice, format!("| 户名 | 卡号 |\n|---|---|\n| 李四 | {card19} |"), bank),
        field("card in bidder reason", Result, "[[bidders]]", format!("name = \"乙公司\"\ncredit_code = \"91350100M000100Y43\"\nbid = 1\nrank = 1\nwon = false\ndisqualified = true\nreason = \"退款至{card62}\""), bank),
        // Mobile numbers on pages about persons.
        body("mobile plain", Penalty, format!("联系电话{mobile}"), mob),
        body("mobile dashes", Penalty, "电话 139-1234-5678".to_string(), mob),
        body("mobile spaces", Credit, "电话 139 1234 5678".to_string(), mob),
        body("mobile +86", Penalty, format!("电话 +86{mobile}"), mob),
        body("mobile +86 spaced", Penalty, "电话 +86 139 1234 5678".to_string(), mob),
        body("mobile 86", ComplaintResult, format!("电话86{mobile}"), mob),
        body("mobile +86 dashes", Penalty, "+86-139-1234-5678".to_string(), mob),
        body("mobile full-width", Penalty, fullwidth(mobile), mob),
        body("mobile zero-width", Credit, interleave(mobile, 3, "\u{200B}"), mob),
        body("mobile entities", Penalty, entities(mobile, false), mob),
        body("mobile strong inside", Penalty, "139**1234**5678".to_string(), mob),
        body("mobile dots", Penalty, "139.1234.5678".to_string(), mob),
        field("mobile in penalty title", Penalty, "title", quoted(&format!("张某（{mobile}）行政处罚")), mob),
        field("mobile in credit reason", Credit, "reason", quoted(&format!("联系人电话{}", fullwidth(mobile))), mob),
        field("mobile in complaint outcome", ComplaintResult, "outcome", quoted(&format!("已电话{mobile}告知")), mob),
    ];
    v.retain(|d| !d.name.is_empty());
    v
}

fn errors_of(text: &str) -> Result<(), String> {
    match parse_disclosure("content/x.md", "x", text) {
        Ok(_) => Ok(()),
        Err(diags) => Err(diags
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

#[test]
fn every_disguise_is_refused_naming_its_field() {
    let cases = disguises();
    assert!(cases.len() >= 60, "only {} disguises", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let text = document(case.template, &case.fields, &case.body);
        let field = if case.field == "[[bidders]]" {
            "bidders[1].reason"
        } else {
            case.field
        };
        match errors_of(&text) {
            Ok(()) => failures.push(format!("{}: published\n{text}", case.name)),
            Err(e) => {
                let named = e
                    .lines()
                    .any(|l| l.contains(&format!(": {field}: contains")) && l.contains(case.what));
                if !named {
                    failures.push(format!(
                        "{}: refused, but not as {} in {field}:\n{e}",
                        case.name, case.what
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} disguises:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn lawful_look_alikes_pass() {
    use Template::*;
    let card19 = card("622848001234567890");
    let card16 = card("621700123456789");
    type LookAlike = (&'static str, Template, Vec<(&'static str, String)>, String);
    let cases: Vec<LookAlike> = vec![
        ("credit codes", Credit, vec![], "统一社会信用代码：91350100M000100Y43，代码 91350100M000100Y43".into()),
        ("project codes", Notice, vec![], "项目编号：YCA010236-202501-01、LHACG2025000057、PDSZJ-2026-0012".into()),
        ("文号", Penalty, vec![("decision_no", quoted("宜建罚〔2026〕1234号"))], "依据宜建罚〔2026〕1234号决定".into()),
        ("amounts", Result, vec![], "成交金额：18,650,000.00 元（壹仟捌佰陆拾伍万元整），即1865万元；预算 186500000000.00 元".into()),
        ("dates and times", Penalty, vec![], "2026-03-01 09:30，2026年3月1日，2026.03.01 至 2027.03.01".into()),
        ("a purchaser's mobile in a notice", Notice, vec![], "采购人联系方式：王先生 13912345678；代理机构 +86 139-1234-5678".into()),
        ("landlines on a penalty", Penalty, vec![], "咨询电话：0375-2345678，0717-6781234".into()),
        ("the treasury's collection account", Penalty, vec![], format!("收款人：某市财政局财政专户，账号：{card19}，开户行：某银行某支行")),
        ("an organisation's basic account", Notice, vec![], format!("投标保证金账户（单位基本户）：{card16}")),
        ("a named company's account", Notice, vec![], format!("开户名称：某某建设工程有限公司 账号：{}", grouped(&card19, &[4, 4, 4, 4, 3], " "))),
        ("masked forms", Penalty, vec![("subject_credit_code", quoted("420521199007******"))], "4104**********1234，420521199007******，138****5678，6222 **** **** 1234".into()),
        ("a long serial number", Notice, vec![], "交易流水号 2026030112345678901234567".into()),
        ("a table of bids", Result, vec![], "| 名次 | 报价 | 复核价 |\n|---|---|---|\n| 1 | 4111111 | 111111111 |\n| 2 | 18650000 | 18650000 |".into()),
        ("a declared public number", Penalty, vec![("[[public_numbers]]", format!("value = \"{card19}\"\nreason = \"国库集中收付账户，依法公开\""))], format!("缴款账号 {card19}")),
        ("the panel on an award", Result, vec![], "评审小组成员名单：张某、李某、王某".into()),
    ];
    assert!(cases.len() >= 10);
    let mut failures = Vec::new();
    for (name, template, fields, body) in &cases {
        let text = document(*template, fields, body);
        if let Err(e) = errors_of(&text) {
            failures.push(format!("{name}: refused\n{e}\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_citizen_id_as_credit_code_is_personal_data_not_a_bad_code() {
    let text = document(
        Template::Penalty,
        &[("subject_credit_code", quoted("11010519491231002X"))],
        "正文",
    );
    let e = errors_of(&text).unwrap_err();
    assert!(e.contains("content/x.md:8: subject_credit_code: contains 1101**********002X, an unmasked citizen id"), "{e}");
    assert!(!e.contains("check character"), "{e}");
}

#[test]
fn the_panel_is_refused_before_the_award() {
    for (template, stage) in [
        (Template::Notice, "tender"),
        (Template::Result, "candidates"),
    ] {
        let text = document(
            template,
            &[("stage", quoted(stage))],
            "一、项目概况\n\n二、评标委员会成员名单：张某、李某",
        );
        let e = errors_of(&text).unwrap_err();
        assert!(
            e.contains(": body: \"评标委员会成员\" introduces the evaluation panel"),
            "{stage}: {e}"
        );
        assert!(e.contains("第三十七条"), "{e}");
    }
    // Hidden in a zero-width space, still seen.
    let text = document(Template::Notice, &[], "磋商\u{200B}小组成员：张某");
    assert!(errors_of(&text)
        .unwrap_err()
        .contains("introduces the evaluation panel"));
}

#[test]
fn public_numbers_are_kept_honest() {
    let card = card("622848001234567890");
    // A declaration that exempts nothing is an error naming its line.
    let text = document(
        Template::Penalty,
        &[(
            "[[public_numbers]]",
            "value = \"6222 0000 0000 0000\"\nreason = \"专户\"".to_string(),
        )],
        "正文",
    );
    let e = errors_of(&text).unwrap_err();
    assert!(
        e.contains("content/x.md:16: public_numbers[1].value: this number is not refused anywhere"),
        "{e}"
    );
    // A declaration without a reason is refused; the number stays refused.
    let text = document(
        Template::Penalty,
        &[("[[public_numbers]]", format!("value = \"{card}\""))],
        &format!("账号 {card}"),
    );
    let e = errors_of(&text).unwrap_err();
    assert!(
        e.contains("public_numbers[1].reason: needs a quoted, non-empty string"),
        "{e}"
    );
    // A declared number is carried on the disclosure, for the build's summary and log.
    let text = document(
        Template::Penalty,
        &[(
            "[[public_numbers]]",
            format!("value = \"{card}\"\nreason = \"国库集中收付账户\""),
        )],
        &format!("账号 {}", grouped(&card, &[4, 4, 4, 4, 3], " ")),
    );
    let d = parse_disclosure("content/x.md", "x", &text).unwrap();
    assert_eq!(d.public_numbers.len(), 1);
    assert_eq!(d.public_numbers[0].reason, "国库集中收付账户");
}

#[test]
fn findings_name_the_source_line() {
    let text = document(
        Template::Penalty,
        &[],
        &format!(
            "第一段\n\n第二段 1101**0519**{}\n",
            &"11010519491231002X"[8..]
        ),
    );
    let e = errors_of(&text).unwrap_err();
    // Front matter is 14 lines (+++, 12 fields, +++); the body starts on line 15.
    assert!(e.contains("content/x.md:17: body: contains"), "{e}");
}
