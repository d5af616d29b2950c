//! 阳光交易 intake: market players submit complaints (投诉), objections (异议), reports (举报) and
//! suggestions (建议); each gets a tracking number and a secret access key, is routed to the
//! supervising department, counted against its statutory deadline, and recorded step by step in
//! a hash-chained audit trail. Mail goes through an outbox in the same transaction as the change.
//!
//! This crate alone holds personal data. The library exposes [`AppState`], [`app`] and the
//! background tasks so that the `intake` binary, the root `yangguang serve` and the tests all run
//! the same thing.
//!
//! Map: [`config`] (TOML file), [`content`] (departments, calendar, project → department),
//! [`db`] (SQLite/PostgreSQL handle), [`cases`] (a case's life: the type, its transitions and the
//! one writer [`cases::write`] that saves a case with its audit event and mail), [`tracking`]
//! (numbers and access keys), [`routing`], [`rules`] (the table of rules per kind and category),
//! [`deadline`] (working-day arithmetic), [`audit`] (hash chain), [`mail`] (outbox and sender),
//! [`attachments`], [`public`] (submission and tracking pages and API), [`security`] (rate
//! limits, client address, headers), [`text`] (strict decoding of what people type),
//! [`staff`] (the staff side), [`metrics`] (what `/metrics` reports, on its own listener).

pub mod attachments;
pub mod audit;
pub mod cases;
pub mod clock;
pub mod config;
pub mod content;
pub mod db;
pub mod deadline;
pub mod error;
pub mod mail;
pub mod material;
pub mod metrics;
pub mod public;
pub mod routing;
pub mod rules;
pub mod security;
pub mod staff;
pub mod submission;
pub mod text;
pub mod tracking;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::http::StatusCode;
use axum::Router;
use tower_http::timeout::TimeoutLayer;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::config::Config;
pub use crate::content::ContentData;
pub use crate::db::Db;
pub use crate::error::Error;

/// What the command line says (`intake [--content DIR] [--db URL] [--config FILE]
/// [--no-rate-limit]`); the listen address is the caller's business.
#[derive(Debug, Clone)]
pub struct Settings {
    pub content: PathBuf,
    /// A SQLite file path, a `sqlite:` URL or a `postgres://` URL.
    pub db: String,
    pub config: Option<PathBuf>,
    /// False only for load tests and benchmarks (`--no-rate-limit`).
    pub rate_limit: bool,
    /// The supervision signals site-gen wrote (`signals.json`, `cards/`), shown to signed-in
    /// staff at `/staff/signals/`; `None`: the pages say there are none.
    pub signals: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            content: PathBuf::from("content"),
            db: "data/intake.sqlite3".to_string(),
            config: None,
            rate_limit: true,
            signals: Some(PathBuf::from("signals")),
        }
    }
}

/// Everything a request handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Site config, departments, calendar and the project → department map.
    pub content: Arc<ContentData>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<mail::Mailer>,
    /// Uploaded files; outside every public path, never served to the public.
    pub attachments_dir: Arc<PathBuf>,
    pub limiters: Arc<security::RateLimiters>,
    /// The group-commit writer of submissions (see [`cases::receive`]).
    pub writer: Arc<cases::Writer>,
    /// The folder of the supervision signals ([`Settings::signals`]).
    pub signals: Option<Arc<staff::signals::Source>>,
    /// Counters for `/metrics` ([`metrics`]).
    pub metrics: Arc<metrics::IntakeMetrics>,
}

