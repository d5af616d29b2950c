//! Reading one content file into a [`Disclosure`], collecting every problem in it at once.
//!
//! The front matter is parsed as a TOML table first and then read field by field, so that an
//! unknown field, a missing field and a bad date in the same file are all reported together,
//! each with its own line.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use toml::{Table, Value};

use crate::diagnostic::Diagnostic;
use crate::front_matter::{self, line_of_offset};
use crate::guard::{self, Finding, Published};
use crate::ident;
use crate::kind::{Category, Kind, Stage};
use crate::model::*;
use crate::routes;

const COMMON: &[&str] = &[
    "kind",
    "title",
    "date",
    "id",
    "department",
    "region",
    "updated",
    "public_numbers",
];
const TRADE: &[&str] = &[
    "category",
    "project",
    "stage",
    "buyer",
    "buyer_credit_code",
    "agency",
    "agency_credit_code",
];

/// The fields a kind may have besides the common ones.
fn kind_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Notice => TRADE,
        Kind::Result => &[
            "category",
            "project",
            "stage",
            "buyer",
            "buyer_credit_code",
            "agency",
            "agency_credit_code",
            "amount",
            "bidders",
        ],
        Kind::Penalty => &[
            "decision_no",
            "subject",
            "subject_credit_code",
            "violation",
            "basis",
            "penalty",
            "fine",
            "decision_date",
            "public_until",
            "project",
        ],
        Kind::Credit => &[
            "list",
            "subject",
            "credit_code",
            "reason",
            "basis",
            "from",
            "until",
            "status",
            "measures",
        ],
        Kind::Power => &[
            "code",
            "power_type",
            "basis",
            "responsibilities",
            "accountability",
        ],
        Kind::Inspection => &[
            "plan",
            "subject",
            "credit_code",
            "method",
            "finding",
            "checked_on",
        ],
        Kind::ComplaintResult => &["case_no", "outcome", "decision_date", "project"],
        Kind::Page => &[],
    }
}

const BIDDER_FIELDS: &[&str] = &[
    "name",
    "credit_code",
    "bid",
    "rank",
    "won",
    "disqualified",
    "reason",
];

/// Ids that would collide with the site's own paths.
pub const RESERVED_IDS: &[&str] = &[
    "page",
    "red",
    "black",
    "history",
    "feeds",
    "data",
    "projects",
    "departments",
    "search",
    "submit",
    "track",
    "staff",
    "api",
    "assets",
    "category",
    "stage",
    "notices",
    "results",
    "penalties",
    "credit",
    "powers",
    "inspections",
    "complaint-results",
    "healthz",
    "companies",
    "statistics",
    "sitemap",
    "signals",
];

/// Parses one content file. `source` is the path shown in errors (relative to the content
/// folder's parent, e.g. `content/notices/x.md`); `stem` is the file stem, the default id.
pub fn parse_disclosure(
    source: &str,
    stem: &str,
    text: &str,
) -> Result<Disclosure, Vec<Diagnostic>> {
    parse_disclosure_with_links(source, stem, text).map(|(d, _)| d)
}

/// [`parse_disclosure`], with the body's links and images found by the guard's pass over the
/// body (the page's Markdown options, as [`crate::text::walk`] reads it), each with its line.
pub fn parse_disclosure_with_links(
    source: &str,
    stem: &str,
    text: &str,
) -> Result<(Disclosure, Vec<crate::text::Link>), Vec<Diagnostic>> {
    let split = match front_matter::split(text) {
        Ok(s) => s,
        Err(e) => return Err(vec![Diagnostic::new(source, e.line, "", e.message)]),
    };
    let table: Table = match split.front_matter.parse() {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .map(|s| line_of_offset(split.front_matter, s.start) + split.front_matter_line - 1)
                .unwrap_or(split.front_matter_line);
            let message = format!("front matter is not valid TOML: {}", e.message());
            return Err(vec![Diagnostic::new(source, line, "", message)]);
        }
    };
    let mut r = Reader {
        source,
        split: &split,
        table,
        diags: Vec::new(),
        section: None,
        links: Vec::new(),
    };
    let disclosure = r.read(stem);
    r.guard();
    let mut diags = r.diags;
    match disclosure {
        Some(d) if diags.is_empty() => Ok((d, r.links)),
        _ => {
            diags.sort();
            Err(diags)
        }
    }
}

struct Reader<'a> {
    source: &'a str,
    split: &'a front_matter::Split<'a>,
    table: Table,
    diags: Vec<Diagnostic>,
    /// Set while reading the n-th `[[bidders]]` table, to find lines and name fields.
    section: Option<(usize, Table)>,
    /// The body's links and images, found while the guard reads the body.
    links: Vec<crate::text::Link>,
}

