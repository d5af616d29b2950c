//! A real browser: headless Chromium, driven over the WebDriver protocol by chromedriver
//! (plain JSON over HTTP with the test's HTTP client, no WebDriver crate), fills in the form,
//! attaches a PDF, submits it, and reads the tracking number back.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::TestApp;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start(profile: &std::path::Path) -> Driver {
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
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await {
                if r.json::<Value>()
                    .await
                    .map(|v| v["value"]["ready"] == true)
                    .unwrap_or(false)
                {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut driver = Driver {
            child,
            base,
            session: String::new(),
            http,
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.display())],
            }
        }}});
        let v = driver.call("POST", "/session", caps).await;
        driver.session = v["sessionId"].as_str().expect("a session").to_string();
        driver
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let r = match method {
            "POST" => self.http.post(url).json(&body),
            "DELETE" => self.http.delete(url),
            _ => self.http.get(url),
        }
        .send()
        .await
        .unwrap();
        let v: Value = r.json().await.unwrap();
        assert!(v["value"]["error"].is_null(), "{method} {path}: {v}");
        v["value"].clone()
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    async fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let v: Value = self
                .http
                .post(url)
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
        let id = self.find(css).await;
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            json!({"text": text}),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call("POST", &format!("/element/{id}/click"), json!({}))
            .await;
    }

    async fn text(&self, id: &str) -> String {
        self.call("GET", &format!("/element/{id}/text"), Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn chromium_submits_the_form_with_an_attachment() {
    let app = TestApp::start().await;
    let profile = tempfile::tempdir().unwrap();
    let pdf = app.dir.path().join("证据.pdf");
    std::fs::write(&pdf, crate::submit::pdf_bytes(2000)).unwrap();

    let driver = Driver::start(profile.path()).await;
    driver
        .call("POST", "/url", json!({"url": app.url("/submit")}))
        .await;
    driver.click("#kind-complaint").await;
    driver.type_into("#title", "开标记录与实际不符").await;
    driver
        .type_into("#content", "开标记录中我公司报价被误记，请核查。")
        .await;
    driver.type_into("#project", crate::support::PROJECT).await;
    driver.type_into("#name", "测试建设有限公司").await;
    driver.type_into("#phone", "13800000000").await;
    driver
        .type_into("#attachments", &pdf.display().to_string())
        .await;
    driver
        .click("form[action='/submit'] button[type=submit]")
        .await;
    let id = driver.wait_for("#tracking-number").await;
    let number = driver.text(&id).await;
    let key_id = driver.find("#access-key").await;
    let key = driver.text(&key_id).await;
    driver.call("DELETE", "", Value::Null).await;

    assert!(number.starts_with("TS-20260928-"), "{number}");
    let case = intake::cases::find_by_number(&app.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    let files = intake::cases::attachments(&app.state.db, case.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "证据.pdf");
    assert_eq!(files[0].content_type, "application/pdf");
    assert!(app.state.db.backend() == intake::db::Backend::Sqlite);
    assert_eq!(
        intake::public::lookup(&app.state, &number, &key)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(case.id)
    );
}
