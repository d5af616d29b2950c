//! The case data layer: the [`Case`] as stored, reading and saving it, the transaction that
//! receives a submission ([`receive`]), and [`record`], which every change calls to append its
//! audit event and queue the mail it causes, in the caller's transaction.
//!
//! Works unchanged on SQLite and PostgreSQL (see [`crate::db`]).

use chrono::{DateTime, NaiveDate, Utc};
use disclosure::Category;
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

use crate::attachments::StoredFile;
use crate::audit::{self, Action};
use crate::clock::{local_date, stamp};
use crate::db::{Db, Tx};
use crate::deadline;
use crate::error::Error;
use crate::mail::{self, Outgoing};
use crate::routing::Route;
use crate::tracking::{self, CaseKind, TrackingNumber};
use crate::AppState;

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

/// A case as stored. Mutate it with the methods in [`crate::deadline`] and save it with
/// [`save`]; record what happened with [`record`].
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
const ALL: &str = select_cases!("ORDER BY id DESC");
const OF_DEPARTMENT: &str = select_cases!("WHERE department = $1 ORDER BY id DESC");

pub async fn get(db: &Db, id: i64) -> Result<Option<Case>, sqlx::Error> {
    fetch_case(db.reader(), BY_ID, CaseKey::Id(id)).await
}

/// Reads a case inside a write transaction (to change it).
pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<Case>, sqlx::Error> {
    fetch_case(&mut **tx, BY_ID, CaseKey::Id(id)).await
}

/// Reads a case by tracking number inside a write transaction.
pub async fn find_by_number_in(tx: &mut Tx, number: &str) -> Result<Option<Case>, sqlx::Error> {
    fetch_case(&mut **tx, BY_NUMBER, CaseKey::Number(number)).await
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

/// Writes every changeable column of `case` back (not the submission itself, which never
/// changes, nor the access key).
pub async fn save(tx: &mut Tx, case: &Case) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE cases SET department = $1, routing_reason = $2, status = $3, \
         accept_deadline = $4, decide_deadline = $5, accepted_on = $6, closed_at = $7, \
         paused_on = $8, status_before_pause = $9, paused_days_total = $10, \
         overdue_escalated_at = $11, decision = $12, published = $13, published_decision = $14, \
         published_at = $15, deadline_pending = $16 WHERE id = $17",
    )
    .bind(&case.department)
    .bind(&case.routing_reason)
    .bind(case.status.key())
    .bind(opt_date(case.accept_deadline))
    .bind(opt_date(case.decide_deadline))
    .bind(opt_date(case.accepted_on))
    .bind(&case.closed_at)
    .bind(opt_date(case.paused_on))
    .bind(case.status_before_pause.map(|s| s.key()))
    .bind(case.paused_days_total)
    .bind(&case.overdue_escalated_at)
    .bind(&case.decision)
    .bind(i64::from(case.published))
    .bind(&case.published_decision)
    .bind(&case.published_at)
    .bind(&case.deadline_pending)
    .bind(case.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records what happened to a case, in the caller's transaction: appends the audit event and
/// queues the mail it causes — to the submitter (when they gave an address) on every public
/// change, and to the new department on a transfer. Call after [`save`], commit, then
/// `state.mailer.wake.notify_one()`.
pub async fn record(
    tx: &mut Tx,
    state: &AppState,
    case: &Case,
    actor: &str,
    action: Action,
    note: &str,
) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    audit::append(tx, Some(case.id), now, actor, action, note).await?;
    if action.notifies_submitter() {
        if let Some(email) = &case.submitter_email {
            let mail = submitter_mail(state, case, action, note, email);
            mail::enqueue(tx, &state.mailer, now, &mail).await?;
        }
    }
    if action == Action::Transferred {
        let mail = department_mail(state, case);
        mail::enqueue(tx, &state.mailer, now, &mail).await?;
    }
    Ok(())
}

