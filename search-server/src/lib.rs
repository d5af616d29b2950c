//! `search-server`: full-text search of every public disclosure, over the index that
//! `site-gen build` writes. Routes: `/search` (HTML in the site's theme; without words, the
//! search form), `/api/search` (JSON), `/search.rss` (a saved search as a feed, full matches
//! only), `/api/credit` (a subject's current red/black list entries and penalties, from the
//! companies file beside the index: what its company page lists), `/credit` (the same look-up as
//! a page) and `/healthz`.
//!
//! The service only reads the index. It picks up each new commit without a restart (see
//! [`engine::Engine`]). Every request is bounded: query length, words and page are limited
//! ([`query`]), each client is rate-limited ([`limit`]), and each request has a time limit.
//! [`app`] returns a router without a fallback so the root binary can serve it beside the static
//! site on one port; [`serve`] is what the `search-server` binary runs: the router with its
//! security headers, every request counted by route and status, and `/metrics` on a separate
//! listener only. Query text is never logged, at any level: a query may name a person.

pub mod companies;
pub mod engine;
pub mod error;
pub mod facets;
pub mod limit;
pub mod one_char;
pub mod pages;
pub mod query;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use disclosure::model::Details;
use disclosure::{Departments, Diagnostics, Disclosure, SiteConfig};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use serde_json::{json, Value};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::companies::{Companies, CreditReport, Directory};
use crate::engine::{Engine, Outcome};
use crate::error::{BadRequest, SearchError};
use crate::facets::FACET_FIELDS;
use crate::pages::PageContext;
use crate::query::{SearchParams, Sort, MAX_QUERY_STRING_BYTES};

/// Today's date where the disclosures are published (China Standard Time), or a fixed date in
/// tests: credit validity and penalty publicity are judged on it.
pub type Today = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// How the service protects itself.
#[derive(Debug, Clone)]
pub struct Options {
    /// Per-client rate limit; `None` for load tests and benchmarks (`--no-rate-limit`).
    pub rate_limit: Option<limit::RateLimit>,
    /// Reverse proxies whose `X-Forwarded-For` is believed; from anyone else it is ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// The longest a request may take before it is answered 503.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate_limit: Some(limit::RateLimit::default()),
            trusted_proxies: Vec::new(),
            timeout: Duration::from_secs(5),
        }
    }
}

/// The search service's own metrics, beside the request metrics of [`telemetry::Metrics`].
#[derive(Clone, Debug)]
struct SearchMetrics {
    /// Time in the engine per search, by endpoint (`html`, `api`, `rss`).
    duration: Family<EndpointLabel, Histogram>,
    /// Documents in the index now, read at each scrape.
    documents: Gauge,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabel {
    endpoint: &'static str,
}

impl Default for SearchMetrics {
    fn default() -> Self {
        SearchMetrics {
            duration: Family::new_with_constructor(telemetry::latency_histogram),
            documents: Gauge::default(),
        }
    }
}

impl SearchMetrics {
    fn observe(&self, endpoint: &'static str, started: Instant) {
        self.duration
            .get_or_create(&EndpointLabel { endpoint })
            .observe(started.elapsed().as_secs_f64());
    }
}

struct Inner {
    engine: Engine,
    metrics: SearchMetrics,
    companies: Companies,
    site: SiteConfig,
    departments: Departments,
    today: Today,
    options: Options,
}

/// Everything the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Opens the index in `index_dir` and reads `site.toml` and `departments.toml` from
    /// `content_dir` (for the theme's chrome and department names). The companies file beside
    /// the index is read too, and again whenever a build replaces it.
    pub fn open(
        index_dir: &Path,
        content_dir: &Path,
        options: Options,
    ) -> anyhow::Result<AppState> {
        // The index folder carries site.toml and departments.toml (site-gen copies them there),
        // so a replica needs nothing else; an index from before that reads them from content.
        let read = |name: &str| {
            let carried = index_dir.join(name);
            let path = if carried.exists() {
                carried
            } else {
                content_dir.join(name)
            };
            std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read", path.display()))
                .map(|text| (path.display().to_string(), text))
        };
        let (file, text) = read("site.toml")?;
        let site = SiteConfig::parse(&file, &text).map_err(Diagnostics::from)?;
        let (file, text) = read("departments.toml")?;
        let departments = Departments::parse(&file, &text).map_err(Diagnostics::from)?;
        let engine = Engine::open(index_dir)?;
        Ok(
            AppState::new(engine, site, departments, options, Arc::new(china_today))
                .with_companies(Companies::open(index_dir)),
        )
    }

