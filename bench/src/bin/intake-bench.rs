//! `intake-bench`: the intake service's performance and crash-safety benchmark.
//!
//! ```text
//! cargo build --release -p intake -p bench
//! target/release/intake-bench throughput --clients 32 --seconds 10   # durable submissions/s, p99
//! target/release/intake-bench kill --rounds 100                       # kill -9 under load
//! ```
//!
//! `throughput` runs the real server in this process (rate limits off, SQLite with WAL and
//! synchronous=FULL in a fresh temporary folder, file mail outbox) and submits JSON from
//! `--clients` keep-alive connections; every acknowledged tracking number is then checked in
//! the database. `kill` starts the `intake` binary beside this one, submits from concurrent
//! clients, kills it with SIGKILL at random moments, restarts it, and checks that every
//! acknowledged submission is stored with its outbox row. Both exit non-zero on failure.

use std::path::PathBuf;
use std::time::Duration;

use bench::loadtest;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "intake-bench",
    about = "intake throughput and kill -9 benchmark"
)]
struct Cli {
    /// Content folder (departments and calendar).
    #[arg(long, default_value = "content", global = true)]
    content: PathBuf,
    /// Configuration file for the server under test.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Durable submissions per second and latency at a given concurrency.
    Throughput {
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Database (default: a fresh SQLite file in a temporary folder).
        #[arg(long)]
        db: Option<String>,
        /// Instances of the service sharing the database, clients spread over them
        /// (more than one needs `--db postgres://…`).
        #[arg(long, default_value_t = 1)]
        instances: usize,
    },
    /// Acknowledged submissions survive kill -9.
    Kill {
        #[arg(long, default_value_t = 100)]
        rounds: usize,
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
}

fn scratch_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("intake-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    anyhow::ensure!(
        loadtest::is_content_dir(&cli.content),
        "{} is not a content folder (no departments.toml / calendar.toml)",
        cli.content.display()
    );
    let dir = scratch_dir()?;
    let result = match cli.command {
        Command::Throughput {
            clients,
            seconds,
            db,
            instances,
        } => {
            let settings = intake::Settings {
                content: cli.content.clone(),
                db: db.unwrap_or_else(|| dir.join("intake.sqlite3").display().to_string()),
                config: cli.config.clone(),
                rate_limit: false,
                signals: None,
            };
            anyhow::ensure!(
                instances == 1 || intake::db::is_postgres(&settings.db),
                "--instances {instances} needs --db postgres://… (SQLite is one instance's file)"
            );
            // Each instance is a whole service of its own (pools, mail sender, overdue check),
            // as separate processes behind a proxy would be; only the database is shared.
            let mut states = Vec::new();
            let mut servers = Vec::new();
            let mut addrs = Vec::new();
            for _ in 0..instances.max(1) {
                let state = intake::AppState::from_settings(&settings).await?;
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                addrs.push(listener.local_addr()?);
                servers.push(tokio::spawn(intake::serve(state.clone(), listener)));
                states.push(state);
            }
            let t = loadtest::throughput(&addrs, clients, Duration::from_secs(seconds)).await?;
            let present = loadtest::numbers_with_outbox(&states[0].db).await?;
            let lost = t.numbers.iter().filter(|n| !present.contains(*n)).count();
            println!(
                "throughput: {} instance(s), {} clients, {:.1} s, {} acknowledged ({:.0}/s), {} errors, \
                 latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} acknowledged missing from the database",
                addrs.len(), t.clients, t.seconds, t.acknowledged, t.per_second, t.errors, t.p50_ms, t.p99_ms, t.max_ms, lost
            );
            for (server, state) in servers.into_iter().zip(states) {
                server.abort();
                state.db.close().await;
            }
            anyhow::ensure!(lost == 0, "{lost} acknowledged submissions are missing");
            Ok(())
        }
        Command::Kill { rounds, clients } => {
            let report = loadtest::kill_loop(&loadtest::KillLoop {
                exe: loadtest::sibling_exe("intake")?,
                content: cli.content.clone(),
                dir: dir.clone(),
                rounds,
                clients,
                kill_after_ms: (50, 400),
            })
            .await?;
            println!(
                "kill -9: {} rounds, {} acknowledged, {} lost, slowest restart {} ms",
                report.rounds,
                report.acknowledged,
                report.lost.len(),
                report.restart_ms_max
            );
            anyhow::ensure!(
                report.lost.is_empty(),
                "lost acknowledged submissions: {:?}",
                report.lost
            );
            Ok(())
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}