impl Reader<'_> {
    /// Line of `key = …` in the front matter (inside the current `[[bidders]]` table when one is
    /// being read); the first front-matter line when the key is absent.
    fn line(&self, key: &str) -> usize {
        let fm = self.split.front_matter;
        let base = self.split.front_matter_line;
        let mut in_section = self.section.is_none();
        let mut seen_sections = 0;
        for (i, line) in fm.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with('[') {
                if let Some((n, _)) = &self.section {
                    if t.starts_with("[[bidders]]") {
                        in_section = seen_sections == *n;
                        if in_section && key.is_empty() {
                            return base + i;
                        }
                        seen_sections += 1;
                        continue;
                    }
                }
                in_section = false;
                continue;
            }
            if in_section {
                if let Some(rest) = t.strip_prefix(key) {
                    if rest.trim_start().starts_with('=') {
                        return base + i;
                    }
                }
            }
        }
        base.saturating_sub(1).max(1)
    }

    fn field_name(&self, key: &str) -> String {
        match &self.section {
            Some((n, _)) => format!("bidders[{}].{key}", n + 1),
            None => key.to_string(),
        }
    }

    fn error(&mut self, key: &str, message: impl Into<String>) {
        let line = self.line(key);
        let field = self.field_name(key);
        self.diags
            .push(Diagnostic::new(self.source, line, field, message));
    }

    fn value(&self, key: &str) -> Option<&Value> {
        match &self.section {
            Some((_, t)) => t.get(key),
            None => self.table.get(key),
        }
    }

    fn missing(&mut self, key: &str, example: &str) {
        let message = format!("missing required field; add a line such as `{key} = {example}`");
        let line = if self.section.is_some() {
            self.line("")
        } else {
            self.split.front_matter_line - 1
        };
        let field = self.field_name(key);
        self.diags
            .push(Diagnostic::new(self.source, line, field, message));
    }

    fn opt_string(&mut self, key: &str) -> Option<String> {
        match self.value(key)? {
            Value::String(s) if s.trim().is_empty() => {
                self.error(key, "must not be empty");
                None
            }
            Value::String(s) => Some(s.trim().to_string()),
            other => {
                let t = other.type_str();
                self.error(key, format!("must be a quoted string, not a {t}"));
                None
            }
        }
    }

    fn string(&mut self, key: &str, example: &str) -> Option<String> {
        if self.value(key).is_none() {
            self.missing(key, example);
            return None;
        }
        self.opt_string(key)
    }

    fn strings(&mut self, key: &str, required: bool) -> Option<Vec<String>> {
        let Some(v) = self.value(key) else {
            if required {
                self.missing(key, "[\"…\", \"…\"]");
                return None;
            }
            return Some(Vec::new());
        };
        match v {
            Value::Array(items) if items.iter().all(|i| matches!(i, Value::String(_))) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .map(|s| s.trim().to_string())
                    .collect(),
            ),
            _ => {
                self.error(
                    key,
                    "must be a list of quoted strings, such as [\"…\", \"…\"]",
                );
                None
            }
        }
    }

    fn opt_date_time(&mut self, key: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
        let bad = |what: &str| {
            format!("{what}; write a TOML date such as `{key} = 2026-03-01` (no quotes) or a local datetime such as 2026-03-01T09:30:00")
        };
        match self.value(key)? {
            Value::Datetime(dt) => {
                let Some(d) = dt.date else {
                    self.error(key, bad("has a time but no date"));
                    return None;
                };
                if dt.offset.is_some() {
                    self.error(
                        key,
                        bad("has a time zone offset, which the site does not use"),
                    );
                    return None;
                }
                let Some(date) = NaiveDate::from_ymd_opt(
                    i32::from(d.year),
                    u32::from(d.month),
                    u32::from(d.day),
                ) else {
                    self.error(key, bad(&format!("{dt} is not a day of the calendar")));
                    return None;
                };
                let time = dt.time.and_then(|t| {
                    NaiveTime::from_hms_opt(
                        u32::from(t.hour),
                        u32::from(t.minute),
                        u32::from(t.second.unwrap_or(0)),
                    )
                });
                Some((date, time))
            }
            Value::String(s) => {
                let s = s.clone();
                self.error(key, bad(&format!("\"{s}\" is a string")));
                None
            }
            other => {
                let t = other.type_str();
                self.error(key, bad(&format!("a {t} is not a date")));
                None
            }
        }
    }

    fn opt_date(&mut self, key: &str) -> Option<NaiveDate> {
        self.opt_date_time(key).map(|(d, _)| d)
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        if self.value(key).is_none() {
            self.missing(key, "2026-03-01");
            return None;
        }
        self.opt_date(key)
    }

    fn opt_yuan(&mut self, key: &str) -> Option<Yuan> {
        let v = self.value(key)?.clone();
        let yuan = match &v {
            Value::Integer(i) => i.checked_mul(100).map(Yuan),
            Value::Float(f) if f.is_finite() && f.abs() < 1e15 => {
                Some(Yuan((f * 100.0).round() as i64))
            }
            Value::String(s) => parse_decimal_yuan(s),
            _ => None,
        };
        match yuan {
            Some(y) if y.0 >= 0 => Some(y),
            _ => {
                self.error(
                    key,
                    format!(
                        "{v} is not an amount in 元; write a number such as `{key} = 1234567.89`"
                    ),
                );
                None
            }
        }
    }

    fn yuan(&mut self, key: &str) -> Option<Yuan> {
        if self.value(key).is_none() {
            self.missing(key, "1234567.89");
            return None;
        }
        self.opt_yuan(key)
    }

    fn opt_bool(&mut self, key: &str) -> Option<bool> {
        match self.value(key)? {
            Value::Boolean(b) => Some(*b),
            _ => {
                self.error(key, "must be true or false");
                None
            }
        }
    }

    fn vocabulary<T>(&mut self, key: &str, parse: fn(&str) -> Option<T>, keys: &str) -> Option<T> {
        let example = keys.split(" | ").next().unwrap_or("").to_string();
        let s = self.string(key, &format!("\"{example}\""))?;
        match parse(&s) {
            Some(v) => Some(v),
            None => {
                self.error(key, format!("\"{s}\" is not one of {keys}"));
                None
            }
        }
    }

    fn one_of(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        let s = self.string(key, &format!("\"{}\"", allowed[0]))?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            self.error(
                key,
                format!("\"{s}\" is not one of {}", allowed.join(" · ")),
            );
            None
        }
    }

    fn credit_code(&mut self, key: &str, allow_masked_person: bool) -> Option<String> {
        let code = self.string(key, "\"91410400MA3XABCD1X\"")?;
        if allow_masked_person && code.contains('*') {
            return Some(code);
        }
        match ident::check_uscc(&code) {
            Ok(()) => Some(code),
            // An unmasked citizen id is personal data, and the guard says so; calling it a bad
            // credit code would invite the author to "fix" one digit and publish it.
            Err(_) if !Published::of(&code).personal_data(false).is_empty() => None,
            Err(message) => {
                let message = if allow_masked_person {
                    format!("{message}; for a natural person give the masked id number instead")
                } else {
                    message
                };
                self.error(key, message);
                None
            }
        }
    }

    /// Reports fields that do not belong to this kind (or to a bidder).
    fn unknown_fields(&mut self, kind: Kind) {
        let allowed: BTreeSet<&str> = COMMON.iter().chain(kind_fields(kind)).copied().collect();
        let keys: Vec<String> = self.table.keys().cloned().collect();
        for key in keys {
            if allowed.contains(key.as_str()) || (kind == Kind::Page && key == "department") {
                continue;
            }
            let known_elsewhere = Kind::ALL
                .iter()
                .find(|k| kind_fields(**k).contains(&key.as_str()));
            let message = match known_elsewhere {
                Some(other) => format!(
                    "`{key}` belongs to kind \"{other}\", not \"{kind}\"; remove it or fix `kind`"
                ),
                None => match closest(&key, allowed.iter().copied()) {
                    Some(near) => format!("unknown field `{key}`; did you mean `{near}`?"),
                    None => format!(
                        "unknown field `{key}`; a {kind} has {}",
                        allowed.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                },
            };
            self.error(&key, message);
        }
    }

    fn read(&mut self, stem: &str) -> Option<Disclosure> {
        let kind = self.vocabulary("kind", Kind::from_key, &Kind::keys());
        let title = self.string("title", "\"…\"");
        let date = match self.value("date") {
            None => {
                self.missing("date", "2026-03-01");
                None
            }
            Some(_) => self.opt_date_time("date"),
        };
        let updated = self.opt_date("updated");
        let region = self.opt_string("region");
        let id = self.opt_string("id").unwrap_or_else(|| stem.to_string());
        self.check_id(&id);
        let department = match kind {
            Some(Kind::Page) => {
                if self.value("department").is_some() {
                    self.error("department", "a page has no department; remove the line");
                }
                None
            }
            Some(_) => self.string("department", "\"gongguan\""),
            None => None,
        };
        if let (Some((date, _)), Some(updated)) = (date, updated) {
            if updated < date {
                self.error("updated", format!("{updated} is before the publish date {date}; `updated` is the date of the last revision"));
            }
        }
        let kind = kind?;
        self.unknown_fields(kind);
        let details = self.details(kind);
        let public_numbers = self.public_numbers();
        let (date, time) = date?;
        Some(Disclosure {
            id,
            source: self.source.to_string(),
            title: title?,
            date,
            time,
            updated,
            department: if kind == Kind::Page {
                None
            } else {
                Some(department?)
            },
            department_line: self.line("department"),
            region,
            body: self.split.body.to_string(),
            body_line: self.split.body_line,
            details: details?,
            public_numbers: public_numbers?,
        })
    }

    fn check_id(&mut self, id: &str) {
        let field = if self.value("id").is_some() { "id" } else { "" };
        let problem = if id.is_empty() {
            Some("the id is empty".to_string())
        } else if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Some(format!(
                "id \"{id}\" may only use A-Z, a-z, 0-9 and -; set `id = \"…\"` or rename the file"
            ))
        } else if RESERVED_IDS.contains(&id) {
            Some(format!(
                "id \"{id}\" is reserved for the site's own pages; choose another id"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            if field.is_empty() {
                self.diags
                    .push(Diagnostic::new(self.source, 0, "id", message));
            } else {
                self.error("id", message);
            }
        }
    }

    fn trade(&mut self, kind: Kind) -> Option<Trade> {
        let category = self.vocabulary("category", Category::from_key, &Category::keys());
        let project = self.string("project", "\"PDSZJ-2026-0012\"");
        if let Some(p) = &project {
            if !routes::is_url_safe(p) {
                self.error("project", format!("project code \"{p}\" may only use A-Z, a-z, 0-9, - and _ (it becomes the URL /projects/<code>/)"));
            }
        }
        let stage = self.vocabulary("stage", Stage::from_key, &Stage::keys());
        if let Some(stage) = stage {
            let result_stage = matches!(stage, Stage::Candidates | Stage::Award | Stage::Contract);
            if result_stage != (kind == Kind::Result) {
                let right = if result_stage { "result" } else { "notice" };
                self.error(
                    "stage",
                    format!("stage \"{stage}\" is published as kind \"{right}\", not \"{kind}\""),
                );
            }
        }
        let buyer = self.organisation("buyer");
        let agency = self.organisation("agency");
        Some(Trade {
            category: category?,
            project: project?,
            stage: stage?,
            buyer: buyer?,
            agency: agency?,
        })
    }

    /// The optional `project` of a penalty or a complaint result: a project code, as on notices.
    fn opt_project(&mut self) -> Option<String> {
        let p = self.opt_string("project")?;
        if routes::is_url_safe(&p) {
            Some(p)
        } else {
            self.error("project", format!("project code \"{p}\" may only use A-Z, a-z, 0-9, - and _ (it becomes the URL /projects/<code>/)"));
            None
        }
    }

    /// `buyer` / `agency` with its optional `<key>_credit_code`; `Some(None)` when absent, `None`
    /// when wrong.
    fn organisation(&mut self, key: &str) -> Option<Option<Organisation>> {
        let code_key = format!("{key}_credit_code");
        let name = self.opt_string(key);
        let bad_name = name.is_none() && self.value(key).is_some();
        let credit_code = match self.value(&code_key) {
            None => Some(None),
            Some(_) => self.credit_code(&code_key, false).map(Some),
        };
        match (name, credit_code) {
            (Some(name), Some(credit_code)) => Some(Some(Organisation { name, credit_code })),
            (None, Some(Some(_))) if !bad_name => {
                self.error(
                    &code_key,
                    format!("`{code_key}` needs `{key} = \"…\"`, the name it belongs to"),
                );
                None
            }
            (None, Some(None)) if !bad_name => Some(None),
            _ => None,
        }
    }

    fn bidders(&mut self) -> Option<Vec<Bidder>> {
        let Some(v) = self.table.get("bidders").cloned() else {
            return Some(Vec::new());
        };
        let Value::Array(items) = v else {
            self.error("bidders", "must be written as [[bidders]] tables");
            return None;
        };
        let mut bidders = Vec::new();
        let mut ok = true;
        for (n, item) in items.into_iter().enumerate() {
            let Value::Table(t) = item else {
                self.error("bidders", "must be written as [[bidders]] tables");
                return None;
            };
            self.section = Some((n, t.clone()));
            for key in t.keys() {
                if !BIDDER_FIELDS.contains(&key.as_str()) {
                    let message = match closest(key, BIDDER_FIELDS.iter().copied()) {
                        Some(near) => format!("unknown field `{key}`; did you mean `{near}`?"),
                        None => format!(
                            "unknown field `{key}`; a bidder has {}",
                            BIDDER_FIELDS.join(", ")
                        ),
                    };
                    self.error(key, message);
                    ok = false;
                }
            }
            let name = self.string("name", "\"…有限公司\"");
            let credit_code = self.credit_code("credit_code", false);
            let bid = self.yuan("bid");
            let rank = match self.value("rank") {
                None => {
                    self.missing("rank", "1");
                    None
                }
                Some(Value::Integer(r)) if *r >= 1 => Some(*r as u32),
                Some(_) => {
                    self.error("rank", "must be a whole number from 1");
                    None
                }
            };
            let won = match self.opt_bool("won") {
                Some(w) => Some(w),
                None if self.value("won").is_none() => {
                    self.missing("won", "false");
                    None
                }
                None => None,
            };
            let disqualified = self.opt_bool("disqualified").unwrap_or(false);
            let reason = self.opt_string("reason");
            if disqualified && reason.is_none() {
                self.error(
                    "disqualified",
                    "a disqualified bidder needs `reason = \"…\"` saying why",
                );
            }
            if disqualified && won == Some(true) {
                self.error("won", "a disqualified bidder cannot have won");
            }
            match (name, credit_code, bid, rank, won) {
                (Some(name), Some(credit_code), Some(bid), Some(rank), Some(won)) => {
                    bidders.push(Bidder {
                        name,
                        credit_code,
                        bid,
                        rank,
                        won,
                        disqualified,
                        reason,
                    })
                }
                _ => ok = false,
            }
        }
        self.section = None;
        ok.then_some(bidders)
    }

    fn details(&mut self, kind: Kind) -> Option<Details> {
        Some(match kind {
            Kind::Notice => Details::Notice {
                trade: self.trade(kind)?,
            },
            Kind::Result => {
                let trade = self.trade(kind);
                let amount = self.opt_yuan("amount");
                let bidders = self.bidders();
                Details::Result {
                    trade: trade?,
                    amount,
                    bidders: bidders?,
                }
            }
            Kind::Penalty => {
                let p = (
                    self.string("decision_no", "\"平建罚〔2026〕12号\""),
                    self.string("subject", "\"…有限公司\""),
                    self.credit_code("subject_credit_code", true),
                    self.string("violation", "\"…\""),
                    self.string("basis", "\"《中华人民共和国招标投标法》第五十三条\""),
                    self.string("penalty", "\"…\""),
                    self.opt_yuan("fine"),
                    self.date("decision_date"),
                    self.date("public_until"),
                );
                if let (Some(d), Some(u)) = (p.7, p.8) {
                    if u < d {
                        self.error(
                            "public_until",
                            format!("publicity ends {u}, before the decision date {d}"),
                        );
                        return None;
                    }
                }
                Details::Penalty(Penalty {
                    decision_no: p.0?,
                    subject: p.1?,
                    subject_credit_code: p.2?,
                    violation: p.3?,
                    basis: p.4?,
                    penalty: p.5?,
                    fine: p.6,
                    decision_date: p.7?,
                    public_until: p.8?,
                    project: self.opt_project(),
                })
            }
            Kind::Credit => {
                let list = self.vocabulary(
                    "list",
                    |s| match s {
                        "red" => Some(CreditList::Red),
                        "black" => Some(CreditList::Black),
                        _ => None,
                    },
                    "red | black",
                );
                let c = (
                    self.string("subject", "\"…有限公司\""),
                    self.credit_code("credit_code", false),
                    self.string("reason", "\"…\""),
                    self.string("basis", "\"…\""),
                    self.date("from"),
                    self.date("until"),
                    self.vocabulary(
                        "status",
                        |s| match s {
                            "active" => Some(CreditStatus::Active),
                            "repaired" => Some(CreditStatus::Repaired),
                            "revoked" => Some(CreditStatus::Revoked),
                            _ => None,
                        },
                        "active | repaired | revoked",
                    ),
                    self.strings("measures", false),
                );
                if let (Some(f), Some(u)) = (c.4, c.5) {
                    if u < f {
                        self.error(
                            "until",
                            format!("the entry ends {u}, before it starts ({f})"),
                        );
                        return None;
                    }
                }
                Details::Credit(CreditEntry {
                    list: list?,
                    subject: c.0?,
                    credit_code: c.1?,
                    reason: c.2?,
                    basis: c.3?,
                    from: c.4?,
                    until: c.5?,
                    status: c.6?,
                    measures: c.7?,
                })
            }
            Kind::Power => {
                let p = (
                    self.string("code", "\"4104-ZJ-XK-001\""),
                    self.one_of("power_type", POWER_TYPES),
                    self.string("basis", "\"…\""),
                    self.strings("responsibilities", true),
                    self.string("accountability", "\"…\""),
                );
                Details::Power(PowerEntry {
                    code: p.0?,
                    power_type: p.1?,
                    basis: p.2?,
                    responsibilities: p.3?,
                    accountability: p.4?,
                })
            }
            Kind::Inspection => {
                let i = (
                    self.string("plan", "\"…\""),
                    self.string("subject", "\"…有限公司\""),
                    self.credit_code("credit_code", false),
                    self.one_of("method", INSPECTION_METHODS),
                    self.string("finding", "\"未发现问题\""),
                    self.date("checked_on"),
                );
                Details::Inspection(Inspection {
                    plan: i.0?,
                    subject: i.1?,
                    credit_code: i.2?,
                    method: i.3?,
                    finding: i.4?,
                    checked_on: i.5?,
                })
            }
            Kind::ComplaintResult => {
                let c = (
                    self.string("case_no", "\"TS-20260315-000012-K\""),
                    self.string("outcome", "\"…\""),
                    self.date("decision_date"),
                );
                Details::ComplaintResult(ComplaintResult {
                    case_no: c.0?,
                    outcome: c.1?,
                    decision_date: c.2?,
                    project: self.opt_project(),
                })
            }
            Kind::Page => Details::Page,
        })
    }
}

fn parse_decimal_yuan(s: &str) -> Option<Yuan> {
    let s = s.trim().replace(',', "");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = format!("{frac:0<2}");
    let fen = int
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac.parse::<i64>().ok()?)?;
    Some(Yuan(fen))
}