    /// The same state with the companies of an index folder (`open` reads its own).
    pub fn with_companies(self, companies: Companies) -> AppState {
        let inner = Arc::try_unwrap(self.0)
            .unwrap_or_else(|_| panic!("with_companies before sharing the state"));
        AppState(Arc::new(Inner { companies, ..inner }))
    }

    /// A state without companies (no company cards, links or credit subjects) until
    /// [`AppState::with_companies`].
    pub fn new(
        engine: Engine,
        site: SiteConfig,
        departments: Departments,
        options: Options,
        today: Today,
    ) -> AppState {
        AppState(Arc::new(Inner {
            engine,
            metrics: SearchMetrics::default(),
            companies: Companies::none(),
            site,
            departments,
            today,
            options,
        }))
    }

    /// The same state judging dates on `today` (tests).
    pub fn with_today(self, today: Today) -> AppState {
        let inner = Arc::try_unwrap(self.0)
            .unwrap_or_else(|_| panic!("with_today before sharing the state"));
        AppState(Arc::new(Inner { today, ..inner }))
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    /// Registers the search metrics in `metrics`: the engine's time per search by endpoint and
    /// the documents in the index (read at each scrape).
    pub fn register_metrics(&self, metrics: &mut telemetry::Metrics) {
        let m = &self.0.metrics;
        metrics.registry().register(
            "search_duration_seconds",
            "Time the engine took per search (ranking, facets, snippets), by endpoint",
            m.duration.clone(),
        );
        metrics.registry().register(
            "search_index_documents",
            "Documents in the index the server reads now",
            m.documents.clone(),
        );
        let state = self.clone();
        metrics.on_scrape(move || {
            let state = state.clone();
            async move {
                let docs = state.engine().num_docs();
                state
                    .0
                    .metrics
                    .documents
                    .set(i64::try_from(docs).unwrap_or(i64::MAX));
            }
        });
    }
}

/// What the `search-server` binary runs: [`app`] with the security headers, every request
/// counted and logged by route and status, on `listener`; and, when `metrics_listener` is
/// given, `/metrics` there alone. The public listener never answers `/metrics`.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    metrics_listener: Option<tokio::net::TcpListener>,
) -> std::io::Result<()> {
    let mut metrics = telemetry::Metrics::new();
    state.register_metrics(&mut metrics);
    let public = metrics.track(with_security_headers(app(state)), "(unmatched)");
    telemetry::serve(public, listener, metrics_listener.map(|l| (metrics, l))).await
}

/// The site's security headers on every response ([`themes::SECURITY_HEADERS`], the same list
/// site-gen serve, intake and the one-port server use).
pub fn with_security_headers(router: Router) -> Router {
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

/// Today in China Standard Time (UTC+8, no daylight saving).
pub fn china_today() -> NaiveDate {
    disclosure::china_time::today()
}

/// The service's routes with their protections. No fallback: the root binary merges this router
/// with the static site's.
pub fn app(state: AppState) -> Router {
    let options = state.0.options.clone();
    let router = Router::new()
        .route("/search", get(search_page))
        .route("/api/search", get(search_api))
        .route("/search.rss", get(search_rss))
        .route("/api/credit", get(credit_api))
        .route("/credit", get(credit_page))
        .route("/healthz", get(healthz))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            options.timeout,
        ))
        .layer(RequestBodyLimitLayer::new(16 * 1024));
    match options.rate_limit {
        Some(rate) => router.layer(limit::layer(rate, options.trusted_proxies)),
        None => router,
    }
}

/// The company a query names whole (its credit code or one of its exact names), shown first as
/// a card, with its current credit standing.
#[derive(Debug, Clone)]
pub struct CompanyCard {
    pub company: disclosure::search::CompanyRecord,
    pub credit: CreditReport,
}