fn department_name(state: &AppState, id: &str) -> String {
    state
        .content
        .departments
        .get(id)
        .map(|d| d.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The message to the handling department: no personal data and no case text, which stay on
/// the staff pages behind sign-in.
pub fn department_mail(state: &AppState, case: &Case) -> Outgoing {
    let recipient = state
        .content
        .departments
        .get(&case.department)
        .unwrap_or_else(|| state.content.departments.fallback())
        .email
        .clone();
    let deadline = case
        .current_deadline()
        .map(|d| format!("{d}（{}）", case.rule_name().basis()))
        .unwrap_or_else(|| "—".into());
    let body = format!(
        "您部门收到一件{kind}，请登录工作平台办理。\n\n受理编号：{number}\n类型：{kind}\n标题：{title}\n\
         项目编号：{project}\n分派理由：{reason}\n接收时间：{received}\n当前期限：{deadline}\n\n{base}/staff/cases/{number}\n",
        kind = case.kind.label(),
        number = case.tracking_number,
        title = case.title,
        project = case.project.as_deref().unwrap_or("—"),
        reason = case.routing_reason,
        received = crate::clock::display_stamp(&case.received_at),
        base = state.content.site.base_url,
    );
    Outgoing {
        case_id: Some(case.id),
        recipient,
        subject: format!(
            "【新{}】{} {}",
            case.kind.label(),
            case.tracking_number,
            case.title_short()
        ),
        body,
    }
}

/// The message to the submitter about a change.
pub fn submitter_mail(
    state: &AppState,
    case: &Case,
    action: Action,
    note: &str,
    email: &str,
) -> Outgoing {
    let deadline = match (case.status, case.current_deadline()) {
        (Status::Waiting, _) => "暂停计时，收到补充材料后恢复".to_string(),
        (_, Some(d)) => d.to_string(),
        (_, None) => "—".to_string(),
    };
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("说明：{note}\n")
    };
    let body = format!(
        "您提交的{kind}（受理编号 {number}）有新的办理进展：{label}。\n{note}当前状态：{status}\n\
         承办部门：{department}\n办理期限：{deadline}\n\n查询办理进度：{base}/track（需输入受理编号和查询密码）\n",
        kind = case.kind.label(),
        number = case.tracking_number,
        label = action.label(),
        status = case.status.label(),
        department = department_name(state, &case.department),
        base = state.content.site.base_url,
    );
    Outgoing {
        case_id: Some(case.id),
        recipient: email.to_string(),
        subject: format!(
            "您的{} {} 办理进展：{}",
            case.kind.label(),
            case.tracking_number,
            action.label()
        ),
        body,
    }
}

/// A validated submission, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub kind: CaseKind,
    pub title: String,
    pub content: String,
    pub project: Option<String>,
    pub category: Option<Category>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// What the submitter is told, once.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Receipt {
    pub tracking_number: String,
    pub access_key: String,
    /// The department's name.
    pub department: String,
    /// The date by which the next step is due (`YYYY-MM-DD`); `None` while it cannot be
    /// counted (see `deadline_pending`).
    pub deadline: Option<String>,
    /// Why there is no deadline yet (待定): the calendar does not cover the year it falls in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_pending: Option<String>,
    #[serde(skip)]
    pub routing_reason: String,
    /// The rule the deadline is counted by, in words (`rules::RuleName::describe`).
    pub deadline_rule: String,
    /// Its legal basis.
    pub deadline_basis: &'static str,
}

/// A submission with everything computed that needs no database: the key and its hash, the
/// route, the deadlines.
struct Prepared {
    new: NewCase,
    route: Route,
    files: Vec<StoredFile>,
    key_hash: String,
    now: DateTime<Utc>,
    category: Option<Category>,
    rule: deadline::RuleName,
    deadlines: deadline::Deadlines,
}

