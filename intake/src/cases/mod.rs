//! A case's life, in one place: the [`Case`] as stored and reading it (here), its transitions
//! and **the one writer** every change goes through ([`lifecycle`]: [`write`] saves the case,
//! appends its audit event and queues its mail in one transaction; nothing else can save a
//! case), the mail texts ([`notices`]), and receiving a submission ([`receive`], which opens
//! the case through the same module).
//!
//! Works unchanged on SQLite and PostgreSQL (see [`crate::db`]).

pub mod lifecycle;
pub mod notices;
mod receive;

use chrono::NaiveDate;
use disclosure::Category;
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

use crate::db::{Db, Tx};
use crate::tracking::CaseKind;

pub use lifecycle::{escalate_overdue, recount_pending, run_overdue_checker, write, Change};
pub use receive::{receive, NewCase, Receipt, Writer};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Received, not yet accepted or rejected.
    Received,
    Accepted,
    /// Waiting for the submitter's material; the clock is stopped.
    Waiting,
    /// Not accepted (不予受理), with a reason. Closed.
    Rejected,
    /// Concluded (办结) with a decision. Closed.
    Concluded,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Received,
        Status::Accepted,
        Status::Waiting,
        Status::Rejected,
        Status::Concluded,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Accepted => "accepted",
            Status::Waiting => "waiting",
            Status::Rejected => "rejected",
            Status::Concluded => "concluded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Received => "已接收，待受理",
            Status::Accepted => "已受理，办理中",
            Status::Waiting => "待补充材料（暂停计时）",
            Status::Rejected => "不予受理",
            Status::Concluded => "已办结",
        }
    }

    pub fn from_key(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Status::Rejected | Status::Concluded)
    }
}

/// A case as stored. Move it with its transitions ([`lifecycle`]: [`Case::accept`],
/// [`Case::pause`], …) and save it, with its audit event and mail, through [`write`] — the only
/// way to save one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: i64,
    pub tracking_number: String,
    pub kind: CaseKind,
    pub title: String,
    pub content: String,
    pub project: Option<String>,
    /// Category key (`construction`, …), as given or taken from the project.
    pub category: Option<String>,
    pub submitter_name: Option<String>,
    pub submitter_phone: Option<String>,
    pub submitter_email: Option<String>,
    /// Id of the department handling the case now.
    pub department: String,
    pub routing_reason: String,
    pub status: Status,
    pub received_at: String,
    pub received_on: NaiveDate,
    /// The deadline rule's key ([`RuleName::key`]).
    pub rule: String,
    pub accept_deadline: Option<NaiveDate>,
    pub decide_deadline: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub closed_at: Option<String>,
    pub paused_on: Option<NaiveDate>,
    pub status_before_pause: Option<Status>,
    pub paused_days_total: i64,
    pub overdue_escalated_at: Option<String>,
    pub access_key_hash: String,
    /// The decision (concluded) or the reason (rejected).
    pub decision: Option<String>,
    pub published: bool,
    pub published_decision: Option<String>,
    pub published_at: Option<String>,
    /// Why a deadline of this case could not be counted (its count reached a year that
    /// `calendar.toml` does not cover); the case is flagged for staff and the submitter sees
    /// 待定 instead of a date. `None` when every deadline was counted.
    pub deadline_pending: Option<String>,
}

/// A `SELECT` of every column [`Case::from_row`] reads, followed by the given clause:
/// `select_cases!("WHERE department = $1 ORDER BY id DESC")` (for queries on the staff side).
#[macro_export]
macro_rules! select_cases {
    ($tail:literal) => {
        concat!(
            "SELECT id, tracking_number, kind, title, content, project, category, ",
            "submitter_name, submitter_phone, submitter_email, department, routing_reason, ",
            "status, received_at, received_on, rule, accept_deadline, decide_deadline, ",
            "accepted_on, closed_at, paused_on, status_before_pause, paused_days_total, ",
            "overdue_escalated_at, access_key_hash, decision, published, published_decision, ",
            "published_at, deadline_pending FROM cases ",
            $tail
        )
    };
}

fn date(row: &AnyRow, col: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| {
        s.parse().map_err(|e| sqlx::Error::ColumnDecode {
            index: col.to_string(),
            source: Box::new(e),
        })
    })
    .transpose()
}

fn bad(col: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_string(),
        source: format!("unknown value {value:?}").into(),
    }
}

impl Case {
    pub fn from_row(row: &AnyRow) -> Result<Case, sqlx::Error> {
        let kind: String = row.try_get("kind")?;
        let status: String = row.try_get("status")?;
        let before: Option<String> = row.try_get("status_before_pause")?;
        let published: i64 = row.try_get("published")?;
        Ok(Case {
            id: row.try_get("id")?,
            tracking_number: row.try_get("tracking_number")?,
            kind: CaseKind::from_key(&kind).ok_or_else(|| bad("kind", &kind))?,
            title: row.try_get("title")?,
            content: row.try_get("content")?,
            project: row.try_get("project")?,
            category: row.try_get("category")?,
            submitter_name: row.try_get("submitter_name")?,
            submitter_phone: row.try_get("submitter_phone")?,
            submitter_email: row.try_get("submitter_email")?,
            department: row.try_get("department")?,
            routing_reason: row.try_get("routing_reason")?,
            status: Status::from_key(&status).ok_or_else(|| bad("status", &status))?,
            received_at: row.try_get("received_at")?,
            received_on: date(row, "received_on")?.ok_or_else(|| bad("received_on", ""))?,
            rule: row.try_get("rule")?,
            accept_deadline: date(row, "accept_deadline")?,
            decide_deadline: date(row, "decide_deadline")?,
            accepted_on: date(row, "accepted_on")?,
            closed_at: row.try_get("closed_at")?,
            paused_on: date(row, "paused_on")?,
            status_before_pause: match before {
                Some(s) => {
                    Some(Status::from_key(&s).ok_or_else(|| bad("status_before_pause", &s))?)
                }
                None => None,
            },
            paused_days_total: row.try_get("paused_days_total")?,
            overdue_escalated_at: row.try_get("overdue_escalated_at")?,
            access_key_hash: row.try_get("access_key_hash")?,
            decision: row.try_get("decision")?,
            published: published != 0,
            published_decision: row.try_get("published_decision")?,
            published_at: row.try_get("published_at")?,
            deadline_pending: row.try_get("deadline_pending")?,
        })
    }

