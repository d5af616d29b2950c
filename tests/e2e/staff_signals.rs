//! The supervision signals on the one port: `yangguang serve` builds them beside the site and
//! intake's staff pages read that very folder; signed out, the pages send you to sign in.

use std::path::Path;

use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::redirect::Policy;

use crate::support::start;

const PASSWORD: &str = "correct horse battery staple";

/// An account `office` of the committee office, made as `intake staff add` makes it.
fn office_account(server: &crate::support::Server) {
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
}

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

    let client = reqwest::blocking::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let url = |path: &str| format!("{}{path}", server.base);
    let r = client.get(url("/staff/signals/")).send().unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/staff/login"));

    office_account(&server);
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

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: std::process::Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver is installed (Debian package chromium-driver)");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Driver { child, port }
}

/// A headless Chromium session `width` px wide with a fresh profile; below 500 px (headless
/// Chromium's narrowest window) the viewport is set by device metrics, as a phone sets it.
async fn browser(driver: &Driver, profile: &Path, (width, height): (u32, u32)) -> Client {
    let mut options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars",
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    if width < 500 {
        options["mobileEmulation"] = serde_json::json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0 },
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a chromedriver session")
}

/// What the test measures of a staff page, in CSS pixels: the window, how wide the content is
/// (wider: it scrolls sideways), the right edge of the furthest table cell, paragraph or list
/// item outside the filter rows, and how many links to signals are on it.
#[derive(Debug, serde::Deserialize)]
struct Layout {
    width: f64,
    scroll: f64,
    right: f64,
    /// The start of the element that reaches furthest right.
    widest: String,
    signal_links: usize,
    text: String,
}

const MEASURE: &str = "
    // Filter rows (.chips) and wide tables (.table-scroll) scroll sideways inside themselves
    // on a phone, by design; everything else must fit the screen.
    const boxes = [...document.querySelectorAll('main td, main th, main p, main dd, main li')]
        .filter(e => !e.closest('.chips, .table-scroll'));
    const widest = boxes.reduce((a, e) => (a && a.getBoundingClientRect().right >= e.getBoundingClientRect().right) ? a : e, null);
    return {
        width: window.innerWidth,
        scroll: document.documentElement.scrollWidth,
        right: widest ? widest.getBoundingClientRect().right : 0,
        widest: widest ? widest.outerHTML.slice(0, 200) : '',
        signal_links: document.querySelectorAll('main a[href^=\"/staff/signals/\"]').length,
        text: document.querySelector('main').innerText,
    };";

/// The signals the demo build wrote, in a real browser signed in as the committee office: the
/// list and an evidence card at a phone's width (390 px) and a desktop's (1280 px). Nothing runs
/// off the side of the screen, the risk-hint wording is there, and the screenshots (saved in the
/// test's folder and copied to `SCREENSHOT_DIR` when set) show a page, not a blank.
#[test]
fn the_signal_pages_read_on_a_phone_and_on_a_desktop() {
    let server = start();
    office_account(&server);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(server.dir.path().join("signals/signals.json")).unwrap(),
    )
    .unwrap();
    let first = json["signals"][0]["id"].as_str().unwrap().to_string();
    let shots = server.dir.path().join("shots");
    std::fs::create_dir_all(&shots).unwrap();
    let driver = start_driver();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for size in [(390, 844), (1280, 900)] {
        let profile = tempfile::tempdir().unwrap();
        let pages = runtime.block_on(async {
            let client = browser(&driver, profile.path(), size).await;
            let seen = async {
                client.goto(&format!("{}/staff/login", server.base)).await?;
                client
                    .find(Locator::Css("#username"))
                    .await?
                    .send_keys("office")
                    .await?;
                client
                    .find(Locator::Css("#password"))
                    .await?
                    .send_keys(PASSWORD)
                    .await?;
                client
                    .find(Locator::Css(
                        "form[action='/staff/login'] button[type=submit]",
                    ))
                    .await?
                    .click()
                    .await?;
                client.wait().for_element(Locator::Css("main")).await?;
                let mut pages = Vec::new();
                for path in [
                    "/staff/signals/".to_string(),
                    format!("/staff/signals/{first}"),
                ] {
                    client.goto(&format!("{}{path}", server.base)).await?;
                    let layout = client.execute(MEASURE, vec![]).await?;
                    let png = client.screenshot().await?;
                    pages.push((path, layout, png));
                }
                Ok::<_, fantoccini::error::CmdError>(pages)
            }
            .await;
            let _ = client.close().await;
            seen.expect("the browser session")
        });
        for (i, (path, layout, png)) in pages.into_iter().enumerate() {
            let layout: Layout = serde_json::from_value(layout).unwrap();
            let name = format!("signals-{}-{}.png", ["list", "card"][i], size.0);
            let file = shots.join(&name);
            std::fs::write(&file, &png).unwrap();
            if let Ok(dir) = std::env::var("SCREENSHOT_DIR") {
                std::fs::copy(&file, Path::new(&dir).join(&name)).unwrap();
            }
            let (_, _, ink) = crate::screenshots::ink(&file);
            assert!(ink > 0.02, "{path} at {}px looks blank ({ink})", size.0);
            assert!(
                layout.text.contains("不作为违法认定依据"),
                "{path} at {}px is not the signals page: {}",
                size.0,
                layout.text
            );
            assert!(layout.signal_links >= 1, "{path}: {layout:?}");
            assert!(
                layout.scroll <= layout.width && layout.right <= layout.width + 0.5,
                "{path} runs off a {}px screen at {}: {layout:?}",
                size.0,
                layout.widest
            );
        }
    }
}