/// What a search answers: the outcome, the company card, and the companies of the build (for
/// the hits' links).
pub struct Found {
    pub outcome: Outcome,
    pub card: Option<CompanyCard>,
    pub companies: Arc<Directory>,
}

/// Parses the query string and runs the search off the async threads (it is CPU work).
async fn run_search(
    state: &AppState,
    raw: Option<String>,
    endpoint: &'static str,
) -> Result<(SearchParams, Found), (SearchParams, SearchError)> {
    let raw = raw.unwrap_or_default();
    let params = SearchParams::parse(&raw, &state.0.departments).map_err(|e| {
        // Show back what can be shown: the query, cut to its allowed length.
        let mut p = SearchParams::default();
        if raw.len() <= MAX_QUERY_STRING_BYTES {
            if let Some((_, q)) = form_urlencoded::parse(raw.as_bytes()).find(|(k, _)| k == "q") {
                p.q = q.chars().take(query::MAX_QUERY_CHARS).collect();
            }
        }
        (p, SearchError::from(e))
    })?;
    let s = state.clone();
    let p = params.clone();
    let found = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let outcome = s.0.engine.search(&p);
        s.0.metrics.observe(endpoint, started);
        let outcome = outcome?;
        let companies = s.0.companies.current();
        let card = match companies.named_by(&p.q) {
            Some(c) => Some(CompanyCard {
                credit: companies::credit(
                    &s.0.engine,
                    &companies,
                    Some(&c.code),
                    None,
                    (s.0.today)(),
                )?,
                company: c.clone(),
            }),
            None => None,
        };
        Ok(Found {
            outcome,
            card,
            companies,
        })
    })
    .await
    .map_err(|e| SearchError::Engine(format!("search task failed: {e}")))
    .and_then(|r| r)
    .map_err(|e| (params.clone(), e))?;
    Ok((params, found))
}

async fn search_page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let ctx = PageContext {
        site: &state.0.site,
        departments: &state.0.departments,
    };
    // No words and no filters: the search page itself (the site links to it), not an error.
    if let Err(BadRequest::Empty) =
        SearchParams::parse(raw.as_deref().unwrap_or_default(), &state.0.departments)
    {
        let p = SearchParams {
            page: 1,
            ..SearchParams::default()
        };
        return Html(pages::search_home(&ctx, &p).into_string()).into_response();
    }
    match run_search(&state, raw, "html").await {
        Ok((p, found)) => Html(pages::results(&ctx, &p, &found).into_string()).into_response(),
        Err((p, e)) => (
            e.status(),
            Html(pages::error(&ctx, &p, &e.public_message()).into_string()),
        )
            .into_response(),
    }
}

async fn search_api(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    match run_search(&state, raw, "api").await {
        Ok((p, found)) => Json(api_json(&p, &found)).into_response(),
        Err((_, e)) => e.into_response(),
    }
}