impl AppState {
    /// Loads the config and the content, opens and migrates the database, prepares the mailer.
    pub async fn from_settings(settings: &Settings) -> anyhow::Result<AppState> {
        AppState::with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`AppState::from_settings`], with a clock of the caller's (tests move time).
    pub async fn with_clock(
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<AppState> {
        let config = match &settings.config {
            Some(path) => Config::load(path)?,
            None => Config::default(),
        };
        let content = ContentData::load(&settings.content)
            .with_context(|| format!("loading content from {}", settings.content.display()))?;
        let db = Db::connect(&settings.db).await?;
        // Data folders default to the SQLite file's folder (`data/` for PostgreSQL).
        let base = db
            .sqlite_file()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("data"));
        let attachments_dir = config
            .storage
            .attachments_dir
            .clone()
            .unwrap_or_else(|| base.join("attachments"));
        std::fs::create_dir_all(&attachments_dir).with_context(|| {
            format!(
                "cannot create attachment folder {}",
                attachments_dir.display()
            )
        })?;
        let mailer = mail::Mailer::from_config(&config, base.join("outbox"))?;
        let limiters = security::RateLimiters::new(&config.limits, settings.rate_limit);
        let state = AppState {
            db,
            content: Arc::new(content),
            config: Arc::new(config),
            clock,
            mailer: Arc::new(mailer),
            attachments_dir: Arc::new(attachments_dir),
            limiters: Arc::new(limiters),
            writer: Arc::new(cases::Writer::default()),
            signals: settings
                .signals
                .clone()
                .map(|dir| Arc::new(staff::signals::Source::new(dir))),
            metrics: Arc::default(),
        };
        state.writer.start(state.clone());
        let today = clock::local_date(state.clock.now());
        for warning in deadline::calendar_warnings(&state.content.calendar, today) {
            tracing::warn!(
                "{}: {warning}",
                settings.content.join("calendar.toml").display()
            );
        }
        match cases::recount_pending(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("counted the pending deadline of {n} case(s)"),
            Err(e) => tracing::warn!("cannot count pending deadlines: {e}"),
        }
        Ok(state)
    }

    /// Starts the background work: the mail sender, the overdue check and the limiter cleanup.
    /// Call once per process (one sender per database).
    pub fn spawn_background(&self) -> Vec<tokio::task::JoinHandle<()>> {
        // Serving starts here, so no upload is under way yet: whatever is in the temporary
        // folder was cut short by a crash.
        match attachments::clear_leftovers(&self.attachments_dir) {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} unfinished upload(s) left by an earlier run"),
            Err(e) => tracing::warn!("cannot clear unfinished uploads: {e}"),
        }
        let sender = tokio::spawn(mail::run_sender(
            self.db.clone(),
            self.mailer.clone(),
            self.clock.clone(),
        ));
        let overdue = tokio::spawn(cases::run_overdue_checker(self.clone()));
        let limiters = self.limiters.clone();
        let cleanup = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                limiters.forget_idle();
            }
        });
        vec![sender, overdue, cleanup]
    }
}

/// The intake routes (/submit, /api/submissions, /track, /api/track, /staff/…), with the
/// security headers, body limits and timeouts on all of them. No fallback route: the root
/// binary merges this beside the site.
pub fn app(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.limits.request_timeout_secs);
    Router::new()
        .merge(public::routes(&state))
        .merge(staff::routes(&state))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn(error::uniform_errors))
        .layer(axum::middleware::from_fn(security::security_headers))
        .with_state(state)
}

/// Serves [`app`] on `listener` until the process ends, with the background tasks running.
/// Uses connection info so that rate limits see client addresses.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    serve_with_metrics(state, listener, None).await
}

/// As [`serve`], with every request counted and logged by route and status (never its path or
/// query string) and, when `metrics_listener` is given, `/metrics` answered there alone: the
/// public listener never answers it.
pub async fn serve_with_metrics(
    state: AppState,
    listener: tokio::net::TcpListener,
    metrics_listener: Option<tokio::net::TcpListener>,
) -> anyhow::Result<()> {
    state.spawn_background();
    let mut metrics = telemetry::Metrics::new();
    metrics::register(&state, &mut metrics);
    let public = metrics.track(app(state), "(unmatched)");
    telemetry::serve(public, listener, metrics_listener.map(|l| (metrics, l))).await?;
    Ok(())
}
