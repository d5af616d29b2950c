//! `search-server [--index DIR] [--listen ADDR] [--content DIR] [--no-rate-limit]
//! [--trusted-proxy IP]… [--metrics-listen ADDR] [--log-format text|json]`: serves search over
//! the index `site-gen build` writes.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use search_server::{AppState, Options};
use telemetry::LogFormat;

#[derive(Parser)]
#[command(
    version,
    about = "阳光交易 search: full-text search of every public disclosure"
)]
struct Args {
    /// The index written by `site-gen build`.
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// The content folder, for site.toml and departments.toml when the index folder does not carry
    /// them (an index written before site-gen copied them there).
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Turn off the per-client rate limit (load tests and benchmarks only).
    #[arg(long)]
    no_rate_limit: bool,
    /// A reverse proxy whose X-Forwarded-For header is believed; repeat for several.
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<IpAddr>,
    /// Answer `/metrics` (Prometheus text format) on this address, e.g. 127.0.0.1:9181; the
    /// search listener never answers it.
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
    /// Log lines as human text or as JSON objects, one per line.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let format = args.log_format;
    telemetry::logs::init(format, "info,tantivy=warn");
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // With JSON logs, the failure is a log line too, so a collector reads one format.
            match format {
                LogFormat::Json => tracing::error!("{e:#}"),
                LogFormat::Text => eprintln!("Error: {e:?}"),
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let options = Options {
        rate_limit: (!args.no_rate_limit).then(Default::default),
        trusted_proxies: args.trusted_proxies,
        ..Options::default()
    };
    let state = AppState::open(&args.index, &args.content, options)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let metrics = telemetry::bind_metrics(args.metrics_listen).await?;
    tracing::info!(
        "search on http://{} ({} documents)",
        listener.local_addr()?,
        state.engine().num_docs()
    );
    search_server::serve(state, listener, metrics).await?;
    Ok(())
}
