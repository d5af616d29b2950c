//! The typed disclosure: what a content file becomes once its front matter has been read and
//! checked. The rest of the program trusts these values.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::kind::{Category, Kind, Stage};
use crate::routes;

/// An amount of money in 元, held exactly as 分 (hundredths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Yuan(pub i64);

impl Yuan {
    pub fn fen(self) -> i64 {
        self.0
    }

    /// `18650000.00`, as in open data.
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }

    /// `18,650,000.00 元`, as shown to readers.
    pub fn display(self) -> String {
        let dec = self.decimal();
        let (int, frac) = dec.split_once('.').expect("decimal has a point");
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{frac} 元")
    }
}

/// The trading facts shared by notices and results.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Trade {
    pub category: Category,
    /// 项目编号: every disclosure with the same code belongs to one project.
    pub project: String,
    pub stage: Stage,
    /// 招标人 / 采购人 / 出让人, as published.
    #[serde(default)]
    pub buyer: Option<Organisation>,
    /// 招标代理机构 / 采购代理机构.
    #[serde(default)]
    pub agency: Option<Organisation>,
}

/// A buyer or an agency: its name as published and, when given, its unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub credit_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bidder {
    pub name: String,
    pub credit_code: String,
    pub bid: Yuan,
    pub rank: u32,
    pub won: bool,
    pub disqualified: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Penalty {
    /// 文号, e.g. 平建罚〔2026〕12号.
    pub decision_no: String,
    pub subject: String,
    /// A unified social credit code, or a masked personal id for a natural person.
    pub subject_credit_code: String,
    pub violation: String,
    pub basis: String,
    pub penalty: String,
    pub fine: Option<Yuan>,
    pub decision_date: NaiveDate,
    /// Publicity ends after this day: the page leaves the site and the feeds.
    pub public_until: NaiveDate,
    /// The project in which the violation happened, when there is one.
    #[serde(default)]
    pub project: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CreditList {
    Red,
    Black,
}

impl CreditList {
    pub fn key(self) -> &'static str {
        match self {
            CreditList::Red => "red",
            CreditList::Black => "black",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CreditList::Red => "红名单",
            CreditList::Black => "黑名单",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CreditStatus {
    Active,
    Repaired,
    Revoked,
}

impl CreditStatus {
    pub fn label(self) -> &'static str {
        match self {
            CreditStatus::Active => "有效",
            CreditStatus::Repaired => "已信用修复",
            CreditStatus::Revoked => "已撤销",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditEntry {
    pub list: CreditList,
    pub subject: String,
    pub credit_code: String,
    pub reason: String,
    pub basis: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub status: CreditStatus,
    pub measures: Vec<String>,
}

impl CreditEntry {
    /// Only active entries inside `from..=until` are on the current lists.
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.status == CreditStatus::Active && self.from <= today && today <= self.until
    }

    /// The state a reader sees on the page, judged on `today`.
    pub fn state_label(&self, today: NaiveDate) -> &'static str {
        match self.status {
            CreditStatus::Active if today < self.from => "尚未生效",
            CreditStatus::Active if today > self.until => "已到期",
            status => status.label(),
        }
    }
}

pub const POWER_TYPES: &[&str] = &["行政许可", "行政处罚", "行政检查", "行政强制", "其他"];
pub const INSPECTION_METHODS: &[&str] = &["网络监测", "书面检查", "电子化检查", "实地核查"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PowerEntry {
    pub code: String,
    pub power_type: String,
    pub basis: String,
    pub responsibilities: Vec<String>,
    pub accountability: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Inspection {
    pub plan: String,
    pub subject: String,
    pub credit_code: String,
    pub method: String,
    pub finding: String,
    pub checked_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ComplaintResult {
    pub case_no: String,
    pub outcome: String,
    pub decision_date: NaiveDate,
    /// The project complained about, when the case named one.
    #[serde(default)]
    pub project: Option<String>,
}

/// The kind-specific part of a disclosure; its variant is the disclosure's kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Details {
    Notice {
        trade: Trade,
    },
    Result {
        trade: Trade,
        amount: Option<Yuan>,
        bidders: Vec<Bidder>,
    },
    Penalty(Penalty),
    Credit(CreditEntry),
    Power(PowerEntry),
    Inspection(Inspection),
    ComplaintResult(ComplaintResult),
    Page,
}

/// One published disclosure, as read from `content/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Disclosure {
    /// Stable id, `[A-Za-z0-9-]`, unique across the site; the URL is built from it.
    pub id: String,
    /// The file it came from, relative to the content folder, with `/` separators.
    pub source: String,
    pub title: String,
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    /// Date of the last revision, when revised.
    pub updated: Option<NaiveDate>,
    /// Id of the supervising or issuing department; `None` only for pages.
    pub department: Option<String>,
    /// Line of the `department` field, for errors found when departments are known.
    pub department_line: usize,
    pub region: Option<String>,
    /// The Markdown body, as written.
    pub body: String,
    /// 1-based line of the body's first line in the source file.
    pub body_line: usize,
    pub details: Details,
    /// Numbers the author declares lawful to publish although the personal-data guard would
    /// refuse them (`[[public_numbers]]`), each with its reason. Always serialised: the build's
    /// cache (postcard) is not self-describing and cannot skip a field.
    #[serde(default)]
    pub public_numbers: Vec<PublicNumber>,
}

/// A number published on purpose: `[[public_numbers]]` with `value` and `reason`. The build names
/// each in its summary and in the publication log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicNumber {
    /// The number as written in the front matter.
    pub value: String,
    /// Why it may be published (e.g. 国库集中收付账户, 法律要求公开).
    pub reason: String,
}

impl Disclosure {
    pub fn kind(&self) -> Kind {
        match self.details {
            Details::Notice { .. } => Kind::Notice,
            Details::Result { .. } => Kind::Result,
            Details::Penalty(_) => Kind::Penalty,
            Details::Credit(_) => Kind::Credit,
            Details::Power(_) => Kind::Power,
            Details::Inspection(_) => Kind::Inspection,
            Details::ComplaintResult(_) => Kind::ComplaintResult,
            Details::Page => Kind::Page,
        }
    }

    pub fn trade(&self) -> Option<&Trade> {
        match &self.details {
            Details::Notice { trade } | Details::Result { trade, .. } => Some(trade),
            _ => None,
        }
    }

    /// The project this disclosure belongs to (notices and results) or concerns (a penalty or a
    /// complaint result that names one).
    pub fn project(&self) -> Option<&str> {
        match &self.details {
            Details::Notice { trade } | Details::Result { trade, .. } => Some(&trade.project),
            Details::Penalty(p) => p.project.as_deref(),
            Details::ComplaintResult(c) => c.project.as_deref(),
            _ => None,
        }
    }

    /// The site path of this disclosure's page, e.g. `/notices/abc/`.
    pub fn url(&self) -> String {
        routes::disclosure(self.kind(), &self.id)
    }

    /// Whether the page is public on `today`. Penalties leave the site after `public_until`.
    pub fn is_public(&self, today: NaiveDate) -> bool {
        match &self.details {
            Details::Penalty(p) => today <= p.public_until,
            _ => true,
        }
    }

    /// The last day this disclosure changed: `updated` when revised, else `date`.
    pub fn last_changed(&self) -> NaiveDate {
        self.updated.unwrap_or(self.date).max(self.date)
    }

    /// Every unified social credit code the disclosure names, with the subject it belongs to.
    pub fn subjects(&self) -> Vec<(&str, &str)> {
        match &self.details {
            Details::Result { bidders, .. } => bidders
                .iter()
                .map(|b| (b.name.as_str(), b.credit_code.as_str()))
                .collect(),
            Details::Penalty(p) => vec![(p.subject.as_str(), p.subject_credit_code.as_str())],
            Details::Credit(c) => vec![(c.subject.as_str(), c.credit_code.as_str())],
            Details::Inspection(i) => vec![(i.subject.as_str(), i.credit_code.as_str())],
            _ => Vec::new(),
        }
    }
}
