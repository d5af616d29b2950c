//! Signing in and out.
//!
//! Throttling cannot be turned into a lockout of someone else: nothing is ever locked per
//! account. Attempts are limited per client address (the core's governor limiter,
//! `limits.sign_in_*`) and per (client address, user name) pair ([`PAIR_FAILURES`] failures in
//! [`PAIR_WINDOW_MINUTES`] minutes, counted in `sign_in_attempts` on the test-controllable
//! clock). Someone hammering a colleague's name from their own machine slows only themselves; the
//! colleague signs in from theirs. Both limits answer `429` with `Retry-After`.
//!
//! A failed sign-in costs the same whether the user exists or not: the password is verified
//! against a dummy hash of the same cost, and the same rows are written.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Duration;
use serde::Deserialize;
use sqlx::Row;

use crate::audit::{self, Action};
use crate::clock::{parse_stamp, stamp};
use crate::security::{self, ClientIp, Limit};
use crate::AppState;

use super::accounts::{self, normalize_username};
use super::error::{finish, StaffError, StaffResult};
use super::pages;
use super::session::{self, NoFields, Posted};

/// Failures allowed per (client, user name) within the window before `429`.
pub const PAIR_FAILURES: i64 = 5;
pub const PAIR_WINDOW_MINUTES: i64 = 15;

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

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let result = sign_in(&state, ip, &headers, form).await;
    finish(&state, result)
}

async fn sign_in(
    state: &AppState,
    ip: std::net::IpAddr,
    headers: &HeaderMap,
    form: LoginForm,
) -> StaffResult<Response> {
    // A sign-in form posted from another site would sign the victim into the attacker's account.
    session::same_origin(state, headers)?;
    security::check(state, Limit::SignIn, ip)?;
    let username: String = normalize_username(&form.username)
        .chars()
        .take(64)
        .collect();
    let client = ip.to_string();
    let now = state.clock.now();
    pair_throttle(state, &username, &client, now).await?;

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
