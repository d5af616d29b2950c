//! A real browser: headless Chromium, driven through chromedriver, types a company name in the
//! home page's search box (the site built by `site-gen build`, served with search on one port),
//! submits, and lands on the results page, then on the disclosure it found.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use fantoccini::{ClientBuilder, Locator};
use tower_http::services::ServeDir;

use crate::support::*;

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_driver() -> Driver {
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

/// A headless Chromium session at a phone's size (390 × 844), with a fresh profile.
pub(crate) async fn phone_browser(
    driver: &Driver,
    profile: &std::path::Path,
) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=390,844",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    // chromedriver speaks plain HTTP on loopback: no TLS stack (and no second rustls provider).
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a chromedriver session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_a_company_name_on_the_home_page_lands_on_its_results() {
    // The whole site and its index, built as `site-gen build` builds them.
    let tmp = tempfile::tempdir().unwrap();
    let (out, index) = (tmp.path().join("public"), tmp.path().join("index"));
    site_gen::build::build(&site_gen::build::Options {
        content: demo_content(),
        out: out.clone(),
        index: Some(index.clone()),
        today: today(),
        clean: true,
        progress: false,
        signals: None,
    })
    .expect("the demo site builds");

    // Search beside the static site on one port, as the root binary serves them.
    let state = search_server::AppState::open(&index, &demo_content(), unlimited()).unwrap();
    let router: Router = search_server::app(state).fallback_service(ServeDir::new(&out));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let base = format!("http://{addr}");

    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = phone_browser(&driver, profile.path()).await;

    let result = async {
        client.goto(&format!("{base}/")).await?;
        let input = client
            .find(Locator::Css("main form[role=search] input[name=q]"))
            .await?;
        input.send_keys("鹰城建设").await?;
        let form = client.find(Locator::Css("main form[role=search]")).await?;
        form.find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        let started = Instant::now();
        while client.current_url().await?.path() != "/search"
            && started.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let searched = client.current_url().await?;
        let heading = client.find(Locator::Css("h1")).await?.text().await?;
        let first = client.find(Locator::Css("ol.items a.item-title")).await?;
        let first_title = first.text().await?;
        let marked = client.find_all(Locator::Css("ol.items mark")).await?.len();
        first.click().await?;
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main h1"))
            .await?;
        let landed = client.current_url().await?;
        let page_title = client.find(Locator::Css("main h1")).await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>((
            searched,
            heading,
            first_title,
            marked,
            landed,
            page_title,
        ))
    }
    .await;
    let _ = client.close().await;
    let (searched, heading, first_title, marked, landed, page_title) =
        result.expect("the browser session");
    assert_eq!(
        searched.query(),
        Some("q=%E9%B9%B0%E5%9F%8E%E5%BB%BA%E8%AE%BE"),
        "{searched}"
    );
    assert!(heading.contains("鹰城建设"), "{heading}");
    assert!(first_title.contains("鹰城建设"), "{first_title}");
    assert!(marked > 0);
    assert_eq!(landed.path(), "/penalties/pjf-2026-12/", "{landed}");
    assert!(
        page_title.contains("平顶山市鹰城建设工程有限公司"),
        "{page_title}"
    );
}

/// On a phone (390 px) the bidders of a result are cards: a disqualification reason wraps across
/// the card instead of one character per line, the credit code stays on screen, and the page
/// never scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidders_are_cards_on_a_phone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    site_gen::build::build(&site_gen::build::Options {
        content: demo_content(),
        out: out.clone(),
        index: None,
        today: today(),
        clean: true,
        progress: false,
        signals: None,
    })
    .expect("the demo site builds");
    let router: Router = Router::new().fallback_service(ServeDir::new(&out));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = phone_browser(&driver, profile.path()).await;
    let measured = async {
        client
            .goto(&format!("http://{addr}/results/2026-zj-0018-award/"))
            .await?;
        client
            .execute(
                "const w = window.innerWidth;
                 const reason = document.querySelector('table.bidders .reason').getBoundingClientRect();
                 const codes = [...document.querySelectorAll('table.bidders td.code')].map(c => c.getBoundingClientRect().right);
                 return [w, reason.width, Math.max(...codes), document.documentElement.scrollWidth];",
                vec![],
            )
            .await
    }
    .await;
    let _ = client.close().await;
    let v = measured.expect("the browser session");
    let n = |i: usize| v[i].as_f64().unwrap();
    let (width, reason, code_right, scroll) = (n(0), n(1), n(2), n(3));
    assert!(
        reason > width * 0.6,
        "the reason is {reason}px wide on a {width}px screen"
    );
    assert!(
        code_right <= width,
        "a credit code ends at {code_right}px on a {width}px screen"
    );
    assert!(
        scroll <= width,
        "the page scrolls sideways: {scroll}px on {width}px"
    );
}