/// The allowed name nearest to a misspelt one, when it is near enough to be a likely typo.
fn closest<'a>(key: &str, allowed: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    allowed
        .map(|a| (edit_distance(key, a), a))
        .filter(|(d, a)| *d <= 2 && *d < a.len())
        .min()
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Reader<'_> {
    /// Line of the `n`-th `[[name]]` table's header, or of `key = …` inside it.
    fn table_line(&self, name: &str, n: usize, key: &str) -> usize {
        let header = format!("[[{name}]]");
        let base = self.split.front_matter_line;
        let lines: Vec<&str> = self.split.front_matter.lines().collect();
        let Some(start) = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with(&header))
            .nth(n)
            .map(|(i, _)| i)
        else {
            return base;
        };
        let inside = lines[start + 1..]
            .iter()
            .take_while(|l| !l.trim_start().starts_with('['))
            .position(|l| {
                l.trim_start()
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            });
        match inside {
            Some(i) if !key.is_empty() => base + start + 1 + i,
            _ => base + start,
        }
    }

    /// `[[public_numbers]]`: numbers the author declares lawful to publish, each with `value` and
    /// `reason`.
    fn public_numbers(&mut self) -> Option<Vec<PublicNumber>> {
        let Some(v) = self.table.get("public_numbers").cloned() else {
            return Some(Vec::new());
        };
        let shape = "must be tables: [[public_numbers]] with value = \"…\" and reason = \"…\"";
        let Value::Array(items) = v else {
            self.error("public_numbers", shape);
            return None;
        };
        let mut numbers = Vec::new();
        let mut ok = true;
        for (n, item) in items.iter().enumerate() {
            let field = |k: &str| format!("public_numbers[{}].{k}", n + 1);
            let Value::Table(t) = item else {
                let line = self.table_line("public_numbers", n, "");
                self.diags
                    .push(Diagnostic::new(self.source, line, field("value"), shape));
                ok = false;
                continue;
            };
            for key in t.keys().filter(|k| *k != "value" && *k != "reason") {
                let line = self.table_line("public_numbers", n, key);
                self.diags.push(Diagnostic::new(
                    self.source,
                    line,
                    field(key),
                    format!("unknown field `{key}`; a public number has value and reason"),
                ));
                ok = false;
            }
            let mut get = |key: &str, example: &str| match t.get(key) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => {
                    let line = self.table_line("public_numbers", n, key);
                    self.diags.push(Diagnostic::new(
                        self.source,
                        line,
                        field(key),
                        format!("needs a quoted, non-empty string, such as `{key} = {example}`"),
                    ));
                    None
                }
            };
            let value = get("value", "\"…\"");
            let reason = get("reason", "\"国库集中收付专户，依法公开\"");
            match (value, reason) {
                (Some(value), Some(reason)) => numbers.push(PublicNumber { value, reason }),
                _ => ok = false,
            }
        }
        ok.then_some(numbers)
    }

    /// The personal-data guard over every field and the body, as published (see [`guard`]); and
    /// the evaluation panel, which only an award may name.
    fn guard(&mut self) {
        let text = |key: &str| self.table.get(key).and_then(Value::as_str);
        let kind = text("kind").and_then(Kind::from_key);
        let stage = text("stage").and_then(Stage::from_key);
        let mobiles = kind.is_some_and(Kind::is_about_persons);

        let mut findings: Vec<(usize, String, Finding)> = Vec::new();
        // Taken out for the walk (put back below) rather than copied: this runs for every file.
        let table = std::mem::take(&mut self.table);
        for (key, value) in table.iter().filter(|(k, _)| *k != "public_numbers") {
            match value {
                Value::Array(items) if key == "bidders" => {
                    for (n, item) in items.iter().enumerate() {
                        let Value::Table(t) = item else { continue };
                        self.section = Some((n, t.clone()));
                        for (k, v) in t {
                            for f in scan_value(v, k, mobiles) {
                                findings.push((self.line(k), self.field_name(k), f));
                            }
                        }
                        self.section = None;
                    }
                }
                v => {
                    for f in scan_value(v, key, mobiles) {
                        findings.push((self.line(key), key.clone(), f));
                    }
                }
            }
        }
        self.table = table;
        let body = Published::from_markdown_with_links(
            self.split.body,
            self.split.body_line,
            &mut self.links,
        );
        for f in body.personal_data(mobiles) {
            findings.push((body.line_at(f.offset), "body".to_string(), f));
        }

        // Numbers the author declared lawful pass; a declaration that exempts nothing is stale.
        let declared: Vec<String> = match self.table.get("public_numbers") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.get("value")
                        .and_then(Value::as_str)
                        .map_or(String::new(), guard::number_digits)
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut used = vec![false; declared.len()];
        for (line, field, f) in findings {
            let exempt = declared
                .iter()
                .position(|d| !d.is_empty() && (*d == f.digits || *d == format!("86{}", f.digits)));
            if let Some(n) = exempt {
                used[n] = true;
                continue;
            }
            let message = format!("contains {}, {}", guard::mask(&f.digits), f.kind.describe());
            self.diags
                .push(Diagnostic::new(self.source, line, field, message));
        }
        for (n, d) in declared.iter().enumerate() {
            if !used[n] && !d.is_empty() {
                let line = self.table_line("public_numbers", n, "value");
                self.diags.push(Diagnostic::new(
                    self.source,
                    line,
                    format!("public_numbers[{}].value", n + 1),
                    "this number is not refused anywhere in the page (absent, masked or already \
                     lawful by its wording); remove the entry",
                ));
            }
        }

        self.remote_images();

        if let Some((at, marker)) = guard::find_panel(body.as_str()) {
            let award =
                kind == Some(Kind::Result) && matches!(stage, Some(Stage::Award | Stage::Contract));
            if !award {
                self.diags.push(Diagnostic::new(
                    self.source,
                    body.line_at(at),
                    "body",
                    format!(
                        "\"{marker}\" introduces the evaluation panel, which is published with the \
                         award (stage = \"award\") and kept confidential before it (招标投标法 第三十七条); \
                         remove it from this page"
                    ),
                ));
            }
        }
    }
}

