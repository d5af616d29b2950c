//! `intake`: the complaint intake server and its operator commands. Thin: parses arguments,
//! sets up logging, calls the library.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "intake",
    about = "阳光交易 complaint intake: submissions, tracking, staff workflow"
)]
struct Cli {
    /// Content folder (departments.toml, calendar.toml, disclosures for project routing).
    #[arg(long, default_value = "content", global = true)]
    content: PathBuf,
    /// SQLite file or `postgres://` URL.
    #[arg(long, default_value = "data/intake.sqlite3", global = true)]
    db: String,
    /// Configuration file (TOML): SMTP, limits, trusted proxies, deadline rules.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8082")]
    listen: SocketAddr,
    /// The supervision signals `site-gen build` wrote (`--signals` there), shown to signed-in
    /// staff at /staff/signals/.
    #[arg(long, default_value = "signals", global = true)]
    signals: PathBuf,
    /// Turn rate limits off: for load tests and benchmarks only.
    #[arg(long)]
    no_rate_limit: bool,
    /// Answer `/metrics` (Prometheus text format) on this address, e.g. 127.0.0.1:9182; the
    /// public listener never answers it.
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
    /// Log lines as human text or as JSON objects, one per line. Never a submitter's data.
    #[arg(long, value_enum, default_value_t = telemetry::LogFormat::Text, global = true)]
    log_format: telemetry::LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the intake pages and API (the default).
    Serve,
    /// Staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write published results as Markdown for site-gen.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a consistent copy of the SQLite database while the service runs (never
    /// overwrites FILE). PostgreSQL: prints how to use pg_dump and fails.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        department: String,
    },
    /// List the accounts: user name, department, created, active or disabled.
    List,
    /// Disable an account: its live sessions end, it cannot sign in.
    Disable {
        #[arg(value_name = "NAME")]
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(value_name = "NAME")]
        username: String,
    },
    /// Set a new password, read from standard input; the account's live sessions end.
    ResetPassword {
        #[arg(value_name = "NAME")]
        username: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain, the case rows it covers and the anchors published outside the
    /// database; name every edited, removed or reordered event.
    Verify {
        /// More anchor files to check against, e.g. a copy of the site's
        /// /data/audit-anchors.json (the content folder's own file is always checked).
        #[arg(long, value_name = "FILE")]
        anchors: Vec<PathBuf>,
    },
}

/// A password from standard input (one line; the line break is not part of it).
fn read_password() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let format = cli.log_format;
    // Colours only on a terminal: a log file or the journal gets plain text.
    telemetry::logs::init(format, "intake=info,access=info,telemetry=info");
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // With JSON logs, the failure is a log line too, so a collector reads one format.
            match format {
                telemetry::LogFormat::Json => tracing::error!("{e:#}"),
                telemetry::LogFormat::Text => eprintln!("Error: {e:?}"),
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = intake::Settings {
        content: cli.content.clone(),
        db: cli.db.clone(),
        config: cli.config.clone(),
        rate_limit: !cli.no_rate_limit,
        signals: Some(cli.signals.clone()),
    };
    // A backup needs the database only (no content, no config), and never touches PostgreSQL.
    if let Some(Command::Backup { out }) = &cli.command {
        if intake::db::is_postgres(&cli.db) {
            return Err(intake::db::BackupError::Postgres {
                out: out.display().to_string(),
            }
            .into());
        }
        let db = intake::Db::connect(&cli.db).await?;
        let b = db.backup(out).await?;
        eprintln!(
            "backed up to {}: {} bytes, {} case(s), {} audit event(s); copy the attachment \
             folder too",
            b.path.display(),
            b.bytes,
            b.cases,
            b.events
        );
        return Ok(());
    }
    let state = intake::AppState::from_settings(&settings).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(cli.listen)
                .await
                .with_context(|| format!("cannot listen on {}", cli.listen))?;
            let metrics = telemetry::bind_metrics(cli.metrics_listen).await?;
            tracing::info!("intake listening on http://{}", listener.local_addr()?);
            intake::serve_with_metrics(state, listener, metrics).await
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    username,
                    department,
                },
        } => {
            let password = read_password()?;
            intake::staff::add_account(&state, &username, &department, &password).await?;
            eprintln!("added {username} ({department})");
            Ok(())
        }
        Command::Staff {
            command: StaffCommand::Disable { username },
        } => {
            let c = intake::staff::accounts::set_disabled(&state, &username, true).await?;
            if c.changed {
                eprintln!(
                    "disabled {} ({}); ended {} live session(s)",
                    c.member.username, c.member.department, c.sessions_ended
                );
            } else {
                eprintln!("{} is already disabled", c.member.username);
            }
            Ok(())
        }
        Command::Staff {
            command: StaffCommand::Enable { username },
        } => {
            let c = intake::staff::accounts::set_disabled(&state, &username, false).await?;
            if c.changed {
                eprintln!("enabled {} ({})", c.member.username, c.member.department);
            } else {
                eprintln!("{} is already active", c.member.username);
            }
            Ok(())
        }
        Command::Staff {
            command: StaffCommand::ResetPassword { username },
        } => {
            let password = read_password()?;
            let c = intake::staff::accounts::reset_password(&state, &username, &password).await?;
            eprintln!(
                "new password set for {} ({}); ended {} live session(s){}",
                c.member.username,
                c.member.department,
                c.sessions_ended,
                if c.member.disabled {
                    "; the account stays disabled"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Command::Staff {
            command: StaffCommand::List,
        } => {
            let members = intake::staff::list_accounts(&state).await?;
            print!("{}", intake::staff::accounts::format_list(&state, &members));
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { anchors },
        } => {
            let mut report = intake::audit::verify(&state.db).await?;
            let own = cli.content.join(intake::audit::ANCHORS_FILE);
            let mut checked = 0;
            for file in std::iter::once(own).chain(anchors) {
                let set = intake::audit::read_anchors(&file)?;
                checked += set.len();
                let source = file.display().to_string();
                report
                    .problems
                    .extend(intake::audit::verify_anchors(&state.db, &source, &set).await?);
            }
            for p in &report.problems {
                println!("{p}");
            }
            if report.is_intact() {
                println!(
                    "audit trail intact: {} events, {checked} published anchor(s) matched",
                    report.events
                );
                Ok(())
            } else {
                anyhow::bail!(
                    "audit trail broken: {} problem(s) in {} events",
                    report.problems.len(),
                    report.events
                )
            }
        }
        Command::Backup { .. } => unreachable!("handled before the state is built"),
        Command::Export { out } => {
            let n = intake::staff::export(&state, &out).await?;
            eprintln!("wrote {n} result(s) to {}", out.display());
            let today = intake::clock::local_date(state.clock.now());
            let (path, stats) =
                intake::staff::public_stats::write(&state, &cli.content, today).await?;
            eprintln!(
                "wrote the handling statistics ({} department-quarters) to {}",
                stats.rows.len(),
                path.display()
            );
            let anchors = cli.content.join(intake::audit::ANCHORS_FILE);
            if let Some(a) =
                intake::audit::write_anchor(&state.db, &anchors, state.clock.now()).await?
            {
                eprintln!(
                    "anchored the audit chain at event {} in {} (site-gen publishes it)",
                    a.seq,
                    anchors.display()
                );
            }
            Ok(())
        }
    }
}
