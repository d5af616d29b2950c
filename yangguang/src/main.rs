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
    #[arg(long, default_value = "signals")]
    signals: PathBuf,
    /// intake's database: a SQLite file or a postgres:// URL.
    #[arg(long, default_value = "data/intake.sqlite3")]
    db: String,
    /// intake's TOML configuration (SMTP, limits, trusted proxies, deadline rules).
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let Command::Serve(args) = cli.command;
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(invalid) = e.downcast_ref::<Invalid>() {
                eprintln!("{invalid}");
                return ExitCode::from(1);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let opts = Options {
        content: args.content.clone(),
        out: args.out.clone(),
        index: Some(args.index.clone()),
        today: site_gen::serve::today(),
        clean: false,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        signals: Some(args.signals.clone()),
    };
    let summary = build::build(&opts)?;
    if !args.quiet {
        println!("{summary}");
    }
    let quiet = args.quiet;
    site_gen::serve::watch(opts, move |r| match r {
        Ok(s) if !quiet => println!("{s}"),
        Ok(_) => {}
        Err(e) => eprintln!("rebuild failed, the previous site stays published:\n{e:#}"),
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
            signals: Some(args.signals.clone()),
        };
        let intake = intake::AppState::from_settings(&intake_settings).await?;
        let _background = intake.spawn_background();
        let router = axum::Router::new()
            .merge(search_server::app(search))
            .merge(intake::app(intake))
            .fallback_service(site_gen::serve::static_router(args.out.clone()));
        // One set of security headers on every response; intake's routes keep their own.
        let router = site_gen::serve::security_headers(router);
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        println!(
            "serving http://{}/ (site, /search, /submit, /track, /staff/)",
            args.listen
        );
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await?;
        Ok(())
    })
}
