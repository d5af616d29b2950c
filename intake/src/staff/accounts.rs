//! Staff accounts: one per person, each in one department, created by the operator
//! (`intake staff add --username U --department D`, the password on standard input), listed
//! (`intake staff list`), disabled and enabled (`intake staff disable|enable NAME`) and given a
//! new password (`intake staff reset-password NAME`, on standard input). Passwords are stored
//! only as argon2id PHC strings; every change is an audit event.
//!
//! Password checks cost the same whether the account exists or not: an unknown or disabled
//! account is verified against a dummy hash of the same cost, so the time of a failed sign-in
//! does not tell an attacker which user names exist.

use std::sync::OnceLock;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sqlx::Row;

use crate::audit::{self, Action};
use crate::clock::stamp;
use crate::db::{Db, Tx};
use crate::AppState;

/// A member of staff, as the rest of the staff side sees them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StaffMember {
    pub id: i64,
    pub username: String,
    /// Department id (`departments.toml`).
    pub department: String,
    pub created_at: String,
    pub disabled: bool,
}

/// The password hasher: argon2id, version 0x13, with the crate's defaults (19 MiB, 2 passes,
/// 1 lane), the OWASP recommendation for interactive sign-in.
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters does not fail")
        .to_string()
}

/// A hash of a random password, to verify against when the account does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&crate::tracking::new_access_key()))
}

/// Checks `password` against `stored` (constant time, inside argon2); with no stored hash,
/// spends the same time on the dummy and answers false.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (dummy_hash(), false),
    };
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = hasher().verify_password(password.as_bytes(), &hash).is_ok();
    ok && real
}

/// The canonical user name: trimmed, lower case.
pub fn normalize_username(username: &str) -> String {
    username.trim().to_lowercase()
}

/// A user name is 3 to 32 characters of `a-z 0-9 . _ -`.
pub fn check_username(username: &str) -> Result<(), String> {
    let ok_len = (3..=32).contains(&username.len());
    let ok_chars = username
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(format!(
            "username \"{username}\": use 3 to 32 characters of a-z, 0-9, '.', '_' or '-'"
        ))
    }
}

/// At least 12 characters (a passphrase is welcome), at most 256.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 12 {
        Err(format!(
            "password too short: {n} characters, at least 12 needed"
        ))
    } else if n > 256 {
        Err("password too long: at most 256 characters".into())
    } else {
        Ok(())
    }
}

fn member_from_row(row: &sqlx::any::AnyRow) -> Result<StaffMember, sqlx::Error> {
    let disabled: i64 = row.try_get("disabled")?;
    Ok(StaffMember {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        department: row.try_get("department")?,
        created_at: row.try_get("created_at")?,
        disabled: disabled != 0,
    })
}

/// Adds an account (the `intake staff add` command). The department must be one of
/// `departments.toml`; the event is in the audit trail.
pub async fn add_account(
    state: &AppState,
    username: &str,
    department: &str,
    password: &str,
) -> anyhow::Result<StaffMember> {
    let username = normalize_username(username);
    check_username(&username).map_err(anyhow::Error::msg)?;
    if state.content.departments.get(department).is_none() {
        anyhow::bail!(
            "unknown department \"{department}\" (departments.toml has: {})",
            state.content.departments.ids()
        );
    }
    check_password(password).map_err(anyhow::Error::msg)?;
    let owned = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&owned))
        .await
        .context("hashing the password")?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let exists = sqlx::query("SELECT id FROM staff WHERE username = $1")
        .bind(&username)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        anyhow::bail!("username \"{username}\" already exists");
    }
    let row = sqlx::query(
        "INSERT INTO staff (username, department, password_hash, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id, username, department, created_at, disabled",
    )
    .bind(&username)
    .bind(department)
    .bind(&hash)
    .bind(stamp(now))
    .fetch_one(&mut *tx)
    .await?;
    let member = member_from_row(&row)?;
    audit::append(
        &mut tx,
        None,
        now,
        "system",
        Action::StaffAdded,
        &format!("{username}（{department}）"),
    )
    .await?;
    tx.commit().await?;
    Ok(member)
}

/// What an account command changed, for the operator's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub member: StaffMember,
    /// False when the account already was as asked (nothing written, no audit event).
    pub changed: bool,
    /// Live sessions ended.
    pub sessions_ended: u64,
}

