//! Company pages: one per credit code named anywhere, the names it went by, its bids and wins,
//! and a win while black-listed or barred by a penalty flagged with what barred it.

use serde_json::Value;

use crate::support::{build_at, day, demo_copy, penalty, step};

#[test]
fn a_company_page_gathers_its_trades_and_flags_a_win_while_barred() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let summary = build_at(&content, &out, day("2026-12-04")).unwrap();
    assert_eq!(summary.barred_wins, 1, "{summary}");
    assert!(summary
        .to_string()
        .contains("1 wins by companies barred on the award date"));
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();

    // 河南汇鼎 won PDSZJ-2026-0041 on 2026-09-28, inside its black-list entry and its penalty.
    let page = scraper::Html::parse_document(&read("companies/91410400MA1YR1W4YN/index.html"));
    let h1: String = page.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1, "河南汇鼎建设工程有限公司");
    let alert: String = page
        .select(&sel("section.alert"))
        .next()
        .expect("the win while barred is flagged")
        .text()
        .collect();
    assert!(
        alert.contains("卫东区建设路人行道及排水改造工程施工中标结果公告"),
        "{alert}"
    );
    let links: Vec<&str> = page
        .select(&sel("section.alert a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(links.contains(&"/credit/black-2026-huiding/"), "{links:?}");
    assert!(
        links.iter().any(|l| l.starts_with("/penalties/")),
        "{links:?}"
    );
    let json: Value =
        serde_json::from_str(&read("data/companies/91410400MA1YR1W4YN.json")).unwrap();
    assert_eq!(json["flagged_wins"].as_array().unwrap().len(), 1, "{json}");

    // A renamed company keeps one page, under its latest name, listing both.
    let page = scraper::Html::parse_document(&read("companies/91410400MAJPK28NQ5/index.html"));
    let h1: String = page.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1, "平顶山市鹰城建设集团有限公司");
    let text: String = page.select(&sel("main")).next().unwrap().text().collect();
    assert!(
        text.contains("曾用名称") && text.contains("平顶山市鹰城建设工程有限公司"),
        "{text}"
    );

    // The buyer of a procurement has a page listing the projects it bought in.
    let buyer = read("companies/11410400MB1583620F/index.html");
    assert!(buyer.contains("/projects/PDSCG-2026-038/"), "{buyer}");

    // The list, in three orders, without JavaScript; no natural person gets a page.
    let list = scraper::Html::parse_document(&read("companies/by-wins/index.html"));
    let wins: Vec<u32> = list
        .select(&sel("tbody tr td:nth-child(4)"))
        .map(|td| td.text().collect::<String>().parse().unwrap())
        .collect();
    assert!(
        wins.len() > 20 && wins.windows(2).all(|w| w[0] >= w[1]),
        "{wins:?}"
    );
    for entry in std::fs::read_dir(out.join("companies")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            !name.contains('*'),
            "a masked personal id got a page: {name}"
        );
    }
}

#[test]
fn the_project_shows_its_buyer_its_barred_winner_and_the_complaints_about_it() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-12-04")).unwrap();
    let text = |p: &str| {
        let html = std::fs::read_to_string(out.join(p)).unwrap();
        let doc = scraper::Html::parse_document(&html);
        let main = scraper::Selector::parse("main").unwrap();
        doc.select(&main).next().unwrap().text().collect::<String>()
    };
    let barred = text("projects/PDSZJ-2026-0041/index.html");
    assert!(
        barred.contains("失信主体中标")
            && barred.contains("河南汇鼎建设工程有限公司列入公共资源交易领域严重失信主体名单"),
        "{barred}"
    );
    let complained = text("projects/PDSZJ-2026-0012/index.html");
    assert!(
        complained.contains("投诉处理结果") && complained.contains("驳回投诉"),
        "{complained}"
    );
    let bought = text("projects/PDSCG-2026-038/index.html");
    assert!(
        bought.contains("平顶山市机关事务管理局")
            && bought.contains("平顶山市博远工程项目管理有限公司"),
        "{bought}"
    );

    // Revoking the black-list entry and the penalty's ban, incrementally, clears the flag.
    let entry = content.join("credit/black-2026-huiding.md");
    let text_of = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(
        &entry,
        text_of.replace("status = \"active\"", "status = \"revoked\""),
    )
    .unwrap();
    let summary = build_at(&content, &out, day("2026-12-04")).unwrap();
    assert!(summary.incremental, "{summary}");
    let still = text("projects/PDSZJ-2026-0041/index.html");
    assert!(
        !still.contains("严重失信主体名单（至"),
        "the revoked entry still bars: {still}"
    );
}

