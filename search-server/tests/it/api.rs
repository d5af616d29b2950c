//! The pages and APIs of SPEC as a client sees them: JSON shape, filters, facets, sorting,
//! pagination, the HTML page, RSS, the credit lookup and the health check.

use crate::fixtures::fixture;
use crate::support::*;

#[tokio::test]
async fn json_has_exactly_the_fields_of_spec() {
    let s = demo_server().await;
    let v = s.search("鹰城建设", "").await;
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["company", "facets", "hits", "page", "partial", "took_ms", "total"]
    );
    assert!(v["total"].as_u64().unwrap() >= 5, "{v}");
    assert_eq!(v["page"], 1);
    assert!(v["took_ms"].is_number());
    let hit = &v["hits"][0];
    let mut keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "companies",
            "date",
            "id",
            "kind",
            "partial",
            "snippet",
            "title",
            "url"
        ]
    );
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>鹰城建设</mark>"),
        "{hit}"
    );
    assert!(hit["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{}/", hit["id"].as_str().unwrap())));
    for facet in ["kind", "category", "stage", "department", "buyer", "agency"] {
        assert!(v["facets"][facet].is_object(), "{facet}: {v}");
    }
    let kinds: u64 = v["facets"]["kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(kinds, v["total"].as_u64().unwrap());
}

