//! Refused staff requests leave a trace. Every refusal — a case of another department (answered
//! as not found), a step the account may not take (the committee office's 403s), a forged or
//! cross-site form — is logged with the account and session it came from, and counted per
//! account in `staff_refusals`; [`THRESHOLD`] refusals within [`WINDOW_MINUTES`] become one
//! audit event ([`Action::RefusalsRepeated`]), so that someone probing other departments' case
//! numbers, or a page forging requests in a colleague's browser, is on the record.
//!
//! The log and the table hold no personal data: account and session ids, the department, the
//! method and path (a tracking number at most), the kind of refusal. A refusal without a
//! session (a sign-in form from another site) is logged only.
//!
//! [`watch`] is the middleware around the staff routes: handlers refuse as before (the error
//! page carries a [`Refusal`] extension), and the recording happens after the handler, outside
//! its transaction, so a refusal is recorded even though the handler's work was rolled back.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use chrono::Duration;
use sqlx::Row;

use crate::audit::{self, Action};
use crate::clock::stamp;
use crate::AppState;

use super::accounts::StaffMember;
use super::error::Refusal;
use super::session;

/// Refusals of one account within [`WINDOW_MINUTES`] that make an audit event. A stale link
/// or a mistaken click is one or two; five in ten minutes is a pattern.
pub const THRESHOLD: i64 = 5;
pub const WINDOW_MINUTES: i64 = 10;
/// Rows older than this are deleted (an audit event already covers what mattered).
const KEEP_DAYS: i64 = 30;

/// Middleware: `from_fn_with_state(state, watch)` around the staff routes.
pub async fn watch(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let token = session::token_from(request.headers(), session::cookie_name(&state));
    let response = next.run(request).await;
    if let Some(refusal) = response.extensions().get::<Refusal>().copied() {
        // Recording must not change the answer: a failure here is logged and that is all.
        if let Err(e) = record(&state, refusal, token.as_deref(), &method, &path).await {
            tracing::error!("recording a refused staff request: {e}");
        }
    }
    response
}

async fn record(
    state: &AppState,
    refusal: Refusal,
    token: Option<&str>,
    method: &Method,
    path: &str,
) -> Result<(), sqlx::Error> {
    let who = match token {
        Some(t) => session::identify(state, t).await?,
        None => None,
    };
    let Some((session_id, staff)) = who else {
        tracing::warn!(
            kind = refusal.key(),
            %method,
            path,
            "staff request refused (no session)"
        );
        return Ok(());
    };
    tracing::warn!(
        kind = refusal.key(),
        staff_id = staff.id,
        session_id,
        department = %staff.department,
        %method,
        path,
        "staff request refused"
    );
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO staff_refusals (staff_id, session_id, at, kind, method, path) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(staff.id)
    .bind(session_id)
    .bind(stamp(now))
    .bind(refusal.key())
    .bind(method.as_str())
    .bind(path)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM staff_refusals WHERE at < $1")
        .bind(stamp(now - Duration::days(KEEP_DAYS)))
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query(
        "SELECT session_id, kind, method, path FROM staff_refusals \
         WHERE staff_id = $1 AND reported = 0 AND at > $2 ORDER BY at",
    )
    .bind(staff.id)
    .bind(stamp(now - Duration::minutes(WINDOW_MINUTES)))
    .fetch_all(&mut *tx)
    .await?;
    if (rows.len() as i64) >= THRESHOLD {
        let mut seen = Vec::new();
        for r in &rows {
            seen.push((
                r.try_get::<i64, _>("session_id")?,
                r.try_get::<String, _>("kind")?,
                format!(
                    "{} {}",
                    r.try_get::<String, _>("method")?,
                    r.try_get::<String, _>("path")?
                ),
            ));
        }
        let note = summary(&staff, &seen);
        audit::append(
            &mut tx,
            None,
            now,
            &staff.username,
            Action::RefusalsRepeated,
            &note,
        )
        .await?;
        sqlx::query("UPDATE staff_refusals SET reported = 1 WHERE staff_id = $1 AND reported = 0")
            .bind(staff.id)
            .execute(&mut *tx)
            .await?;
        tracing::warn!(
            staff_id = staff.id,
            refusals = seen.len(),
            "repeated refused staff requests recorded in the audit trail"
        );
    }
    tx.commit().await
}

/// The audit note: how many refusals of which kind, from how many sessions, and the first few
/// requests refused.
fn summary(staff: &StaffMember, seen: &[(i64, String, String)]) -> String {
    let mut kinds: Vec<(Refusal, usize)> = Vec::new();
    for (_, kind, _) in seen {
        if let Some(r) = Refusal::from_key(kind) {
            match kinds.iter_mut().find(|(k, _)| *k == r) {
                Some((_, n)) => *n += 1,
                None => kinds.push((r, 1)),
            }
        }
    }
    let mut sessions: Vec<i64> = seen.iter().map(|(s, _, _)| *s).collect();
    sessions.sort_unstable();
    sessions.dedup();
    let mut requests: Vec<&str> = Vec::new();
    for (_, _, r) in seen {
        if !requests.contains(&r.as_str()) && requests.len() < 5 {
            requests.push(r);
        }
    }
    format!(
        "{}（{}）{} 分钟内 {} 次请求被拒绝：{}；来自 {} 个会话；请求：{}",
        staff.username,
        staff.department,
        WINDOW_MINUTES,
        seen.len(),
        kinds
            .iter()
            .map(|(k, n)| format!("{} {n} 次", k.label()))
            .collect::<Vec<_>>()
            .join("，"),
        sessions.len(),
        requests.join("，")
    )
}
