//! One port: the static site, search and intake answer side by side.

use crate::support::start;

#[test]
fn site_search_and_intake_share_one_port() {
    let server = start();
    let get = |path: &str| reqwest::blocking::get(format!("{}{path}", server.base)).unwrap();

    let home = get("/");
    assert_eq!(home.status(), 200);
    let home = home.text().unwrap();
    assert!(
        home.contains("action=\"/search\""),
        "the home page has the search box"
    );
    assert!(
        home.contains("href=\"/submit\""),
        "the home page links to intake"
    );

    let search = get("/search?q=%E9%B9%B0%E5%9F%8E%E5%BB%BA%E8%AE%BE");
    assert_eq!(search.status(), 200);
    let search = search.text().unwrap();
    assert!(
        search.contains("href=\"/penalties/pjf-2026-12/\""),
        "search for 鹰城建设 finds its penalty"
    );
    assert!(
        search.contains("<mark>鹰城建设</mark>"),
        "the match is highlighted"
    );

    let api: serde_json::Value = get("/api/search?q=PDSZJ-2026-0012").json().unwrap();
    assert!(api["total"].as_u64().unwrap() >= 3, "{api}");

    let form = get("/submit");
    assert_eq!(form.status(), 200);
    assert!(
        form.text().unwrap().contains("<form"),
        "the intake form is served"
    );

    // Both services' health checks, each on its own path of the shared router.
    let search_health: serde_json::Value = get("/healthz").json().unwrap();
    assert_eq!(search_health["status"], "ok", "{search_health}");
    assert!(
        search_health["docs"].as_u64().unwrap() > 0,
        "{search_health}"
    );
    let intake_health = get("/submit/healthz");
    assert_eq!(intake_health.status(), 200);
    assert_eq!(
        intake_health.json::<serde_json::Value>().unwrap(),
        serde_json::json!({"status": "ok"})
    );

    let missing = get("/no-such-page/");
    assert_eq!(missing.status(), 404);
    assert!(
        missing.text().unwrap().contains("lang=\"zh-CN\""),
        "the site's own 404 page"
    );

    // Every response carries the same security headers, whichever part of the product sends it.
    for path in [
        "/",
        "/results/",
        "/feeds/all.xml",
        "/search?q=x",
        "/api/search?q=x",
        "/submit",
        "/no-such-page/",
    ] {
        let r = get(path);
        for (name, value) in themes::SECURITY_HEADERS {
            assert_eq!(
                r.headers().get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{path}: {name}"
            );
        }
    }
}
