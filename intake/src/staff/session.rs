//! Staff sessions and CSRF protection.
//!
//! A session is a random 256-bit token in the cookie `__Host-yg_staff` (Secure, HttpOnly,
//! SameSite=Strict, Path=/, no Domain: the `__Host-` prefix makes browsers refuse it otherwise).
//! The database keeps only its SHA-256, so a copy of the database does not let anyone in. A
//! session ends after `staff.idle_timeout_minutes` without a request and, whatever happens,
//! `staff.absolute_timeout_hours` after sign-in; both are read from the test-controllable clock.
//!
//! Every state-changing request goes through [`Posted`], the only way a staff handler gets a
//! form: it requires a live session, a synchronizer token (`csrf`, one per session) equal to the
//! session's in constant time, and, when the browser says where the request came from
//! (`Origin`, `Sec-Fetch-Site`, `Referer`), this site. `Origin: null` counts as not saying: the
//! intake pages send `Referrer-Policy: no-referrer`, under which browsers post forms with it.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::accounts::StaffMember;
use super::error::{respond, StaffError, StaffResult};
use crate::clock::{parse_stamp, stamp};
use crate::db::Tx;
use crate::AppState;

/// The session cookie. `__Host-` requires Secure; browsers (and reqwest) accept Secure cookies
/// from `http://localhost` and `http://127.0.0.1`, so local tests need no exception.
pub const COOKIE: &str = "__Host-yg_staff";
/// The name used only when the operator turned `staff.secure_cookies` off (a `__Host-` cookie
/// without Secure would be dropped by browsers).
pub const COOKIE_INSECURE: &str = "yg_staff";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// Staff forms are text; decisions run to a few pages at most.
const FORM_LIMIT: usize = 256 * 1024;
/// `last_seen_at` is written at most this often, so that reading pages does not queue a write
/// per request behind the single SQLite writer.
const TOUCH_EVERY_SECS: i64 = 30;

/// A signed-in member of staff.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub staff: StaffMember,
    /// The synchronizer token every form of this session carries.
    pub csrf: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.staff.secure_cookies {
        COOKIE
    } else {
        COOKIE_INSECURE
    }
}

/// `Set-Cookie` for a new session. No Max-Age: the cookie goes when the browser closes, and the
/// server ends the session on its own timeouts anyway.
pub fn set_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.config.staff.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}",
        cookie_name(state)
    );
    HeaderValue::from_str(&value).expect("hex token and fixed attributes are a valid header")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.config.staff.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(state)
    );
    HeaderValue::from_str(&value).expect("fixed attributes are a valid header")
}

