//! What every 阳光交易 binary shares for operations: logs as human text or JSON lines
//! ([`logs`], `--log-format`), the Prometheus registry with request counts and latencies by
//! route and status ([`Metrics`], [`Metrics::track`]), and the separate listener that alone
//! answers `/metrics` ([`serve`], `--metrics-listen`).
//!
//! What it must never do: put personal data in a log line or a label. A request is named by the
//! route that matched it (`/api/track`, `/staff/cases/{number}`), never by its path or query
//! string, and nothing of its headers or body is logged; labels take values from closed sets
//! (routes, a handful of methods, status codes), so a client cannot grow the series without
//! bound. The public listener never answers `/metrics`: only the listener an operator names does.
//!
//! The metrics come from `prometheus-client`, the Prometheus project's Rust client, one
//! registry per server (no global state: the tests start many servers in one process).

pub mod logs;
pub mod read;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

pub use logs::LogFormat;
pub use prometheus_client;

/// The target of the one log line per request: `RUST_LOG=access=info` shows them.
pub const ACCESS_TARGET: &str = "access";

/// Latency buckets (seconds) for requests and searches: 1 ms to 10 s.
pub const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A histogram over [`LATENCY_BUCKETS`].
pub fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The labels of a request: method, the route that matched (or the server's name for what no
/// route matched), status code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    pub route: String,
    pub status: u16,
}

/// Request counts and latencies by route and status.
#[derive(Clone, Debug)]
pub struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    duration: Family<RequestLabels, Histogram>,
}

impl Default for HttpMetrics {
    fn default() -> Self {
        HttpMetrics {
            requests: Family::default(),
            duration: Family::new_with_constructor(latency_histogram),
        }
    }
}

impl HttpMetrics {
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, matched route and status",
            self.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer's head, by method, matched route and status",
            self.duration.clone(),
        );
    }

    fn observe(&self, labels: &RequestLabels, seconds: f64) {
        self.requests.get_or_create(labels).inc();
        self.duration.get_or_create(labels).observe(seconds);
    }
}

/// A method as a label: the common ones by name, anything else `OTHER` (a client may send any
/// token as a method).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

type Hook = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A server's metrics: the registry (the request metrics already in it; each crate registers
/// its own beside them), and the hooks run before each scrape to read what lives elsewhere (the
/// outbox backlog in the database, the documents in the index).
pub struct Metrics {
    registry: Registry,
    http: HttpMetrics,
    hooks: Vec<Hook>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let http = HttpMetrics::default();
        http.register(&mut registry);
        Metrics {
            registry,
            http,
            hooks: Vec::new(),
        }
    }

    /// The registry, to register a crate's own metrics in.
    pub fn registry(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Runs `hook` before each scrape (to set gauges from a database or an index).
    pub fn on_scrape<F, Fut>(&mut self, hook: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.hooks.push(Arc::new(move || Box::pin(hook())));
    }

    /// `router` with every request counted and timed by method, matched route and status, and
    /// logged as one line (target [`ACCESS_TARGET`]). A request no route matched is counted
    /// under `unmatched` (the one-port server's static files: `(static)`). Apply it last, so
    /// that it sees what the other layers answer (429, 408, 503) too.
    pub fn track(&self, router: Router, unmatched: &'static str) -> Router {
        let tracker = Tracker {
            http: self.http.clone(),
            unmatched,
        };
        router.layer(axum::middleware::from_fn_with_state(tracker, track))
    }

    /// The registry in the Prometheus text format (0.0.4), after running the scrape hooks.
    pub async fn render(&self) -> String {
        for hook in &self.hooks {
            hook().await;
        }
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
            .expect("encoding into a String does not fail");
        text
    }

    /// A router that answers `GET /metrics` and nothing else: for the metrics listener only.
    pub fn router(self) -> Router {
        Router::new()
            .route("/metrics", get(metrics))
            .with_state(Arc::new(self))
    }
}

async fn metrics(State(m): State<Arc<Metrics>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
        )],
        m.render().await,
    )
        .into_response()
}

#[derive(Clone)]
struct Tracker {
    http: HttpMetrics,
    unmatched: &'static str,
}

async fn track(State(t): State<Tracker>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| t.unmatched.to_string());
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status();
    let labels = RequestLabels {
        method,
        route,
        status: status.as_u16(),
    };
    t.http.observe(&labels, elapsed);
    // The route, never the path or query string: a path may carry a tracking number and a
    // query string a name, an access key or a search for a person.
    tracing::info!(
        target: "access",
        method,
        route = %labels.route,
        status = status.as_u16(),
        latency_ms = (elapsed * 1e6).round() / 1e3,
        "request"
    );
    response
}

/// Binds the metrics listener if one was asked for (`--metrics-listen`).
pub async fn bind_metrics(
    addr: Option<SocketAddr>,
) -> anyhow::Result<Option<tokio::net::TcpListener>> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {addr}: {e}"))?;
    if !addr.ip().is_loopback() {
        tracing::warn!(
            "metrics on {addr}, not a loopback address: let only the monitoring host reach it"
        );
    }
    Ok(Some(listener))
}

/// Serves `public` on `listener` (with client addresses, for rate limits) and, when given,
/// `/metrics` alone on `metrics.1`, until the process ends.
pub async fn serve(
    public: Router,
    listener: tokio::net::TcpListener,
    metrics: Option<(Metrics, tokio::net::TcpListener)>,
) -> std::io::Result<()> {
    if let Some((metrics, metrics_listener)) = metrics {
        if let Ok(addr) = metrics_listener.local_addr() {
            tracing::info!("metrics on http://{addr}/metrics");
        }
        let router = metrics.router();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics_listener, router).await {
                tracing::error!("metrics listener: {e}");
            }
        });
    }
    axum::serve(
        listener,
        public.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