/// Receives a submission. The transaction that numbers and stores it (with its attachments,
/// its audit event and the department's mail) is committed before this returns, so an
/// acknowledged submission survives a crash.
///
/// Submissions arriving together share one transaction (group commit, see [`Writer`]): one
/// fsync for many, which is what lets SQLite take a thousand durable submissions a second.
pub async fn receive(
    state: &AppState,
    new: NewCase,
    route: Route,
    files: Vec<StoredFile>,
) -> Result<Receipt, Error> {
    let access_key = tracking::new_access_key();
    let params = state.config.access_key;
    let key = access_key.clone();
    let key_hash = tokio::task::spawn_blocking(move || tracking::hash_key(&key, &params))
        .await
        .map_err(Error::internal)?;
    let now: DateTime<Utc> = state.clock.now();
    let today = local_date(now);
    let category = route.category.or(new.category);
    let rule = deadline::rule_for(new.kind, category);
    let deadlines = deadline::on_receipt(
        &state.content.calendar,
        &rule.rule(&state.config.deadlines),
        today,
    );
    let prepared = Prepared {
        new,
        route,
        files,
        key_hash,
        now,
        category,
        rule,
        deadlines,
    };
    let reason = prepared.route.reason.clone();
    let department = department_name(state, &prepared.route.department);
    let case = state.writer.submit(prepared).await?;
    state.mailer.wake.notify_one();
    Ok(Receipt {
        tracking_number: case.tracking_number.clone(),
        access_key,
        department,
        deadline: case.current_deadline().map(|d| d.to_string()),
        deadline_pending: case.pending_deadline().map(str::to_string),
        routing_reason: reason,
        deadline_rule: format!(
            "{}：{}",
            rule.label(),
            rule.describe(&state.config.deadlines)
        ),
        deadline_basis: rule.basis(),
    })
}

