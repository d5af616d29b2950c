//! `site-gen`: build, check, serve and verify the 阳光交易 static site.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use anyhow::Context;
use clap::{Parser, Subcommand};
use site_gen::build::{self, Options};
use site_gen::content::Invalid;

/// A build allocates and frees millions of small strings; mimalloc does that markedly faster
/// than the system allocator (the one-file rebuild of 100,000 disclosures, see `bench/site.sh`:
/// 1.7 s against 2.3 s). Built without transparent huge pages (`no_thp`): on a virtual machine
/// that hands freed memory back to its host, zeroing fresh 2 MiB pages tripled the system time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "site-gen",
    version,
    about = "Builds the 阳光交易 disclosure site from content/"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Log lines as human text or as JSON objects, one per line.
    #[arg(long, value_enum, default_value_t = telemetry::LogFormat::Text, global = true)]
    log_format: telemetry::LogFormat,
}

#[derive(clap::Args, Clone)]
struct BuildArgs {
    /// The content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Where the site is written.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// Where the search index is written.
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Judge publicity and credit validity on this date instead of today (YYYY-MM-DD).
    #[arg(long)]
    today: Option<chrono::NaiveDate>,
    /// Ignore the cache of the previous build and rebuild everything.
    #[arg(long)]
    clean: bool,
    /// Leave the search index alone.
    #[arg(long)]
    no_index: bool,
    /// Where the supervision signals for staff go (never into the public site); default
    /// `signals/` beside `--out`.
    #[arg(long)]
    signals: Option<PathBuf>,
    /// Compute no supervision signals (for the benchmark's comparison).
    #[arg(long)]
    no_signals: bool,
    /// Print the time of each phase after the summary.
    #[arg(long)]
    timings: bool,
    /// Also write the build's figures (success, duration, pages, feeds, files, phases) to this
    /// file in the Prometheus text format, atomically: for node_exporter's textfile collector
    /// (`…/textfile/site-gen.prom`). Written after a failed build too, saying so.
    #[arg(long, value_name = "PATH")]
    metrics_file: Option<PathBuf>,
}

