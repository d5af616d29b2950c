//! The same data layer on a real PostgreSQL server, when `INTAKE_TEST_POSTGRES_URL` names one
//! (`.ci/run` starts PostgreSQL 15; `intake/scripts/start-postgres.sh` does it by hand). Each run
//! creates a fresh database on that server.

use rand::Rng;
use sqlx::{Connection, Executor};

use crate::support::{Options, TestApp, ZJJ_EMAIL};

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let cut = base
        .rfind('/')
        .filter(|&i| i > base.find("://").unwrap_or(0) + 2);
    match cut {
        Some(i) => format!("{}/{name}{query}", &base[..i]),
        None => format!("{base}/{name}{query}"),
    }
}

#[tokio::test]
async fn the_data_layer_runs_on_postgresql() {
    let Ok(url) = std::env::var("INTAKE_TEST_POSTGRES_URL") else {
        eprintln!("INTAKE_TEST_POSTGRES_URL is not set: PostgreSQL test not run");
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("intake_test_{}", rand::thread_rng().gen::<u32>());
    let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    admin.close().await.unwrap();

    let app = TestApp::with(Options {
        db: Some(with_database(&url, &name)),
        ..Options::default()
    })
    .await;
    assert_eq!(app.state.db.backend(), intake::db::Backend::Postgres);

    // Concurrent submissions: distinct numbers, one unbroken chain.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.url("/api/submissions");
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .json(&serde_json::json!({"kind": "report", "title": "t", "content": "c", "category": "construction"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            r.json::<serde_json::Value>().await.unwrap()["tracking_number"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 20);

    let (number, key) = app.complaint(Some("submitter@test.example.com")).await;
    let r = app
        .client
        .get(app.url("/api/track"))
        .query(&[("number", number.as_str()), ("key", key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let state = &app.state;
    app.accept(&number).await;
    state.mailer.wake.notify_one();
    app.smtp
        .as_ref()
        .unwrap()
        .wait_for(ZJJ_EMAIL, &number)
        .await;
    app.smtp
        .as_ref()
        .unwrap()
        .wait_for("submitter@test.example.com", &number)
        .await;

    let report = intake::audit::verify(&state.db).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.events, 22);
    let err = sqlx::query("UPDATE events SET note = 'x' WHERE seq = 1")
        .execute(state.db.reader())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    app.clock.set_date("2027-03-01".parse().unwrap());
    assert_eq!(intake::cases::escalate_overdue(state).await.unwrap(), 21);
    state.db.close().await;
}
