//! Deadlines past the calendar: `calendar.toml` of the fixture lists 2026 only, so a deadline
//! that reaches 2027 (whose 元旦 and 调休 are unknown) is not guessed: the case is flagged for
//! staff and the submitter is told 待定 with the reason. Once the calendar covers 2027 and the
//! service starts again, the deadline is counted, with an audit event.

use std::sync::Arc;

use intake::{AppState, ManualClock, Settings};

use crate::support::*;

const CALENDAR_2027: &str = "\n[[year]]\nyear = 2027\nholidays = [2027-01-01]\n";

async fn staff_page(base: &str, state: &AppState, path: &str) -> String {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let _ =
        intake::staff::add_account(state, "zjj-cal", "zjj", "correct horse battery staple").await;
    let r = client
        .post(format!("{base}/staff/login"))
        .form(&[
            ("username", "zjj-cal"),
            ("password", "correct horse battery staple"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in");
    let r = client.get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

async fn track(app: &TestApp, number: &str, key: &str) -> serde_json::Value {
    app.client
        .get(app.url(&format!("/api/track?number={number}&key={key}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deadline_past_the_calendar_is_flagged_not_guessed_then_counted() {
    let app = TestApp::start().await;
    assert!(
        !intake::deadline::calendar_warnings(&app.state.content.calendar, start_date()).is_empty(),
        "the fixture lacks 2027: the start warns"
    );

    // Received Wednesday 30 December 2026: 3 working days for acceptance reach 2027.
    app.clock.set_date("2026-12-30".parse().unwrap());
    let (status, receipt) = app
        .submit_json(serde_json::json!({
            "kind": "complaint",
            "title": "评标委员会未按招标文件评审",
            "content": "第二中标候选人业绩不符合招标文件要求，评标委员会仍予以加分。",
            "project": PROJECT,
            "name": "测试建设有限公司",
            "phone": "0375-1234567",
        }))
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert!(receipt["deadline"].is_null(), "no guessed date: {receipt}");
    assert!(
        receipt["deadline_pending"]
            .as_str()
            .unwrap()
            .contains("2027"),
        "{receipt}"
    );
    let late = receipt["tracking_number"].as_str().unwrap().to_string();
    let late_key = receipt["access_key"].as_str().unwrap().to_string();

    // Received 1 December, accepted 3 December: 30 working days from acceptance reach 2027
    // (counting 元旦 as a working day would give 2027-01-14).
    app.clock.set_date("2026-12-01".parse().unwrap());
    let (early, early_key) = app.complaint(None).await;
    app.clock.set_date("2026-12-03".parse().unwrap());
    app.accept(&early).await;

    for (number, key) in [(&late, &late_key), (&early, &early_key)] {
        let t = track(&app, number, key).await;
        assert!(t["deadline"].is_null(), "{number}: {t}");
        assert!(
            t["deadline_pending"].as_str().unwrap().contains("2027"),
            "{t}"
        );
        let page = app
            .client
            .get(app.url(&format!("/track?number={number}&key={key}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("待定"),
            "{number}: the tracking page says 待定"
        );
        assert!(
            !page.contains("2027-01-"),
            "{number}: no guessed date on /track"
        );
    }
    let case = intake::cases::find_by_number(&app.state.db, &early)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.decide_deadline, None);
    assert!(case.deadline_pending.is_some());

    let list = staff_page(&app.base, &app.state, "/staff/").await;
    assert_eq!(
        list.matches("期限待定").count(),
        2,
        "both flagged in the list"
    );
    let page = staff_page(&app.base, &app.state, &format!("/staff/cases/{late}")).await;
    assert!(page.contains("期限待定"), "the case page flags it");
    assert!(page.contains("2027"), "and says which year is missing");

    // The calendar now covers 2027 and the service starts again on the same database.
    let calendar = app.content.join("calendar.toml");
    let mut text = std::fs::read_to_string(&calendar).unwrap();
    text.push_str(CALENDAR_2027);
    std::fs::write(&calendar, text).unwrap();
    let settings = Settings {
        content: app.content.clone(),
        db: app
            .dir
            .path()
            .join("data/intake.sqlite3")
            .display()
            .to_string(),
        config: Some(app.dir.path().join("intake.toml")),
        rate_limit: false,
        signals: None,
    };
    let clock = Arc::new(ManualClock::at_date("2026-12-31".parse().unwrap()));
    let state = AppState::with_clock(&settings, clock).await.unwrap();
    assert!(intake::deadline::calendar_warnings(
        &state.content.calendar,
        "2026-12-31".parse().unwrap()
    )
    .is_empty());
    let late_case = intake::cases::find_by_number(&state.db, &late)
        .await
        .unwrap()
        .unwrap();
    // 31 December, (1 January off, weekend), 4 and 5 January.
    assert_eq!(
        late_case.accept_deadline,
        Some("2027-01-05".parse().unwrap())
    );
    assert_eq!(late_case.deadline_pending, None);
    let early_case = intake::cases::find_by_number(&state.db, &early)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        early_case.decide_deadline,
        Some("2027-01-15".parse().unwrap())
    );
    assert_eq!(early_case.deadline_pending, None);
    let events = intake::audit::for_case(&state.db, early_case.id)
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.action, "deadline_counted");
    assert!(last.note.contains("2027-01-15"), "{}", last.note);
}
