//! What intake tells the operator's monitoring at `/metrics` (on the metrics listener only, see
//! [`crate::serve_with_metrics`]): submissions acknowledged by kind, the mail outbox (backlog,
//! messages whose last attempt failed, sends and failed sends of this instance), overdue and
//! open cases by status.
//!
//! Counters count what this instance did; the gauges are read from the database at each scrape,
//! so every instance sharing one database reports the same figure (take `max`, not `sum`, over
//! instances). Nothing here carries personal data: the labels are kinds and statuses.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use sqlx::Row;
use std::sync::atomic::AtomicU64;

use crate::cases::Status;
use crate::clock::local_date;
use crate::tracking::CaseKind;
use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: &'static str,
}

/// The counters the request handlers move, and the gauges set at each scrape (the sender's
/// counters are the [`crate::mail::Mailer`]'s).
#[derive(Clone, Debug, Default)]
pub struct IntakeMetrics {
    submissions: Family<KindLabel, Counter>,
    outbox_pending: Gauge,
    outbox_failing: Gauge,
    outbox_oldest: Gauge<f64, AtomicU64>,
    overdue: Gauge,
    cases: Family<StatusLabel, Gauge>,
}

impl IntakeMetrics {
    /// One submission acknowledged (committed, answered with its tracking number).
    pub fn submitted(&self, kind: CaseKind) {
        self.submissions
            .get_or_create(&KindLabel { kind: kind.key() })
            .inc();
    }

    /// Acknowledged submissions of `kind` so far (this instance).
    pub fn submissions(&self, kind: CaseKind) -> u64 {
        self.submissions
            .get(&KindLabel { kind: kind.key() })
            .map(|c| c.get())
            .unwrap_or(0)
    }
}

/// Registers intake's metrics in `metrics`, with the scrape hook that reads the outbox and the
/// cases from the database.
pub fn register(state: &AppState, metrics: &mut telemetry::Metrics) {
    let m = &state.metrics;
    // Every kind from the start, so a rate over a quiet period is 0, not absent.
    for kind in [
        CaseKind::Complaint,
        CaseKind::Objection,
        CaseKind::Report,
        CaseKind::Suggestion,
    ] {
        drop(m.submissions.get_or_create(&KindLabel { kind: kind.key() }));
    }
    let r = metrics.registry();
    r.register(
        "intake_submissions",
        "Submissions acknowledged with a tracking number, by kind (this instance)",
        m.submissions.clone(),
    );
    r.register(
        "intake_mail_sent",
        "Outbox messages the mail transport accepted (this instance)",
        state.mailer.sent.clone(),
    );
    r.register(
        "intake_mail_failed",
        "Outbox send attempts that failed and will be retried (this instance)",
        state.mailer.failed.clone(),
    );
    r.register(
        "intake_outbox_pending",
        "Outbox messages not yet sent (the whole database)",
        m.outbox_pending.clone(),
    );
    r.register(
        "intake_outbox_failing",
        "Outbox messages not yet sent whose last attempt failed (the whole database)",
        m.outbox_failing.clone(),
    );
    r.register(
        "intake_outbox_oldest_pending_seconds",
        "Age of the oldest outbox message not yet sent, 0 when none (the whole database)",
        m.outbox_oldest.clone(),
    );
    r.register(
        "intake_cases_overdue",
        "Open cases past their statutory deadline, clock not stopped (the whole database)",
        m.overdue.clone(),
    );
    r.register(
        "intake_cases",
        "Cases by status (the whole database)",
        m.cases.clone(),
    );
    let state = state.clone();
    metrics.on_scrape(move || {
        let state = state.clone();
        async move {
            if let Err(e) = refresh(&state).await {
                tracing::warn!("metrics: cannot read the outbox and cases: {e}");
            }
        }
    });
}

/// Sets the gauges from the database.
async fn refresh(state: &AppState) -> Result<(), sqlx::Error> {
    let m = &state.metrics;
    let row = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0) AS pending, \
         COALESCE(SUM(CASE WHEN sent_at IS NULL AND last_error IS NOT NULL THEN 1 ELSE 0 END), 0) \
         AS failing FROM outbox",
    )
    .fetch_one(state.db.reader())
    .await?;
    m.outbox_pending.set(row.try_get("pending")?);
    m.outbox_failing.set(row.try_get("failing")?);
    let oldest: Option<String> =
        sqlx::query("SELECT MIN(created_at) AS oldest FROM outbox WHERE sent_at IS NULL")
            .fetch_one(state.db.reader())
            .await?
            .try_get("oldest")?;
    let age = oldest
        .as_deref()
        .and_then(crate::clock::parse_stamp)
        .map(|at| (state.clock.now() - at).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    m.outbox_oldest.set(age);
    // The rule of the overdue escalation (`cases::escalate_overdue`), escalated or not yet.
    let today = local_date(state.clock.now());
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM cases WHERE paused_on IS NULL AND \
         ((status = 'received' AND COALESCE(accept_deadline, decide_deadline) < $1) OR \
          (status = 'accepted' AND decide_deadline < $1))",
    )
    .bind(today.to_string())
    .fetch_one(state.db.reader())
    .await?;
    m.overdue.set(row.try_get("n")?);
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM cases GROUP BY status")
        .fetch_all(state.db.reader())
        .await?;
    for status in Status::ALL {
        let n = rows
            .iter()
            .find(|r| {
                r.try_get::<String, _>("status")
                    .is_ok_and(|s| s == status.key())
            })
            .map(|r| r.try_get::<i64, _>("n"))
            .transpose()?
            .unwrap_or(0);
        m.cases
            .get_or_create(&StatusLabel {
                status: status.key(),
            })
            .set(n);
    }
    Ok(())
}
