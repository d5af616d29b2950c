//! A small site built in code for the renderers' tests: one construction project (tender,
//! candidates publicised only one day before the award, no contract long after it), one penalty,
//! a current and an expired blacklist entry, a power entry, an inspection, a complaint result and
//! a plain page. Built from inline text with the real parsers ([`crate::testing::content_from`]),
//! so the tests see what a build sees, without depending on the demo `content/`.

use chrono::NaiveDate;
use disclosure::ident::uscc_check_char;

use crate::content::Content;
use crate::log::PublicationLog;
use crate::site::Site;

pub const SITE: &str = r#"
name = "平顶山市公共资源交易信息公开网"
base_url = "https://ggzy.example.gov.cn"
organisation = "平顶山市公共资源交易管理委员会办公室"
description = "集中公开公共资源交易信息。"

[footer]
site_code = "4104000001"
icp = "豫ICP备00000000号-1"
police = "豫公网安备 41040202000001号"
contact = "电话：0375-0000000"
"#;

pub const DEPARTMENTS: &str = r#"
[[department]]
id = "gongguan"
name = "平顶山市公共资源交易管理委员会办公室"
short = "公管办"
email = "gongguan@example.gov.cn"
categories = ["other"]
fallback = true

[[department]]
id = "zjj"
name = "平顶山市住房和城乡建设局"
short = "住房城乡建设局"
email = "zjj@example.gov.cn"
categories = ["construction"]

[[department]]
id = "czj"
name = "平顶山市财政局"
short = "财政局"
email = "czj@example.gov.cn"
categories = ["procurement"]
"#;

pub const CALENDAR: &str = r#"
[[year]]
year = 2026
holidays = [2026-05-01, 2026-05-04, 2026-05-05]
workdays = [2026-05-09]
"#;

/// The build date of the fixture site.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

/// A valid unified social credit code from 17 characters.
pub fn uscc(first17: &str) -> String {
    format!("{first17}{}", uscc_check_char(first17).unwrap())
}