#[tokio::test]
async fn filters_sorting_and_pages() {
    let s = demo_server().await;
    let all = s.search("平顶山", "").await;
    let total = all["total"].as_u64().unwrap();
    assert!(total > 20, "{total}");
    let notices = s.search("平顶山", "&kind=notice").await;
    assert_eq!(notices["total"], all["facets"]["kind"]["notice"]);
    assert!(notices["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "notice"));
    let zjj = s
        .search("平顶山", "&department=zjj&category=construction")
        .await;
    assert!(zjj["total"].as_u64().unwrap() > 0);
    let dated = s
        .search("平顶山", "&from=2026-06-01&to=2026-06-30&sort=date")
        .await;
    let dates: Vec<&str> = dated["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(!dates.is_empty());
    assert!(
        dates
            .iter()
            .all(|d| ("2026-06-01"..="2026-06-30").contains(d)),
        "{dates:?}"
    );
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    let page2 = s.search("平顶山", "&page=2").await;
    assert_eq!(page2["page"], 2);
    let (a, b) = (ids(&all), ids(&page2));
    assert!(
        a.iter().all(|id| !b.contains(id)),
        "pages overlap: {a:?} {b:?}"
    );
    // Filters alone list the newest of a kind.
    let r = s.get("/api/search?kind=penalty").await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn html_page_in_the_theme_with_marks_facets_and_pagination() {
    let s = demo_server().await;
    let r = s.get(&format!("/search?q={}", encode("平顶山"))).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(doc.select(&sel("html[lang=zh-CN]")).count(), 1);
    assert!(doc.select(&sel("script")).next().is_none(), "no JavaScript");
    assert_eq!(doc.select(&sel("ol.items > li")).count(), 10);
    assert!(doc.select(&sel("ol.items mark")).count() > 0);
    let facet_links: Vec<String> = doc
        .select(&sel("nav.filters a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert!(
        facet_links.iter().any(|h| h.contains("kind=notice")),
        "{facet_links:?}"
    );
    assert!(doc.select(&sel("nav.pagination a[rel=next]")).count() == 1);
    assert!(
        doc.select(&sel("label[for=search-q]")).count() == 1,
        "the query box has a label"
    );
    assert!(html.contains("网站标识码"), "footer of the theme");
    // A facet link works and keeps the query.
    let link = facet_links
        .iter()
        .find(|h| h.contains("kind=penalty"))
        .unwrap();
    let html = s.get(link).await.text().await.unwrap();
    assert!(html.contains("行政处罚"));
}

#[tokio::test]
async fn no_results_page_helps() {
    let s = demo_server().await;
    let r = s
        .get(&format!(
            "/search?q={}&kind=power",
            encode("完全不存在的词语组合")
        ))
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("没有找到"), "{html}");
    assert!(html.contains("去掉筛选条件"));
    assert!(html.contains("href=\"/notices/\""));
}

#[tokio::test]
async fn saved_search_feed() {
    let s = demo_server().await;
    let r = s
        .get(&format!("/search.rss?q={}", encode("鹰城建设")))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/rss+xml"));
    let channel = rss::Channel::read_from(&r.bytes().await.unwrap()[..]).unwrap();
    assert!(channel.title().contains("鹰城建设"));
    assert!(!channel.items().is_empty());
    let first = &channel.items()[0];
    assert!(first.link().unwrap().starts_with("https://"));
    assert!(first.pub_date().is_some());
    assert_eq!(s.get("/search.rss").await.status(), 400);
}

#[tokio::test]
async fn credit_lookup_by_code_and_by_name() {
    let f = fixture().await;
    let s = &f.server;
    for url in [
        format!("/api/credit?code={}", f.yingcheng_code),
        format!("/api/credit?code={}", f.yingcheng_code.to_lowercase()),
        format!(
            "/api/credit?name={}",
            encode("平顶山市鹰城建设工程有限公司")
        ),
    ] {
        let r = s.get(&url).await;
        assert_eq!(r.status(), 200, "{url}");
        let v: serde_json::Value = r.json().await.unwrap();
        let black: Vec<&str> = v["black"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(black, ["c-black"], "{url}: {v}");
        assert!(
            v["red"].as_array().unwrap().is_empty(),
            "an expired entry is not current: {v}"
        );
        let penalties: Vec<&str> = v["penalties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(penalties, ["p-yingcheng"], "{url}: {v}");
        assert_eq!(v["penalties"][0]["decision_no"], "平建罚〔2026〕12号");
    }
    assert_eq!(s.get("/api/credit").await.status(), 400);
    assert_eq!(
        s.get(&format!("/api/credit?code={}", "9".repeat(500)))
            .await
            .status(),
        400
    );
    // A well-formed code of nobody on a list: an empty answer. A malformed one (a wrong check
    // character, a letter the codes never use, a short code): 400.
    let v: serde_json::Value = s
        .get("/api/credit?code=91410400MA0000000A")
        .await
        .json()
        .await
        .unwrap();
    assert!(v["black"].as_array().unwrap().is_empty());
    for bad in ["91410400MA00000000", "91410400MA0000000I", "9141040", "ABC"] {
        assert_eq!(
            s.get(&format!("/api/credit?code={bad}")).await.status(),
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn health() {
    let s = demo_server().await;
    let v: serde_json::Value = s.get("/healthz").await.json().await.unwrap();
    assert_eq!(v["status"], "ok");
    assert!(v["docs"].as_u64().unwrap() > 80, "{v}");
}

#[tokio::test]
async fn very_common_words_are_counted_up_to_the_cap() {
    use search_server::engine::Engine;
    use search_server::AppState;
    use std::sync::Arc;
    let index = demo_index();
    let content = demo_content();
    let plain = serve(index, &content, unlimited()).await;
    let exact = plain.search("平顶山", "").await;
    let exact_total = exact["total"].as_u64().unwrap();
    assert!(exact_total > 20);

    // The same index, counting exactly only up to 5 matches.
    let site = disclosure::SiteConfig::parse(
        "site.toml",
        &std::fs::read_to_string(content.join("site.toml")).unwrap(),
    )
    .unwrap();
    let departments = disclosure::Departments::parse(
        "departments.toml",
        &std::fs::read_to_string(content.join("departments.toml")).unwrap(),
    )
    .unwrap();
    let engine = Engine::open(index).unwrap().with_count_cap(5);
    let state = AppState::new(engine, site, departments, unlimited(), Arc::new(today));
    let s = serve_state(state).await;
    let capped = s.search("平顶山", "").await;
    assert_eq!(capped["total"], 5, "{capped}");
    assert!(!capped["hits"].as_array().unwrap().is_empty());
    let html = s
        .get(&format!("/search?q={}", encode("平顶山")))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("5+"), "the page says there are more");
    // Sorted by date, the newest matches are exact even past the cap.
    let by_date = |v: &serde_json::Value| ids(v);
    assert_eq!(
        by_date(&s.search("平顶山", "&sort=date").await),
        by_date(&plain.search("平顶山", "&sort=date").await)
    );
    // Rare words are unaffected.
    assert_eq!(
        s.search("违法分包", "").await["total"],
        plain.search("违法分包", "").await["total"]
    );
}

/// A character alone, and a character beside digits, are found wherever they stand inside a word
/// of the body (the index holds no character alone inside a run), and the snippet shows them.
#[tokio::test]
async fn a_character_inside_a_word_is_found_and_marked() {
    let s = demo_server().await;
    for (q, want) in [
        ("涵", ["2026-jt-0005-tender", "2026-jt-0005-approval"]),
        ("150日", ["2026-sl-0009-contract", "2026-sl-0009-opening"]),
    ] {
        let v = s.search(q, "").await;
        let full: Vec<&serde_json::Value> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["partial"] == false)
            .collect();
        for id in want {
            let hit = full
                .iter()
                .find(|h| h["id"] == id)
                .unwrap_or_else(|| panic!("{q}: {id} not among the full matches: {v}"));
            let snippet = hit["snippet"].as_str().unwrap();
            assert!(
                snippet.contains(&format!("<mark>{q}</mark>")),
                "{q}: {snippet}"
            );
        }
    }
}
