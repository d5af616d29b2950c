//! Signing in and out.
//!
//! Throttling cannot be turned into a lockout of the account's owner. Three limits, each
//! answered `429` with `Retry-After`, none of them checking the password once it applies:
//!
//! - per client (the core's governor limiter, `limits.sign_in_*`);
//! - per (client, user name) pair: [`PAIR_FAILURES`] failures in [`PAIR_WINDOW_MINUTES`]
//!   minutes block that pair until the oldest leaves the window;
//! - per account, across clients: once an account has [`ACCOUNT_FREE_FAILURES`] failures in the
//!   window (since its last successful sign-in), a client that has itself failed on that
//!   account in the window must wait a delay after its own last failure, doubling with every
//!   further failure of the account (1 s, 2 s, 4 s, …) up to [`ACCOUNT_MAX_DELAY_SECS`].
//!
//! Why the owner is never locked out by the per-account slowdown: it applies only to clients
//! that have failed on the account themselves, and it is measured from that client's own last
//! failure, so nobody else's guesses can hold it back for longer than the bounded delay. A
//! client that has not failed on the account in the window (the owner at their own desk, on
//! their phone) signs in at once, as does a client from which the account signed in during the
//! last [`KNOWN_CLIENT_DAYS`] days; and a successful sign-in starts the count afresh. What an
//! attacker keeps is one guess per client per window, and one per delay after that: 10
//! addresses guessing 4 times each get 10 to 14 guesses evaluated instead of 40.
//!
//! Clients are counted by [`crate::security::ClientKey`]: IPv4 addresses, IPv6 /64 networks
//! (one subscriber's whole prefix is one client). Attempts are kept in `sign_in_attempts` on
//! the test-controllable clock for [`KNOWN_CLIENT_DAYS`] days.
//!
//! A failed sign-in costs the same whether the user exists or not: the password is verified
//! against a dummy hash of the same cost, and the same rows are written; the slowdown counts
//! user names, existing or not.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use sqlx::Row;

use crate::audit::{self, Action};
use crate::clock::{parse_stamp, stamp};
use crate::security::{self, ClientIp, ClientKey, Limit};
use crate::AppState;

use super::accounts::{self, normalize_username};
use super::error::{finish, StaffError, StaffResult};
use super::pages;
use super::session::{self, NoFields, Posted};

/// Failures allowed per (client, user name) within the window before `429`.
pub const PAIR_FAILURES: i64 = 5;
pub const PAIR_WINDOW_MINUTES: i64 = 15;
/// Failures of one account (all clients, within the window) before the slowdown starts: a few
/// typing mistakes cost nothing.
pub const ACCOUNT_FREE_FAILURES: i64 = 5;
/// The longest the per-account slowdown makes a client wait after its own last failure.
pub const ACCOUNT_MAX_DELAY_SECS: i64 = 300;
/// A client from which the account signed in within this many days is not slowed down.
pub const KNOWN_CLIENT_DAYS: i64 = 30;

#[derive(Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
    signed_out: Option<String>,
    #[serde(default)]
    next: String,
}

pub async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let next = session::safe_next(&q.next);
    if session::lookup(&state, &headers).await.is_ok() {
        return Redirect::to(next.unwrap_or("/staff/")).into_response();
    }
    let message = if q.expired.is_some() {
        Some("登录已超时，请重新登录。")
    } else if q.signed_out.is_some() {
        Some("您已退出登录。")
    } else {
        None
    };
    Html(pages::login(&state, message, "", next).into_string()).into_response()
}

#[derive(Default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

impl LoginForm {
    /// Reads the form strictly: a field that is not UTF-8 or holds a control character is
    /// refused with its name (a password is never guessed at with replacement characters).
    fn parse(body: &[u8]) -> StaffResult<LoginForm> {
        let fields = crate::text::decode_form(body).map_err(|bad| {
            StaffError::Invalid(format!("“{}”{}", field_label(&bad.name), bad.why))
        })?;
        let mut form = LoginForm::default();
        for (name, value) in fields {
            match name.as_str() {
                "username" => form.username = value,
                "password" => form.password = value,
                "next" => form.next = value,
                _ => {}
            }
        }
        Ok(form)
    }
}

fn field_label(name: &str) -> &str {
    match name {
        "username" => "用户名",
        "password" => "密码",
        other => other,
    }
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = sign_in(&state, ip, &headers, &body).await;
    finish(&state, result)
}

