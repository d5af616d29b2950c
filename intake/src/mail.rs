//! Mail through the outbox: a change writes its message into the `outbox` table in the same
//! transaction ([`enqueue`]), and a background task in each instance ([`run_sender`]) sends what
//! is pending, by SMTP (STARTTLS, credentials from the config) or, by default, into a folder of
//! `.eml` files.
//!
//! Once, with a stable Message-ID, however many instances share the database: a sender first
//! claims the rows it will send ([`claim`]: `claimed_until`, `claimed_by`; on PostgreSQL the
//! rows are picked `FOR UPDATE SKIP LOCKED`, so two senders never wait for or take the same row;
//! SQLite has one writer at a time), then sends them, and marks a row sent only after the
//! transport accepted it. An instance that dies after the transport accepted a message but
//! before marking it leaves its claim, which runs out after `mail.claim_secs`; then any instance
//! sends the message again, with the same Message-ID, so mail clients and servers treat it as
//! the same message. That window (milliseconds) is the only way a message goes out twice.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use prometheus_client::metrics::counter::Counter;
use rand::RngCore;
use sqlx::Row;
use tokio::sync::Notify;

use crate::clock::{stamp, Clock};
use crate::config::Config;
use crate::db::{Backend, Db, Tx};

/// How mail leaves the building.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `<uuid>.eml` file per message in the folder.
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// The transport, the sender address, and the bell rung after a commit that queued mail.
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    pub message_id_domain: String,
    pub wake: Notify,
    poll: Duration,
    retry: Duration,
    /// How long a claim on outbox rows holds before another instance may send them.
    claim: Duration,
    /// This instance's name in `outbox.claimed_by`: host, process and a random part.
    instance: String,
    /// Messages the transport accepted, for `/metrics`.
    pub sent: Counter,
    /// Send attempts that failed (to be retried), for `/metrics`.
    pub failed: Counter,
}

