//! Search finds what a person means (issue 9 §2): partial matches after the full ones and never
//! in a saved-search feed, colloquial compounds split into known words and the law's forms of a
//! wrong, a title that only mentions a word ranked below documents about it, codes highlighted
//! whole, the `stage` filter and facet, `/search` without words and `/credit` as pages.

use serde_json::Value;

use crate::support::*;

fn uscc(first17: &str) -> String {
    format!(
        "{first17}{}",
        disclosure::ident::uscc_check_char(first17).unwrap()
    )
}

fn notice(id: &str, title: &str, body: &str) -> (String, String) {
    (
        id.to_string(),
        format!("+++\nkind = \"notice\"\ntitle = \"{title}\"\ndate = 2026-05-01\ndepartment = \"czj\"\ncategory = \"procurement\"\nproject = \"P-{id}\"\nstage = \"tender\"\n+++\n{body}\n"),
    )
}

fn award(id: &str, title: &str, body: &str) -> (String, String) {
    (
        id.to_string(),
        format!("+++\nkind = \"result\"\ntitle = \"{title}\"\ndate = 2026-06-01\ndepartment = \"czj\"\ncategory = \"procurement\"\nproject = \"P-{id}\"\nstage = \"award\"\namount = 100000.00\n+++\n{body}\n"),
    )
}

fn penalty(
    id: &str,
    title: &str,
    no: &str,
    subject: &str,
    code: &str,
    violation: &str,
    body: &str,
) -> (String, String) {
    (
        id.to_string(),
        format!("+++\nkind = \"penalty\"\ntitle = \"{title}\"\ndate = 2026-06-10\ndepartment = \"zjj\"\ndecision_no = \"{no}\"\nsubject = \"{subject}\"\nsubject_credit_code = \"{code}\"\nviolation = \"{violation}\"\nbasis = \"《中华人民共和国招标投标法实施条例》\"\npenalty = \"罚款\"\nfine = 50000.00\ndecision_date = 2026-06-10\npublic_until = 2029-06-10\n+++\n{body}\n"),
    )
}

struct Site {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    server: Server,
    code: String,
}

async fn site() -> Site {
    let code = uscc("91410400MA55HY7Q2");
    let docs = [
        notice(
            "n-aircon",
            "第一中学空调采购招标公告",
            "采购空调120台，含安装。空调能效一级。",
        ),
        notice(
            "n-office",
            "行政中心办公楼维修改造（含空调拆装）工程招标公告",
            "维修改造内容：屋面防水、外墙涂料、门窗更换。",
        ),
        award(
            "r-school",
            "第二中学设备采购中标结果公告",
            "本次采购的空调、空调外机及空调安装服务由第二中学设备供应商中标。空调共80台。",
        ),
        penalty(
            "p-fraud",
            "河南宏远建设有限公司投标违法行政处罚决定书",
            "平建罚〔2026〕12号",
            "河南宏远建设有限公司",
            &code,
            "在投标中提供虚假的业绩",
            "2026年3月1日受理。本局于2026年6月10日作出平建罚〔2026〕12号行政处罚决定。",
        ),
        penalty(
            "p-collude",
            "河南汇通工程有限公司投标违法行政处罚决定书",
            "平建罚〔2026〕15号",
            "河南汇通工程有限公司",
            &uscc("91410400MA66HT3K9"),
            "与其他投标人协商投标报价",
            "经查，该公司与其他投标人协商投标报价。",
        ),
    ];
    let content = tempfile::tempdir().unwrap();
    let docs: Vec<(&str, String)> = docs
        .iter()
        .map(|(id, text)| (id.as_str(), text.clone()))
        .collect();
    write_content(content.path(), &docs);
    let index = tempfile::tempdir().unwrap();
    build_index(content.path(), index.path(), today());
    let server = serve(index.path(), content.path(), unlimited()).await;
    Site {
        _dirs: (content, index),
        server,
        code,
    }
}

fn full_and_partial(v: &Value) -> (Vec<String>, Vec<String>) {
    let mut full = Vec::new();
    let mut partial = Vec::new();
    for h in v["hits"].as_array().unwrap() {
        let id = h["id"].as_str().unwrap().to_string();
        if h["partial"] == true {
            partial.push(id);
        } else {
            full.push(id);
        }
    }
    (full, partial)
}

#[tokio::test]
async fn partial_matches_follow_full_ones_and_stay_out_of_feeds() {
    let s = site().await;
    let v = s.server.search("空调 安装 一级", "").await;
    let (full, partial) = full_and_partial(&v);
    assert_eq!(full, ["n-aircon"], "{v}");
    assert!(
        partial.contains(&"r-school".to_string()),
        "two of three words: {v}"
    );
    assert!(
        !partial.contains(&"n-office".to_string()),
        "one of three words: {v}"
    );
    assert_eq!(ids(&v)[0], "n-aircon", "full matches first: {v}");
    assert_eq!(v["partial"], true);
    assert_eq!(v["total"], 1 + partial.len(), "{v}");
    let html = s
        .server
        .get(&format!("/search?q={}", encode("空调 安装 一级")))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("部分相符"), "{html}");
    let rss = s
        .server
        .get(&format!("/search.rss?q={}", encode("空调 安装 一级")))
        .await
        .text()
        .await
        .unwrap();
    assert!(rss.contains("/notices/n-aircon/"), "{rss}");
    assert!(
        !rss.contains("/results/r-school/"),
        "a feed keeps full matches only: {rss}"
    );
}

