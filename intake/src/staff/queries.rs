//! The staff side's own queries, on the core's [`Db`] handle and in its portable SQL: the
//! columns the workflow adds to a case (migration `0100_staff_workflow.sql`), the case list
//! with overdue cases first, the published results for export, and the quarterly counts.

use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::cases::{Case, Status};
use crate::db::{Db, Tx};
use crate::tracking::CaseKind;

use super::access::Scope;

/// What the workflow stores beside the core's columns of a case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    /// The conclusion's category ([`super::workflow::OUTCOMES`]), or `not-accepted`.
    pub outcome: Option<String>,
    /// Local date of the decision (conclusion or rejection).
    pub closed_on: Option<NaiveDate>,
    pub published_title: Option<String>,
    pub published_outcome: Option<String>,
    pub published_updated_on: Option<NaiveDate>,
}

fn date(row: &AnyRow, col: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    let s: Option<String> = row.try_get(col)?;
    Ok(s.and_then(|s| s.parse().ok()))
}

fn extra_from_row(row: &AnyRow) -> Result<Extra, sqlx::Error> {
    Ok(Extra {
        outcome: row.try_get("outcome")?,
        closed_on: date(row, "closed_on")?,
        published_title: row.try_get("published_title")?,
        published_outcome: row.try_get("published_outcome")?,
        published_updated_on: date(row, "published_updated_on")?,
    })
}

const EXTRA: &str = "SELECT outcome, closed_on, published_title, published_outcome, \
                     published_updated_on FROM cases WHERE id = $1";

pub async fn extra(db: &Db, case_id: i64) -> Result<Extra, sqlx::Error> {
    let row = sqlx::query(EXTRA)
        .bind(case_id)
        .fetch_one(db.reader())
        .await?;
    extra_from_row(&row)
}

pub async fn extra_in(tx: &mut Tx, case_id: i64) -> Result<Extra, sqlx::Error> {
    let row = sqlx::query(EXTRA)
        .bind(case_id)
        .fetch_one(&mut **tx)
        .await?;
    extra_from_row(&row)
}

pub async fn save_extra(tx: &mut Tx, case_id: i64, extra: &Extra) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE cases SET outcome = $1, closed_on = $2, published_title = $3, \
         published_outcome = $4, published_updated_on = $5 WHERE id = $6",
    )
    .bind(&extra.outcome)
    .bind(extra.closed_on.map(|d| d.to_string()))
    .bind(&extra.published_title)
    .bind(&extra.published_outcome)
    .bind(extra.published_updated_on.map(|d| d.to_string()))
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which cases the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    All,
    /// Not yet rejected or concluded.
    Open,
    Overdue,
    Is(Status),
}

impl StatusFilter {
    pub fn from_key(key: &str) -> Option<StatusFilter> {
        match key {
            "" | "all" => Some(StatusFilter::All),
            "open" => Some(StatusFilter::Open),
            "overdue" => Some(StatusFilter::Overdue),
            other => Status::from_key(other).map(StatusFilter::Is),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Open => "open",
            StatusFilter::Overdue => "overdue",
            StatusFilter::Is(s) => s.key(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "全部",
            StatusFilter::Open => "未办结",
            StatusFilter::Overdue => "逾期",
            StatusFilter::Is(Status::Received) => "待受理",
            StatusFilter::Is(Status::Accepted) => "办理中",
            StatusFilter::Is(Status::Waiting) => "待补正",
            StatusFilter::Is(Status::Rejected) => "不予受理",
            StatusFilter::Is(Status::Concluded) => "已办结",
        }
    }

    pub const SHOWN: [StatusFilter; 8] = [
        StatusFilter::All,
        StatusFilter::Open,
        StatusFilter::Overdue,
        StatusFilter::Is(Status::Received),
        StatusFilter::Is(Status::Accepted),
        StatusFilter::Is(Status::Waiting),
        StatusFilter::Is(Status::Concluded),
        StatusFilter::Is(Status::Rejected),
    ];
}

/// One line of the case list: no personal data, no case text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub tracking_number: String,
    pub kind: CaseKind,
    pub title: String,
    pub department: String,
    pub status: Status,
    pub received_on: NaiveDate,
    /// The deadline running now (none while waiting or closed).
    pub due: Option<NaiveDate>,
    pub overdue: bool,
    pub published: bool,
    /// A deadline of the open case could not be counted (`Case::deadline_pending`): the reason.
    pub deadline_pending: Option<String>,
}

/// A page of the case list.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub rows: Vec<ListRow>,
    pub total: i64,
}

pub const PAGE_SIZE: i64 = 100;

/// The deadline running now, in SQL (see [`Case::current_deadline`]).
const DUE: &str = "CASE status WHEN 'received' THEN COALESCE(accept_deadline, decide_deadline) \
                   WHEN 'accepted' THEN decide_deadline ELSE NULL END";

/// SQL text and its bound values, numbered as they are added (`$1`, `$2`, …). Only values a
/// clause uses are bound, so PostgreSQL can infer every parameter's type.
#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<String>,
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    fn bind(&mut self, value: impl Into<String>) -> &mut Sql {
        self.binds.push(value.into());
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    /// The query; the text is built only from this module's fixed fragments, every value is
    /// bound, hence the assertion that it is safe.
    fn query(&self) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            q = q.bind(b.clone());
        }
        q
    }
}

