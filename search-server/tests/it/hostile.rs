//! Bad and abusive input: each answered quickly with a clear 4xx (or, for merely odd input, a
//! normal answer), never a 5xx; and the per-client rate limit.

use std::time::{Duration, Instant};

use search_server::limit::RateLimit;
use search_server::Options;

use crate::support::*;

/// (what, path and query, expected status)
fn hostile() -> Vec<(&'static str, String, u16)> {
    let ten_kb = "鹰".repeat(3500);
    let parens = format!("{}鹰城{}", "(".repeat(10_000), ")".repeat(10_000));
    let deep = "((((((((((鹰城 AND (建设 OR \"工程".to_string();
    let many_words = (0..50)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        ("empty query", "/api/search?q=".into(), 400),
        ("no parameters", "/api/search".into(), 400),
        (
            "blank query",
            format!("/api/search?q={}", encode("   \u{3000} ")),
            400,
        ),
        (
            "10 KB query",
            format!("/api/search?q={}", encode(&ten_kb)),
            400,
        ),
        (
            "10,000 nested parentheses",
            format!("/api/search?q={}", encode(&parens)),
            400,
        ),
        (
            "201 characters",
            format!("/api/search?q={}", encode(&"字".repeat(201))),
            400,
        ),
        (
            "50 words",
            format!("/api/search?q={}", encode(&many_words)),
            400,
        ),
        (
            "page 10^9",
            format!("/api/search?q={}&page=1000000000", encode("鹰城")),
            400,
        ),
        (
            "page 0",
            format!("/api/search?q={}&page=0", encode("鹰城")),
            400,
        ),
        (
            "page -1",
            format!("/api/search?q={}&page=-1", encode("鹰城")),
            400,
        ),
        (
            "page 2^64",
            format!("/api/search?q={}&page=18446744073709551616", encode("鹰城")),
            400,
        ),
        (
            "unknown kind",
            format!("/api/search?q={}&kind=%3Cscript%3E", encode("鹰城")),
            400,
        ),
        (
            "bad date",
            format!("/api/search?q={}&from=2026-02-30", encode("鹰城")),
            400,
        ),
        (
            "reversed dates",
            format!(
                "/api/search?q={}&from=2026-05-01&to=2026-01-01",
                encode("鹰城")
            ),
            400,
        ),
        (
            "bad sort",
            format!("/api/search?q={}&sort=random", encode("鹰城")),
            400,
        ),
        (
            "html 10 KB query",
            format!("/search?q={}", encode(&ten_kb)),
            400,
        ),
        (
            "html page 10^9",
            format!("/search?q={}&page=1000000000", encode("鹰城")),
            400,
        ),
        (
            "rss 10 KB query",
            format!("/search.rss?q={}", encode(&ten_kb)),
            400,
        ),
        // Odd but harmless: answered normally.
        (
            "broken syntax",
            format!("/api/search?q={}", encode(&deep)),
            200,
        ),
        (
            "operators only",
            format!("/api/search?q={}", encode("AND OR ((( \"")),
            400,
        ),
        (
            "invalid percent-encoding",
            "/api/search?q=%FF%FE%E9%B9".into(),
            400,
        ),
        (
            "control characters",
            "/api/search?q=%00%01%1B%5B31m%E9%B9%B0%E5%9F%8E".into(),
            200,
        ),
        (
            "wildcards and regex",
            format!("/api/search?q={}", encode("*.* .* [a-z]+ ^$ \\")),
            200,
        ),
        (
            "repeated parameters",
            "/api/search?q=a&q=b&page=1&page=2".into(),
            200,
        ),
    ]
}

#[tokio::test]
async fn hostile_input_is_refused_quickly_and_never_fails() {
    let s = demo_server().await;
    let mut problems = Vec::new();
    let mut slowest = Duration::ZERO;
    for (what, url, want) in hostile() {
        let started = Instant::now();
        let r = s.get(&url).await;
        let took = started.elapsed();
        slowest = slowest.max(took);
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        if status != want {
            problems.push(format!("{what}: {status} (want {want}): {body}"));
        }
        if status == 400
            && !(body.contains("error") || body.contains("role=\"alert\""))
            && !url.starts_with("/search.rss")
        {
            problems.push(format!("{what}: 400 without a message: {body}"));
        }
        // Debug builds on a small machine: generous, but far from a scan of the index.
        if took > Duration::from_millis(500) {
            problems.push(format!("{what}: took {took:?}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    eprintln!("slowest hostile request: {slowest:?}");
}

#[tokio::test]
async fn user_text_is_escaped_on_the_page() {
    let s = demo_server().await;
    let html = s
        .get(&format!(
            "/search?q={}",
            encode("<script>alert(1)</script> 鹰城")
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn clients_are_rate_limited_with_retry_after_and_forwarded_for_is_not_believed() {
    let options = Options {
        rate_limit: Some(RateLimit {
            period: Duration::from_secs(60),
            burst: 3,
        }),
        ..Options::default()
    };
    let s = serve(demo_index(), &demo_content(), options).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        // A client that invents a new address each time is still the same peer.
        let r = s
            .client
            .get(s.url("/healthz"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            let wait: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&wait), "{wait}");
            let body = r.text().await.unwrap();
            assert!(body.contains("请求过于频繁"), "{body}");
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn forwarded_for_is_believed_from_a_trusted_proxy() {
    let options = Options {
        rate_limit: Some(RateLimit {
            period: Duration::from_secs(60),
            burst: 1,
        }),
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    };
    let s = serve(demo_index(), &demo_content(), options).await;
    for i in 0..3 {
        let r = s
            .client
            .get(s.url("/healthz"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "client {i} behind the proxy has its own bucket"
        );
    }
    let r = s
        .client
        .get(s.url("/healthz"))
        .header("x-forwarded-for", "198.51.100.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}
