//! Receiving a submission: the receipt the submitter is told once, and the group-commit
//! [`Writer`] that numbers submissions arriving together and opens their cases in one
//! transaction (each through [`super::lifecycle::open`]).

use chrono::{DateTime, Utc};
use disclosure::Category;
use sqlx::Row;

use super::{Case, Status};
use crate::attachments::StoredFile;
use crate::clock::{local_date, stamp};
use crate::db::Tx;
use crate::deadline;
use crate::error::Error;
use crate::routing::Route;
use crate::tracking::{self, CaseKind, TrackingNumber};
use crate::AppState;

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
    let department = state
        .content
        .departments
        .name(&prepared.route.department)
        .to_string();
    let case = state.writer.submit(prepared).await?;
    state.metrics.submitted(case.kind);
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

/// Numbers one prepared submission and opens its case inside `tx` ([`super::lifecycle::open`]:
/// the row, its attachments, its audit event and the department's mail).
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
    let new = &p.new;
    let case = Case {
        // Set by `open` from the inserted row.
        id: 0,
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
        received_at: stamp(p.now),
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
    Ok(super::lifecycle::open(tx, state, p.now, case, &p.files).await?)
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