/// What a reader sees of the barred-winner flag after a build: on the result page, the project
/// page and the company page, the hrefs in the flag (or `None` when there is no flag), and the
/// flag's text.
struct Flags {
    result: Option<(Vec<String>, String)>,
    project: Option<(Vec<String>, String)>,
    company: Option<(Vec<String>, String)>,
}

fn flags(out: &std::path::Path) -> Flags {
    let alert = |page: &str| {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        let doc = scraper::Html::parse_document(&html);
        let section = scraper::Selector::parse("main section.alert").unwrap();
        let a = scraper::Selector::parse("a").unwrap();
        doc.select(&section).next().map(|s| {
            let hrefs = s
                .select(&a)
                .filter_map(|a| a.value().attr("href"))
                .map(str::to_string)
                .collect();
            (hrefs, s.text().collect::<String>())
        })
    };
    Flags {
        result: alert("results/p1-award/index.html"),
        project: alert("projects/CS-2026-001/index.html"),
        company: alert("companies/91350100M000100Y43/index.html"),
    }
}

fn credit_entry(list: &str, status: &str, from: &str, until: &str) -> String {
    format!(
        r#"+++
kind = "credit"
title = "测试建设工程有限公司信用记录"
date = 2026-01-05
department = "zjj"
list = "{list}"
subject = "测试建设工程有限公司"
credit_code = "91350100M000100Y43"
reason = "串通投标"
basis = "《中华人民共和国招标投标法》第五十三条"
from = {from}
until = {until}
status = "{status}"
measures = ["不得参加依法必须进行招标的项目的投标"]
+++
"#
    )
}

/// One case of the matrix: what it is, the credit entry and the penalty on file, and what bars
/// the win (the entry's address, or 已过公示期 for a penalty whose page is gone, or nothing).
type Case = (
    &'static str,
    Option<String>,
    Option<String>,
    Option<&'static str>,
);

