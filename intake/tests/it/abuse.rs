//! Abuse: per-client rate limits with 429 and Retry-After, X-Forwarded-For believed only from
//! trusted proxies, and the security headers on every intake response.

use serde_json::json;

use crate::support::{Options, TestApp};

fn limited(extra: &str) -> Options {
    Options {
        rate_limit: true,
        extra_config: format!(
            "{extra}\n[limits]\nsubmissions_per_minute = 1\nsubmissions_burst = 2\ntrack_per_minute = 1\ntrack_burst = 3\n"
        ),
        ..Options::default()
    }
}

async fn post_report(app: &TestApp, xff: Option<&str>) -> reqwest::Response {
    let mut r = app
        .client
        .post(app.url("/api/submissions"))
        .json(&json!({"kind": "report", "title": "t", "content": "c"}));
    if let Some(x) = xff {
        r = r.header("x-forwarded-for", x);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn submissions_and_lookups_are_rate_limited_per_client() {
    let app = TestApp::with(limited("")).await;
    assert_eq!(post_report(&app, None).await.status(), 201);
    assert_eq!(post_report(&app, Some("203.0.113.1")).await.status(), 201);
    // A forged X-Forwarded-For from an untrusted peer does not make a new client.
    let r = post_report(&app, Some("203.0.113.2")).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        r.headers()["content-security-policy"],
        intake::security::CSP
    );
    // The form posts count against the same allowance.
    let r = app
        .client
        .post(app.url("/submit"))
        .multipart(reqwest::multipart::Form::new().text("kind", "report"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);

    for i in 0..3 {
        let r = app
            .client
            .get(app.url("/api/track?number=x&key=y"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "lookup {i}");
    }
    let r = app
        .client
        .get(app.url("/api/track?number=x&key=y"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn forwarded_for_is_believed_from_a_trusted_proxy() {
    let app = TestApp::with(limited("trusted_proxies = [\"127.0.0.1\"]")).await;
    // Each forwarded client has its own allowance of two.
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(post_report(&app, Some(client)).await.status(), 201);
        assert_eq!(
            post_report(&app, Some(&format!("10.9.9.9, {client}")))
                .await
                .status(),
            201
        );
        assert_eq!(post_report(&app, Some(client)).await.status(), 429);
    }
}

#[tokio::test]
async fn security_headers_on_every_intake_response() {
    let app = TestApp::start().await;
    let responses = [
        app.client.get(app.url("/submit")).send().await.unwrap(),
        app.client.get(app.url("/track")).send().await.unwrap(),
        app.client
            .get(app.url("/api/track?number=a&key=b"))
            .send()
            .await
            .unwrap(),
        app.client
            .post(app.url("/api/submissions"))
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    ];
    for r in responses {
        let h = r.headers();
        assert_eq!(
            h["content-security-policy"],
            intake::security::CSP,
            "{}",
            r.url()
        );
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-store");
    }
}

#[tokio::test]
async fn a_request_that_stalls_is_timed_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::with(Options {
        extra_config: "[limits]\nrequest_timeout_secs = 1\n".into(),
        ..Options::default()
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Promise 100 bytes, send 10, then nothing.
    s.write_all(
        b"POST /api/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kind\":\"r",
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let mut buf = vec![0; 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("the server answers within the timeout")
        .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
