//! The supervision signals on the one port: `yangguang serve` builds them beside the site and
//! intake's staff pages read that very folder; signed out, the pages send you to sign in.

use reqwest::blocking::Client;
use reqwest::redirect::Policy;

use crate::support::start;

const PASSWORD: &str = "correct horse battery staple";

#[test]
fn the_office_reads_the_signals_the_server_built() {
    let server = start();
    let folder = server.dir.path().join("signals");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("signals.json")).unwrap())
            .unwrap();
    let first = json["signals"][0]["id"]
        .as_str()
        .expect("the demo has signals")
        .to_string();
    assert!(
        !server.dir.path().join("public/signals").exists(),
        "not published unless site.toml says so"
    );

    let client = Client::builder().redirect(Policy::none()).build().unwrap();
    let url = |path: &str| format!("{}{path}", server.base);
    let r = client.get(url("/staff/signals/")).send().unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/staff/login"));

    // An account of the committee office, made as `intake staff add` makes it.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let settings = intake::Settings {
            content: server.dir.path().join("content"),
            db: server
                .dir
                .path()
                .join("data/intake.sqlite3")
                .display()
                .to_string(),
            config: None,
            rate_limit: false,
            signals: None,
        };
        let state = intake::AppState::from_settings(&settings).await.unwrap();
        intake::staff::add_account(&state, "office", "gongguan", PASSWORD)
            .await
            .unwrap();
    });
    let signed_in = client
        .post(url("/staff/login"))
        .form(&[("username", "office"), ("password", PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = |path: &str| {
        let r = client
            .get(url(path))
            .header("cookie", &cookie)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.text().unwrap()
    };
    let list = page("/staff/signals/");
    assert!(list.contains("不作为违法认定依据"));
    assert!(
        list.contains(&format!("href=\"/staff/signals/{first}\"")),
        "{list}"
    );
    let card = page(&format!("/staff/signals/{first}"));
    assert!(
        card.contains("相关规定") && card.contains("涉及项目"),
        "{card}"
    );
}