#[tokio::test]
async fn a_saved_search_for_an_absent_company_carries_nothing() {
    let s = demo_server().await;
    let rss = s
        .get(&format!("/search.rss?q={}", encode("华为技术有限公司")))
        .await
        .text()
        .await
        .unwrap();
    assert!(!rss.contains("<item>"), "{rss}");
    let v = s.search("华为技术有限公司", "").await;
    let (full, _) = full_and_partial(&v);
    assert!(full.is_empty(), "{v}");
}

#[tokio::test]
async fn colloquial_compounds_find_the_formal_terms_of_their_parts() {
    let s = site().await;
    // 骗标 + 弄虚作假: the law's form 提供虚假的业绩 (第四十二条).
    let v = s.server.search("骗标弄虚作假", "").await;
    let (full, _) = full_and_partial(&v);
    assert!(full.contains(&"p-fraud".to_string()), "{v}");
    // 陪标 + 串标: 协商投标报价, a form of 串通投标 (第三十九条).
    let v = s.server.search("陪标串标", "").await;
    let (full, _) = full_and_partial(&v);
    assert!(full.contains(&"p-collude".to_string()), "{v}");
    assert!(!full.contains(&"p-fraud".to_string()), "{v}");
    // The parts are marked where they are found.
    let v = s.server.search("串标", "").await;
    assert!(ids(&v).contains(&"p-collude".to_string()), "{v}");
}

#[tokio::test]
async fn a_title_that_only_mentions_a_word_ranks_below_documents_about_it() {
    let s = site().await;
    let ids = s.server.ids("空调", "").await;
    let at = |id: &str| ids.iter().position(|i| i == id).unwrap_or(usize::MAX);
    assert!(at("n-aircon") < at("n-office"), "{ids:?}");
    assert!(at("r-school") < at("n-office"), "{ids:?}");
}

#[tokio::test]
async fn a_code_query_marks_the_code_not_its_pieces() {
    let s = site().await;
    for q in ["平建罚[2026]12号", "平建罚〔2026〕12号"] {
        let v = s.server.search(q, "").await;
        assert_eq!(ids(&v)[0], "p-fraud", "{v}");
        let snippet = v["hits"][0]["snippet"].as_str().unwrap();
        assert!(
            snippet.contains("<mark>平建罚〔2026〕12号</mark>"),
            "{q}: {snippet}"
        );
        assert!(!snippet.contains("<mark>2026</mark>"), "{q}: {snippet}");
        assert!(!snippet.contains("<mark>号</mark>"), "{q}: {snippet}");
        let html = s
            .server
            .get(&format!("/search?q={}", encode(q)))
            .await
            .text()
            .await
            .unwrap();
        assert!(!html.contains("<mark>2026</mark>"), "{q}: {html}");
    }
}

#[tokio::test]
async fn stage_filters_and_has_a_facet() {
    let s = site().await;
    let v = s.server.search("空调", "").await;
    assert_eq!(v["facets"]["stage"]["tender"], 2, "{v}");
    assert_eq!(v["facets"]["stage"]["award"], 1, "{v}");
    let v = s.server.search("空调", "&stage=award").await;
    assert_eq!(ids(&v), ["r-school"], "{v}");
    let html = s
        .server
        .get(&format!("/search?q={}", encode("空调")))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("stage=award"), "a facet link: {html}");
    assert!(html.contains("交易环节"), "{html}");
    let r = s
        .server
        .get(&format!("/api/search?q={}&stage=x", encode("空调")))
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn search_without_words_is_the_search_page() {
    let s = site().await;
    for path in ["/search", "/search?q=", "/search?q=+&page=1"] {
        let r = s.server.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("name=\"q\""), "{path}: {html}");
        assert!(!html.contains("role=\"alert\""), "{path}: {html}");
    }
    assert_eq!(s.server.get("/api/search").await.status(), 400);
}

#[tokio::test]
async fn credit_is_a_page_and_a_malformed_code_is_refused() {
    let s = site().await;
    let r = s.server.get("/credit").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("name=\"code\"") && html.contains("name=\"name\""),
        "{html}"
    );
    let r = s.server.get(&format!("/credit?code={}", s.code)).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("/penalties/p-fraud/"), "{html}");
    let r = s
        .server
        .get(&format!("/credit?name={}", encode("河南宏远建设")))
        .await;
    assert!(r.text().await.unwrap().contains("/penalties/p-fraud/"));
    for bad in ["ABC", "91410400MA00000000"] {
        let r = s.server.get(&format!("/credit?code={bad}")).await;
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.text().await.unwrap().contains("统一社会信用代码格式有误"));
    }
}