/// The barred-winner flag on each way of being barred (an active black-list entry whose period
/// holds the award date; a penalty that bars bidding for a period that holds it, also once the
/// penalty is past its publicity) and each way of not being (expired before the award, repaired,
/// revoked, not yet in force, a red list, a penalty with only a fine, a ban that ended before the
/// award): on the result (award of 2026-04-20), its project and the winner's company page, in the
/// build summary, and each change rebuilt incrementally byte-identical to a clean build.
#[test]
fn the_barred_winner_flag_on_each_way_of_being_barred_and_of_not_being() {
    let (tmp, content) = crate::support::content_with(&[]);
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-11-26")).unwrap();
    std::fs::create_dir_all(content.join("credit")).unwrap();
    std::fs::create_dir_all(content.join("penalties")).unwrap();
    let (credit, penalised) = (
        content.join("credit/case-credit.md"),
        content.join("penalties/case-penalty.md"),
    );
    let ban = "罚款人民币贰万元，取消一年内参加依法必须进行招标的项目的投标资格";
    let cases: [Case; 10] = [
        (
            "an active black-list entry",
            Some(credit_entry("black", "active", "2026-01-05", "2027-01-04")),
            None,
            Some("/credit/case-credit/"),
        ),
        (
            "a black-list entry that expired the day before the award",
            Some(credit_entry("black", "active", "2025-04-20", "2026-04-19")),
            None,
            None,
        ),
        (
            "a repaired black-list entry",
            Some(credit_entry(
                "black",
                "repaired",
                "2026-01-05",
                "2027-01-04",
            )),
            None,
            None,
        ),
        (
            "a revoked black-list entry",
            Some(credit_entry("black", "revoked", "2026-01-05", "2027-01-04")),
            None,
            None,
        ),
        (
            "a black-list entry in force from the day after the award",
            Some(credit_entry("black", "active", "2026-04-21", "2027-04-20")),
            None,
            None,
        ),
        (
            "a red-list entry",
            Some(credit_entry("red", "active", "2026-01-05", "2027-01-04")),
            None,
            None,
        ),
        (
            "a penalty that bars bidding for a year",
            None,
            Some(penalty(ban, "2029-02-28")),
            Some("/penalties/case-penalty/"),
        ),
        (
            "the same penalty past its publicity",
            None,
            Some(penalty(ban, "2026-09-30")),
            Some("已过公示期"),
        ),
        (
            "a penalty with only a fine",
            None,
            Some(penalty("罚款人民币贰万元", "2029-02-28")),
            None,
        ),
        (
            "a penalty whose month-long ban ended before the award",
            None,
            Some(penalty("罚款人民币贰万元，暂停投标资格1个月", "2029-02-28")),
            None,
        ),
    ];
    for (what, entry, penalty, barred_by) in cases {
        for (path, text) in [(&credit, entry), (&penalised, penalty)] {
            match text {
                Some(text) => std::fs::write(path, text).unwrap(),
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        let summary = step(&content, &out, what);
        let seen = flags(&out);
        let pages = [
            ("result", &seen.result),
            ("project", &seen.project),
            ("company", &seen.company),
        ];
        // The result's open data carries the same flag as its page.
        let json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join("data/disclosures/p1-award.json")).unwrap(),
        )
        .unwrap();
        let barred_winners = json.get("barred_winners");
        match (barred_by, barred_winners) {
            (None, None) => {}
            (Some(by), Some(flag)) => {
                assert_eq!(
                    flag[0]["credit_code"], "91350100M000100Y43",
                    "{what}: {flag}"
                );
                let named = flag[0]["barred_by"].as_array().unwrap();
                if by.starts_with('/') {
                    assert_eq!(named.len(), 1, "{what}: {flag}");
                    assert!(named[0].as_str().unwrap().ends_with(by), "{what}: {flag}");
                } else {
                    assert!(
                        named.is_empty(),
                        "{what}: names a page that is gone: {flag}"
                    );
                    assert_eq!(flag[0]["withdrawn_penalties"], 1, "{what}: {flag}");
                }
            }
            (by, flag) => panic!("{what}: the result's JSON flag is {flag:?}, expected {by:?}"),
        }
        match barred_by {
            None => {
                assert_eq!(summary.barred_wins, 0, "{what}: {summary}");
                for (page, flag) in pages {
                    assert!(
                        flag.is_none(),
                        "{what}: flagged on the {page} page: {flag:?}"
                    );
                }
            }
            Some(by) => {
                assert_eq!(summary.barred_wins, 1, "{what}: {summary}");
                for (page, flag) in pages {
                    let (hrefs, text) = flag
                        .as_ref()
                        .unwrap_or_else(|| panic!("{what}: not flagged on the {page} page"));
                    if by.starts_with('/') {
                        assert!(hrefs.iter().any(|h| h == by), "{what}, {page}: {hrefs:?}");
                    } else {
                        assert!(text.contains(by), "{what}, {page}: {text}");
                        assert!(
                            !hrefs.iter().any(|h| h.starts_with("/penalties/")),
                            "{what}, {page}: links to a page that is gone: {hrefs:?}"
                        );
                        assert!(
                            !text.contains("测试建设工程有限公司行政处罚决定"),
                            "{what}, {page}: names a penalty past its publicity: {text}"
                        );
                    }
                }
                let (hrefs, text) = seen.result.as_ref().unwrap();
                assert!(
                    text.contains("测试建设工程有限公司")
                        && hrefs.iter().any(|h| h == "/companies/91350100M000100Y43/"),
                    "{what}: the result's flag names and links the winner: {text}"
                );
            }
        }
    }
}
