//! The staff side of intake: sign-in, sessions, CSRF, the department's case list and case pages,
//! the workflow actions (accept, reject, transfer, ask for material, conclude, publish), export
//! and statistics.
//!
//! Owned by the staff engineer: the core (`crate::db`, `crate::cases`, `crate::audit`,
//! `crate::mail`, `crate::deadline`, `crate::security`) provides the data layer, the audit
//! chain, the outbox, deadline arithmetic and the rate-limit middleware this folder builds on.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// `intake staff add`: creates a staff account (argon2id password read from stdin).
/// The staff engineer builds this; until then the command says so.
pub async fn add_account(
    _state: &AppState,
    username: &str,
    department: &str,
    _password: &str,
) -> anyhow::Result<()> {
    anyhow::bail!("staff accounts are not available yet (cannot add {username} to {department})")
}

/// `intake export --out DIR`: writes published results as Markdown for site-gen; returns how
/// many. The staff engineer builds this; until then the command says so.
pub async fn export(_state: &AppState, out: &std::path::Path) -> anyhow::Result<usize> {
    anyhow::bail!(
        "export is not available yet (nothing written to {})",
        out.display()
    )
}
