//! Tracking: status and timeline with the right key; an unknown number and a wrong key look
//! the same; the deadline stops while material is awaited and moves by the paused working days.

use intake::audit::Action;

use crate::support::TestApp;

async fn api_track(app: &TestApp, number: &str, key: &str) -> (u16, String) {
    let r = app
        .client
        .get(app.url("/api/track"))
        .query(&[("number", number), ("key", key)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn unknown_number_and_wrong_key_answer_the_same() {
    let app = TestApp::start().await;
    let (number, key) = app.complaint(None).await;

    let (status, body) = api_track(&app, &number, &key).await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["tracking_number"], number.as_str());
    assert_eq!(v["kind"], "complaint");
    assert_eq!(v["status"], "received");
    assert_eq!(v["department"], "测试市住房和城乡建设局");
    assert_eq!(v["deadline"], "2026-10-08");
    assert_eq!(v["timeline"][0]["event"], "submitted");
    assert!(v["timeline"][0]["at"]
        .as_str()
        .unwrap()
        .starts_with("2026-09-28T01:00:00"));
    // Typed loosely: lower case, without hyphens.
    let loose_key = key.to_lowercase().replace('-', "");
    assert_eq!(
        api_track(&app, &number.to_lowercase(), &loose_key).await.0,
        200
    );

    let wrong_key = api_track(&app, &number, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG").await;
    let other = number.replace("-000001-", "-000002-");
    let unknown_consistent = {
        // A well-formed, consistent number that does not exist.
        let n = intake::tracking::TrackingNumber::new(
            intake::tracking::CaseKind::Complaint,
            "2026-09-28".parse().unwrap(),
            2,
        )
        .unwrap()
        .to_string();
        api_track(&app, &n, &key).await
    };
    let malformed = api_track(&app, &other, &key).await;
    assert_eq!(wrong_key.0, 404);
    assert_eq!(wrong_key, unknown_consistent);
    assert_eq!(wrong_key, malformed);
    assert_eq!(api_track(&app, "", "").await, wrong_key);

    // The HTML page: same status, same message.
    let page = |number: String, key: String| {
        let app = &app;
        async move {
            let r = app
                .client
                .post(app.url("/track"))
                .form(&[("number", number.as_str()), ("key", key.as_str())])
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.text().await.unwrap().replace(&number, "N"),
            )
        }
    };
    let a = page(number.clone(), "WRONG".into()).await;
    let b = page(
        intake::tracking::TrackingNumber::new(
            intake::tracking::CaseKind::Report,
            "2026-01-05".parse().unwrap(),
            9,
        )
        .unwrap()
        .to_string(),
        key.clone(),
    )
    .await;
    assert_eq!(a.0, 404);
    assert_eq!(a, b);
    let ok = page(number.clone(), key.clone()).await;
    assert_eq!(ok.0, 200);
    assert!(ok.1.contains("已接收，待受理"));
    assert!(
        ok.1.contains("<dd id=\"deadline\">2026-10-08</dd>"),
        "{}",
        ok.1
    );
    assert!(ok
        .1
        .contains("《中华人民共和国招标投标法实施条例》第六十条至第六十二条"));
    // GET with the number and key works too (a link in a mail client, say).
    let r = app
        .client
        .get(app.url("/track"))
        .query(&[("number", number.as_str()), ("key", key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The form itself.
    let r = app.client.get(app.url("/track")).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("<label for=\"number\">") && html.contains("<label for=\"key\">"));
}

#[tokio::test]
async fn waiting_for_material_stops_the_clock_across_national_day() {
    let app = TestApp::start().await;
    let (number, key) = app.complaint(Some("submitter@test.example.com")).await;
    let state = &app.state;
    let cal = &state.content.calendar;

    // Tuesday 29 September: staff ask for material; the clock stops.
    app.clock.set_date("2026-09-29".parse().unwrap());
    app.act(
        &number,
        Action::MaterialRequested,
        "请补充投标文件第3章",
        |case, s| case.pause(s.clock.today()),
    )
    .await;
    let (_, body) = api_track(&app, &number, &key).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "waiting");
    assert_eq!(v["deadline"], serde_json::Value::Null);

    // Friday 9 October: the material arrives. 30 September, 8 and 9 October were paused, so the
    // acceptance deadline moves from 8 October by three working days: 9, Saturday 10, 12.
    app.clock.set_date("2026-10-09".parse().unwrap());
    app.act(&number, Action::MaterialReceived, "", |case, s| {
        case.resume(cal, &s.config.deadlines, s.clock.today())
    })
    .await;
    let (_, body) = api_track(&app, &number, &key).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "received");
    assert_eq!(v["deadline"], "2026-10-12");

    // Accepted on Monday 12 October: 30 working days to decide.
    app.clock.set_date("2026-10-12".parse().unwrap());
    app.accept(&number).await;
    let (_, body) = api_track(&app, &number, &key).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "accepted");
    assert_eq!(v["deadline"], "2026-11-23");
    let events: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "submitted",
            "material_requested",
            "material_received",
            "accepted"
        ]
    );
    assert_eq!(v["timeline"][1]["note"], "请补充投标文件第3章");
}
