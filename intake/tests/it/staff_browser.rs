//! A real browser on the staff side: headless Chromium (over chromedriver's WebDriver JSON)
//! follows a case link to the sign-in page, signs in, lands back on the case, accepts it through
//! the page's form and signs out. It proves what the HTTP tests cannot: that Chromium keeps the
//! `__Host-` Secure cookie on http://127.0.0.1, and that its form posts — `Origin: null` under
//! the intake's `Referrer-Policy: no-referrer` — pass the CSRF checks.

use serde_json::Value;

use crate::staff_harness::{CaseSpec, Harness, PASSWORD};
use crate::webdriver::Driver;

#[tokio::test]
async fn chromium_signs_in_accepts_a_case_and_signs_out() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let number = h.case(CaseSpec::complaint("zjj")).await;
    let profile = tempfile::tempdir().unwrap();
    let browser = Driver::start(profile.path()).await;

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