async fn sign_in(
    state: &AppState,
    ip: std::net::IpAddr,
    headers: &HeaderMap,
    body: &[u8],
) -> StaffResult<Response> {
    // A sign-in form posted from another site would sign the victim into the attacker's account.
    session::same_origin(state, headers)?;
    let form = LoginForm::parse(body)?;
    security::check(state, Limit::SignIn, ip)?;
    let username: String = normalize_username(&form.username)
        .chars()
        .take(64)
        .collect();
    let client = ClientKey::of(ip).to_string();
    let now = state.clock.now();
    pair_throttle(state, &username, &client, now).await?;
    account_slowdown(state, &username, &client, now).await?;

    let account = accounts::find(&state.db, &username).await?;
    let stored = account
        .as_ref()
        .filter(|(member, _)| !member.disabled)
        .map(|(_, hash)| hash.clone());
    let password = form.password;
    let ok = tokio::task::spawn_blocking(move || {
        accounts::verify_password(&password, stored.as_deref())
    })
    .await
    .map_err(StaffError::internal)?;

    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO sign_in_attempts (username, client, at, succeeded) VALUES ($1, $2, $3, $4)",
    )
    .bind(&username)
    .bind(&client)
    .bind(stamp(now))
    .bind(i64::from(ok))
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sign_in_attempts WHERE at < $1")
        .bind(stamp(now - Duration::days(KNOWN_CLIENT_DAYS)))
        .execute(&mut *tx)
        .await?;
    let member = match (&account, ok) {
        (Some((member, _)), true) => member,
        _ => {
            audit::append(
                &mut tx,
                None,
                now,
                "public",
                Action::SignInFailed,
                &format!("用户名“{username}”，来自 {client}"),
            )
            .await?;
            tx.commit().await?;
            let next = session::safe_next(&form.next);
            let page = pages::login(state, Some("用户名或密码错误。"), &username, next);
            return Ok((StatusCode::UNAUTHORIZED, Html(page.into_string())).into_response());
        }
    };
    // A new session on every sign-in (no fixation); the old one of this browser, if any, ends.
    if let Some(old) = session::token_from(headers, session::cookie_name(state)) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(session::token_hash(&old))
            .execute(&mut *tx)
            .await?;
    }
    session::purge_expired_in(&mut tx, state, now).await?;
    let token = session::create_in(&mut tx, member.id, now).await?;
    audit::append(
        &mut tx,
        None,
        now,
        &member.username,
        Action::SignedIn,
        &format!("来自 {client}"),
    )
    .await?;
    tx.commit().await?;
    let mut response =
        Redirect::to(session::safe_next(&form.next).unwrap_or("/staff/")).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::set_cookie(state, &token));
    Ok(response)
}

/// `429` when the pair (user name, client) failed [`PAIR_FAILURES`] times in the window since
/// its last success; `Retry-After` is when the oldest of those failures leaves the window.
async fn pair_throttle(
    state: &AppState,
    username: &str,
    client: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> StaffResult<()> {
    let window = Duration::minutes(PAIR_WINDOW_MINUTES);
    let rows = sqlx::query(
        "SELECT at FROM sign_in_attempts WHERE username = $1 AND client = $2 AND succeeded = 0 \
         AND at > $3 AND at > COALESCE((SELECT MAX(at) FROM sign_in_attempts \
         WHERE username = $1 AND client = $2 AND succeeded = 1), '') ORDER BY at",
    )
    .bind(username)
    .bind(client)
    .bind(stamp(now - window))
    .fetch_all(state.db.reader())
    .await?;
    if (rows.len() as i64) < PAIR_FAILURES {
        return Ok(());
    }
    let oldest: String = rows[0].try_get("at")?;
    let until = parse_stamp(&oldest)
        .map(|t| t + window)
        .unwrap_or(now + window);
    let secs = (until - now).num_seconds().max(1) as u64;
    Err(crate::Error::RateLimited {
        retry_after_secs: secs,
    }
    .into())
}

/// The per-account slowdown (see the module's notes): `429` for a client that failed on this
/// account in the window, while the account has at least [`ACCOUNT_FREE_FAILURES`] failures
/// and the delay since the client's own last failure has not passed.
async fn account_slowdown(
    state: &AppState,
    username: &str,
    client: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> StaffResult<()> {
    let window = Duration::minutes(PAIR_WINDOW_MINUTES);
    let failures = sqlx::query(
        "SELECT client, at FROM sign_in_attempts WHERE username = $1 AND succeeded = 0 \
         AND at > $2 AND at > COALESCE((SELECT MAX(at) FROM sign_in_attempts \
         WHERE username = $1 AND succeeded = 1), '') ORDER BY at",
    )
    .bind(username)
    .bind(stamp(now - window))
    .fetch_all(state.db.reader())
    .await?;
    let n = failures.len() as i64;
    if n < ACCOUNT_FREE_FAILURES {
        return Ok(());
    }
    let mut own_last = None;
    for row in &failures {
        let c: String = row.try_get("client")?;
        if c == client {
            own_last = Some(row.try_get::<String, _>("at")?);
        }
    }
    // A client that has not failed on this account in the window is not slowed.
    let Some(own_last) = own_last.as_deref().and_then(parse_stamp) else {
        return Ok(());
    };
    let known = sqlx::query(
        "SELECT 1 AS known FROM sign_in_attempts WHERE username = $1 AND client = $2 \
         AND succeeded = 1 AND at > $3 LIMIT 1",
    )
    .bind(username)
    .bind(client)
    .bind(stamp(now - Duration::days(KNOWN_CLIENT_DAYS)))
    .fetch_optional(state.db.reader())
    .await?;
    if known.is_some() {
        return Ok(());
    }
    let doublings = (n - ACCOUNT_FREE_FAILURES).min(30) as u32;
    let delay = Duration::seconds((1i64 << doublings).min(ACCOUNT_MAX_DELAY_SECS));
    let until = own_last + delay;
    if now >= until {
        return Ok(());
    }
    tracing::info!(
        failures = n,
        delay_secs = delay.num_seconds(),
        "sign-in slowed down for an account under repeated failures"
    );
    let secs = (until - now).num_seconds().max(1) as u64;
    Err(crate::Error::RateLimited {
        retry_after_secs: secs,
    }
    .into())
}

pub async fn logout(State(state): State<AppState>, posted: Posted<NoFields>) -> Response {
    let result = async {
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        session::delete_in(&mut tx, posted.session.id).await?;
        audit::append(
            &mut tx,
            None,
            now,
            &posted.session.staff.username,
            Action::SignedOut,
            "",
        )
        .await?;
        tx.commit().await?;
        let mut response = Redirect::to("/staff/login?signed_out=1").into_response();
        response
            .headers_mut()
            .insert(header::SET_COOKIE, session::clear_cookie(&state));
        Ok(response)
    }
    .await;
    finish(&state, result)
}
