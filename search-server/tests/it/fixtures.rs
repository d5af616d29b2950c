//! Matching and ranking over a small inline site, where every expectation can be read next to
//! the documents it is about.

use disclosure::ident::uscc_check_char;

use crate::support::*;

/// A valid unified social credit code from 17 characters.
fn uscc(first17: &str) -> String {
    format!("{first17}{}", uscc_check_char(first17).unwrap())
}

fn result(
    id: &str,
    title: &str,
    date: &str,
    project: &str,
    bidders: &[(&str, &str)],
    body: &str,
) -> (String, String) {
    let mut s = format!(
        "+++\nkind = \"result\"\ntitle = \"{title}\"\ndate = {date}\ndepartment = \"zjj\"\nregion = \"湛河区\"\ncategory = \"construction\"\nproject = \"{project}\"\nstage = \"award\"\namount = 1000000.00\n"
    );
    for (i, (name, code)) in bidders.iter().enumerate() {
        s.push_str(&format!(
            "\n[[bidders]]\nname = \"{name}\"\ncredit_code = \"{code}\"\nbid = 1000000.00\nrank = {}\nwon = {}\n",
            i + 1,
            i == 0
        ));
    }
    s.push_str(&format!("+++\n{body}\n"));
    (id.to_string(), s)
}

fn notice(
    id: &str,
    title: &str,
    date: &str,
    category: &str,
    department: &str,
    project: &str,
    body: &str,
) -> (String, String) {
    (
        id.to_string(),
        format!("+++\nkind = \"notice\"\ntitle = \"{title}\"\ndate = {date}\ndepartment = \"{department}\"\ncategory = \"{category}\"\nproject = \"{project}\"\nstage = \"tender\"\n+++\n{body}\n"),
    )
}

#[allow(clippy::too_many_arguments)]
fn penalty(
    id: &str,
    title: &str,
    date: &str,
    decision_no: &str,
    subject: &str,
    code: &str,
    violation: &str,
    public_until: &str,
) -> (String, String) {
    (
        id.to_string(),
        format!("+++\nkind = \"penalty\"\ntitle = \"{title}\"\ndate = {date}\ndepartment = \"zjj\"\ndecision_no = \"{decision_no}\"\nsubject = \"{subject}\"\nsubject_credit_code = \"{code}\"\nviolation = \"{violation}\"\nbasis = \"《中华人民共和国招标投标法》第五十三条\"\npenalty = \"罚款\"\nfine = 50000.00\ndecision_date = {date}\npublic_until = {public_until}\n+++\n经查，当事人存在上述违法行为。\n"),
    )
}

fn credit(
    id: &str,
    list: &str,
    subject: &str,
    code: &str,
    from: &str,
    until: &str,
    status: &str,
) -> (String, String) {
    (
        id.to_string(),
        format!("+++\nkind = \"credit\"\ntitle = \"{subject}列入{}\"\ndate = {from}\ndepartment = \"zjj\"\nlist = \"{list}\"\nsubject = \"{subject}\"\ncredit_code = \"{code}\"\nreason = \"串通投标\"\nbasis = \"依据\"\nfrom = {from}\nuntil = {until}\nstatus = \"{status}\"\nmeasures = [\"限制参加招标投标活动\"]\n+++\n说明。\n", if list == "red" { "红名单" } else { "黑名单" }),
    )
}

pub struct Fixture {
    pub _content: tempfile::TempDir,
    pub _index: tempfile::TempDir,
    pub server: Server,
    pub yingcheng_code: String,
}