impl Reader<'_> {
    /// An image from another host would tell that host who reads the page (and when): the site
    /// serves its own images only. A link to a remote file is fine; showing it inline is not.
    fn remote_images(&mut self) {
        for link in self.links.iter().filter(|l| l.image && l.is_remote()) {
            let url = link.dest.trim();
            self.diags.push(Diagnostic::new(
                self.source,
                link.line,
                "body",
                format!(
                    "the image {url} is on another host, which would learn who reads this page; copy it into the site (a path such as /files/…) or link to it with [text]({url}) instead of showing it"
                ),
            ));
        }
    }
}

/// The guard's findings in one front-matter value. A field that holds a valid unified social
/// credit code is a code, not personal data.
fn scan_value(value: &Value, key: &str, mobiles: bool) -> Vec<Finding> {
    match value {
        Value::String(s) => {
            if key.ends_with("credit_code") && ident::check_uscc(s.trim()).is_ok() {
                return Vec::new();
            }
            Published::of(s).personal_data(mobiles)
        }
        Value::Integer(i) => Published::of(&i.to_string()).personal_data(mobiles),
        Value::Array(items) => items
            .iter()
            .flat_map(|v| scan_value(v, key, mobiles))
            .collect(),
        Value::Table(t) => t
            .iter()
            .flat_map(|(k, v)| scan_value(v, k, mobiles))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse_disclosure("content/x.md", "x", text)
            .unwrap_err()
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn a_valid_result_parses() {
        let text = "+++\nkind = \"result\"\ntitle = \"结果\"\ndate = 2026-04-20\ndepartment = \"zjj\"\ncategory = \"construction\"\nproject = \"P-1\"\nstage = \"award\"\namount = 100.5\n\n[[bidders]]\nname = \"甲公司\"\ncredit_code = \"91350100M000100Y43\"\nbid = 100.5\nrank = 1\nwon = true\n+++\n正文\n";
        let d = parse_disclosure("content/x.md", "x", text).unwrap();
        assert_eq!(d.kind(), Kind::Result);
        assert_eq!(d.url(), "/results/x/");
        let Details::Result {
            amount, bidders, ..
        } = &d.details
        else {
            panic!()
        };
        assert_eq!(amount.unwrap().display(), "100.50 元");
        assert_eq!(bidders[0].bid, Yuan(10050));
        assert_eq!(d.body_line, 18);
    }

    #[test]
    fn all_errors_of_a_file_are_reported_with_lines() {
        let text = "+++\nkind = \"notice\"\ntitle = \"x\"\ndate = \"2026-03-01\"\ndepartmnt = \"zjj\"\ncategory = \"roads\"\nproject = \"P 1\"\nstage = \"award\"\namount = 3\n+++\n";
        let e = errors(text);
        let joined = e.join("\n");
        assert!(
            joined.contains("content/x.md:4: date: bad")
                || joined.contains("content/x.md:4: date: \"2026-03-01\" is a string"),
            "{joined}"
        );
        assert!(
            joined.contains(
                "content/x.md:5: departmnt: unknown field `departmnt`; did you mean `department`?"
            ),
            "{joined}"
        );
        assert!(
            joined.contains("content/x.md:6: category: \"roads\" is not one of construction"),
            "{joined}"
        );
        assert!(joined.contains("content/x.md:7: project:"), "{joined}");
        assert!(
            joined
                .contains("content/x.md:8: stage: stage \"award\" is published as kind \"result\""),
            "{joined}"
        );
        assert!(
            joined.contains("content/x.md:9: amount: `amount` belongs to kind \"result\""),
            "{joined}"
        );
        assert!(
            joined.contains("department: missing required field"),
            "{joined}"
        );
    }

    #[test]
    fn bidder_errors_name_the_bidder() {
        let text = "+++\nkind = \"result\"\ntitle = \"结果\"\ndate = 2026-04-20\ndepartment = \"zjj\"\ncategory = \"construction\"\nproject = \"P-1\"\nstage = \"award\"\n\n[[bidders]]\nname = \"甲\"\ncredit_code = \"91350100M000100Y43\"\nbid = 1\nrank = 1\nwon = true\n\n[[bidders]]\nname = \"乙\"\ncredit_code = \"91350100M000100Y44\"\nbid = 2\nrank = 2\nwon = false\n+++\n";
        let e = errors(text).join("\n");
        assert!(e.contains("content/x.md:19: bidders[2].credit_code: 统一社会信用代码 \"91350100M000100Y44\" has check character '4'"), "{e}");
    }

    #[test]
    fn remote_images_are_refused_and_links_and_local_images_pass() {
        let page = |body: &str| {
            format!("+++\nkind = \"page\"\ntitle = \"x\"\ndate = 2026-04-20\n+++\n{body}\n")
        };
        for remote in [
            "![图](https://tracker.example/p.png)",
            "![](//cdn.example/x.gif)",
            "![x](HTTP://a.example/b)",
        ] {
            let e = errors(&page(&format!("第一行\n\n{remote}"))).join("\n");
            assert!(
                e.contains("content/x.md:8: body: the image") && e.contains("another host"),
                "{remote}: {e}"
            );
        }
        for fine in [
            "![图](/files/map.png)",
            "![图](map.png)",
            "[报告](https://www.example.gov.cn/a.pdf)",
        ] {
            assert!(
                parse_disclosure("content/x.md", "x", &page(fine)).is_ok(),
                "{fine}"
            );
        }
    }

    #[test]
    fn personal_data_is_refused_with_its_line() {
        let text = "+++\nkind = \"penalty\"\ntitle = \"处罚\"\ndate = 2026-04-20\ndepartment = \"zjj\"\ndecision_no = \"平建罚〔2026〕1号\"\nsubject = \"张某\"\nsubject_credit_code = \"410402********1234\"\nviolation = \"v\"\nbasis = \"b\"\npenalty = \"p\"\ndecision_date = 2026-04-01\npublic_until = 2027-04-01\n+++\n联系电话 13812345678\n身份证 11010519491231002X\n";
        let e = errors(text).join("\n");
        assert!(
            e.contains("content/x.md:15: body: contains 138****5678, an unmasked mobile number"),
            "{e}"
        );
        assert!(
            e.contains(
                "content/x.md:16: body: contains 1101**********002X, an unmasked citizen id"
            ),
            "{e}"
        );
    }
}
