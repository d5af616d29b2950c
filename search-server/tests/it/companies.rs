//! Companies in search (issue 11): buyer and agency facets and filters, hits linking to the
//! companies they are about, the card of the company a query names, and the credit look-up
//! answering from the same records as the company pages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use scraper::{Html, Selector};
use serde_json::Value;

use crate::support::*;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

const RENAMED: &str = "91410400MAJPK28NQ5";
const OLD_NAME: &str = "平顶山市鹰城建设工程有限公司";
const NEW_NAME: &str = "平顶山市鹰城建设集团有限公司";
const BLACK_LISTED: &str = "91410400MA1YR1W4YN";

#[tokio::test]
async fn search_counts_and_filters_by_buyer_and_agency() {
    let s = demo_server().await;
    let all: Value = s
        .get("/api/search?category=procurement")
        .await
        .json()
        .await
        .unwrap();
    let buyers = all["facets"]["buyer"].as_object().expect("a buyer facet");
    let agencies = all["facets"]["agency"]
        .as_object()
        .expect("an agency facet");
    let bought = buyers["平顶山市机关事务管理局"].as_u64().unwrap();
    let agented = agencies["平顶山市博远工程项目管理有限公司"]
        .as_u64()
        .unwrap();
    assert!(
        bought >= 5,
        "the tender, change, opening and results of PDSCG-2026-038: {all}"
    );
    assert!(agented >= bought, "{all}");

    // Filtering by the name gives what the facet counted, every hit of that buyer; by its
    // credit code, the same.
    for buyer in [
        "平顶山市机关事务管理局",
        "11410400MB1583620F",
        "11410400mb1583620f",
    ] {
        let url = format!("/api/search?category=procurement&buyer={}", encode(buyer));
        let v: Value = s.get(&url).await.json().await.unwrap();
        assert_eq!(v["total"].as_u64(), Some(bought), "{url}: {v}");
        for hit in v["hits"].as_array().unwrap() {
            assert!(
                hit["id"].as_str().unwrap().starts_with("2026-cg-038"),
                "{url}: {hit}"
            );
        }
        assert_eq!(v["facets"]["buyer"].as_object().unwrap().len(), 1, "{v}");
    }
    let url = format!(
        "/api/search?q={}&agency={}",
        encode("采购"),
        encode("平顶山市博远工程项目管理有限公司")
    );
    let v: Value = s.get(&url).await.json().await.unwrap();
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    let nobody = s
        .search("平顶山", &format!("&buyer={}", encode("没有这个采购人")))
        .await;
    assert_eq!(nobody["total"], 0);
    assert_eq!(
        s.get(&format!("/api/search?q=a&buyer={}", "字".repeat(101)))
            .await
            .status(),
        400
    );

    // The HTML page lists them as facet links that apply the filter.
    let html = s
        .get("/search?category=procurement")
        .await
        .text()
        .await
        .unwrap();
    let page = Html::parse_document(&html);
    let headings: Vec<String> = page
        .select(&sel("nav.filters h2"))
        .map(|h| h.text().collect())
        .collect();
    assert!(
        headings.contains(&"采购人（招标人）".to_string())
            && headings.contains(&"代理机构".to_string()),
        "{headings:?}"
    );
    let link = page
        .select(&sel("nav.filters a"))
        .find(|a| {
            a.text()
                .collect::<String>()
                .starts_with("平顶山市机关事务管理局")
        })
        .and_then(|a| a.value().attr("href"))
        .expect("a buyer facet link")
        .to_string();
    let filtered = Html::parse_document(&s.get(&link).await.text().await.unwrap());
    let shown = filtered.select(&sel("ol.items > li")).count() as u64;
    assert_eq!(shown, bought.min(10), "{link}");
}

