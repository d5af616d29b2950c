//! The staff side on a real PostgreSQL server, when `INTAKE_TEST_POSTGRES_URL` names one
//! (`.ci/run` starts it): every staff query — sessions, sign-in attempts, the list with its
//! filters and ordering, the actions, publication, export and the statistics — runs there too.

use intake::staff::access::Act;
use rand::Rng;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::{Connection, Executor};

use crate::staff_harness::{date, CaseSpec, Harness};

/// A fresh database on the server of `url`; its URL. Also used by the two-instance test.
pub(crate) async fn fresh_database(url: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!("intake_staff_{}", rand::thread_rng().gen::<u32>());
    let mut admin = sqlx::AnyConnection::connect(url).await.unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let server = &base[..base.rfind('/').expect("a database in the URL")];
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

#[tokio::test]
async fn the_staff_side_runs_on_postgresql() {
    let Ok(url) = std::env::var("INTAKE_TEST_POSTGRES_URL") else {
        eprintln!("INTAKE_TEST_POSTGRES_URL is not set: staff PostgreSQL test not run");
        return;
    };
    let h = Harness::build(
        "[limits]\nsign_in_per_minute = 1000\nsign_in_burst = 1000\n",
        Some(fresh_database(&url).await),
    )
    .await;
    assert_eq!(h.state.db.backend(), intake::db::Backend::Postgres);
    h.add_all_staff().await;

    // Sign-in attempts and the pair throttle.
    let c = h.client();
    for _ in 0..5 {
        let r = c
            .post(h.url("/staff/login"))
            .header("x-forwarded-for", "203.0.113.9")
            .form(&[("username", "zjj"), ("password", "wrong wrong wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = c
        .post(h.url("/staff/login"))
        .header("x-forwarded-for", "203.0.113.9")
        .form(&[
            ("username", "zjj"),
            ("password", crate::staff_harness::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    let late = h.case(CaseSpec::complaint("zjj")).await;
    h.clock.set_date(date("2026-11-04"));
    let fresh = h.case(CaseSpec::complaint("zjj")).await;
    let moved = h.case(CaseSpec::complaint("zjj")).await;
    h.clock.set_date(date("2026-11-06"));
    let zjj = h.sign_in("zjj").await;
    let office = h.sign_in("gongguan").await;
    let html = zjj.get("/staff/").await.text().await.unwrap();
    assert!(html.find(&late).unwrap() < html.find(&fresh).unwrap());
    for status in ["open", "overdue", "received", "concluded", "all"] {
        let r = zjj.get(&format!("/staff/?status={status}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{status}");
    }
    let overdue = zjj
        .get("/staff/?status=overdue")
        .await
        .text()
        .await
        .unwrap();
    assert!(overdue.contains(&late) && !overdue.contains(&fresh));

    // The whole workflow, the transfer by the office included.
    for act in [
        Act::View,
        Act::RequestMaterial,
        Act::MaterialReceived,
        Act::Accept,
        Act::Conclude,
        Act::Publish,
    ] {
        let r = zjj.act(&late, act, "").await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{act:?}: {}",
            r.status()
        );
    }
    assert_eq!(
        office.act(&moved, Act::Transfer, "czj").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(h.status(&moved).await, ("received".into(), "czj".into()));
    assert_eq!(
        zjj.act(&moved, Act::View, "").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        office.act(&fresh, Act::Accept, "").await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(intake::audit::verify(&h.state.db)
        .await
        .unwrap()
        .is_intact());

    let out = h.path().join("results");
    let report = intake::staff::export::export_report(&h.state, &out)
        .await
        .unwrap();
    assert_eq!(report.written, 1);

    let s: Value = office
        .get("/staff/stats.json?year=2026&quarter=4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["total"]["received"], 3);
    assert_eq!(s["total"]["concluded"], 1);
    let mine: Value = zjj
        .get("/staff/stats.json?year=2026&quarter=4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["total"]["received"], 2,
        "the transferred case counts for czj"
    );
}
