//! The demo site in `content/` builds, and every page and feed in it is what a reader expects:
//! parseable, in Chinese, with its landmarks, no broken links, the date rules applied.

use std::collections::BTreeMap;

use disclosure::model::Details;
use disclosure::Kind;
use scraper::{Html, Selector};
use site_gen::site::Site;

use crate::support::*;

struct Built {
    _tmp: tempfile::TempDir,
    files: BTreeMap<String, Vec<u8>>,
    content: site_gen::content::Content,
}

fn built() -> Built {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let summary = build_at(&demo_content(), &out, day("2026-11-26")).unwrap();
    assert!(summary.pages > 100, "{summary}");
    let content = site_gen::content::load(&demo_content(), &|| {}).unwrap();
    Built {
        files: snapshot(&out),
        content,
        _tmp: tmp,
    }
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing"))
            .clone(),
    )
    .unwrap()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn every_page_is_chinese_accessible_and_links_resolve() {
    let b = built();
    let mut broken = Vec::new();
    let mut pages = 0;
    for (path, bytes) in &b.files {
        if !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{path} is not UTF-8"));
        let doc = Html::parse_document(html);
        let root = doc.root_element();
        assert_eq!(root.value().attr("lang"), Some("zh-CN"), "{path}");
        assert_eq!(
            doc.select(&sel("main#main")).count(),
            1,
            "{path}: one main landmark"
        );
        assert_eq!(doc.select(&sel("h1")).count(), 1, "{path}: exactly one h1");
        assert!(
            doc.select(&sel("a.skip[href='#main']")).next().is_some(),
            "{path}: skip link"
        );
        assert!(
            doc.select(&sel("footer"))
                .next()
                .unwrap()
                .text()
                .collect::<String>()
                .contains(&b.content.site.footer.icp),
            "{path}: footer ICP"
        );
        for input in doc.select(&sel("input[id]:not([type=hidden])")) {
            let id = input.value().attr("id").unwrap();
            let label = format!("label[for='{id}']");
            assert!(
                doc.select(&sel(&label)).next().is_some()
                    || input.value().attr("aria-label").is_some(),
                "{path}: input #{id} has no label"
            );
        }
        for a in doc.select(&sel("a[href^='/']")) {
            let href = a.value().attr("href").unwrap();
            let target = href.split(['#', '?']).next().unwrap();
            if ["/search", "/submit", "/track", "/staff/", "/search.rss"].contains(&target) {
                continue; // served by the search and intake services
            }
            let file = site_gen::output::file_for_url(target);
            if !b.files.contains_key(&file) {
                broken.push(format!("{path} → {href}"));
            }
        }
    }
    assert!(pages > 100);
    broken.sort();
    broken.dedup();
    assert!(
        broken.is_empty(),
        "{} broken links, e.g. {:?}",
        broken.len(),
        &broken[..broken.len().min(10)]
    );
}

