//! `/metrics` and the logs as an operator sees them: the service as `search-server` runs it
//! ([`search_server::serve`]), `/metrics` on the metrics listener only, requests counted by
//! matched route and status, the engine's time per search, the documents in the index; and the
//! real binary's JSON log lines, which name the route but never the words searched for.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use search_server::AppState;
use telemetry::read::sum;

use crate::support::*;

fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sum(text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in\n{text}"))
}

#[tokio::test]
async fn metrics_count_searches_by_route_and_status_on_the_metrics_listener_only() {
    let state = AppState::open(demo_index(), &demo_content(), unlimited()).unwrap();
    let docs = state.engine().num_docs();
    let public = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", public.local_addr().unwrap());
    let metrics_url = format!("http://{}/metrics", metrics.local_addr().unwrap());
    tokio::spawn(search_server::serve(state, public, Some(metrics)));
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{base}{path}")).send();

    for _ in 0..3 {
        assert_eq!(
            get("/api/search?q=%E9%B9%B0%E5%9F%8E%E5%BB%BA%E8%AE%BE")
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(get("/api/search?page=0").await.unwrap().status(), 400);
    assert_eq!(
        get("/search?q=%E9%81%93%E8%B7%AF").await.unwrap().status(),
        200
    );
    // The public listener does not answer /metrics.
    let r = get("/metrics").await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("http_requests"));

    let r = client.get(&metrics_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = r.text().await.unwrap();
    let requests = |route, status| {
        value(
            &text,
            "http_requests_total",
            &[("method", "GET"), ("route", route), ("status", status)],
        )
    };
    assert_eq!(requests("/api/search", "200"), 3.0);
    assert_eq!(requests("/api/search", "400"), 1.0);
    assert_eq!(requests("/search", "200"), 1.0);
    assert_eq!(requests("(unmatched)", "404"), 1.0);
    assert_eq!(
        value(
            &text,
            "http_request_duration_seconds_count",
            &[("route", "/api/search"), ("status", "200")]
        ),
        3.0
    );
    // The engine ran for each good search, not for the refused one.
    assert_eq!(
        value(
            &text,
            "search_duration_seconds_count",
            &[("endpoint", "api")]
        ),
        3.0
    );
    assert_eq!(
        value(
            &text,
            "search_duration_seconds_count",
            &[("endpoint", "html")]
        ),
        1.0
    );
    assert!(value(&text, "search_duration_seconds_sum", &[("endpoint", "api")]) > 0.0);
    assert_eq!(value(&text, "search_index_documents", &[]), docs as f64);
    // Routes, never the words or the query string.
    assert!(!text.contains("q=") && !text.contains("鹰城"), "{text}");
}

#[test]
fn the_binary_logs_json_lines_without_the_words_searched_for() {
    let dir = tempfile::tempdir().unwrap();
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    };
    let (listen, metrics) = (free(), free());
    let log = dir.path().join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_search-server"))
        .arg("--index")
        .arg(demo_index())
        .arg("--content")
        .arg(demo_content())
        .args(["--listen", &listen.to_string()])
        .args(["--metrics-listen", &metrics.to_string()])
        .args(["--log-format", "json", "--no-rate-limit"])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://{listen}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::blocking::get(format!("{base}/healthz")).is_err() {
        assert!(Instant::now() < deadline, "search-server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A search for a person's name.
    let name = "张三丰测试";
    let r = reqwest::blocking::get(format!("{base}/api/search?q={}", encode(name))).unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        reqwest::blocking::get(format!("{base}/metrics"))
            .unwrap()
            .status(),
        404
    );
    let text = reqwest::blocking::get(format!("http://{metrics}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(
        value(
            &text,
            "http_requests_total",
            &[("route", "/api/search"), ("status", "200")]
        ),
        1.0
    );
    // The request line is written after the answer: give it a moment.
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let stderr = std::fs::read_to_string(&log).unwrap();
    let mut request_lines = 0;
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        if v["target"] == "access" && v["route"] == "/api/search" {
            assert_eq!(v["status"], 200, "{line}");
            assert!(v["latency_ms"].is_number(), "{line}");
            request_lines += 1;
        }
    }
    assert_eq!(request_lines, 1, "{stderr}");
    assert!(!stderr.contains(name), "the words searched for are logged");
    assert!(
        !stderr.contains(&encode(name)),
        "the query string is logged"
    );
}
