//! The unit tests' fixture sites, built in code from inline sources with the real parsers
//! ([`content_from`], the one way they are made): the small site of the feed and open-data tests
//! ([`fixture`]), the same site grown to any size without parsing ([`generated`], for the
//! sitemap's limits and the open-data benchmark), and the renderers' site
//! (`render::fixtures`).

use std::path::PathBuf;

use chrono::NaiveDate;
use disclosure::model::Penalty;
use disclosure::parse::parse_disclosure;
use disclosure::validate::internal_links;
use disclosure::{
    Bidder, Calendar, Category, Departments, Details, Disclosure, SiteConfig, Stage, Trade, Yuan,
};
use sha2::{Digest, Sha256};

use crate::content::Content;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
}

const SITE: &str = r#"
name = "示例市公共资源交易信息公开网"
base_url = "https://ggzy.example.gov.cn/"
organisation = "示例市公共资源交易管理委员会办公室"
description = "示例市公共资源交易公开信息 & 监督"

[footer]
site_code = "0000000001"
icp = "ICP备00000000号"
police = "公网安备00000000号"
contact = "电话 0000-0000000"
"#;

const DEPARTMENTS: &str = r#"
[[department]]
id = "gongguan"
name = "示例市公共资源交易管理委员会办公室"
short = "公管办"
email = "gongguan@example.gov.cn"
categories = ["other"]
fallback = true

[[department]]
id = "zjj"
name = "示例市住房和城乡建设局"
short = "住建局"
email = "zjj@example.gov.cn"
categories = ["construction"]
"#;

const CALENDAR: &str = "[[year]]\nyear = 2026\nholidays = [2026-01-01]\n";

const SOURCES: &[(&str, &str)] = &[
    (
        "n1",
        r#"+++
kind = "notice"
title = "示例市第一中学教学楼建设工程施工招标公告"
date = 2026-03-02
department = "zjj"
category = "construction"
project = "SLZJ-2026-001"
stage = "tender"
+++
## 招标条件

本招标项目已由示例市发展和改革委员会批准建设，招标人为**示例市第一中学**。

| 标段 | 估算价 |
|---|---|
| 一标段 | 1200 万元 |
"#,
    ),
    (
        "r1",
        r#"+++
kind = "result"
title = "示例市第一中学教学楼建设工程施工中标结果公告"
date = 2026-03-26T09:30:00
department = "zjj"
category = "construction"
project = "SLZJ-2026-001"
stage = "award"
amount = 11860000.00

[[bidders]]
name = "河南九州建设有限公司"
credit_code = "91410100MATLA0KD19"
bid = 11860000.00
rank = 1
won = true

[[bidders]]
name = "郑州康华建筑有限公司"
credit_code = "91410100MATY9NTX62"
bid = 11925000.50
rank = 2
won = false

[[bidders]]
name = "平顶山市康泰工程有限公司"
credit_code = "91410400MAWN8TU8LR"
bid = 10980000.00
rank = 3
won = false
disqualified = true
reason = "投标保证金未按规定递交"
+++
经评标委员会评审，确定中标人如下。
"#,
    ),
    (
        "p1",
        r#"+++
kind = "penalty"
title = "示例市鹰城客运有限公司未按规定发布招标公告行政处罚决定"
date = 2026-03-10
department = "zjj"
decision_no = "示建罚〔2026〕3号"
subject = "示例市鹰城客运有限公司"
subject_credit_code = "91410400MA903FNDEB"
violation = "未按规定在指定媒介发布招标公告"
basis = "《中华人民共和国招标投标法》第五十一条"
penalty = "责令改正，罚款人民币贰万元"
fine = 20000.00
decision_date = 2026-03-09
public_until = 2027-03-09
+++
当事人未在指定媒介发布招标公告 <b>限制</b> 了潜在投标人。
"#,
    ),
    (
        "old-penalty",
        r#"+++
kind = "penalty"
title = "旧处罚：某公司串通投标行政处罚决定"
date = 2025-08-01
department = "zjj"
decision_no = "示建罚〔2025〕1号"
subject = "舞钢市钢都建筑工程有限公司"
subject_credit_code = "91410481MANEH249RG"
violation = "串通投标"
basis = "《中华人民共和国招标投标法》第五十三条"
penalty = "罚款"
decision_date = 2025-07-30
public_until = 2026-02-01
+++
公示期已满。
"#,
    ),
    (
        "c1",
        r#"+++
kind = "credit"
title = "示例市鹰城客运有限公司不良信用信息"
date = 2026-03-15
department = "zjj"
list = "black"
subject = "示例市鹰城客运有限公司"
credit_code = "91410400MA903FNDEB"
reason = "未按规定发布招标公告"
basis = "《建筑市场信用管理暂行办法》"
from = 2026-03-15
until = 2027-03-14
status = "active"
measures = ["列为重点监管对象"]
+++
见[处罚决定](/penalties/p1/)。
"#,
    ),
    (
        "i1",
        r#"+++
kind = "inspection"
title = "2026年第一季度招标代理机构双随机抽查结果"
date = 2026-02-10
department = "gongguan"
plan = "2026年第一季度双随机抽查计划"
subject = "郑州康华建筑有限公司"
credit_code = "91410100MATY9NTX62"
method = "书面检查"
finding = "未发现问题"
checked_on = 2026-02-05
+++
抽查未发现问题。
"#,
    ),
    (
        "about",
        r#"+++
kind = "page"
title = "关于本站"
date = 2026-01-01
+++
本站公开示例市公共资源交易信息。
"#,
    ),
];

