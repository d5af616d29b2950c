//! Company pages: one per credit code named anywhere, the names it went by, its bids and wins,
//! and a win while black-listed or barred by a penalty flagged with what barred it.

use serde_json::Value;

use crate::support::{build_at, day, demo_copy};

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