/// `FROM (…) AS c WHERE …` for the list of `scope` under `filter`.
fn list_from(scope: &Scope, filter: StatusFilter, today: NaiveDate) -> Sql {
    let mut sql = Sql::default();
    sql.push(&format!(
        "FROM (SELECT tracking_number, kind, title, department, status, received_on, published, \
         deadline_pending, {DUE} AS due FROM cases) AS c WHERE 1 = 1"
    ));
    if let Some(d) = scope.department() {
        sql.push(" AND department = ").bind(d);
    }
    match filter {
        StatusFilter::All => {}
        StatusFilter::Is(s) => {
            sql.push(" AND status = ").bind(s.key());
        }
        StatusFilter::Open => {
            sql.push(" AND status IN ('received', 'accepted', 'waiting')");
        }
        StatusFilter::Overdue => {
            sql.push(" AND due IS NOT NULL AND due < ")
                .bind(today.to_string());
        }
    }
    sql
}

/// The case list of `scope`, overdue cases first (the longest overdue on top), then by the
/// nearest deadline, then newest first.
pub async fn list(
    db: &Db,
    scope: &Scope,
    filter: StatusFilter,
    today: NaiveDate,
    page: i64,
) -> Result<ListPage, sqlx::Error> {
    let mut count = Sql::default();
    count.push("SELECT COUNT(*) AS n ");
    let from = list_from(scope, filter, today);
    count.text.push_str(&from.text);
    count.binds.extend(from.binds.iter().cloned());
    let total: i64 = count.query().fetch_one(db.reader()).await?.try_get("n")?;

    let mut select = Sql::default();
    select.push("SELECT * ");
    select.text.push_str(&from.text);
    select.binds = from.binds;
    select
        .push(" ORDER BY CASE WHEN due IS NOT NULL AND due < ")
        .bind(today.to_string())
        .push(&format!(
            " THEN 0 ELSE 1 END, CASE WHEN due IS NULL THEN 1 ELSE 0 END, due, \
             received_on DESC, tracking_number DESC LIMIT {PAGE_SIZE} OFFSET {}",
            page.max(0) * PAGE_SIZE
        ));
    let rows = select.query().fetch_all(db.reader()).await?;
    let rows = rows
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let status: String = r.try_get("status")?;
            let due = date(r, "due")?;
            let published: i64 = r.try_get("published")?;
            Ok(ListRow {
                tracking_number: r.try_get("tracking_number")?,
                kind: CaseKind::from_key(&kind).unwrap_or(CaseKind::Suggestion),
                title: r.try_get("title")?,
                department: r.try_get("department")?,
                status: Status::from_key(&status).unwrap_or(Status::Received),
                received_on: date(r, "received_on")?.unwrap_or(today),
                due,
                overdue: due.is_some_and(|d| today > d),
                published: published != 0,
                deadline_pending: r.try_get("deadline_pending")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(ListPage { rows, total })
}

/// Every published result, oldest first, with its workflow columns (for export).
pub async fn published(db: &Db) -> Result<Vec<(Case, Extra)>, sqlx::Error> {
    let rows = sqlx::query(crate::select_cases!(
        "WHERE published = 1 AND status = 'concluded' ORDER BY id"
    ))
    .fetch_all(db.reader())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let case = Case::from_row(&row)?;
        let extra = extra(db, case.id).await?;
        out.push((case, extra));
    }
    Ok(out)
}

/// Counts of one quarter, as the statistics page needs them.
#[derive(Debug, Clone, Default)]
pub struct QuarterCounts {
    /// (department, kind) → cases received in the quarter.
    pub received: Vec<(String, String, i64)>,
    /// (department, status, outcome) → cases closed in the quarter, and how many of them on time.
    pub closed: Vec<ClosedCount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedCount {
    pub department: String,
    pub status: String,
    pub outcome: Option<String>,
    pub count: i64,
    /// Decided on or before the deadline running at the decision.
    pub on_time: i64,
}

/// The counts of the quarter `from..=to` (local dates) within `scope`.
pub async fn quarter_counts(
    db: &Db,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<QuarterCounts, sqlx::Error> {
    let mut received = Sql::default();
    received
        .push("SELECT department, kind, COUNT(*) AS n FROM cases WHERE received_on >= ")
        .bind(from.to_string())
        .push(" AND received_on <= ")
        .bind(to.to_string());
    if let Some(d) = scope.department() {
        received.push(" AND department = ").bind(d);
    }
    received.push(" GROUP BY department, kind");
    let received = received
        .query()
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("department")?,
                r.try_get("kind")?,
                r.try_get("n")?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // On time: a conclusion by the decision deadline; a rejection by the acceptance deadline
    // (or the decision deadline for rules without an acceptance step).
    let mut closed = Sql::default();
    closed
        .push(
            "SELECT department, status, outcome, COUNT(*) AS n, \
             SUM(CASE WHEN closed_on <= (CASE status WHEN 'concluded' THEN decide_deadline \
             ELSE COALESCE(accept_deadline, decide_deadline) END) THEN 1 ELSE 0 END) AS on_time \
             FROM cases WHERE status IN ('concluded', 'rejected') AND closed_on >= ",
        )
        .bind(from.to_string())
        .push(" AND closed_on <= ")
        .bind(to.to_string());
    if let Some(d) = scope.department() {
        closed.push(" AND department = ").bind(d);
    }
    closed.push(" GROUP BY department, status, outcome");
    let closed = closed
        .query()
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(ClosedCount {
                department: r.try_get("department")?,
                status: r.try_get("status")?,
                outcome: r.try_get("outcome")?,
                count: r.try_get("n")?,
                on_time: r.try_get("on_time")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(QuarterCounts { received, closed })
}