pub async fn fixture() -> Fixture {
    let yingcheng = uscc("91410400MA44YC8H0");
    let other = uscc("91410400MA9XK2PL7");
    let docs = vec![
        result(
            "r-yingcheng",
            "平顶山市湛河区第三实验小学教学楼建设工程施工中标结果公告",
            "2026-04-01",
            "PDSZJ-2026-0012",
            &[
                ("平顶山市鹰城建设工程有限公司", &yingcheng),
                ("河南鲁阳建设集团有限公司", &other),
            ],
            "经评标委员会评审，确定中标人为平顶山市鹰城建设工程有限公司。",
        ),
        notice(
            "n-boiler",
            "湛河区市政道路维修工程招标公告",
            "2026-05-01",
            "construction",
            "zjj",
            "PDSZJ-2026-0031",
            "投标人资格要求：近三年内无串通投标、弄虚作假等违法记录。本项目采用资格后审。",
        ),
        penalty(
            "p-collusion",
            "河南汇鼎建设工程有限公司串通投标行政处罚决定",
            "2026-06-01",
            "平建罚〔2026〕21号",
            "河南汇鼎建设工程有限公司",
            &uscc("91410400MA3P8QW1X"),
            "串通投标",
            "2027-06-01",
        ),
        penalty(
            "p-weibiao",
            "某公司围标行为行政处罚决定",
            "2026-06-02",
            "平建罚〔2026〕22号",
            "汝州市宏基建设工程有限公司",
            &uscc("91410482MA47HJ2K9"),
            "围标",
            "2027-06-02",
        ),
        penalty(
            "p-old",
            "鹰城建设违法分包行政处罚决定（已过公示期）",
            "2025-01-01",
            "平建罚〔2025〕3号",
            "平顶山市鹰城建设工程有限公司",
            &yingcheng,
            "违法分包",
            "2025-12-31",
        ),
        penalty(
            "p-yingcheng",
            "平顶山市鹰城建设工程有限公司违法分包行政处罚决定",
            "2026-03-01",
            "平建罚〔2026〕12号",
            "平顶山市鹰城建设工程有限公司",
            &yingcheng,
            "违法分包",
            "2027-03-01",
        ),
        credit(
            "c-black",
            "black",
            "平顶山市鹰城建设工程有限公司",
            &yingcheng,
            "2026-03-01",
            "2027-02-28",
            "active",
        ),
        credit(
            "c-expired",
            "red",
            "平顶山市鹰城建设工程有限公司",
            &yingcheng,
            "2024-01-01",
            "2025-01-01",
            "active",
        ),
        notice(
            "n-same-old",
            "宝丰县水利工程招标公告",
            "2026-02-01",
            "construction",
            "zjj",
            "PDSSL-2026-0001",
            "宝丰县水利工程施工。",
        ),
        notice(
            "n-same-new",
            "宝丰县水利工程招标公告",
            "2026-02-10",
            "construction",
            "zjj",
            "PDSSL-2026-0002",
            "宝丰县水利工程施工。",
        ),
        notice(
            "n-procure",
            "平顶山市第一人民医院医疗设备采购公告",
            "2026-07-01",
            "procurement",
            "czj",
            "PDSCG-2026-0038",
            "采购人：平顶山市第一人民医院。成交供应商将另行公告。",
        ),
    ];
    let docs: Vec<(&str, String)> = docs
        .iter()
        .map(|(id, s)| (id.as_str(), s.clone()))
        .collect();
    let content = tempfile::tempdir().unwrap();
    write_content(content.path(), &docs);
    let index = tempfile::tempdir().unwrap();
    build_index(content.path(), index.path(), today());
    let server = serve(index.path(), content.path(), unlimited()).await;
    Fixture {
        _content: content,
        _index: index,
        server,
        yingcheng_code: yingcheng,
    }
}

#[tokio::test]
async fn company_names_whole_and_in_part_and_by_credit_code() {
    let f = fixture().await;
    let s = &f.server;
    for q in [
        "平顶山市鹰城建设工程有限公司",
        "鹰城建设",
        "鹰城",
        "城建设工程有",
    ] {
        let ids = s.ids(q, "").await;
        assert!(ids.contains(&"r-yingcheng".to_string()), "{q}: {ids:?}");
        assert!(ids.contains(&"p-yingcheng".to_string()), "{q}: {ids:?}");
    }
    // Not a substring (平顶山市鹰城): found by the partial fallback, the company's pages first.
    let v = s.search("顶山鹰城", "").await;
    let ids = ids(&v);
    assert!(
        ids[..3]
            .iter()
            .any(|id| id == "p-yingcheng" || id == "c-black"),
        "{ids:?}"
    );
    let last8 = &f.yingcheng_code[10..];
    for q in [
        f.yingcheng_code.clone(),
        f.yingcheng_code.to_lowercase(),
        last8.to_string(),
        last8.to_lowercase(),
    ] {
        let ids = s.ids(&q, "").await;
        assert!(
            ids.contains(&"r-yingcheng".to_string()) && ids.contains(&"c-black".to_string()),
            "{q}: {ids:?}"
        );
        assert!(!ids.contains(&"n-boiler".to_string()), "{q}: {ids:?}");
    }
    // Withdrawn penalties are not in the index.
    assert!(!s.ids("已过公示期", "").await.contains(&"p-old".to_string()));
}

