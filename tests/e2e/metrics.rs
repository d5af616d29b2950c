//! The one-port server's `/metrics`, on `--metrics-listen` only: the public port answers it with
//! the site's 404 page; the metrics listener reports requests by route (the static files as
//! `(static)`), searches, submissions, the outbox, and the last build — a rebuild after a change
//! in `content/` included.

use std::time::{Duration, Instant};

use telemetry::read::sum;

use crate::support::{free_port, start_with};

fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sum(text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in\n{text}"))
}

#[test]
fn metrics_of_the_whole_product_on_the_metrics_listener_only() {
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = start_with(&["--metrics-listen", &metrics, "--log-format", "json"]);
    let scrape = || {
        let r = reqwest::blocking::get(format!("http://{metrics}/metrics")).unwrap();
        assert_eq!(r.status(), 200);
        r.text().unwrap()
    };
    let get = |path: &str| reqwest::blocking::get(format!("{}{path}", server.base)).unwrap();

    let public = get("/metrics");
    assert_eq!(public.status(), 404);
    let body = public.text().unwrap();
    assert!(!body.contains("http_requests"), "{body}");

    assert_eq!(get("/").status(), 200);
    assert_eq!(
        get("/search?q=%E9%B9%B0%E5%9F%8E%E5%BB%BA%E8%AE%BE").status(),
        200
    );
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/api/submissions", server.base))
        .json(&serde_json::json!({
            "kind": "suggestion", "title": "建议公开开标直播", "content": "建议开标过程网上直播。",
        }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);

    let text = scrape();
    let requests = |route, status| {
        value(
            &text,
            "http_requests_total",
            &[("route", route), ("status", status)],
        )
    };
    assert!(requests("(static)", "200") >= 1.0);
    assert_eq!(requests("(static)", "404"), 1.0, "the public /metrics");
    assert_eq!(requests("/search", "200"), 1.0);
    assert_eq!(requests("/api/submissions", "201"), 1.0);
    assert_eq!(
        value(
            &text,
            "search_duration_seconds_count",
            &[("endpoint", "html")]
        ),
        1.0
    );
    assert_eq!(
        value(&text, "intake_submissions_total", &[("kind", "suggestion")]),
        1.0
    );
    assert!(sum(&text, "intake_outbox_pending", &[]).is_some());
    assert!(value(&text, "search_index_documents", &[]) > 0.0);
    assert_eq!(value(&text, "sitegen_build_success", &[]), 1.0);
    let pages = value(&text, "sitegen_pages", &[]);
    assert!(pages > 0.0);
    let built = value(&text, "sitegen_build_finished_timestamp_seconds", &[]);

    // A change in content/: the rebuild's figures replace the first build's.
    let notice = server
        .dir
        .path()
        .join("content/notices/2026-cg-031-tender.md");
    let source = std::fs::read_to_string(&notice).unwrap();
    std::fs::write(&notice, format!("{source}\n补充说明：开标时间不变。\n")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = scrape();
        if value(&text, "sitegen_build_finished_timestamp_seconds", &[]) > built {
            assert_eq!(value(&text, "sitegen_build_success", &[]), 1.0);
            assert_eq!(value(&text, "sitegen_build_incremental", &[]), 1.0);
            assert_eq!(value(&text, "sitegen_pages", &[]), pages);
            break;
        }
        assert!(Instant::now() < deadline, "no rebuild reported:\n{text}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
