//! The buyer and agency of a notice or result (SPEC `buyer`, `agency` and their credit codes) as a
//! reader meets them: on the page, linking to the company page when a code is given, and in the
//! feeds; and the companies file the build leaves beside the search index.

use scraper::{Html, Selector};

use crate::support::*;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The `dd` of the field labelled `label` on a disclosure page: its text and its link, if any.
fn field(page: &Html, label: &str) -> Option<(String, Option<String>)> {
    page.select(&sel("dl.fields > div")).find_map(|div| {
        let dt: String = div.select(&sel("dt")).next()?.text().collect();
        if dt != label {
            return None;
        }
        let dd = div.select(&sel("dd")).next()?;
        let href = dd
            .select(&sel("a"))
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(str::to_string);
        Some((dd.text().collect(), href))
    })
}

#[test]
fn notice_and_result_pages_name_the_buyer_and_agency_and_link_their_company_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_at(&demo_content(), &out, day("2026-11-26")).unwrap();
    let page = |url: &str| {
        let path = out.join(site_gen::output::file_for_url(url));
        Html::parse_document(&std::fs::read_to_string(&path).unwrap())
    };

    // A procurement: 采购人 and 代理机构 with their codes, each a link to a company page that
    // exists.
    for url in [
        "/results/2026-cg-038-award/",
        "/notices/2026-cg-038-tender/",
    ] {
        let p = page(url);
        let (buyer, href) = field(&p, "采购人").unwrap_or_else(|| panic!("{url}: no 采购人"));
        assert_eq!(buyer, "平顶山市机关事务管理局", "{url}");
        assert_eq!(
            href.as_deref(),
            Some("/companies/11410400MB1583620F/"),
            "{url}"
        );
        let (agency, href) = field(&p, "代理机构").unwrap_or_else(|| panic!("{url}: no 代理机构"));
        assert_eq!(agency, "平顶山市博远工程项目管理有限公司", "{url}");
        assert_eq!(
            href.as_deref(),
            Some("/companies/91410400MA8432QEBL/"),
            "{url}"
        );
        for code in ["11410400MB1583620F", "91410400MA8432QEBL"] {
            assert!(out.join(format!("companies/{code}/index.html")).is_file());
        }
    }

    // A construction tender: 招标人 without a code is named, not linked.
    let p = page("/notices/2026-zj-0041-tender/");
    assert_eq!(
        field(&p, "招标人"),
        Some(("平顶山市卫东区住房和城乡建设局".to_string(), None))
    );
    assert_eq!(
        field(&p, "代理机构"),
        Some(("平顶山市建设工程招标代理有限公司".to_string(), None))
    );
    // A notice that names neither shows neither.
    let p = page("/notices/2026-jt-0005-tender/");
    assert!(field(&p, "招标人").is_none() && field(&p, "代理机构").is_none());
}

#[test]
fn a_feed_item_carries_the_buyer_and_agency() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_at(&demo_content(), &out, day("2026-11-26")).unwrap();
    let feed = std::fs::read(out.join("feeds/results.xml")).unwrap();
    let channel = rss::Channel::read_from(&feed[..]).unwrap();
    let item = channel
        .items()
        .iter()
        .find(|i| {
            i.link()
                .is_some_and(|l| l.ends_with("/results/2026-cg-038-award/"))
        })
        .expect("the award is in the results feed");
    let description = item.description().unwrap();
    assert!(
        description.contains("采购人：平顶山市机关事务管理局")
            && description.contains("代理机构：平顶山市博远工程项目管理有限公司"),
        "{description}"
    );
    let categories: Vec<(&str, Option<&str>)> = item
        .categories()
        .iter()
        .map(|c| (c.name(), c.domain()))
        .collect();
    assert!(
        categories.contains(&("平顶山市机关事务管理局", Some("buyer")))
            && categories.contains(&("平顶山市博远工程项目管理有限公司", Some("agency"))),
        "{categories:?}"
    );
}

#[test]
fn the_index_folder_carries_the_companies_of_the_company_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let opts = options(&demo_content(), &out, day("2026-11-26"));
    site_gen::build::build(&opts).unwrap();
    let index = opts.index.unwrap();
    let file: disclosure::search::CompaniesFile = serde_json::from_slice(
        &std::fs::read(index.join(disclosure::search::COMPANIES_FILE)).unwrap(),
    )
    .unwrap();
    let pages = std::fs::read_dir(out.join("companies"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            disclosure::ident::check_uscc(&name.to_string_lossy()).is_ok()
        })
        .count();
    assert_eq!(file.companies.len(), pages, "one record per company page");
    let renamed = file
        .companies
        .iter()
        .find(|c| c.code == "91410400MAJPK28NQ5")
        .unwrap();
    assert_eq!(renamed.name, "平顶山市鹰城建设集团有限公司");
    assert_eq!(
        renamed.names,
        [
            "平顶山市鹰城建设工程有限公司",
            "平顶山市鹰城建设集团有限公司"
        ]
    );
    assert_eq!(renamed.penalties, ["pjf-2026-12"]);
    assert!(
        file.persons
            .iter()
            .any(|p| p.name == "王某某" && p.penalties == ["pjf-2026-23"]),
        "a person penalised is found by name: {:?}",
        file.persons
    );
}
