//! A real browser: headless Chromium, driven over the WebDriver protocol by chromedriver
//! (plain JSON over HTTP with the test's HTTP client, no WebDriver crate), fills in the form,
//! attaches a PDF, submits it, and reads the tracking number back.

use serde_json::{json, Value};

use crate::support::TestApp;
use crate::webdriver::Driver;

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
    let id = driver.element("#tracking-number").await;
    let number = driver.text(&id).await;
    let key_id = driver.element("#access-key").await;
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