/// `n` generated disclosures on the fixture's configuration: projects of a tender notice, a
/// candidates notice and an award with four bidders (one disqualified), plus penalties and
/// credit entries; for the split sitemap and for timing at scale.
pub fn generated(n: usize) -> Content {
    let mut content = fixture();
    let codes = [
        "91410100MATLA0KD19",
        "91410100MATY9NTX62",
        "91410400MAWN8TU8LR",
        "91410400MA903FNDEB",
    ];
    let bidders: Vec<Bidder> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| Bidder {
            name: format!("示例第{}建设工程有限公司", i + 1),
            credit_code: code.to_string(),
            bid: Yuan(1_234_567_800 + i as i64 * 1_000_050),
            rank: i as u32 + 1,
            won: i == 0,
            disqualified: i == 3,
            reason: (i == 3).then(|| "投标文件未按规定签章".to_string()),
        })
        .collect();
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let body = "## 项目概况\n\n本项目位于示例市新城区，建设规模约 12000 平方米，计划工期 365 日历天。\n\n| 标段 | 估算价 |\n|---|---|\n| 一标段 | 1200 万元 |\n".repeat(3);
    let (docs, hashes): (Vec<Disclosure>, Vec<[u8; 32]>) = (0..n)
        .map(|i| {
            let project = format!("GEN-{:06}", i / 3);
            let trade = |stage| Trade {
                category: Category::ALL[(i / 3) % Category::ALL.len()],
                project: project.clone(),
                stage,
                buyer: None,
                agency: None,
            };
            let details = match i % 10 {
                8 => Details::Penalty(Penalty {
                    decision_no: format!("示建罚〔2026〕{i}号"),
                    subject: "示例第四建设工程有限公司".to_string(),
                    subject_credit_code: codes[3].to_string(),
                    violation: "未按规定发布招标公告".to_string(),
                    basis: "《中华人民共和国招标投标法》第五十一条".to_string(),
                    penalty: "责令改正，罚款人民币贰万元".to_string(),
                    fine: Some(Yuan(2_000_000)),
                    decision_date: start,
                    public_until: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
                    project: None,
                }),
                _ => match i % 3 {
                    0 => Details::Notice {
                        trade: trade(Stage::Tender),
                    },
                    1 => Details::Result {
                        trade: trade(Stage::Candidates),
                        amount: None,
                        bidders: bidders.clone(),
                    },
                    _ => Details::Result {
                        trade: trade(Stage::Award),
                        amount: Some(bidders[0].bid),
                        bidders: bidders.clone(),
                    },
                },
            };
            let d = Disclosure {
                id: format!("gen-{i:06}"),
                source: format!("gen/gen-{i:06}.md"),
                title: format!("示例市第{i}号建设工程施工项目公告"),
                date: start + chrono::Days::new((i / 40) as u64),
                time: None,
                updated: None,
                department: Some(if i % 2 == 0 { "zjj" } else { "gongguan" }.to_string()),
                department_line: 5,
                region: Some("新城区".to_string()),
                body: body.clone(),
                body_line: 12,
                details,
                public_numbers: Vec::new(),
            };
            let hash: [u8; 32] = Sha256::digest(d.id.as_bytes()).into();
            (d, hash)
        })
        .unzip();
    content.links = vec![Vec::new(); docs.len()];
    content.docs = docs;
    content.hashes = hashes;
    content
}

/// The content of the small site, as `content::load` would return it.
pub fn fixture() -> Content {
    content_from(
        SITE,
        DEPARTMENTS,
        CALENDAR,
        SOURCES.iter().map(|(stem, text)| (*stem, text.to_string())),
    )
}

/// The one way a unit test makes a site: the site-wide files and the Markdown sources (file stem,
/// text) parsed with the real parsers, as `content::load` would return them: sorted by id, each
/// with its source hash and internal links.
pub fn content_from<'s>(
    site: &str,
    departments: &str,
    calendar: &str,
    sources: impl IntoIterator<Item = (&'s str, String)>,
) -> Content {
    let mut docs: Vec<_> = sources
        .into_iter()
        .map(|(stem, text)| {
            let d = parse_disclosure(&format!("content/{stem}.md"), stem, &text)
                .unwrap_or_else(|e| panic!("{stem}: {e:?}"));
            let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
            (d, hash)
        })
        .collect();
    docs.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let (docs, hashes): (Vec<Disclosure>, _) = docs.into_iter().unzip();
    Content {
        dir: PathBuf::from("content"),
        site: SiteConfig::parse("content/site.toml", site).unwrap(),
        departments: Departments::parse("content/departments.toml", departments).unwrap(),
        calendar: Calendar::parse("content/calendar.toml", calendar).unwrap(),
        links: docs.iter().map(internal_links).collect(),
        docs,
        hashes,
    }
}
