//! A real browser on the staff side: headless Chromium (over chromedriver's WebDriver JSON)
//! follows a case link to the sign-in page, signs in, lands back on the case, accepts it through
//! the page's form and signs out. It proves what the HTTP tests cannot: that Chromium keeps the
//! `__Host-` Secure cookie on http://127.0.0.1, and that its form posts — `Origin: null` under
//! the intake's `Referrer-Policy: no-referrer` — pass the CSRF checks.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::staff_harness::{CaseSpec, Harness, PASSWORD};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Browser {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    async fn start(profile: &std::path::Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed");
        let mut browser = Browser {
            child,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !browser.ready().await {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.display())],
            }
        }}});
        let v = browser.call("POST", "", caps).await;
        browser.session = v["sessionId"].as_str().expect("a session").to_string();
        browser
    }

    async fn ready(&self) -> bool {
        match self.http.get(format!("{}/status", self.base)).send().await {
            Ok(r) => r
                .json::<Value>()
                .await
                .is_ok_and(|v| v["value"]["ready"] == true),
            Err(_) => false,
        }
    }

    /// A WebDriver command on the session (`path` after `/session/<id>`; "" creates one).
    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if self.session.is_empty() {
            format!("{}/session", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let request = match method {
            "POST" => self.http.post(url).json(&body),
            "DELETE" => self.http.delete(url),
            _ => self.http.get(url),
        };
        let v: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(v["value"]["error"].is_null(), "{method} {path}: {v}");
        v["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    /// The element matching `css`, waiting for the page to get there.
    async fn element(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v: Value = self
                .http
                .post(format!("{}/session/{}/element", self.base, self.session))
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(id) = v["value"][ELEMENT].as_str() {
                return id.to_string();
            }
            if Instant::now() > deadline {
                let source = self.call("GET", "/source", Value::Null).await;
                panic!("{css} never appeared; the page is:\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        let path = format!("/element/{id}/value");
        self.call("POST", &path, json!({ "text": text })).await;
    }

    async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call("POST", &format!("/element/{id}/click"), json!({}))
            .await;
    }

    async fn url(&self) -> String {
        self.call("GET", "/url", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn chromium_signs_in_accepts_a_case_and_signs_out() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let number = h.case(CaseSpec::complaint("zjj")).await;
    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::start(profile.path()).await;

    // The link from the department's mail: sign in first, then back to the case.
    browser.go(&h.url(&format!("/staff/cases/{number}"))).await;
    browser.type_into("#username", "zjj.li").await;
    browser.type_into("#password", PASSWORD).await;
    browser
        .click("form[action='/staff/login'] button[type=submit]")
        .await;
    browser.element("#act-accept").await;
    assert_eq!(
        browser.url().await,
        h.url(&format!("/staff/cases/{number}"))
    );

    browser
        .type_into("#accept-note", "材料齐全，予以受理")
        .await;
    browser
        .click("#act-accept + form button[type=submit]")
        .await;
    // Accepted: the page now offers to conclude.
    browser.element("#act-conclude").await;
    assert_eq!(h.status(&number).await.0, "accepted");
    let events = h.events(&number).await;
    assert!(
        events.contains(&("zjj.li".into(), "accepted".into())),
        "{events:?}"
    );

    browser
        .click("form[action='/staff/logout'] button[type=submit]")
        .await;
    browser.element("#username").await;
    browser.go(&h.url("/staff/")).await;
    browser.element("#username").await;
    browser.call("DELETE", "", Value::Null).await;
}