#[tokio::test]
async fn a_hit_about_a_company_links_to_its_page() {
    let s = demo_server().await;
    // A penalty: its subject.
    let v = s.search("平建罚〔2026〕12号", "").await;
    let hit = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "pjf-2026-12")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        hit["companies"],
        serde_json::json!([{"credit_code": RENAMED, "name": OLD_NAME, "url": format!("/companies/{RENAMED}/")}])
    );
    // A result: its winner, not the losing bidders.
    let v = s.search("PDSZJ-2026-0041", "&kind=result").await;
    let hit = &v["hits"][0];
    let codes: Vec<&str> = hit["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["credit_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [BLACK_LISTED], "{hit}");

    // On the page, under the hit.
    let html = s
        .get(&format!("/search?q={}", encode("平建罚〔2026〕12号")))
        .await
        .text()
        .await
        .unwrap();
    let page = Html::parse_document(&html);
    let item = page
        .select(&sel("ol.items > li"))
        .find(|li| {
            li.select(&sel("a.item-title"))
                .any(|a| a.value().attr("href") == Some("/penalties/pjf-2026-12/"))
        })
        .expect("the penalty is a hit");
    let links: Vec<&str> = item
        .select(&sel(".item-companies a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(links, [format!("/companies/{RENAMED}/")]);
}

#[tokio::test]
async fn a_credit_code_or_an_exact_name_shows_the_company_first() {
    let s = demo_server().await;
    for q in [RENAMED, &RENAMED.to_lowercase(), OLD_NAME, NEW_NAME] {
        let html = s
            .get(&format!("/search?q={}", encode(q)))
            .await
            .text()
            .await
            .unwrap();
        let page = Html::parse_document(&html);
        let card = page
            .select(&sel("main section.company-card"))
            .next()
            .unwrap_or_else(|| panic!("{q}: no company card"));
        let title = card.select(&sel("h2 a")).next().unwrap();
        assert_eq!(
            title.value().attr("href"),
            Some(&*format!("/companies/{RENAMED}/"))
        );
        assert_eq!(title.text().collect::<String>(), NEW_NAME);
        let text: String = card.text().collect();
        assert!(
            text.contains(OLD_NAME) && text.contains("行政处罚 1"),
            "{q}: {text}"
        );
        // The card comes before the hits.
        let card_at = html.find("company-card").unwrap();
        let hits_at = html.find("<ol class=\"items\"").unwrap_or(html.len());
        assert!(card_at < hits_at, "{q}");
        let v = s.search(q, "").await;
        assert_eq!(v["company"]["credit_code"], RENAMED, "{q}: {v}");
        assert_eq!(v["company"]["current"]["penalties"], 1, "{q}: {v}");
    }
    // Part of a name, or a code nobody has: no card.
    for q in ["鹰城建设", "91410400MA0000000A"] {
        let v = s.search(q, "").await;
        assert!(v["company"].is_null(), "{q}: {v}");
    }
}

/// The demo site built on `today` (pages, JSON and index), and the search service over its
/// index judging dates on the same day.
async fn built_and_served(today: NaiveDate) -> (tempfile::TempDir, PathBuf, Server) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let index = tmp.path().join("index");
    site_gen::build::build(&site_gen::build::Options {
        content: demo_content(),
        out: out.clone(),
        index: Some(index.clone()),
        today,
        clean: true,
        progress: false,
        signals: None,
    })
    .expect("the demo site builds");
    // The index folder alone: the companies file came with it.
    let replica = tmp.path().join("replica");
    std::fs::create_dir(&replica).unwrap();
    for entry in std::fs::read_dir(&index).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), replica.join(entry.file_name())).unwrap();
    }
    let state = search_server::AppState::open(&replica, Path::new("/nonexistent"), unlimited())
        .unwrap()
        .with_today(Arc::new(move || today));
    let server = serve_state(state).await;
    (tmp, out, server)
}

/// The ids of the entries under `key` of a credit answer, as site paths.
fn urls(v: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// The company page's JSON: its public penalties and current credit entries, as site paths.
fn page_json(out: &Path, code: &str) -> (Vec<String>, Vec<String>) {
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join(format!("data/companies/{code}.json"))).unwrap(),
    )
    .unwrap();
    let paths = |key: &str| {
        let mut v: Vec<String> = json[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}: {json}"))
            .iter()
            .map(|u| {
                let u = u.as_str().unwrap();
                u[u.find("://").map_or(0, |i| i + 3)..]
                    .split_once('/')
                    .map(|(_, p)| format!("/{p}"))
                    .unwrap()
            })
            .collect();
        v.sort();
        v
    };
    (paths("penalties"), paths("current_credit"))
}

