//! Serving the built site locally, and rebuilding it when `content/` changes.
//!
//! The static router serves `public/` the way a production web server would: `index.html` for a
//! folder, a redirect from `/x` to `/x/`, and `/404.html` with status 404 for anything else.
//! Feeds (`/feeds/*.xml`) are served as `application/rss+xml`, which feed readers and browsers
//! recognise, rather than the `text/xml` their extension suggests. The one-port server
//! (`yangguang`) serves the site through this router too. Text is served compressed (gzip, when
//! the browser asks); the theme's versioned files are cached for a year, everything else is
//! revalidated; [`security_headers`] gives every response the site's security headers.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use notify::{RecursiveMode, Watcher};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::build::{self, Options};

/// A router that serves the built site from `out`.
pub fn static_router(out: PathBuf) -> Router {
    let not_found = ServeFile::new(out.join("404.html"));
    Router::new()
        .fallback_service(
            ServeDir::new(out)
                .append_index_html_on_directories(true)
                .not_found_service(not_found),
        )
        .layer(axum::middleware::from_fn(feed_type))
        .layer(axum::middleware::from_fn(caching))
        .layer(tower_http::compression::CompressionLayer::new())
}

/// Adds the security headers every response of the site carries ([`themes::SECURITY_HEADERS`]),
/// unless a route set its own (intake's stricter ones).
pub fn security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    themes::SECURITY_HEADERS
        .iter()
        .fold(router, |r, (name, value)| {
            r.layer(SetResponseHeaderLayer::if_not_present(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            ))
        })
}

/// Long-lived caching for the theme's versioned files, revalidation for everything else.
async fn caching(request: Request, next: Next) -> Response {
    let asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let value = if asset {
            themes::ASSET_CACHE
        } else {
            themes::PAGE_CACHE
        };
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// The RSS feeds' media type.
pub const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";

/// Gives a feed its media type.
async fn feed_type(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let feed = path.starts_with("/feeds/") && path.ends_with(".xml");
    let mut response = next.run(request).await;
    if feed && response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(RSS_TYPE));
    }
    response
}

/// Watches the content folder on a background thread and rebuilds incrementally after each
/// burst of changes. Errors are printed and the last good site stays published.
pub fn watch(
    opts: Options,
    report: impl Fn(Result<build::Summary, anyhow::Error>) + Send + 'static,
) -> notify::Result<()> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // The build itself reads the content folder: reacting to reads would rebuild forever.
        if event.is_ok_and(|e| is_change(&e.kind)) {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(&opts.content, RecursiveMode::Recursive)?;
    std::thread::spawn(move || {
        // Keep the watcher alive as long as the thread runs.
        let _watcher = watcher;
        while rx.recv().is_ok() {
            // Editors write a file in several steps: wait for the burst to end.
            while rx.recv_timeout(Duration::from_millis(200)).is_ok() {}
            let mut opts = opts.clone();
            opts.today = today();
            report(build::build(&opts));
        }
    });
    Ok(())
}

/// Whether a file-system event changes content (reads and metadata-only events do not).
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{EventKind, ModifyKind};
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
    )
}

/// Today's date in China Standard Time, the zone every date on the site is in.
pub fn today() -> chrono::NaiveDate {
    disclosure::china_time::today()
}