fn sources() -> Vec<(&'static str, String)> {
    let a = uscc("91410400MA0000001");
    let b = uscc("91410400MA0000002");
    let c = uscc("91410400MA0000003");
    let d = uscc("91410400MA0000004");
    vec![
        (
            "n-tender",
            r#"+++
kind = "notice"
title = "新城区第一小学教学楼建设工程施工招标公告"
date = 2026-03-02
department = "zjj"
region = "新华区"
category = "construction"
project = "PDSJS-2026-001"
stage = "tender"
+++
## 招标条件

本项目已由平顶山市发展和改革委员会批准建设。

<script>alert("x")</script>
"#
            .to_string(),
        ),
        (
            "r-candidates",
            format!(
                r#"+++
kind = "result"
title = "新城区第一小学教学楼建设工程中标候选人公示"
date = 2026-04-01
department = "zjj"
category = "construction"
project = "PDSJS-2026-001"
stage = "candidates"

[[bidders]]
name = "河南某建设集团有限公司"
credit_code = "{a}"
bid = 12860000.00
rank = 1
won = false
+++
公示期自2026年4月1日至4月3日。
"#
            ),
        ),
        (
            "r-award",
            format!(
                r#"+++
kind = "result"
title = "新城区第一小学教学楼建设工程中标结果公告"
date = 2026-04-02
department = "zjj"
region = "新华区"
category = "construction"
project = "PDSJS-2026-001"
stage = "award"
amount = 12860000.00

[[bidders]]
name = "河南某建设集团有限公司"
credit_code = "{a}"
bid = 12860000.00
rank = 1
won = true

[[bidders]]
name = "平顶山某建工有限公司"
credit_code = "{b}"
bid = 13125500.50
rank = 2
won = false

[[bidders]]
name = "郑州某路桥工程有限公司"
credit_code = "{c}"
bid = 11990000.00
rank = 3
won = false
disqualified = true
reason = "投标保证金未按招标文件要求提交"
+++
| 项目 | 内容 |
|---|---|
| 工期 | 365日历天 |
"#
            ),
        ),
        (
            "p-1",
            format!(
                r#"+++
kind = "penalty"
title = "平顶山某建工有限公司串通投标行政处罚"
date = 2026-05-06
department = "zjj"
decision_no = "平建罚〔2026〕12号"
subject = "平顶山某建工有限公司"
subject_credit_code = "{b}"
violation = "与其他投标人相互串通投标"
basis = "《中华人民共和国招标投标法》第五十三条"
penalty = "罚款"
fine = 64000.00
decision_date = 2026-04-28
public_until = 2026-12-31
+++
经查，当事人存在串通投标行为。
"#
            ),
        ),
        (
            "black-current",
            format!(
                r#"+++
kind = "credit"
title = "郑州某路桥工程有限公司列入失信黑名单"
date = 2026-01-05
department = "zjj"
list = "black"
subject = "郑州某路桥工程有限公司"
credit_code = "{c}"
reason = "提供虚假材料谋取中标"
basis = "《中华人民共和国招标投标法》第五十四条"
from = 2026-01-05
until = 2027-01-04
status = "active"
measures = ["限制参与本市依法必须招标项目的投标", "列为重点监管对象"]
+++
"#
            ),
        ),
        (
            "black-expired",
            format!(
                r#"+++
kind = "credit"
title = "平顶山市某建筑劳务有限公司列入失信黑名单"
date = 2025-01-10
department = "zjj"
list = "black"
subject = "平顶山市某建筑劳务有限公司"
credit_code = "{d}"
reason = "拖欠农民工工资"
basis = "《保障农民工工资支付条例》第四十八条"
from = 2025-01-10
until = 2025-12-31
status = "active"
measures = ["限制参与政府投资项目投标"]
+++
"#
            ),
        ),
        (
            "power-zjj-1",
            r#"+++
kind = "power"
title = "对招标人规避招标的行政处罚"
date = 2026-01-02
department = "zjj"
code = "XZCF-ZJJ-001"
power_type = "行政处罚"
basis = "《中华人民共和国招标投标法》第四十九条"
responsibilities = ["立案责任：发现违法行为予以审查", "调查责任：全面、客观、公正调查"]
accountability = "因不履行或不正确履行行政职责，依法追究相应责任"
+++
"#
            .to_string(),
        ),
        (
            "ins-1",
            format!(
                r#"+++
kind = "inspection"
title = "2026年第一批招标代理机构双随机抽查结果"
date = 2026-03-20
department = "zjj"
plan = "2026年度招标代理机构随机抽查计划"
subject = "平顶山某建工有限公司"
credit_code = "{b}"
method = "书面检查"
finding = "责令整改"
checked_on = 2026-03-18
+++
"#
            ),
        ),
        (
            "ts-1",
            r#"+++
kind = "complaint-result"
title = "关于某项目投诉的处理决定"
date = 2026-05-20
department = "zjj"
case_no = "TS-20260414-000003-X"
outcome = "投诉事项不成立，驳回投诉"
decision_date = 2026-05-18
+++
"#
            .to_string(),
        ),
        (
            "about",
            r#"+++
kind = "page"
title = "关于本站"
date = 2026-01-01
+++
本站集中公开公共资源交易信息。
"#
            .to_string(),
        ),
    ]
}

pub struct Fixture {
    pub content: Content,
    pub log: PublicationLog,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::from_sources(sources())
    }

    /// The fixture plus `n` more construction tender notices, for pagination.
    pub fn with_many_notices(n: usize) -> Fixture {
        let mut s = sources();
        for i in 0..n {
            s.push((
                "many",
                format!(
                    "+++\nid = \"many-{i:03}\"\nkind = \"notice\"\ntitle = \"第 {i} 号招标公告\"\ndate = 2026-02-{day:02}\ndepartment = \"zjj\"\ncategory = \"construction\"\nproject = \"PDSJS-2026-1{i:02}\"\nstage = \"tender\"\n+++\n正文。\n",
                    day = i % 28 + 1
                ),
            ));
        }
        Fixture::from_sources(s)
    }

    fn from_sources(sources: Vec<(&str, String)>) -> Fixture {
        Fixture {
            content: crate::testing::content_from(SITE, DEPARTMENTS, CALENDAR, sources),
            log: PublicationLog::default(),
        }
    }

    pub fn site(&self) -> Site<'_> {
        Site::new(&self.content, today(), &self.log)
    }
}
