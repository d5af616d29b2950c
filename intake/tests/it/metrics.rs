//! `/metrics` as an operator's Prometheus sees it: only on the metrics listener (the public one
//! answers 404), requests counted by matched route and status, submissions by kind, the outbox
//! backlog equal to the unsent mail, failed sends counted, overdue cases by the deadline rule.

use std::time::{Duration, Instant};

use sqlx::Row;
use telemetry::read::sum;

use crate::support::{Options, TestApp};

async fn scrape(app: &TestApp) -> String {
    let base = app.metrics_base.as_ref().expect("a metrics listener");
    let r = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    r.text().await.unwrap()
}

fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sum(text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in\n{text}"))
}

/// A port nothing listens on: every SMTP attempt is refused at once.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn unsent(app: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
        .fetch_one(app.state.db.reader())
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn metrics_listener_reports_requests_submissions_outbox_and_overdue_cases() {
    requests_submissions_outbox_and_overdue_cases(None).await;
}

/// The gauges read from the database, on PostgreSQL (`INTAKE_TEST_POSTGRES_URL`).
#[tokio::test]
async fn metrics_read_the_outbox_and_cases_on_postgresql() {
    let Ok(url) = std::env::var("INTAKE_TEST_POSTGRES_URL") else {
        eprintln!("INTAKE_TEST_POSTGRES_URL is not set: metrics PostgreSQL test not run");
        return;
    };
    let db = crate::staff_postgres::fresh_database(&url).await;
    requests_submissions_outbox_and_overdue_cases(Some(db)).await;
}

async fn requests_submissions_outbox_and_overdue_cases(db: Option<String>) {
    let app = TestApp::with(Options {
        smtp: false,
        metrics: true,
        db,
        // Mail cannot leave: the backlog stays, and every attempt fails.
        extra_config: format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nstarttls = false\ntimeout_secs = 2\n",
            closed_port()
        ),
        ..Options::default()
    })
    .await;

    // The public listener does not answer /metrics.
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(!body.contains("intake_submissions"), "{body}");

    let before = scrape(&app).await;
    assert_eq!(
        value(
            &before,
            "intake_submissions_total",
            &[("kind", "complaint")]
        ),
        0.0
    );
    assert_eq!(value(&before, "intake_outbox_pending", &[]), 0.0);

    let (number, key) = app
        .complaint(Some("metrics.submitter@bidder.example"))
        .await;
    app.complaint(None).await;
    let (status, v) = app
        .submit_json(serde_json::json!({
            "kind": "suggestion", "title": "建议公开开标直播", "content": "建议开标过程网上直播。",
        }))
        .await;
    assert_eq!(status, 201, "{v}");
    let (status, _) = app
        .submit_json(serde_json::json!({"kind": "complaint", "title": "缺少姓名"}))
        .await;
    assert_eq!(status, 422);
    let r = app
        .client
        .get(app.url(&format!("/api/track?number={number}&key={key}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Wait until the sender has tried (and failed) at least once.
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let text = scrape(&app).await;
        if sum(&text, "intake_mail_failed_total", &[]).unwrap_or(0.0) >= 1.0
            && sum(&text, "intake_outbox_failing", &[]).unwrap_or(0.0) >= 1.0
        {
            break text;
        }
        assert!(Instant::now() < deadline, "no failed send counted:\n{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let submissions = |kind| value(&text, "intake_submissions_total", &[("kind", kind)]);
    assert_eq!(submissions("complaint"), 2.0);
    assert_eq!(submissions("suggestion"), 1.0);
    assert_eq!(submissions("report"), 0.0);
    assert_eq!(submissions("objection"), 0.0);
    let requests = |route, status| {
        value(
            &text,
            "http_requests_total",
            &[("route", route), ("status", status)],
        )
    };
    assert_eq!(requests("/api/submissions", "201"), 3.0);
    assert_eq!(requests("/api/submissions", "422"), 1.0);
    assert_eq!(requests("/api/track", "200"), 1.0);
    assert_eq!(requests("(unmatched)", "404"), 1.0, "the public /metrics");
    assert_eq!(
        value(
            &text,
            "http_request_duration_seconds_count",
            &[("route", "/api/submissions"), ("method", "POST")]
        ),
        4.0
    );
    // Routes, never paths or query strings: the number and key are nowhere.
    assert!(!text.contains(&number) && !text.contains(&key), "{text}");
    assert!(!text.contains("metrics.submitter"), "{text}");

    // The backlog is the unsent mail, and none of it went out.
    let pending = value(&text, "intake_outbox_pending", &[]);
    assert!(
        pending >= 3.0,
        "a department mail per case at least: {pending}"
    );
    assert_eq!(pending, unsent(&app).await as f64);
    assert_eq!(value(&text, "intake_mail_sent_total", &[]), 0.0);
    assert_eq!(value(&text, "intake_cases", &[("status", "received")]), 3.0);
    assert_eq!(value(&text, "intake_cases_overdue", &[]), 0.0);

    // Mail waits on a clock the test moves: an hour on, the oldest unsent mail is an hour old.
    assert!(value(&text, "intake_outbox_oldest_pending_seconds", &[]) < 60.0);
    app.clock.advance(chrono::Duration::hours(1));
    let text = scrape(&app).await;
    assert!(value(&text, "intake_outbox_oldest_pending_seconds", &[]) >= 3600.0);

    // Two months later every case with a running deadline is overdue, by the domain's rule.
    app.clock.advance(chrono::Duration::days(60));
    let today = intake::clock::local_date(app.state.clock.now());
    let mut overdue = 0;
    for row in sqlx::query("SELECT tracking_number FROM cases")
        .fetch_all(app.state.db.reader())
        .await
        .unwrap()
    {
        let n: String = row.get("tracking_number");
        let case = intake::cases::find_by_number(&app.state.db, &n)
            .await
            .unwrap()
            .unwrap();
        overdue += usize::from(case.is_overdue(today));
    }
    assert!(overdue >= 2, "both complaints have a deadline");
    let text = scrape(&app).await;
    assert_eq!(value(&text, "intake_cases_overdue", &[]), overdue as f64);
}

#[tokio::test]
async fn a_server_without_a_metrics_listener_answers_metrics_with_404() {
    let app = TestApp::with(Options {
        smtp: false,
        ..Options::default()
    })
    .await;
    for path in ["/metrics", "/metrics/", "/api/metrics"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(!r.text().await.unwrap().contains("http_requests"));
    }
}