/// The JSON of SPEC: `{"total","page","took_ms","partial","hits":[{"id","kind","title","url",
/// "date","snippet","partial","companies"}],"facets":{"kind","category","stage","department",
/// "buyer","agency"},"company"}`. `snippet` is HTML: escaped text with the matches in `<mark>`;
/// a `partial` hit holds most of the words; `companies` are the companies a hit is about that
/// have a page; `company` is the company the whole query names (a credit code or an exact
/// name), else `null`.
pub fn api_json(p: &SearchParams, found: &Found) -> Value {
    let outcome = &found.outcome;
    let hits: Vec<Value> = outcome
        .hits
        .iter()
        .map(|h| {
            json!({
                "id": h.id,
                "kind": h.kind.key(),
                "title": h.title,
                "url": h.url,
                "date": h.date.to_string(),
                "snippet": h.snippet_html,
                "partial": h.partial,
                "companies": hit_companies(h, &found.companies)
                    .map(|(code, name)| json!({
                        "credit_code": code, "name": name, "url": disclosure::routes::company(code),
                    }))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut facets = serde_json::Map::new();
    for (i, field) in FACET_FIELDS.iter().enumerate() {
        let counts: BTreeMap<&str, u64> = outcome.facets.shown(i).into_iter().collect();
        facets.insert((*field).to_string(), json!(counts));
    }
    let company = found.card.as_ref().map(|card| {
        let c = &card.company;
        json!({
            "credit_code": c.code,
            "name": c.name,
            "names": c.names,
            "url": disclosure::routes::company(&c.code),
            "bids": c.bids,
            "wins": c.wins,
            "won_amount": c.won_amount,
            "current": {
                "black": card.credit.black.len(),
                "red": card.credit.red.len(),
                "penalties": card.credit.penalties.len(),
            },
        })
    });
    json!({
        "total": outcome.total,
        "page": p.page,
        "took_ms": (outcome.took_ms * 100.0).round() / 100.0,
        "partial": outcome.partial,
        "hits": hits,
        "facets": facets,
        "company": company,
    })
}

/// The companies a hit is about that have a page on the site, as (credit code, name).
pub fn hit_companies<'a>(
    hit: &'a engine::Hit,
    companies: &'a Directory,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    hit.companies
        .iter()
        .filter(|(code, _)| companies.by_code(code).is_some())
        .map(|(code, name)| (code.as_str(), name.as_str()))
}

/// A saved search as RSS 2.0: the newest full matches first (never partial ones).
async fn search_rss(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let raw = raw.unwrap_or_default();
    let mut params = match SearchParams::parse(&raw, &state.0.departments) {
        Ok(p) => p,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    params.sort = Sort::Date;
    params.page = 1;
    params.full_only = true;
    let s = state.clone();
    let p = params.clone();
    let outcome = match tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let outcome = s.0.engine.search(&p);
        s.0.metrics.observe("rss", started);
        outcome
    })
    .await
    {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return (e.status(), e.public_message()).into_response(),
        Err(e) => {
            let e = SearchError::Engine(format!("search task failed: {e}"));
            return (e.status(), e.public_message()).into_response();
        }
    };
    let site = &state.0.site;
    let items: Vec<rss::Item> = outcome
        .hits
        .iter()
        .map(|h| {
            let link = format!("{}{}", site.base_url, h.url);
            rss::ItemBuilder::default()
                .title(Some(h.title.clone()))
                .link(Some(link.clone()))
                .guid(Some(
                    rss::GuidBuilder::default()
                        .value(link)
                        .permalink(true)
                        .build(),
                ))
                .pub_date(Some(format!(
                    "{} 00:00:00 +0800",
                    h.date.format("%a, %d %b %Y")
                )))
                .categories(vec![rss::CategoryBuilder::default()
                    .name(h.kind.label())
                    .build()])
                .description(Some(h.snippet_html.clone()))
                .build()
        })
        .collect();
    let channel = rss::ChannelBuilder::default()
        .title(format!("检索“{}” - {}", params.q, site.name))
        .link(format!(
            "{}{}",
            site.base_url,
            params.link("/search", &[("sort", Some("date"))])
        ))
        .description(format!("{}上与“{}”相符的最新信息", site.name, params.q))
        .language(Some("zh-CN".to_string()))
        .items(items)
        .build();
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        channel.to_string(),
    )
        .into_response()
}

/// The subject a credit look-up asks about: a well-formed unified social credit code (spaces
/// ignored, letters of either case) or a name.
fn credit_request(raw: &str) -> Result<(Option<String>, Option<String>), BadRequest> {
    if raw.len() > MAX_QUERY_STRING_BYTES {
        return Err(BadRequest::TooLong);
    }
    let mut code = None;
    let mut name = None;
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        let v = v.trim().to_string();
        match k.as_ref() {
            "code" if !v.is_empty() => code = Some(v),
            "name" if !v.is_empty() => name = Some(v),
            _ => {}
        }
    }
    let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > 100);
    if (code.is_none() && name.is_none()) || too_long(&code) || too_long(&name) {
        return Err(BadRequest::CreditQuery);
    }
    if let Some(c) = &code {
        let compact: String = c
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        disclosure::ident::check_uscc(&compact).map_err(|_| BadRequest::CreditCode)?;
        code = Some(compact);
    }
    Ok((code, name))
}