/// The session token from the request's cookies, if any.
pub fn token_from(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Starts a session for `staff_id` inside `tx`; returns the cookie token (never stored).
pub async fn create_in(
    tx: &mut Tx,
    staff_id: i64,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = random_hex();
    let at = stamp(now);
    sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(staff_id)
    .bind(random_hex())
    .bind(&at)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Ends a session (sign-out), inside `tx`.
pub async fn delete_in(tx: &mut Tx, session_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes every session past a timeout (run at each sign-in, so the table stays small).
pub async fn purge_expired_in(
    tx: &mut Tx,
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let (idle, absolute) = timeouts(state);
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(stamp(now - idle))
        .bind(stamp(now - absolute))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn timeouts(state: &AppState) -> (Duration, Duration) {
    let s = &state.config.staff;
    (
        Duration::minutes(i64::try_from(s.idle_timeout_minutes).unwrap_or(i64::MAX / 120_000)),
        Duration::hours(i64::try_from(s.absolute_timeout_hours).unwrap_or(i64::MAX / 7_200_000)),
    )
}

/// The live session of a request, checking both timeouts; an expired one is deleted.
pub async fn lookup(state: &AppState, headers: &HeaderMap) -> StaffResult<Session> {
    let token = token_from(headers, cookie_name(state)).ok_or(StaffError::SignInRequired)?;
    let row = sqlx::query(
        "SELECT s.id AS session_id, s.csrf_token, s.created_at AS session_created, s.last_seen_at, \
         t.id, t.username, t.department, t.created_at, t.disabled \
         FROM sessions s JOIN staff t ON t.id = s.staff_id WHERE s.token_hash = $1",
    )
    .bind(token_hash(&token))
    .fetch_optional(state.db.reader())
    .await?
    .ok_or(StaffError::SignInRequired)?;
    let session_id: i64 = row.try_get("session_id")?;
    let disabled: i64 = row.try_get("disabled")?;
    let created: String = row.try_get("session_created")?;
    let last_seen: String = row.try_get("last_seen_at")?;
    let now = state.clock.now();
    let (idle, absolute) = timeouts(state);
    let expired = match (parse_stamp(&created), parse_stamp(&last_seen)) {
        (Some(c), Some(l)) => now - c > absolute || now - l > idle,
        _ => true,
    };
    if expired || disabled != 0 {
        let mut tx = state.db.begin().await?;
        delete_in(&mut tx, session_id).await?;
        tx.commit().await?;
        return Err(if disabled != 0 {
            StaffError::SignInRequired
        } else {
            StaffError::SessionExpired
        });
    }
    if parse_stamp(&last_seen).is_some_and(|l| now - l > Duration::seconds(TOUCH_EVERY_SECS)) {
        let mut tx = state.db.begin().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(stamp(now))
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Session {
        id: session_id,
        csrf: row.try_get("csrf_token")?,
        staff: StaffMember {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            department: row.try_get("department")?,
            created_at: row.try_get("created_at")?,
            disabled: false,
        },
    })
}

/// The session and account a session token belongs to, read only (no timeouts applied, nothing
/// touched): to say whose request was refused.
pub async fn identify(
    state: &AppState,
    token: &str,
) -> Result<Option<(i64, StaffMember)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.id AS session_id, t.id, t.username, t.department, t.created_at, t.disabled \
         FROM sessions s JOIN staff t ON t.id = s.staff_id WHERE s.token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(state.db.reader())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let disabled: i64 = row.try_get("disabled")?;
    Ok(Some((
        row.try_get("session_id")?,
        StaffMember {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            department: row.try_get("department")?,
            created_at: row.try_get("created_at")?,
            disabled: disabled != 0,
        },
    )))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Session, Response> {
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(session.clone());
        }
        let session = match lookup(state, &parts.headers).await {
            Ok(s) => s,
            // A page asked for without a session (a link from a mail, a bookmark): sign in,
            // then come back to it.
            Err(e @ (StaffError::SignInRequired | StaffError::SessionExpired))
                if parts.method == Method::GET =>
            {
                let target = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/staff/");
                let expired = matches!(e, StaffError::SessionExpired);
                return Err(Redirect::to(&login_url(expired, target)).into_response());
            }
            Err(e) => return Err(respond(state, e)),
        };
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

/// Where to go after signing in: a staff page of this site, nothing else (no `//evil`, no
/// back-slashes, no control characters, not the sign-in page itself).
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with("/staff/")
        && !next.starts_with("/staff/login")
        && next.len() <= 512
        && !next.contains("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    ok.then_some(next)
}

/// The sign-in page's URL, saying the session expired and where to return.
pub fn login_url(expired: bool, next: &str) -> String {
    let mut params = Vec::new();
    if expired {
        params.push("expired=1".to_string());
    }
    if let Some(next) = safe_next(next).filter(|n| *n != "/staff/") {
        let encoded: String = next
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        params.push(format!("next={encoded}"));
    }
    if params.is_empty() {
        "/staff/login".to_string()
    } else {
        format!("/staff/login?{}", params.join("&"))
    }
}

/// The host part (`host[:port]`) of an absolute URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Whether the browser says the request came from this site (or says nothing). The site is the
/// request's own `Host`, or the configured base URL's host behind a proxy that rewrites it.
pub fn same_origin(state: &AppState, headers: &HeaderMap) -> Result<(), StaffError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let base = authority(&state.content.site.base_url).unwrap_or("");
    let ours = |authority: Option<&str>| {
        authority.is_some_and(|a| a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(base))
    };
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Err(StaffError::Csrf("sec-fetch-site is not same-origin"));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if origin != "null" && !ours(authority(origin)) {
            return Err(StaffError::Csrf("origin is another site"));
        }
    }
    if let Some(referer) = headers.get(header::REFERER) {
        if !ours(authority(referer.to_str().unwrap_or(""))) {
            return Err(StaffError::Csrf("referer is another site"));
        }
    }
    Ok(())
}

/// Constant-time comparison of the submitted token with the session's. `Output`'s equality is
/// `subtle`'s constant-time comparison, already linked through argon2.
fn tokens_match(submitted: &str, expected: &str) -> bool {
    use argon2::password_hash::Output;
    let (Ok(a), Ok(b)) = (hex::decode(submitted), hex::decode(expected)) else {
        return false;
    };
    match (Output::new(&a), Output::new(&b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

/// A state-changing staff request that passed every check: a live session, this site as its
/// origin, and the session's CSRF token. The form itself is `T`.
#[derive(Debug)]
pub struct Posted<T> {
    pub session: Session,
    pub form: T,
}

/// A form with nothing but the CSRF token (sign-out).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Posted<T>, Response> {
        let fail = |e: StaffError| respond(state, e);
        let (mut parts, body) = request.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        if parts.method == Method::GET || parts.method == Method::HEAD {
            return Err(fail(StaffError::Internal(
                "a form extractor on a safe method".into(),
            )));
        }
        same_origin(state, &parts.headers).map_err(fail)?;
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| fail(StaffError::Core(crate::Error::TooLarge)))?;
        let form_request = || Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        let token = Form::<CsrfOnly>::from_request(form_request(), &())
            .await
            .ok()
            .and_then(|Form(f)| f.csrf)
            .ok_or_else(|| fail(StaffError::Csrf("missing token")))?;
        if !tokens_match(&token, &session.csrf) {
            return Err(fail(StaffError::Csrf("wrong token")));
        }
        // Text that is not UTF-8 or holds control characters is refused with the field's
        // name, never stored with replacement characters.
        if let Err(bad) = crate::text::decode_form(&bytes) {
            return Err(fail(StaffError::Invalid(format!(
                "“{}”{}",
                bad.name, bad.why
            ))));
        }
        let Form(form) = Form::<T>::from_request(form_request(), &())
            .await
            .map_err(|e| {
                fail(StaffError::Invalid(format!(
                    "表单内容无法识别：{}",
                    e.body_text()
                )))
            })?;
        Ok(Posted { session, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_tokens() {
        let mut h = HeaderMap::new();
        let t = random_hex();
        h.insert(
            header::COOKIE,
            format!("a=b; {COOKIE}={t}; c=d").parse().unwrap(),
        );
        assert_eq!(token_from(&h, COOKIE), Some(t.clone()));
        assert_eq!(token_from(&h, COOKIE_INSECURE), None);
        h.insert(header::COOKIE, format!("{COOKIE}=short").parse().unwrap());
        assert_eq!(token_from(&h, COOKIE), None);
        assert_ne!(token_hash(&t), t);
    }

    #[test]
    fn csrf_tokens_compare() {
        let t = random_hex();
        assert!(tokens_match(&t, &t));
        assert!(!tokens_match(&random_hex(), &t));
        assert!(!tokens_match("", &t));
        assert!(!tokens_match("zz", &t));
        assert!(!tokens_match(&t[..32], &t));
    }

    #[test]
    fn where_to_return() {
        assert_eq!(safe_next("/staff/cases/TS-1"), Some("/staff/cases/TS-1"));
        for bad in [
            "//evil.example/staff/",
            "/staff//x",
            "https://evil/",
            "/staff/login?next=/staff/",
            "/staff/\\x",
            "/other",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
        assert_eq!(login_url(false, "/staff/"), "/staff/login");
        assert_eq!(login_url(true, "/staff/"), "/staff/login?expired=1");
        assert_eq!(
            login_url(true, "/staff/?status=open&page=2"),
            "/staff/login?expired=1&next=/staff/%3Fstatus%3Dopen%26page%3D2"
        );
    }

    #[test]
    fn authorities() {
        assert_eq!(
            authority("http://127.0.0.1:8082/staff/"),
            Some("127.0.0.1:8082")
        );
        assert_eq!(authority("https://a.example?x"), Some("a.example"));
        assert_eq!(authority("null"), None);
    }
}
