//! `/complaint-results/statistics/`: how complaints and reports were handled, by department and
//! quarter, from the anonymous statistics `intake export` writes to
//! `content/complaint-statistics.json`.
//!
//! The file is checked when the content is loaded ([`crate::content::parse_statistics`]): a count of 1 or 2 could point at a
//! submitter and is refused (intake publishes it as `null`, shown as 少于3件), as is a department
//! the site does not know. Without the file there is no page.

use maud::html;

use super::{breadcrumb, page_file, Nav};
use crate::output::OutFile;
use crate::site::Site;

/// Where the page is.
pub const URL: &str = "/complaint-results/statistics/";

fn count(n: Option<i64>, min: i64) -> String {
    match n {
        Some(n) => n.to_string(),
        None => format!("少于{min}件"),
    }
}

/// The page, when `content/` has statistics.
pub fn page(site: &Site) -> Vec<OutFile> {
    let path = site.content.dir.join(crate::content::STATISTICS_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let ids: Vec<&str> = site
        .content
        .departments
        .all()
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    // Checked when the content was loaded; a file replaced since is published only if valid.
    let Ok(stats) = crate::content::parse_statistics(crate::content::STATISTICS_FILE, &text, &ids)
    else {
        return Vec::new();
    };
    let min = stats.min_cell.max(3);
    let mut quarters: Vec<&str> = stats.rows.iter().map(|r| r.quarter.as_str()).collect();
    quarters.dedup();
    let main = html! {
        (breadcrumb(&[("/complaint-results/", "投诉处理结果")], "办理情况统计"))
        h1 { "投诉举报办理情况统计" }
        p.lede {
            "按承办部门和季度统计收到、办结、按期办结和超期的投诉、异议、举报和建议，"
            "以及从收到到办结所用的工作日中位数。统计截至 " (stats.generated) "。"
        }
        p {
            "为保护提交人，不足" (min) "件的数字不公开，显示为“少于" (min) "件”；"
            "用时中位数只在办结不少于" (min) "件时给出。超期包括逾期办结的和到期仍未办结的（等待补充材料期间不计）。"
        }
        @for q in &quarters {
            @let (year, n) = q.split_once("-Q").unwrap_or((q, ""));
            section {
                h2 { (year) "年第" (n) "季度" }
                div.table-scroll {
                    table {
                        thead {
                            tr {
                                th scope="col" { "承办部门" }
                                th scope="col" { "收到" }
                                th scope="col" { "办结" }
                                th scope="col" { "按期办结" }
                                th scope="col" { "超期" }
                                th scope="col" { "办结用时中位数（工作日）" }
                            }
                        }
                        tbody {
                            @for r in stats.rows.iter().filter(|r| r.quarter == *q) {
                                tr {
                                    th scope="row" {
                                        a href=(format!("/departments/{}/", r.department)) {
                                            (site.department_name(&r.department))
                                        }
                                    }
                                    td { (count(r.received, min)) }
                                    td { (count(r.concluded, min)) }
                                    td { (count(r.on_time, min)) }
                                    td { (count(r.overdue, min)) }
                                    td {
                                        @match r.median_working_days {
                                            Some(d) => (d),
                                            None => "—",
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { a href="/complaint-results/" { "查看投诉处理结果" } }
    };
    vec![page_file(
        site,
        URL,
        "投诉举报办理情况统计",
        "各监督部门按季度办理投诉、异议、举报和建议的情况：收到、办结、按期办结、超期和办结用时",
        None,
        Nav::Other,
        main,
    )]
}
