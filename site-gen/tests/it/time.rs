//! The site keeps publishing as the calendar moves on: the day a linked penalty's publicity ends
//! is an ordinary build day, and the link to it becomes text marked 已过公示期.

use chrono::NaiveDate;
use scraper::{Html, Selector};

use crate::support::*;
use site_gen::build::{build, verify};

/// The last day of every month from January 2027 to December 2029.
fn month_ends() -> Vec<NaiveDate> {
    let mut days = Vec::new();
    for year in 2027..=2029 {
        for month in 1..=12 {
            let first_of_next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)
            }
            .unwrap();
            days.push(first_of_next.pred_opt().unwrap());
        }
    }
    days
}

#[test]
fn the_demo_builds_on_every_month_end_of_the_next_three_years() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let days = month_ends();
    assert_eq!(days.len(), 36);
    assert_eq!(days[1], day("2027-02-28"));
    let started = std::time::Instant::now();
    // One site, built month after month as an operator would: the log grows with each
    // penalty that leaves, and every build verifies.
    for today in &days {
        let mut opts = options(&demo_content(), &out, *today);
        opts.index = None;
        let summary = build(&opts).unwrap_or_else(|e| panic!("the build of {today} fails: {e:#}"));
        assert!(summary.pages > 100, "{today}: {summary}");
        assert_eq!(verify(&out).unwrap(), Vec::<String>::new(), "{today}");
    }
    let log = std::fs::read_to_string(out.join("data/log.json")).unwrap();
    for id in ["pjf-2026-27", "pjf-2026-21", "pjtf-2026-06"] {
        assert!(
            log.lines()
                .any(|l| l.contains(&format!("\"id\":\"{id}\"")) && l.contains("withdrawn")),
            "{id} left the site and the log says so"
        );
    }
    eprintln!("36 builds in {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn a_link_to_an_expired_penalty_is_text_marked_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    // pjf-2026-27's publicity ended on 2027-02-23; the contract disclosure links to it.
    let mut opts = options(&demo_content(), &out, day("2027-02-24"));
    opts.index = None;
    build(&opts).unwrap();
    assert!(!out.join("penalties/pjf-2026-27/index.html").exists());
    let page =
        std::fs::read_to_string(out.join("results/2026-zj-0018-contract/index.html")).unwrap();
    let doc = Html::parse_document(&page);
    let body = doc
        .select(&Selector::parse("div.body").unwrap())
        .next()
        .expect("the page has a body");
    assert!(
        body.select(&Selector::parse("a[href^='/penalties/pjf-2026-27']").unwrap())
            .next()
            .is_none(),
        "no link to the withdrawn page"
    );
    let text: String = body.text().collect();
    assert!(
        text.contains("依法作出处理（已过公示期）"),
        "the link's text stays, marked: {text}"
    );
    // The page it links to that is still public keeps its link.
    assert!(page.contains("href=\"/results/2026-zj-0018-award/\""));
}

#[test]
fn a_link_to_a_page_that_never_existed_still_fails() {
    let (tmp, content) = demo_copy();
    let path = content.join("results/2026-zj-0018-contract.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("/penalties/pjf-2026-27/", "/penalties/pjf-2026-99/");
    std::fs::write(&path, text).unwrap();
    let out = tmp.path().join("public");
    let err = build_at(&content, &out, day("2027-02-24")).unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("2026-zj-0018-contract.md") && message.contains("broken internal link"),
        "{message}"
    );
    assert!(!out.exists(), "nothing is published");
}

/// Shortening a linked penalty's publicity in an incremental build changes the page that links
/// to it, whose body the cache does not keep: the build is made a clean one, and equals it.
#[test]
fn shortening_a_linked_penalty_rebuilds_the_page_that_links_to_it() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let today = day("2026-12-15");
    build_at(&content, &out, today).unwrap();
    let linker = out.join("results/2026-zj-0018-contract/index.html");
    assert!(std::fs::read_to_string(&linker)
        .unwrap()
        .contains("href=\"/penalties/pjf-2026-27/\""));
    let penalty = content.join("penalties/pjf-2026-27.md");
    let text = std::fs::read_to_string(&penalty)
        .unwrap()
        .replace("public_until = 2027-02-23", "public_until = 2026-12-01");
    std::fs::write(&penalty, text).unwrap();
    let s = build_at(&content, &out, today).unwrap();
    assert!(!s.incremental, "a clean build: {s}");
    let page = std::fs::read_to_string(&linker).unwrap();
    assert!(!page.contains("href=\"/penalties/pjf-2026-27/\""));
    assert!(page.contains("（已过公示期）"));
    assert!(!out.join("penalties/pjf-2026-27/index.html").exists());
    assert_eq!(verify(&out).unwrap(), Vec::<String>::new());
}

/// A page linking to a penalty whose publicity ended before the build (once a build error).
#[test]
fn a_page_linking_to_a_long_expired_penalty_builds() {
    let (tmp, content) = content_with(&[&fixtures().join("withdrawn-link")]);
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-11-26")).unwrap();
    let page = std::fs::read_to_string(out.join("x/index.html")).unwrap();
    assert!(page.contains("处罚决定</span><small class=\"withdrawn-note\">（已过公示期）</small>"));
    assert!(!page.contains("href=\"/penalties/old/\""));
}

/// The publication record as `label → date` pairs, in page order.
fn record_dates(page: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(page);
    let row = Selector::parse("aside.record dl.record-dates > div").unwrap();
    let (dt, time) = (
        Selector::parse("dt").unwrap(),
        Selector::parse("dd time").unwrap(),
    );
    doc.select(&row)
        .map(|r| {
            let label = r.select(&dt).next().unwrap().text().collect::<String>();
            let date = r.select(&time).next().unwrap().value().attr("datetime");
            (label, date.unwrap().to_string())
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A page dated months before the site received it says which date is which: the disclosure's
/// own 发布日期/更新日期, and the log's 本站收录 — never "首次发布" on the day of the import, and
/// never an update that seems to come before the first publication.
#[test]
fn the_publication_record_says_what_each_date_is() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let mut opts = options(&content, &out, day("2026-12-03"));
    opts.index = None;
    build(&opts).unwrap();
    // A credit entry issued 2026-04-24 and revised 2026-10-26, first received on 2026-12-03.
    let page = std::fs::read_to_string(out.join("credit/black-2026-gangdu/index.html")).unwrap();
    assert_eq!(
        record_dates(&page),
        pairs(&[
            ("发布日期", "2026-04-24"),
            ("更新日期", "2026-10-26"),
            ("本站收录", "2026-12-03"),
        ]),
    );
    assert!(!page.contains("首次发布") && !page.contains("最后更新"));

    // A revision received later is the log's, beside the disclosure's own new 更新日期.
    let path = content.join("notices/2026-cg-031-tender.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let date = text
        .lines()
        .find_map(|l| l.strip_prefix("date = "))
        .unwrap()
        .to_string();
    let revised = text.replacen(
        &format!("date = {date}"),
        &format!("date = {date}\nupdated = 2026-12-10"),
        1,
    );
    std::fs::write(&path, revised + "\n补充：开标地点不变。\n").unwrap();
    opts.today = day("2026-12-11");
    build(&opts).unwrap();
    let page = std::fs::read_to_string(out.join("notices/2026-cg-031-tender/index.html")).unwrap();
    assert_eq!(
        record_dates(&page),
        pairs(&[
            ("发布日期", &date[..10]),
            ("更新日期", "2026-12-10"),
            ("本站收录", "2026-12-03"),
            ("本站收录修订稿", "2026-12-11"),
        ]),
    );
}