impl Mailer {
    /// Builds the transport from the config; `default_outbox` is used without SMTP.
    pub fn from_config(config: &Config, default_outbox: PathBuf) -> anyhow::Result<Mailer> {
        let transport = match &config.smtp {
            Some(smtp) => {
                let mut builder = if smtp.starttls {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?
                } else {
                    // Plain SMTP: only for a test server on loopback.
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                };
                builder = builder
                    .port(smtp.port)
                    .timeout(Some(Duration::from_secs(smtp.timeout_secs)));
                if let (Some(user), Some(var)) = (&smtp.username, &smtp.password_env) {
                    let password = std::env::var(var).map_err(|_| {
                        anyhow::anyhow!("smtp.password_env: environment variable {var} is not set")
                    })?;
                    builder = builder.credentials(Credentials::new(user.clone(), password));
                }
                Transport::Smtp(builder.build())
            }
            None => {
                let dir = config.mail.outbox_dir.clone().unwrap_or(default_outbox);
                std::fs::create_dir_all(&dir).map_err(|e| {
                    anyhow::anyhow!("cannot create mail outbox folder {}: {e}", dir.display())
                })?;
                Transport::File(AsyncFileTransport::<Tokio1Executor>::new(&dir), dir)
            }
        };
        let from: Mailbox = config
            .mail
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail.from \"{}\": {e}", config.mail.from))?;
        Ok(Mailer {
            transport,
            from,
            message_id_domain: config.mail.message_id_domain.clone(),
            wake: Notify::new(),
            poll: Duration::from_secs(config.mail.poll_secs.max(1)),
            retry: Duration::from_secs(config.mail.retry_secs.max(1)),
            claim: Duration::from_secs(config.mail.claim_secs.max(1)),
            instance: instance_name(),
            sent: Counter::default(),
            failed: Counter::default(),
        })
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::File(t, _) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// `host:pid:random`, unique among the instances sharing a database.
fn instance_name() -> String {
    let mut random = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "intake".to_string());
    format!("{host}:{}:{}", std::process::id(), hex::encode(random))
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub case_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Writes a message into the outbox inside `tx`; returns its Message-ID. Call
/// [`Mailer::wake`]`.notify_one()` after the commit so it goes out at once.
pub async fn enqueue(
    tx: &mut Tx,
    mailer: &Mailer,
    now: DateTime<Utc>,
    mail: &Outgoing,
) -> Result<String, sqlx::Error> {
    let mut random = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let message_id = format!(
        "<{}.{}@{}>",
        now.format("%Y%m%d%H%M%S"),
        hex::encode(random),
        mailer.message_id_domain
    );
    let at = stamp(now);
    sqlx::query(
        "INSERT INTO outbox (message_id, case_id, recipient, subject, body, created_at, \
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&message_id)
    .bind(mail.case_id)
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(&at)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    Ok(message_id)
}

/// A row of the outbox, as the sender reads it.
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// `text` with every word holding an `@` (a mail address, bare or in `<…>`) replaced by
/// `<address>`, for the log.
pub fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains('@') {
                "<address>"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn build(mailer: &Mailer, q: &Queued) -> Result<Message, String> {
    let to: Mailbox = q
        .recipient
        .parse()
        .map_err(|e| format!("recipient {:?}: {e}", q.recipient))?;
    Message::builder()
        .message_id(Some(q.message_id.clone()))
        .from(mailer.from.clone())
        .to(to)
        .subject(q.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(q.body.clone())
        .map_err(|e| e.to_string())
}

/// Sends every pending message whose time has come; returns how many were sent.
pub async fn send_pending(
    db: &Db,
    mailer: &Mailer,
    clock: &dyn Clock,
) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    let started = clock.now();
    let claimed = claim(db, mailer, started).await?;
    // A slow transport may outlast the claim; what is left then is another instance's to take,
    // so stop short of the claim's end instead of sending a message someone else may send too.
    let stop_at = started + chrono::Duration::from_std(mailer.claim / 2).unwrap_or_default();
    let mut claimed = claimed.into_iter();
    while let Some(q) = claimed.next() {
        if clock.now() >= stop_at {
            // The rest is given back at once rather than when the claim runs out, so that
            // another instance (or this one's next pass) sends it without waiting.
            let rest: Vec<i64> = std::iter::once(q.id).chain(claimed.map(|q| q.id)).collect();
            release(db, mailer, &rest).await?;
            break;
        }
        let result = match build(mailer, &q) {
            Ok(message) => mailer.send(message).await,
            Err(e) => Err(e),
        };
        let mut tx = db.begin().await?;
        match result {
            Ok(()) => {
                sqlx::query(
                    "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL, \
                     claimed_until = NULL, claimed_by = NULL WHERE id = $2",
                )
                .bind(stamp(clock.now()))
                .bind(q.id)
                .execute(&mut *tx)
                .await?;
                sent += 1;
                mailer.sent.inc();
            }
            Err(error) => {
                // The recipient is a submitter's address and a transport's error may echo it
                // (`550 <name@example.org>: unknown user`): the log gets the Message-ID and the
                // error without addresses; the whole error stays in `outbox.last_error`.
                mailer.failed.inc();
                tracing::warn!(
                    message_id = %q.message_id,
                    attempt = q.attempts + 1,
                    "mail failed, will retry: {}",
                    without_addresses(&error)
                );
                let backoff = mailer
                    .retry
                    .saturating_mul(1 << q.attempts.clamp(0, 7) as u32);
                let backoff = backoff.min(Duration::from_secs(3600));
                let next = clock.now()
                    + chrono::Duration::from_std(backoff).unwrap_or(chrono::Duration::hours(1));
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, \
                     next_attempt_at = $2, claimed_until = NULL, claimed_by = NULL WHERE id = $3",
                )
                .bind(error)
                .bind(stamp(next))
                .bind(q.id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Gives back this instance's claim on messages it will not send in this pass.
async fn release(db: &Db, mailer: &Mailer, ids: &[i64]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for id in ids {
        sqlx::query(
            "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL \
             WHERE id = $1 AND claimed_by = $2 AND sent_at IS NULL",
        )
        .bind(id)
        .bind(&mailer.instance)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET claimed_until = $2, claimed_by = $3 WHERE id IN ",
            "(SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 ",
            "AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY id LIMIT 100",
            $lock,
            ") RETURNING id, message_id, recipient, subject, body, attempts"
        )
    };
}
/// PostgreSQL: lock the picked rows, skipping those another sender is claiming right now.
const CLAIM_POSTGRES: &str = claim_sql!(" FOR UPDATE SKIP LOCKED");
/// SQLite: `BEGIN IMMEDIATE` already makes the claiming transaction the only writer.
const CLAIM_SQLITE: &str = claim_sql!("");

/// Claims up to 100 messages whose time has come and that no live claim holds, for this
/// instance until `now + mail.claim_secs`, in one committed transaction; returns them in
/// queue order.
pub async fn claim(
    db: &Db,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Vec<Queued>, sqlx::Error> {
    let until =
        now + chrono::Duration::from_std(mailer.claim).unwrap_or(chrono::Duration::minutes(5));
    let sql = match db.backend() {
        Backend::Postgres => CLAIM_POSTGRES,
        Backend::Sqlite => CLAIM_SQLITE,
    };
    let mut tx = db.begin().await?;
    let rows = sqlx::query(sql)
        .bind(stamp(now))
        .bind(stamp(until))
        .bind(&mailer.instance)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut queued = rows
        .iter()
        .map(|row| {
            Ok(Queued {
                id: row.try_get("id")?,
                message_id: row.try_get("message_id")?,
                recipient: row.try_get("recipient")?,
                subject: row.try_get("subject")?,
                body: row.try_get("body")?,
                attempts: row.try_get("attempts")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    queued.sort_by_key(|q| q.id);
    Ok(queued)
}

/// The sender task: sends what is pending, then sleeps until woken or the poll interval passes.
/// One runs in each instance; [`claim`] keeps them from sending the same message.
pub async fn run_sender(db: Db, mailer: Arc<Mailer>, clock: Arc<dyn Clock>) {
    loop {
        match send_pending(&db, &mailer, clock.as_ref()).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!("mail outbox: {e}"),
        }
        tokio::select! {
            _ = mailer.wake.notified() => {}
            _ = tokio::time::sleep(mailer.poll) => {}
        }
    }
}

/// Counts of the outbox, for health checks and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
}

pub async fn counts(db: &Db) -> Result<OutboxCounts, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0) AS pending, \
         COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END), 0) AS sent FROM outbox",
    )
    .fetch_one(db.reader())
    .await?;
    Ok(OutboxCounts {
        pending: row.try_get("pending")?,
        sent: row.try_get("sent")?,
    })
}
