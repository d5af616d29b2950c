//! A company page in a real browser: headless Chromium, driven through chromedriver, at a phone's
//! width (390 px) and a desktop's (1280 px). The page is measured, not compared pixel by pixel; the
//! screenshots are saved beside the site (and copied to `SCREENSHOT_DIR` when it is set).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use fantoccini::ClientBuilder;
use tower_http::services::ServeDir;

use crate::support::{day, demo_content};

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
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
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (Debian package chromium-driver)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, port }
}

/// A headless Chromium session with a window `width` × `height`, with a fresh profile.
async fn browser(
    driver: &Driver,
    profile: &std::path::Path,
    (width, height): (u32, u32),
) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
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
    // Headless Chromium's window is at least 500 px wide: a phone's viewport is set by its
    // device metrics instead, as a phone sets it.
    if width < 500 {
        options["mobileEmulation"] = serde_json::json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0 },
        });
    }
    caps.insert("goog:chromeOptions".into(), options);
    // chromedriver speaks plain HTTP on loopback: no TLS stack.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a chromedriver session")
}

/// What the test measures on the page, in CSS pixels.
#[derive(Debug, serde::Deserialize)]
struct Layout {
    /// The window's width, and how wide the page's content is (wider: it scrolls sideways).
    width: f64,
    scroll: f64,
    /// The right edge of the credit code and its left edge, and the same of its label.
    code_right: f64,
    code_left: f64,
    label_left: f64,
    /// The right edge of the widest bid, table region and flag.
    bids_right: f64,
    tables_right: f64,
    alert_right: f64,
    /// How many bids, and how many of them take more than one line of facts.
    bids: usize,
    wrapped_bids: usize,
}

const MEASURE: &str = "
    const right = (sel) => Math.max(0, ...[...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect().right));
    const code = document.querySelector('main dl.fields dd.code').getBoundingClientRect();
    const label = document.querySelector('main dl.fields dt').getBoundingClientRect();
    const metas = [...document.querySelectorAll('main ul.items li.item p.item-meta')];
    const line = (p) => parseFloat(getComputedStyle(p).fontSize) * 1.9;
    return {
        width: window.innerWidth,
        scroll: document.documentElement.scrollWidth,
        code_right: code.right,
        code_left: code.left,
        label_left: label.left,
        bids_right: right('main ul.items li.item'),
        tables_right: right('main .table-scroll'),
        alert_right: right('main section.alert'),
        bids: metas.length,
        wrapped_bids: metas.filter(p => p.getBoundingClientRect().height > line(p)).length,
    };";

/// 河南汇鼎's page (bids, a win while black-listed, a penalty, credit entries, an inspection) at
/// 390 px: nothing makes the page scroll sideways, the credit code, every bid, the wins table and
/// the flag stay on screen, and a bid's facts wrap onto more lines rather than run off the edge.
/// At 1280 px the fields sit beside their labels and a bid's facts take one line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_page_reads_on_a_phone_and_on_a_desktop() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    site_gen::build::build(&site_gen::build::Options {
        content: demo_content(),
        out: out.clone(),
        index: None,
        today: day("2026-11-26"),
        clean: true,
        progress: false,
        signals: None,
    })
    .expect("the demo site builds");
    let router: Router = Router::new().fallback_service(ServeDir::new(&out));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let shots = tmp.path().join("shots");
    std::fs::create_dir_all(&shots).unwrap();

    let driver = start_driver();
    let mut seen = Vec::new();
    for size in [(390, 844), (1280, 900)] {
        let profile = tempfile::tempdir().unwrap();
        let client = browser(&driver, profile.path(), size).await;
        let measured = async {
            client
                .goto(&format!("http://{addr}/companies/91410400MA1YR1W4YN/"))
                .await?;
            let layout = client.execute(MEASURE, vec![]).await?;
            let png = client.screenshot().await?;
            Ok::<_, fantoccini::error::CmdError>((layout, png))
        }
        .await;
        let _ = client.close().await;
        let (layout, png) = measured.expect("the browser session");
        let file = shots.join(format!("company-{}.png", size.0));
        std::fs::write(&file, &png).unwrap();
        if let Ok(dir) = std::env::var("SCREENSHOT_DIR") {
            std::fs::copy(
                &file,
                std::path::Path::new(&dir).join(file.file_name().unwrap()),
            )
            .unwrap();
        }
        let layout: Layout = serde_json::from_value(layout).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a screenshot at {}px", size.0);
        seen.push(layout);
    }
    let (phone, desktop) = (&seen[0], &seen[1]);
    assert!(
        phone.width == 390.0 && phone.scroll <= phone.width,
        "the page scrolls sideways on a phone: {phone:?}"
    );
    for (what, right) in [
        ("the credit code", phone.code_right),
        ("a bid", phone.bids_right),
        ("the wins table", phone.tables_right),
        ("the flag", phone.alert_right),
    ] {
        assert!(
            right > 0.0 && right <= phone.width,
            "{what} ends at {right}px on a {}px screen: {phone:?}",
            phone.width
        );
    }
    assert!(
        phone.bids >= 2 && phone.wrapped_bids >= 1,
        "a bid's facts wrap on a phone: {phone:?}"
    );
    assert!(
        desktop.code_left > desktop.label_left + 100.0,
        "on a desktop the credit code sits beside its label: {desktop:?}"
    );
    assert_eq!(
        desktop.wrapped_bids, 0,
        "on a desktop each bid's facts take one line: {desktop:?}"
    );
    assert!(
        desktop.width == 1280.0 && desktop.scroll <= desktop.width,
        "{desktop:?}"
    );
}