async fn credit_report(
    state: &AppState,
    code: Option<String>,
    name: Option<String>,
    today: NaiveDate,
) -> Result<CreditReport, SearchError> {
    let s = state.clone();
    tokio::task::spawn_blocking(move || {
        let directory = s.0.companies.current();
        companies::credit(
            &s.0.engine,
            &directory,
            code.as_deref(),
            name.as_deref(),
            today,
        )
    })
    .await
    .map_err(|e| SearchError::Engine(format!("credit task failed: {e}")))?
}

/// `/api/credit?code=…` or `?name=…`: current red and black list entries and the penalties
/// still public, of the company with that code or the subjects whose name (any a company went
/// by) holds that name, with the companies found. A malformed code is a 400.
async fn credit_api(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let (code, name) = match credit_request(&raw.unwrap_or_default()) {
        Ok(q) => q,
        Err(e) => return SearchError::from(e).into_response(),
    };
    let today = (state.0.today)();
    let report = match credit_report(&state, code.clone(), name.clone(), today).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let entry = |d: &Disclosure| match &d.details {
        Details::Credit(c) => json!({
            "id": d.id, "title": d.title, "url": d.url(), "subject": c.subject,
            "credit_code": c.credit_code, "reason": c.reason, "basis": c.basis,
            "from": c.from.to_string(), "until": c.until.to_string(), "measures": c.measures,
            "department": d.department,
        }),
        Details::Penalty(p) => json!({
            "id": d.id, "title": d.title, "url": d.url(), "subject": p.subject,
            "credit_code": p.subject_credit_code, "decision_no": p.decision_no,
            "violation": p.violation, "penalty": p.penalty,
            "fine": p.fine.map(|f| f.decimal()), "decision_date": p.decision_date.to_string(),
            "public_until": p.public_until.to_string(), "department": d.department,
        }),
        _ => Value::Null,
    };
    let companies: Vec<Value> = report
        .companies
        .iter()
        .map(|c| {
            json!({
                "credit_code": c.code, "name": c.name, "names": c.names,
                "url": disclosure::routes::company(&c.code),
            })
        })
        .collect();
    Json(json!({
        "query": { "code": code, "name": name },
        "date": today.to_string(),
        "companies": companies,
        "red": report.red.iter().map(entry).collect::<Vec<_>>(),
        "black": report.black.iter().map(entry).collect::<Vec<_>>(),
        "penalties": report.penalties.iter().map(entry).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// `/credit`: the same look-up as an HTML form and page; without a code or name, the form.
async fn credit_page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let ctx = PageContext {
        site: &state.0.site,
        departments: &state.0.departments,
    };
    let raw = raw.unwrap_or_default();
    let asked = form_urlencoded::parse(raw.as_bytes())
        .any(|(k, v)| (k == "code" || k == "name") && !v.trim().is_empty());
    let shown = |key: &str| {
        form_urlencoded::parse(raw.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.chars().take(100).collect::<String>())
            .unwrap_or_default()
    };
    let (code_shown, name_shown) = (shown("code"), shown("name"));
    if !asked && raw.len() <= MAX_QUERY_STRING_BYTES {
        return Html(pages::credit(&ctx, "", "", None, None).into_string()).into_response();
    }
    let (code, name) = match credit_request(&raw) {
        Ok(q) => q,
        Err(e) => {
            let e = SearchError::from(e);
            return (
                e.status(),
                Html(
                    pages::credit(
                        &ctx,
                        &code_shown,
                        &name_shown,
                        None,
                        Some(&e.public_message()),
                    )
                    .into_string(),
                ),
            )
                .into_response();
        }
    };
    let today = (state.0.today)();
    match credit_report(&state, code, name, today).await {
        Ok(report) => Html(
            pages::credit(&ctx, &code_shown, &name_shown, Some((&report, today)), None)
                .into_string(),
        )
        .into_response(),
        Err(e) => (
            e.status(),
            Html(
                pages::credit(
                    &ctx,
                    &code_shown,
                    &name_shown,
                    None,
                    Some(&e.public_message()),
                )
                .into_string(),
            ),
        )
            .into_response(),
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    Json(json!({ "status": "ok", "docs": state.0.engine.num_docs() })).into_response()
}