/// Writes one prepared submission inside `tx`.
async fn write_one(tx: &mut Tx, state: &AppState, p: &Prepared) -> Result<Case, Error> {
    let today = local_date(p.now);
    let seq: i64 = sqlx::query(
        "INSERT INTO day_sequences (day, last) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last = day_sequences.last + 1 RETURNING last",
    )
    .bind(today.format("%Y%m%d").to_string())
    .fetch_one(&mut **tx)
    .await?
    .try_get("last")?;
    let number = u32::try_from(seq)
        .ok()
        .and_then(|seq| TrackingNumber::new(p.new.kind, today, seq))
        .ok_or_else(|| Error::internal(format!("day sequence exhausted on {today}")))?
        .to_string();
    let at = stamp(p.now);
    let new = &p.new;
    let id: i64 = sqlx::query(
        "INSERT INTO cases (tracking_number, kind, title, content, project, category, \
         submitter_name, submitter_phone, submitter_email, department, routing_reason, status, \
         received_at, received_on, rule, accept_deadline, decide_deadline, access_key_hash, \
         deadline_pending) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19) \
         RETURNING id",
    )
    .bind(&number)
    .bind(new.kind.key())
    .bind(&new.title)
    .bind(&new.content)
    .bind(&new.project)
    .bind(p.category.map(|c| c.key()))
    .bind(&new.name)
    .bind(&new.phone)
    .bind(&new.email)
    .bind(&p.route.department)
    .bind(&p.route.reason)
    .bind(Status::Received.key())
    .bind(&at)
    .bind(today.to_string())
    .bind(p.rule.key())
    .bind(opt_date(p.deadlines.accept))
    .bind(opt_date(p.deadlines.decide))
    .bind(&p.key_hash)
    .bind(p.deadlines.pending.map(|u| u.to_string()))
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for f in &p.files {
        sqlx::query(
            "INSERT INTO attachments (case_id, file_name, content_type, size_bytes, sha256, \
             stored_path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&f.file_name)
        .bind(f.content_type)
        .bind(f.size as i64)
        .bind(&f.sha256)
        .bind(&f.stored_path)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    }
    let case = Case {
        id,
        tracking_number: number,
        kind: new.kind,
        title: new.title.clone(),
        content: new.content.clone(),
        project: new.project.clone(),
        category: p.category.map(|c| c.key().to_string()),
        submitter_name: new.name.clone(),
        submitter_phone: new.phone.clone(),
        submitter_email: new.email.clone(),
        department: p.route.department.clone(),
        routing_reason: p.route.reason.clone(),
        status: Status::Received,
        received_at: at,
        received_on: today,
        rule: p.rule.key().to_string(),
        accept_deadline: p.deadlines.accept,
        decide_deadline: p.deadlines.decide,
        accepted_on: None,
        closed_at: None,
        paused_on: None,
        status_before_pause: None,
        paused_days_total: 0,
        overdue_escalated_at: None,
        access_key_hash: p.key_hash.clone(),
        decision: None,
        published: false,
        published_decision: None,
        published_at: None,
        deadline_pending: p.deadlines.pending.map(|u| u.to_string()),
    };
    audit::append(
        tx,
        Some(id),
        p.now,
        "public",
        Action::Submitted,
        &p.route.reason,
    )
    .await?;
    mail::enqueue(tx, &state.mailer, p.now, &department_mail(state, &case)).await?;
    Ok(case)
}

struct Job {
    prepared: Prepared,
    reply: tokio::sync::oneshot::Sender<Result<Case, Error>>,
}

/// The submission writer: one task takes the submissions waiting in its queue (up to
/// [`Writer::BATCH`]) and writes them in one transaction, then answers each. A batch that fails
/// is retried one submission at a time, so one bad submission fails alone.
pub struct Writer {
    queue: tokio::sync::mpsc::Sender<Job>,
    receiver: std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<Job>>>,
}

impl Default for Writer {
    fn default() -> Writer {
        let (queue, receiver) = tokio::sync::mpsc::channel(4096);
        Writer {
            queue,
            receiver: std::sync::Mutex::new(Some(receiver)),
        }
    }
}

impl Writer {
    pub const BATCH: usize = 128;

    async fn submit(&self, prepared: Prepared) -> Result<Case, Error> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.queue
            .send(Job { prepared, reply })
            .await
            .map_err(|_| Error::internal("submission writer stopped"))?;
        answer
            .await
            .map_err(|_| Error::internal("submission writer dropped a submission"))?
    }

    /// Starts the writer task (once; later calls do nothing). [`crate::AppState`] does this.
    pub fn start(&self, state: AppState) {
        let Some(mut receiver) = self
            .receiver
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return;
        };
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(Writer::BATCH);
            while receiver.recv_many(&mut batch, Writer::BATCH).await > 0 {
                write_batch(&state, std::mem::take(&mut batch)).await;
            }
        });
    }
}

async fn try_batch(state: &AppState, jobs: &[Job]) -> Result<Vec<Case>, Error> {
    let mut tx = state.db.begin().await?;
    let mut cases = Vec::with_capacity(jobs.len());
    for job in jobs {
        cases.push(write_one(&mut tx, state, &job.prepared).await?);
    }
    tx.commit().await?;
    Ok(cases)
}

async fn write_batch(state: &AppState, jobs: Vec<Job>) {
    match try_batch(state, &jobs).await {
        Ok(cases) => {
            for (job, case) in jobs.into_iter().zip(cases) {
                let _ = job.reply.send(Ok(case));
            }
        }
        Err(e) if jobs.len() == 1 => {
            let job = jobs.into_iter().next().expect("one job");
            let _ = job.reply.send(Err(e));
        }
        Err(e) => {
            tracing::warn!(
                "batch of {} submissions failed ({e}); retrying one by one",
                jobs.len()
            );
            for job in jobs {
                let result = try_batch(state, std::slice::from_ref(&job))
                    .await
                    .map(|mut c| c.remove(0));
                let _ = job.reply.send(result);
            }
        }
    }
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
