//! `search-server [--index DIR] [--listen ADDR] [--content DIR] [--no-rate-limit]
//! [--trusted-proxy IP]…`: serves search over the index `site-gen build` writes.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use search_server::{app, AppState, Options};

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tantivy=warn".into()),
        )
        .init();
    let args = Args::parse();
    let options = Options {
        rate_limit: (!args.no_rate_limit).then(Default::default),
        trusted_proxies: args.trusted_proxies,
        ..Options::default()
    };
    let state = AppState::open(&args.index, &args.content, options)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(
        "search on http://{} ({} documents)",
        listener.local_addr()?,
        state.engine().num_docs()
    );
    axum::serve(
        listener,
        with_security_headers(app(state)).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}

/// The site's security headers on every response ([`themes::SECURITY_HEADERS`], the same list
/// site-gen serve, intake and the one-port server use).
fn with_security_headers(router: axum::Router) -> axum::Router {
    use axum::http::{HeaderName, HeaderValue};
    use tower_http::set_header::SetResponseHeaderLayer;
    themes::SECURITY_HEADERS
        .iter()
        .fold(router, |r, (name, value)| {
            r.layer(SetResponseHeaderLayer::if_not_present(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            ))
        })
}
