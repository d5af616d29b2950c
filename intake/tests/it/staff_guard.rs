//! The staff side under pressure: refused requests counted and, when repeated, audited; one
//! account guessed at from many addresses is slowed without locking its owner out; IPv6 clients
//! counted by their /64; staff forms and the sign-in form refuse text that is not UTF-8.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;

use crate::staff_harness::{CaseSpec, Harness, PASSWORD};
use crate::support::{Options, TestApp};

async fn events_of(h: &Harness, action: &str) -> Vec<(String, String)> {
    sqlx::query("SELECT actor, note FROM events WHERE action = $1 ORDER BY seq")
        .bind(action)
        .fetch_all(h.state.db.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("actor"), r.get("note")))
        .collect()
}

async fn try_sign_in(h: &Harness, ip: &str, user: &str, password: &str) -> StatusCode {
    h.client()
        .post(h.url("/staff/login"))
        .header("x-forwarded-for", ip)
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn repeated_refusals_become_one_audit_event() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    let theirs = h.case(CaseSpec::complaint("czj")).await;
    let zjj = h.sign_in("zjj").await;
    // Another department's case looks exactly like no case at all…
    let missing = zjj.get("/staff/cases/TS-20261102-999999-X").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let missing = missing.text().await.unwrap();
    for i in 0..4 {
        let r = zjj.get(&format!("/staff/cases/{theirs}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "try {i}");
        assert_eq!(r.text().await.unwrap(), missing);
    }
    // …but is counted: four refusals are not yet a pattern.
    assert!(events_of(&h, "refusals_repeated").await.is_empty());
    // The fifth (a forged form this time) within ten minutes is.
    let r = zjj
        .post_raw(&format!("/staff/cases/{theirs}/accept"), &[("csrf", "0")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let events = events_of(&h, "refusals_repeated").await;
    assert_eq!(events.len(), 1, "{events:?}");
    let (actor, note) = &events[0];
    assert_eq!(actor, "zjj");
    assert!(note.contains("5 次请求被拒绝"), "{note}");
    assert!(note.contains("访问其他部门的案件 4 次"), "{note}");
    assert!(note.contains("表单校验失败 1 次"), "{note}");
    assert!(note.contains(&theirs), "{note}");
    assert!(
        !note.contains("河南测试建设有限公司"),
        "no personal data: {note}"
    );
    // Not a case that does not exist: a typo is no refusal.
    let counted: i64 = sqlx::query("SELECT COUNT(*) AS n FROM staff_refusals")
        .fetch_one(h.state.db.reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(counted, 5);

    // The committee office's handling steps on another department's case: 403, counted too.
    let ours = h.case(CaseSpec::complaint("zjj")).await;
    let office = h.sign_in_from("gongguan", "192.0.2.20").await;
    for _ in 0..5 {
        let r = office
            .post(&format!("/staff/cases/{ours}/accept"), &[("note", "")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let events = events_of(&h, "refusals_repeated").await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1].0, "gongguan");
    assert!(
        events[1].1.contains("无权进行的操作 5 次"),
        "{}",
        events[1].1
    );
    assert_eq!(h.status(&ours).await.0, "received");

    // Spread out over more than the window, refusals stay below the threshold.
    for _ in 0..4 {
        h.clock.advance(Duration::minutes(3));
        let r = zjj.get(&format!("/staff/cases/{theirs}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(events_of(&h, "refusals_repeated").await.len(), 2);
    let audit = intake::audit::verify(&h.state.db).await.unwrap();
    assert!(audit.is_intact(), "{:?}", audit.problems);
}

#[tokio::test]
async fn ten_addresses_guessing_one_account_are_slowed_and_the_owner_still_signs_in() {
    let h =
        Harness::with_config("[limits]\nsign_in_per_minute = 1000\nsign_in_burst = 1000\n").await;
    h.add_staff("zjj.li", "zjj").await;
    // The owner signed in from the office last week.
    h.sign_in_from("zjj.li", "198.51.100.7").await;
    h.clock.advance(Duration::days(7));

    let mut evaluated = 0;
    let mut slowed = 0;
    for round in 0..4 {
        for a in 0..10 {
            let ip = format!("203.0.113.{}", 10 + a);
            match try_sign_in(&h, &ip, "zjj.li", &format!("guess {round} {a}!!")).await {
                StatusCode::UNAUTHORIZED => evaluated += 1,
                StatusCode::TOO_MANY_REQUESTS => slowed += 1,
                other => panic!("guess {round} from {ip}: {other}"),
            }
        }
    }
    assert!(
        evaluated <= 14,
        "{evaluated} guesses evaluated, {slowed} slowed"
    );
    assert_eq!(evaluated + slowed, 40);
    // The right password from a slowed address is not even tried: it is the same 429.
    assert_eq!(
        try_sign_in(&h, "203.0.113.10", "zjj.li", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // The owner is not locked out: from a new address, and from the office, at once.
    let started = std::time::Instant::now();
    h.sign_in_from("zjj.li", "192.0.2.99").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    h.sign_in_from("zjj.li", "198.51.100.7").await;
    // (A success starts the count afresh; the test clock stands still, so move it on.)
    h.clock.advance(Duration::seconds(1));

    // The delay is bounded: five minutes after its last guess a slowed address may try again,
    // however many guesses the others made meanwhile.
    for round in 0..3 {
        try_sign_in(&h, "203.0.113.30", "zjj.li", &format!("again {round}!!")).await;
    }
    for a in 0..12 {
        try_sign_in(&h, &format!("203.0.114.{a}"), "zjj.li", "more guesses!!").await;
    }
    // 15 failures: the doubling delay would be 1024 s; it stops at 300.
    let r = try_sign_in(&h, "203.0.113.30", "zjj.li", PASSWORD).await;
    assert_eq!(r, StatusCode::TOO_MANY_REQUESTS);
    h.clock.advance(Duration::minutes(4));
    let r = try_sign_in(&h, "203.0.113.30", "zjj.li", PASSWORD).await;
    assert_eq!(r, StatusCode::TOO_MANY_REQUESTS);
    h.clock.advance(Duration::minutes(1) + Duration::seconds(1));
    h.sign_in_from("zjj.li", "203.0.113.30").await;
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64() {
    // Public rate limits: two addresses of one /64 share an allowance of two.
    let app = TestApp::with(Options {
        rate_limit: true,
        extra_config: "trusted_proxies = [\"127.0.0.1\"]\n[limits]\nsubmissions_per_minute = 1\n\
                       submissions_burst = 2\n"
            .into(),
        ..Options::default()
    })
    .await;
    let post = |ip: &'static str| {
        let r = app
            .client
            .post(app.url("/api/submissions"))
            .header("x-forwarded-for", ip)
            .json(&json!({"kind": "report", "title": "t", "content": "c"}));
        async move { r.send().await.unwrap().status() }
    };
    assert_eq!(post("2001:db8:1:2::1").await, 201);
    assert_eq!(post("2001:db8:1:2::2").await, 201);
    assert_eq!(post("2001:db8:1:2:ffff::3").await, 429);
    assert_eq!(post("2001:db8:1:3::1").await, 201, "another /64");

    // Sign-in: five failures from five addresses of one /64 block the sixth address of it.
    let h =
        Harness::with_config("[limits]\nsign_in_per_minute = 1000\nsign_in_burst = 1000\n").await;
    h.add_staff("zjj.li", "zjj").await;
    for i in 1..=5 {
        let ip = format!("2001:db8:77:1::{i}");
        assert_eq!(
            try_sign_in(&h, &ip, "zjj.li", "wrong password!!").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        try_sign_in(&h, "2001:db8:77:1::6", "zjj.li", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    h.sign_in_from("zjj.li", "2001:db8:77:2::1").await;
    let clients: Vec<String> = sqlx::query("SELECT DISTINCT client FROM sign_in_attempts")
        .fetch_all(h.state.db.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("client"))
        .collect();
    assert!(
        clients.contains(&"2001:db8:77:1::/64".to_string()),
        "{clients:?}"
    );
}

#[tokio::test]
async fn staff_forms_refuse_text_that_is_not_utf8() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    let number = h.case(CaseSpec::complaint("zjj")).await;
    let zjj = h.sign_in("zjj").await;
    let body = format!("reason=%B2%BB%CA%DC%C0%ED&csrf={}", zjj.csrf);
    let r = zjj
        .client
        .post(h.url(&format!("/staff/cases/{number}/reject")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("“reason”含有无法识别的字符"), "{page}");
    assert_eq!(h.status(&number).await.0, "received");
    // A control character in a decision is refused the same way.
    let r = zjj
        .post(
            &format!("/staff/cases/{number}/reject"),
            &[("reason", "不属于本部门\u{0}职责")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(h.status(&number).await.0, "received");

    // The sign-in form: a password that is not UTF-8 is refused, not guessed at.
    let r = h
        .client()
        .post(h.url("/staff/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=zjj&password=%FFcorrect+horse")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("“密码”含有无法识别的字符"));
    let r = h
        .client()
        .post(h.url("/staff/login"))
        .form(&[("username", "zjj"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