    pub fn category(&self) -> Option<Category> {
        self.category.as_deref().and_then(Category::from_key)
    }

    /// The title cut to 30 characters, for mail subjects.
    pub fn title_short(&self) -> String {
        let mut t: String = self.title.chars().take(30).collect();
        if self.title.chars().count() > 30 {
            t.push('…');
        }
        t
    }

    /// Whether the submitter chose to stay anonymous (only reports may).
    pub fn is_anonymous(&self) -> bool {
        self.submitter_name.is_none()
    }
}

async fn fetch_case<'e, E>(
    executor: E,
    sql: &'static str,
    bind: CaseKey<'_>,
) -> Result<Option<Case>, sqlx::Error>
where
    E: Executor<'e, Database = sqlx::Any>,
{
    let q = sqlx::query(sql);
    let q = match bind {
        CaseKey::Id(id) => q.bind(id),
        CaseKey::Number(n) => q.bind(n.to_string()),
    };
    q.fetch_optional(executor)
        .await?
        .map(|r| Case::from_row(&r))
        .transpose()
}

enum CaseKey<'a> {
    Id(i64),
    Number(&'a str),
}

const BY_ID: &str = select_cases!("WHERE id = $1");
const BY_NUMBER: &str = select_cases!("WHERE tracking_number = $1");
// The same, locking the row until the transaction ends (PostgreSQL; SQLite's `BEGIN IMMEDIATE`
// already admits one writer at a time).
const BY_ID_FOR_UPDATE: &str = select_cases!("WHERE id = $1 FOR UPDATE");
const BY_NUMBER_FOR_UPDATE: &str = select_cases!("WHERE tracking_number = $1 FOR UPDATE");

/// Whether `tx` runs on PostgreSQL, where several instances may change one case at once.
fn locks_rows(tx: &mut Tx) -> bool {
    tx.backend_name() == "PostgreSQL"
}
const ALL: &str = select_cases!("ORDER BY id DESC");
const OF_DEPARTMENT: &str = select_cases!("WHERE department = $1 ORDER BY id DESC");

pub async fn get(db: &Db, id: i64) -> Result<Option<Case>, sqlx::Error> {
    fetch_case(db.reader(), BY_ID, CaseKey::Id(id)).await
}

/// Reads a case inside a write transaction (to change it). On PostgreSQL the row stays locked
/// until the transaction ends, so two instances (or two requests) changing one case take turns
/// and the second reads what the first wrote: an overdue case is escalated once.
pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<Case>, sqlx::Error> {
    let sql = if locks_rows(tx) {
        BY_ID_FOR_UPDATE
    } else {
        BY_ID
    };
    fetch_case(&mut **tx, sql, CaseKey::Id(id)).await
}

/// Reads a case by tracking number inside a write transaction.
pub async fn find_by_number_in(tx: &mut Tx, number: &str) -> Result<Option<Case>, sqlx::Error> {
    let sql = if locks_rows(tx) {
        BY_NUMBER_FOR_UPDATE
    } else {
        BY_NUMBER
    };
    fetch_case(&mut **tx, sql, CaseKey::Number(number)).await
}

/// A case by its tracking number as printed (`TS-20260301-000001-X`).
pub async fn find_by_number(db: &Db, number: &str) -> Result<Option<Case>, sqlx::Error> {
    fetch_case(db.reader(), BY_NUMBER, CaseKey::Number(number)).await
}

/// Every case (`None`: the committee office sees all) or a department's, newest first.
pub async fn list(db: &Db, department: Option<&str>) -> Result<Vec<Case>, sqlx::Error> {
    let rows = match department {
        None => sqlx::query(ALL).fetch_all(db.reader()).await?,
        Some(d) => {
            sqlx::query(OF_DEPARTMENT)
                .bind(d)
                .fetch_all(db.reader())
                .await?
        }
    };
    rows.iter().map(Case::from_row).collect()
}

fn opt_date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Attachments of a case (metadata; the staff side serves the files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Relative to the attachment folder.
    pub stored_path: String,
}

pub async fn attachments(db: &Db, case_id: i64) -> Result<Vec<Attachment>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, file_name, content_type, size_bytes, sha256, stored_path FROM attachments \
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                id: r.try_get("id")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size_bytes: r.try_get("size_bytes")?,
                sha256: r.try_get("sha256")?,
                stored_path: r.try_get("stored_path")?,
            })
        })
        .collect()
}
