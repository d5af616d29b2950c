//! `yangguang serve`: the whole product on one port for a newcomer or a small deployment —
//! builds `content/` into the static site and the search index, then serves the site, search and
//! intake from one axum router, rebuilding when `content/` changes.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use site_gen::build::{self, Options};
use site_gen::content::Invalid;
use site_gen::metrics::BuildMetrics;
use std::time::SystemTime;

#[derive(Parser)]
#[command(
    name = "yangguang",
    version,
    about = "阳光交易: the disclosure site, search and intake on one port"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build content/, then serve the site, search and intake on one port.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    #[arg(long, default_value = "content")]
    content: PathBuf,
    #[arg(long, default_value = "public")]
    out: PathBuf,
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Where the supervision signals go; shown to signed-in staff, never to the public.
    /// Default `signals/` beside `--out`.
    #[arg(long)]
    signals: Option<PathBuf>,
    /// intake's database: a SQLite file or a postgres:// URL.
    #[arg(long, default_value = "data/intake.sqlite3")]
    db: String,
    /// intake's TOML configuration (SMTP, limits, trusted proxies, deadline rules).
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Answer `/metrics` (Prometheus text format: requests, searches, submissions, outbox,
    /// overdue cases, the last build) on this address, e.g. 127.0.0.1:9180; the public port
    /// never answers it.
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
    /// Log lines as human text or as JSON objects, one per line.
    #[arg(long, value_enum, default_value_t = telemetry::LogFormat::Text)]
    log_format: telemetry::LogFormat,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Command::Serve(args) = cli.command;
    let format = args.log_format;
    telemetry::logs::init(format, "warn");
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (text, code) = match e.downcast_ref::<Invalid>() {
                Some(invalid) => (invalid.to_string(), 1),
                None => (format!("error: {e:#}"), 2),
            };
            // With JSON logs, the failure is a log line too, so a collector reads one format.
            match format {
                telemetry::LogFormat::Json => tracing::error!("{text}"),
                telemetry::LogFormat::Text => eprintln!("{text}"),
            }
            ExitCode::from(code)
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // The folder the build writes the signals to is the one intake's staff pages read.
    let signals = args
        .signals
        .clone()
        .unwrap_or_else(|| site_gen::signals::beside(&args.out));
    let opts = Options {
        content: args.content.clone(),
        out: args.out.clone(),
        index: Some(args.index.clone()),
        today: site_gen::serve::today(),
        clean: false,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        signals: Some(signals.clone()),
    };
    let summary = build::build(&opts)?;
    if !args.quiet {
        println!("{summary}");
    }
    // The last build's figures, shown on /metrics; a failed rebuild says so and keeps the
    // figures of the site still published.
    let builds = BuildMetrics::default();
    builds.record(Ok(&summary), SystemTime::now());
    let quiet = args.quiet;
    let rebuilds = builds.clone();
    site_gen::serve::watch(opts, move |r| {
        // The watcher does not time a failed rebuild: its duration reads NaN.
        rebuilds.record(r.as_ref().map_err(|_| f64::NAN), SystemTime::now());
        match r {
            Ok(s) if !quiet => println!("{s}"),
            Ok(_) => {}
            Err(e) => eprintln!("rebuild failed, the previous site stays published:\n{e:#}"),
        }
    })
    .context("cannot watch the content folder")?;

    tokio::runtime::Runtime::new()?.block_on(async move {
        let search = search_server::AppState::open(
            &args.index,
            &args.content,
            search_server::Options::default(),
        )?;
        let intake_settings = intake::Settings {
            content: args.content.clone(),
            db: args.db.clone(),
            config: args.config.clone(),
            rate_limit: true,
            signals: Some(signals),
        };
        let intake = intake::AppState::from_settings(&intake_settings).await?;
        let _background = intake.spawn_background();
        let mut metrics = telemetry::Metrics::new();
        search.register_metrics(&mut metrics);
        intake::metrics::register(&intake, &mut metrics);
        builds.register(metrics.registry(), true);
        let router = axum::Router::new()
            .merge(search_server::app(search))
            .merge(intake::app(intake))
            .fallback_service(site_gen::serve::static_router(args.out.clone()));
        // One set of security headers on every response; intake's routes keep their own.
        let router = site_gen::serve::security_headers(router);
        // Every request counted and logged by route; the static site's files as `(static)`.
        let router = metrics.track(router, "(static)");
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let metrics_listener = telemetry::bind_metrics(args.metrics_listen).await?;
        println!(
            "serving http://{}/ (site, /search, /submit, /track, /staff/)",
            args.listen
        );
        telemetry::serve(router, listener, metrics_listener.map(|l| (metrics, l))).await?;
        Ok(())
    })
}