async fn find_for_change(tx: &mut Tx, username: &str) -> anyhow::Result<StaffMember> {
    let row = sqlx::query(
        "SELECT id, username, department, created_at, disabled FROM staff WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(r) => Ok(member_from_row(&r)?),
        None => anyhow::bail!("no account \"{username}\" (see intake staff list)"),
    }
}

async fn end_sessions(tx: &mut Tx, staff_id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
        .bind(staff_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Disables or enables an account (`intake staff disable|enable NAME`). Disabling ends the
/// account's live sessions at once; a disabled account cannot sign in (its password is not
/// even checked). Each change is an audit event; asking for what already holds changes
/// nothing.
pub async fn set_disabled(
    state: &AppState,
    username: &str,
    disabled: bool,
) -> anyhow::Result<AccountChange> {
    let username = normalize_username(username);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let mut member = find_for_change(&mut tx, &username).await?;
    if member.disabled == disabled {
        return Ok(AccountChange {
            member,
            changed: false,
            sessions_ended: 0,
        });
    }
    sqlx::query("UPDATE staff SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(member.id)
        .execute(&mut *tx)
        .await?;
    let sessions_ended = if disabled {
        end_sessions(&mut tx, member.id).await?
    } else {
        0
    };
    let (action, note) = if disabled {
        (
            Action::StaffDisabled,
            format!(
                "{username}（{}），结束 {sessions_ended} 个会话",
                member.department
            ),
        )
    } else {
        (
            Action::StaffEnabled,
            format!("{username}（{}）", member.department),
        )
    };
    audit::append(&mut tx, None, now, "system", action, &note).await?;
    tx.commit().await?;
    member.disabled = disabled;
    Ok(AccountChange {
        member,
        changed: true,
        sessions_ended,
    })
}

/// Sets a new password (`intake staff reset-password NAME`, the password on standard input as
/// for `staff add`) and ends the account's live sessions: whoever knew the old one is out.
/// A disabled account stays disabled.
pub async fn reset_password(
    state: &AppState,
    username: &str,
    password: &str,
) -> anyhow::Result<AccountChange> {
    let username = normalize_username(username);
    check_password(password).map_err(anyhow::Error::msg)?;
    let owned = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&owned))
        .await
        .context("hashing the password")?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let member = find_for_change(&mut tx, &username).await?;
    sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(member.id)
        .execute(&mut *tx)
        .await?;
    let sessions_ended = end_sessions(&mut tx, member.id).await?;
    audit::append(
        &mut tx,
        None,
        now,
        "system",
        Action::PasswordReset,
        &format!(
            "{username}（{}），结束 {sessions_ended} 个会话",
            member.department
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(AccountChange {
        member,
        changed: true,
        sessions_ended,
    })
}

/// Every account, by department then user name (the `intake staff list` command).
pub async fn list_accounts(state: &AppState) -> anyhow::Result<Vec<StaffMember>> {
    let rows = sqlx::query(
        "SELECT id, username, department, created_at, disabled FROM staff \
         ORDER BY department, username",
    )
    .fetch_all(state.db.reader())
    .await?;
    Ok(rows.iter().map(member_from_row).collect::<Result<_, _>>()?)
}

/// An account and its password hash, by (normalised) user name.
pub async fn find(db: &Db, username: &str) -> Result<Option<(StaffMember, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, username, department, created_at, disabled, password_hash FROM staff \
         WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| Ok((member_from_row(&r)?, r.try_get("password_hash")?)))
        .transpose()
}

/// One line per account, for `intake staff list`.
pub fn format_list(state: &AppState, members: &[StaffMember]) -> String {
    let mut out = String::new();
    for m in members {
        let department = state
            .content
            .departments
            .get(&m.department)
            .map(|d| d.short.as_str())
            .unwrap_or("（未知部门）");
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            m.username,
            m.department,
            department,
            crate::clock::display_stamp(&m.created_at),
            if m.disabled { "disabled" } else { "active" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("correct horse batterY", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_username("zjj.li").is_ok());
        assert!(check_username("ab").is_err());
        assert!(check_username("Li Wei").is_err());
        assert_eq!(normalize_username("  ZJJ.Li "), "zjj.li");
        assert!(check_password("short").is_err());
        assert!(check_password("十二个汉字的口令也可以用的吧").is_ok());
    }
}
