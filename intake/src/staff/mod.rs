//! The staff side of intake: sign-in, sessions, CSRF, the department's case list and case pages,
//! the workflow actions (accept, reject, transfer, ask for material, conclude, publish), export
//! and statistics.
//!
//! Owned by the staff engineer: the core (`crate::db`, `crate::cases`, `crate::audit`,
//! `crate::mail`, `crate::deadline`, `crate::security`) provides the data layer, the audit
//! chain, the outbox, deadline arithmetic and the rate-limit middleware this folder builds on.
//!
//! Map: [`accounts`] (accounts, argon2id passwords, the `staff` commands), [`session`] (cookie
//! sessions, timeouts, the CSRF-checked [`session::Posted`] form extractor), [`login`] (sign-in
//! with throttling, sign-out), [`access`] (department scoping: the one authorization decision),
//! [`workflow`] (the state machine and the actions), [`handlers`] and [`pages`] (the pages),
//! [`queries`] (the staff side's SQL and columns), [`export`] (`intake export`), [`stats`]
//! (quarterly statistics), [`error`] (error pages), [`refusals`] (refused requests logged,
//! repeated ones audited), [`signals`] (the supervision signals site-gen wrote).
//!
//! Routes (all under `/staff/`, all `noindex`, `no-store` from the core's headers):
//! `GET/POST /staff/login`, `POST /staff/logout`, `GET /staff/` (list), `GET /staff/cases/<no>`,
//! `GET /staff/cases/<no>/attachments/<id>`, `POST /staff/cases/<no>/<action>`,
//! `GET /staff/stats`, `GET /staff/stats.json`, `GET /staff/signals/` (supervision signals),
//! `GET /staff/signals/<id>`, `GET /staff/signals/companies/<code>/` ([`signals`]).

pub mod access;
pub mod accounts;
pub mod error;
pub mod export;
pub mod handlers;
pub mod login;
pub mod pages;
pub mod public_stats;
pub mod queries;
pub mod refusals;
pub mod session;
pub mod signals;
pub mod stats;
pub mod workflow;

use axum::middleware::from_fn_with_state;
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub use accounts::{add_account, list_accounts};
pub use export::export;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/staff", get(|| async { Redirect::permanent("/staff/") }))
        .route("/staff/", get(handlers::case_list))
        .route(
            "/staff/login",
            get(login::login_page).post(login::login_submit),
        )
        .route("/staff/logout", post(login::logout))
        .route("/staff/cases/{number}", get(handlers::case_page))
        .route(
            "/staff/cases/{number}/attachments/{id}",
            get(handlers::attachment),
        )
        .route("/staff/cases/{number}/{action}", post(handlers::action))
        .route("/staff/stats", get(stats::stats_page))
        .route("/staff/stats.json", get(stats::stats_json))
        .route(
            "/staff/signals",
            get(|| async { Redirect::permanent("/staff/signals/") }),
        )
        .route("/staff/signals/", get(signals::list))
        .route("/staff/signals/{id}", get(signals::signal_page))
        .route(
            "/staff/signals/companies/{code}/",
            get(signals::company_page),
        )
        .layer(from_fn_with_state(state.clone(), refusals::watch))
}