#[tokio::test]
async fn codes_match_exactly_case_insensitively_and_by_part() {
    let f = fixture().await;
    let s = &f.server;
    for q in [
        "PDSZJ-2026-0012",
        "pdszj-2026-0012",
        "2026-0012",
        "ZJ-2026-0012",
        "PDSZJ20260012",
        "ＰＤＳＺＪ－２０２６－００１２",
    ] {
        let ids = s.ids(q, "").await;
        assert_eq!(
            ids.first().map(String::as_str),
            Some("r-yingcheng"),
            "{q}: {ids:?}"
        );
    }
    for q in [
        "平建罚〔2026〕21号",
        "平建罚[2026]21号",
        "平建罚(2026)21号",
        "2026〕21号",
    ] {
        let ids = s.ids(q, "").await;
        assert_eq!(
            ids.first().map(String::as_str),
            Some("p-collusion"),
            "{q}: {ids:?}"
        );
    }
}

#[tokio::test]
async fn every_word_is_required_and_single_characters_match() {
    let f = fixture().await;
    let s = &f.server;
    // Full matches hold every word; documents with only some of them follow, marked partial.
    let full = |v: &serde_json::Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["partial"] == false)
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    let v = s.search("宝丰县 水利", "").await;
    assert_eq!(full(&v).len(), 2, "{v}");
    assert_eq!(ids(&v)[..2], full(&v)[..], "full matches first: {v}");
    assert!(full(&s.search("宝丰县 医院", "").await).is_empty());
    let ids = s.ids("院", "").await;
    assert!(ids.contains(&"n-procure".to_string()), "{ids:?}");
}

#[tokio::test]
async fn newer_first_among_equals() {
    let f = fixture().await;
    let ids = f.server.ids("宝丰县水利工程", "").await;
    assert_eq!(ids, vec!["n-same-new", "n-same-old"]);
}

#[tokio::test]
async fn title_over_body_and_synonyms_below_exact_matches() {
    let f = fixture().await;
    let s = &f.server;
    let ids = s.ids("串通投标", "").await;
    assert_eq!(
        ids.first().map(String::as_str),
        Some("p-collusion"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"p-weibiao".to_string()),
        "synonym 围标 found: {ids:?}"
    );
    let boiler = ids.iter().position(|i| i == "n-boiler");
    assert!(
        boiler.is_none_or(|p| p >= 2),
        "boilerplate mention ranked too high: {ids:?}"
    );
    // The other way round: 围标 finds 串通投标, below its own exact match.
    let ids = s.ids("围标", "").await;
    assert_eq!(
        ids.first().map(String::as_str),
        Some("p-weibiao"),
        "{ids:?}"
    );
    assert!(ids.contains(&"p-collusion".to_string()), "{ids:?}");
    // 招标人 / 采购人, 中标 / 成交.
    assert!(s
        .ids("招标人 第一人民医院", "")
        .await
        .contains(&"n-procure".to_string()));
}

#[tokio::test]
async fn partial_matches_are_a_fallback_and_say_so() {
    let f = fixture().await;
    let v = f.server.search("宝丰县水利设备工程", "").await;
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    let html = f
        .server
        .get(&format!("/search?q={}", encode("宝丰县水利设备工程")))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("部分相符"), "{html}");
    let html = f
        .server
        .get(&format!("/search?q={}", encode("宝丰县水利")))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("部分相符"));
}
