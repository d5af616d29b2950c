//! The health check `GET /submit/healthz`: a proxy or monitor learns whether the database
//! answers, on a path that does not clash with search-server's `/healthz` in the one-port router.

use serde_json::Value;

use crate::staff_postgres::fresh_database;
use crate::support::*;

async fn health(app: &TestApp) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = app
        .client
        .get(app.url("/submit/healthz"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap(), headers)
}

#[tokio::test]
async fn the_health_check_says_whether_the_database_answers() {
    let app = TestApp::start().await;
    let (status, body, headers) = health(&app).await;
    assert_eq!((status, &body), (200, &serde_json::json!({"status": "ok"})));
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers.contains_key("content-security-policy"),
        "{headers:?}"
    );

    // The database goes away: the check says so, and gives no detail to the client.
    app.state.db.close().await;
    let (status, body, _) = health(&app).await;
    assert_eq!(
        (status, &body),
        (503, &serde_json::json!({"status": "unavailable"}))
    );
}

#[tokio::test]
async fn the_health_check_answers_on_postgresql() {
    let Ok(url) = std::env::var("INTAKE_TEST_POSTGRES_URL") else {
        eprintln!("INTAKE_TEST_POSTGRES_URL is not set: PostgreSQL health check not run");
        return;
    };
    let app = TestApp::with(Options {
        db: Some(fresh_database(&url).await),
        ..Options::default()
    })
    .await;
    let (status, body, _) = health(&app).await;
    assert_eq!((status, &body), (200, &serde_json::json!({"status": "ok"})));
    app.state.db.close().await;
    assert_eq!(health(&app).await.0, 503);
}