#[test]
fn every_feed_parses_and_leaves_out_withdrawn_penalties() {
    let b = built();
    let today = day("2026-11-26");
    let withdrawn: Vec<_> = b
        .content
        .docs
        .iter()
        .filter(|d| !d.is_public(today))
        .collect();
    assert!(
        withdrawn.len() >= 3,
        "the demo has penalties whose publicity ended"
    );
    let mut feeds = 0;
    for (path, bytes) in &b.files {
        if path.starts_with("feeds/") && path.ends_with(".xml") {
            feeds += 1;
            let channel =
                rss::Channel::read_from(&bytes[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(!channel.title().is_empty());
            for d in &withdrawn {
                assert!(
                    !channel
                        .items()
                        .iter()
                        .any(|i| i.link().is_some_and(|l| l.ends_with(&d.url()))),
                    "{path} lists withdrawn {}",
                    d.id
                );
            }
        }
    }
    assert!(
        feeds >= 5 + 6 + 8,
        "all, per kind, per category, per department: {feeds}"
    );
    for d in withdrawn {
        assert!(
            !b.files
                .contains_key(&site_gen::output::file_for_url(&d.url())),
            "{} is still published",
            d.id
        );
        assert!(!text(&b.files, "sitemap.xml").contains(&d.url()));
    }
    for f in ["sitemap.xml", "opensearch.xml"] {
        roxmltree_like_check(&text(&b.files, f));
    }
}

/// A well-formedness check without another XML crate: the rss crate's reader parses any XML
/// document as far as its first error, so a sitemap that is not an RSS channel still must not
/// fail with a syntax error.
fn roxmltree_like_check(xml: &str) {
    assert!(xml.starts_with("<?xml"), "XML declaration");
    assert_eq!(
        xml.matches('<').count(),
        xml.matches('>').count(),
        "balanced angle brackets"
    );
}

#[test]
fn credit_lists_and_timelines_follow_the_date_rules() {
    let b = built();
    let today = day("2026-11-26");
    let log = site_gen::log::PublicationLog::default();
    let site = Site::new(&b.content, today, &log);
    let red = text(&b.files, "credit/red/index.html");
    let black = text(&b.files, "credit/black/index.html");
    let history = text(&b.files, "credit/history/index.html");
    let mut states = [0; 2];
    for d in &site.by_kind[&Kind::Credit] {
        let Details::Credit(c) = &d.details else {
            unreachable!()
        };
        let current = if c.list == disclosure::model::CreditList::Red {
            &red
        } else {
            &black
        };
        if c.is_current(today) {
            states[0] += 1;
            assert!(
                current.contains(&d.url()) || site.current_credit(c.list).len() > 20,
                "{} should be on the current list",
                d.id
            );
        } else {
            states[1] += 1;
            assert!(
                !current.contains(&d.url()),
                "{} is not current but listed",
                d.id
            );
            assert!(
                history.contains(&d.url()) || site.credit_history().len() > 20,
                "{} belongs in the history",
                d.id
            );
        }
    }
    assert!(
        states[0] >= 3 && states[1] >= 4,
        "current and past credit entries in the demo: {states:?}"
    );

    let flagged: Vec<_> = site
        .projects
        .values()
        .filter(|p| !p.flags.is_empty())
        .collect();
    assert!(
        flagged.len() >= 3,
        "the demo has projects with missing or late stages"
    );
    for p in flagged {
        let page = text(
            &b.files,
            &site_gen::output::file_for_url(&disclosure::routes::project(&p.code)),
        );
        for f in &p.flags {
            assert!(page.contains(f.rule()), "{}: the rule is shown", p.code);
        }
    }
}

#[test]
fn project_pages_name_the_tender_and_result_department_as_supervisor() {
    let b = built();
    let dd = sel("dl.fields div");
    for (code, name) in [
        ("PDSZJ-2026-0012", "平顶山市住房和城乡建设局"),
        ("PDSJT-2026-0005", "平顶山市交通运输局"),
        ("PDSSL-2026-0009", "平顶山市水利局"),
    ] {
        let page = text(
            &b.files,
            &site_gen::output::file_for_url(&disclosure::routes::project(code)),
        );
        let html = Html::parse_document(&page);
        let supervisor: Vec<String> = html
            .select(&dd)
            .map(|div| div.text().collect::<String>())
            .filter(|t| t.starts_with("监督部门"))
            .collect();
        assert_eq!(supervisor, [format!("监督部门{name}")], "{code}");
    }
}

/// A candidate-stage result's amount is a candidate's bid, and says so; an award's is the award.
#[test]
fn a_results_amount_is_named_in_its_stages_words() {
    let b = built();
    let candidates = text(&b.files, "results/2026-cg-031-candidates/index.html");
    assert!(
        candidates.contains("<dt>第一中标候选人投标报价</dt>"),
        "candidates page"
    );
    assert!(!candidates.contains("中标（成交）金额"), "candidates page");
    let list = text(&b.files, "results/stage/candidates/index.html");
    assert!(list.contains("第一中标候选人投标报价：") && !list.contains("中标（成交）金额"));
    let award = text(&b.files, "results/2026-zj-0018-award/index.html");
    assert!(award.contains("<dt>中标（成交）金额</dt>"), "award page");
    let contract = text(&b.files, "results/2026-zj-0018-contract/index.html");
    assert!(contract.contains("<dt>合同金额</dt>"), "contract page");
}