/// The export for a search cluster, `build` only (a `serve` rebuild does not export).
#[derive(clap::Args, Clone)]
struct BulkArgs {
    /// Also write the public disclosures as OpenSearch/Elasticsearch `_bulk` files (NDJSON),
    /// deletions for withdrawn ones and the index template into this folder (docs/opensearch.md).
    #[arg(long, value_name = "DIR")]
    export_bulk: Option<PathBuf>,
    /// The largest `_bulk` file of the export, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = site_gen::bulk::DEFAULT_MAX_FILE_BYTES)]
    bulk_file_bytes: usize,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site, the feeds, the open data and the search index.
    Build {
        #[command(flatten)]
        build: BuildArgs,
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Validate the content only; write nothing.
    Check {
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// Judge publicity on this date instead of today (YYYY-MM-DD).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
    /// Build, then serve the site locally and rebuild when content changes.
    Serve {
        #[command(flatten)]
        build: BuildArgs,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Report every published file whose bytes no longer match the publication log.
    Verify {
        /// The published site folder.
        #[arg(default_value = "public")]
        public: PathBuf,
    },
}

/// Runs a build and, with `--metrics-file`, writes its figures (a failed build's too).
fn build_and_record(
    opts: &Options,
    export: Option<&site_gen::bulk::Export>,
    metrics_file: Option<&Path>,
) -> anyhow::Result<build::Summary> {
    let started = Instant::now();
    let result = build::build_exporting(opts, export);
    if let Some(path) = metrics_file {
        let outcome = result.as_ref().map_err(|_| started.elapsed().as_secs_f64());
        let text = site_gen::metrics::textfile(outcome, SystemTime::now());
        site_gen::metrics::write_textfile(path, &text)
            .with_context(|| format!("{}: cannot write the metrics file", path.display()))?;
    }
    result
}

impl BuildArgs {
    fn options(&self, quiet: bool) -> Options {
        Options {
            content: self.content.clone(),
            out: self.out.clone(),
            index: (!self.no_index).then(|| self.index.clone()),
            today: self.today.unwrap_or_else(site_gen::serve::today),
            clean: self.clean,
            progress: !quiet && std::io::stderr().is_terminal(),
            signals: (!self.no_signals).then(|| {
                self.signals
                    .clone()
                    .unwrap_or_else(|| site_gen::signals::beside(&self.out))
            }),
        }
    }
}

/// Exit codes: 0 success, 1 invalid content or a failed verification, 2 any other error.
fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::logs::init(cli.log_format, "warn");
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            let (text, code) = match e.downcast_ref::<Invalid>() {
                Some(invalid) => (invalid.to_string(), 1),
                None => (format!("error: {e:#}"), 2),
            };
            // With JSON logs, the failure is a log line too, so a collector reads one format.
            match cli.log_format {
                telemetry::LogFormat::Json => tracing::error!("{text}"),
                telemetry::LogFormat::Text => eprintln!("{text}"),
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Build { build: args, bulk } => {
            let export = bulk.export_bulk.as_ref().map(|dir| site_gen::bulk::Export {
                dir: dir.clone(),
                max_file_bytes: bulk.bulk_file_bytes,
            });
            let summary = build_and_record(
                &args.options(cli.quiet),
                export.as_ref(),
                args.metrics_file.as_deref(),
            )?;
            if !cli.quiet {
                println!("{summary}");
            }
            if args.timings {
                let phases: Vec<String> = summary
                    .phases
                    .iter()
                    .map(|(name, s)| format!("{name} {s:.2} s"))
                    .collect();
                let beside: Vec<String> = summary
                    .beside
                    .iter()
                    .map(|(name, s)| format!("{name} {s:.2} s"))
                    .collect();
                if beside.is_empty() {
                    println!("phases: {}", phases.join(", "));
                } else {
                    println!(
                        "phases: {}; beside them: {}",
                        phases.join(", "),
                        beside.join(", ")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { content, today } => {
            let c = build::check(content)?;
            let today = today.unwrap_or_else(site_gen::serve::today);
            let withdrawn = c.docs.iter().filter(|d| !d.is_public(today)).count();
            if !cli.quiet {
                print!(
                    "{}: {} disclosures, all valid",
                    content.display(),
                    c.docs.len()
                );
                if withdrawn > 0 {
                    print!(
                        "; {withdrawn} penalties past their publicity on {today} stay off the site"
                    );
                }
                println!();
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { public } => {
            let problems = build::verify(public)?;
            for p in &problems {
                println!("{p}");
            }
            if problems.is_empty() {
                if !cli.quiet {
                    println!(
                        "{}: every published file matches the publication log",
                        public.display()
                    );
                }
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "{} problem{} found",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                Ok(ExitCode::from(1))
            }
        }
        Command::Serve {
            build: args,
            listen,
        } => {
            let opts = args.options(cli.quiet);
            let summary = build_and_record(&opts, None, args.metrics_file.as_deref())?;
            println!("{summary}");
            let quiet = cli.quiet;
            let metrics_file = args.metrics_file.clone();
            site_gen::serve::watch(opts.clone(), move |r| {
                if let Some(path) = &metrics_file {
                    // The watcher does not time a failed rebuild: its duration reads NaN.
                    let text = site_gen::metrics::textfile(
                        r.as_ref().map_err(|_| f64::NAN),
                        SystemTime::now(),
                    );
                    if let Err(e) = site_gen::metrics::write_textfile(path, &text) {
                        eprintln!("{}: cannot write the metrics file: {e}", path.display());
                    }
                }
                match r {
                    Ok(s) if !quiet => println!("{s}"),
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!("rebuild failed, the previous site stays published:\n{e:#}")
                    }
                }
            })
            .context("cannot watch the content folder")?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                println!("serving {} on http://{listen}/", opts.out.display());
                let router = site_gen::serve::security_headers(site_gen::serve::static_router(
                    opts.out.clone(),
                ));
                axum::serve(listener, router).await?;
                Ok::<_, anyhow::Error>(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
