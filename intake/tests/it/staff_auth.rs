//! Signing in: the cookie, throttling that cannot lock anyone else out, idle and absolute
//! timeouts on the test clock, sign-out, and CSRF on every state-changing request.

use chrono::Duration;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::staff_harness::{csrf_of, CaseSpec, Harness, PASSWORD};

async fn try_sign_in(
    h: &Harness,
    client: &reqwest::Client,
    ip: &str,
    user: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(h.url("/staff/login"))
        .header("x-forwarded-for", ip)
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_sets_a_host_only_secure_cookie_stored_hashed() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let page = h.client().get(h.url("/staff/login")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(html.contains("autocomplete=\"current-password\""));
    assert!(!html.contains("<script"));

    let client = h.client();
    let r = try_sign_in(&h, &client, "192.0.2.1", "ZJJ.Li ", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let token = cookie
        .strip_prefix("__Host-yg_staff=")
        .and_then(|rest| rest.split(';').next())
        .expect("the __Host- cookie")
        .to_string();
    assert_eq!(token.len(), 64, "256 bits in hex");
    for attribute in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let stored: Vec<String> = sqlx::query("SELECT token_hash FROM sessions")
        .fetch_all(h.state.db.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("token_hash"))
        .collect();
    assert_eq!(stored, vec![hex::encode(Sha256::digest(token.as_bytes()))]);

    let list = client.get(h.url("/staff/")).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    assert!(list.text().await.unwrap().contains("zjj.li"));
    // Not signed in: off to the sign-in page.
    let r = h.client().get(h.url("/staff/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/login");
    // A made-up cookie is no session.
    let r = h
        .client()
        .get(h.url("/staff/"))
        .header("cookie", format!("__Host-yg_staff={}", "ab".repeat(32)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// An unknown user and a wrong password look the same, and both are on the audit trail.
#[tokio::test]
async fn failures_look_alike() {
    let h =
        Harness::with_config("[limits]\nsign_in_per_minute = 1000\nsign_in_burst = 1000\n").await;
    h.add_staff("zjj.li", "zjj").await;
    let client = h.client();
    let wrong = try_sign_in(&h, &client, "192.0.2.1", "zjj.li", "wrong password!!").await;
    let unknown = try_sign_in(&h, &client, "192.0.2.2", "nobody.here", PASSWORD).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(a.contains("用户名或密码错误"));
    assert_eq!(a.replace("zjj.li", "X"), b.replace("nobody.here", "X"));
    // And they cost the same: the unknown name is checked against a dummy hash of the same
    // cost. (Without it an unknown name would answer in a millisecond, against tens for a
    // password check; the fastest of a few tries of each keeps load on the machine out.)
    let mut fastest = [std::time::Duration::MAX; 2];
    for i in 0..4 {
        let tries = [
            ("192.0.2.3", "zjj.li".to_string()),
            ("192.0.2.4", format!("nobody{i}")),
        ];
        for (k, (ip, user)) in tries.into_iter().enumerate() {
            let started = std::time::Instant::now();
            let r = try_sign_in(&h, &client, ip, &user, "wrong password!!").await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            fastest[k] = fastest[k].min(started.elapsed());
        }
    }
    assert!(
        fastest[1] * 3 > fastest[0],
        "unknown {:?} vs known {:?}",
        fastest[1],
        fastest[0]
    );
    let failed: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM events WHERE action = 'sign_in_failed'")
            .fetch_one(h.state.db.reader())
            .await
            .unwrap()
            .get("n");
    assert_eq!(failed, 10);
}

/// Many wrong passwords from one address: 429 with Retry-After from the per-address limit; the
/// same member of staff still signs in from their own machine.
#[tokio::test]
async fn throttling_per_address_does_not_lock_out_the_user() {
    // A burst of 5 sign-ins per address, then one a minute (so a slow machine cannot refill it).
    let h = Harness::with_config("[limits]\nsign_in_per_minute = 1\nsign_in_burst = 5\n").await;
    h.add_staff("zjj.li", "zjj").await;
    let attacker = h.client();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = try_sign_in(&h, &attacker, "203.0.113.66", "zjj.li", "guess guess guess").await;
        statuses.push(r.status());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry), "{retry}");
        }
    }
    assert_eq!(&statuses[..5], &[StatusCode::UNAUTHORIZED; 5]);
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Even the right password is refused from the throttled address…
    let r = try_sign_in(&h, &attacker, "203.0.113.66", "zjj.li", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // …but the user is not locked out: from their own address they sign in.
    let staff = h.sign_in_from("zjj.li", "198.51.100.7").await;
    assert_eq!(staff.get("/staff/").await.status(), StatusCode::OK);
}

/// With a generous per-address limit, the (address, user name) pair is throttled on its own:
/// five failures for one name block that name from that address only, until the window passes.
#[tokio::test]
async fn throttling_per_address_and_user_name() {
    let h =
        Harness::with_config("[limits]\nsign_in_per_minute = 1000\nsign_in_burst = 1000\n").await;
    h.add_staff("zjj.li", "zjj").await;
    h.add_staff("zjj.wang", "zjj").await;
    let c = h.client();
    for _ in 0..5 {
        let r = try_sign_in(&h, &c, "203.0.113.5", "zjj.li", "not the password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = try_sign_in(&h, &c, "203.0.113.5", "zjj.li", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((899..=900).contains(&retry), "retry after {retry}");
    // Another name from the same address, and the same name from another address, are fine.
    h.sign_in_from("zjj.wang", "203.0.113.5").await;
    h.sign_in_from("zjj.li", "203.0.113.6").await;
    // Fifteen minutes later the pair may try again.
    h.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    h.sign_in_from("zjj.li", "203.0.113.5").await;
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_timeouts() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    // Idle: 29 minutes between requests is fine, 31 is not.
    let s = h.sign_in("zjj.li").await;
    h.clock.advance(Duration::minutes(29));
    assert_eq!(s.get("/staff/").await.status(), StatusCode::OK);
    h.clock.advance(Duration::minutes(29));
    assert_eq!(s.get("/staff/").await.status(), StatusCode::OK);
    h.clock.advance(Duration::minutes(31));
    let r = s.get("/staff/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/login?expired=1");
    let page = s.get("/staff/login?expired=1").await.text().await.unwrap();
    assert!(page.contains("登录已超时"));
    // The expired session is gone from the database, not only refused.
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(h.state.db.reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 0);

    // Absolute: busy all day, still signed out 8 hours after sign-in.
    let s = h.sign_in("zjj.li").await;
    let mut elapsed = Duration::zero();
    loop {
        h.clock.advance(Duration::minutes(25));
        elapsed += Duration::minutes(25);
        let status = s.get("/staff/").await.status();
        if elapsed <= Duration::hours(8) {
            assert_eq!(status, StatusCode::OK, "after {elapsed}");
        } else {
            assert_eq!(status, StatusCode::SEE_OTHER, "after {elapsed}");
            break;
        }
    }
}

#[tokio::test]
async fn timeouts_are_configurable() {
    let h = Harness::with_config("[staff]\nidle_timeout_minutes = 5\nabsolute_timeout_hours = 1\n")
        .await;
    h.add_staff("zjj.li", "zjj").await;
    let s = h.sign_in("zjj.li").await;
    h.clock.advance(Duration::minutes(6));
    assert_eq!(s.get("/staff/").await.status(), StatusCode::SEE_OTHER);
    let s = h.sign_in("zjj.li").await;
    for _ in 0..15 {
        h.clock.advance(Duration::minutes(4));
        assert_eq!(s.get("/staff/").await.status(), StatusCode::OK);
    }
    h.clock.advance(Duration::minutes(4));
    assert_eq!(s.get("/staff/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let s = h.sign_in("zjj.li").await;
    // Without the token, sign-out is refused like any other state change.
    let r = s.post_raw("/staff/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.get("/staff/").await.status(), StatusCode::OK);
    let r = s.post("/staff/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/login?signed_out=1");
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(s.get("/staff/").await.status(), StatusCode::SEE_OTHER);
}

/// Forged, missing and foreign tokens, and requests from another site: 403 with a clear page,
/// and the case untouched. The right token from this site (or a browser that says `Origin:
/// null`, as under `Referrer-Policy: no-referrer`) goes through.
#[tokio::test]
async fn csrf_is_checked_on_every_state_change() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    h.add_staff("zjj.wang", "zjj").await;
    let number = h.case(CaseSpec::complaint("zjj")).await;
    let s = h.sign_in("zjj.li").await;
    let other = h.sign_in("zjj.wang").await;
    assert_ne!(s.csrf, other.csrf, "one token per session");
    let accept = format!("/staff/cases/{number}/accept");
    let forged = "0".repeat(64);
    for (what, fields) in [
        ("missing", vec![]),
        ("empty", vec![("csrf", "")]),
        ("forged", vec![("csrf", forged.as_str())]),
        ("another session's", vec![("csrf", other.csrf.as_str())]),
        ("not hex", vec![("csrf", "<script>")]),
    ] {
        let r = s.post_raw(&accept, &fields).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what} token");
        let body = r.text().await.unwrap();
        assert!(body.contains("表单校验失败"), "{what}: {body}");
    }
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("referer", "https://evil.example/page"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let r = s
            .client
            .post(h.url(&accept))
            .header(header, value)
            .form(&[("csrf", s.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    // Every action route checks it (not only accept).
    for action in [
        "reject",
        "transfer",
        "request-material",
        "material-received",
        "conclude",
        "publish",
    ] {
        let r = s
            .post_raw(
                &format!("/staff/cases/{number}/{action}"),
                &[("csrf", &forged)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(h.status(&number).await.0, "received");
    // A sign-in form posted from another site is refused too (login CSRF).
    let r = h
        .client()
        .post(h.url("/staff/login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "zjj.li"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = s
        .client
        .post(h.url(&accept))
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .header("referer", h.url(&format!("/staff/cases/{number}")))
        .form(&[("csrf", s.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(h.status(&number).await.0, "accepted");
    // The token on the pages is the session's.
    let page = s
        .get(&format!("/staff/cases/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csrf_of(&page).as_deref(), Some(s.csrf.as_str()));
}

/// A link to a case (as in the department's mail) leads through the sign-in page back to the
/// case; an off-site `next` is ignored.
#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let number = h.case(CaseSpec::complaint("zjj")).await;
    let c = h.client();
    let r = c
        .get(h.url(&format!("/staff/cases/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let login = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(login, format!("/staff/login?next=/staff/cases/{number}"));
    let html = c
        .get(h.url(&login))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("name=\"next\" value=\"/staff/cases/{number}\"")));
    let r = c
        .post(h.url("/staff/login"))
        .form(&[
            ("username", "zjj.li"),
            ("password", PASSWORD),
            ("next", &format!("/staff/cases/{number}")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/staff/cases/{number}")
    );
    let r = h
        .client()
        .post(h.url("/staff/login"))
        .form(&[
            ("username", "zjj.li"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/staff/");
}