#[tokio::test]
async fn the_credit_look_up_agrees_with_the_company_page() {
    let (_tmp, out, s) = built_and_served(today()).await;
    let (penalties, credit) = page_json(&out, RENAMED);
    assert_eq!(penalties, ["/penalties/pjf-2026-12/"]);
    // The renamed company by its new name (its penalty was published under the old one), its
    // old name and its code: what its page lists.
    for query in [
        format!("name={}", encode(NEW_NAME)),
        format!("name={}", encode(OLD_NAME)),
        format!("code={RENAMED}"),
    ] {
        let v: Value = s
            .get(&format!("/api/credit?{query}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(urls(&v, "penalties"), penalties, "{query}: {v}");
        let mut lists = urls(&v, "black");
        lists.extend(urls(&v, "red"));
        assert_eq!(lists, credit, "{query}: {v}");
        assert_eq!(v["companies"][0]["credit_code"], RENAMED, "{query}: {v}");
        assert_eq!(v["companies"][0]["name"], NEW_NAME, "{query}: {v}");
        // The page says the same.
        let html = s
            .get(&format!("/credit?{query}"))
            .await
            .text()
            .await
            .unwrap();
        let page = Html::parse_document(&html);
        let links: Vec<&str> = page
            .select(&sel("main a"))
            .filter_map(|a| a.value().attr("href"))
            .collect();
        assert!(
            links.contains(&"/penalties/pjf-2026-12/")
                && links.contains(&&*format!("/companies/{RENAMED}/")),
            "{query}: {links:?}"
        );
    }
    // A black-listed company: its current entry, as on its page.
    let (penalties, credit) = page_json(&out, BLACK_LISTED);
    assert!(!credit.is_empty() && !penalties.is_empty());
    let v: Value = s
        .get(&format!("/api/credit?code={BLACK_LISTED}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(urls(&v, "black"), credit, "{v}");
    assert_eq!(urls(&v, "penalties"), penalties, "{v}");
    // A person penalised has no page but is still found by name.
    let v: Value = s
        .get(&format!("/api/credit?name={}", encode("王某某")))
        .await
        .json()
        .await
        .unwrap();
    assert!(v["companies"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(urls(&v, "penalties"), ["/penalties/pjf-2026-23/"], "{v}");
}

#[tokio::test]
async fn an_expired_penalty_leaves_the_page_and_the_look_up_together() {
    // pjf-2026-12 is public until 2027-03-19.
    let (_tmp, out, s) = built_and_served("2027-03-20".parse().unwrap()).await;
    let (penalties, _) = page_json(&out, RENAMED);
    assert!(penalties.is_empty(), "{penalties:?}");
    for query in [
        format!("code={RENAMED}"),
        format!("name={}", encode(NEW_NAME)),
    ] {
        let v: Value = s
            .get(&format!("/api/credit?{query}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(urls(&v, "penalties").is_empty(), "{query}: {v}");
        assert_eq!(v["companies"][0]["credit_code"], RENAMED, "{query}: {v}");
    }
}

/// On a phone, a search for a credit code shows the company's card above the hits, inside the
/// screen, and its link leads to the company page (the site built by `site-gen build`, served
/// with search on one port).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_company_card_comes_first_and_leads_to_the_company_page() {
    use crate::browser::{phone_browser, start_driver};
    use fantoccini::Locator;
    use std::time::Duration;

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
    let state = search_server::AppState::open(&index, &demo_content(), unlimited())
        .unwrap()
        .with_today(Arc::new(today));
    let router: axum::Router =
        search_server::app(state).fallback_service(tower_http::services::ServeDir::new(&out));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });

    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = phone_browser(&driver, profile.path()).await;
    let seen = async {
        client
            .goto(&format!("http://{addr}/search?q={RENAMED}"))
            .await?;
        let measured = client
            .execute(
                "const card = document.querySelector('main section.company-card');
                 const hits = document.querySelector('main ol.items');
                 const c = card.getBoundingClientRect();
                 return [window.innerWidth, c.top, c.right, c.height,
                         hits ? hits.getBoundingClientRect().top : 1e9,
                         document.documentElement.scrollWidth];",
                vec![],
            )
            .await?;
        client
            .find(Locator::Css("main section.company-card h2 a"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main h1"))
            .await?;
        let landed = client.current_url().await?;
        let h1 = client.find(Locator::Css("main h1")).await?.text().await?;
        Ok::<_, fantoccini::error::CmdError>((measured, landed, h1))
    }
    .await;
    let _ = client.close().await;
    let (v, landed, h1) = seen.expect("the browser session");
    let n = |i: usize| v[i].as_f64().unwrap();
    let (width, top, right, height, hits_top, scroll) = (n(0), n(1), n(2), n(3), n(4), n(5));
    assert!(height > 0.0, "the card is shown");
    assert!(
        top < hits_top,
        "the card ({top}px) comes before the hits ({hits_top}px)"
    );
    assert!(
        right <= width && scroll <= width,
        "inside a {width}px screen: {right}, {scroll}"
    );
    assert_eq!(landed.path(), format!("/companies/{RENAMED}/"));
    assert_eq!(h1, NEW_NAME);
}
