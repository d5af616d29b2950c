//! Department pages: who each supervising department is, what it supervises, and everything it
//! published, newest first and paginated; and the index of departments.

use disclosure::{routes, Department};
use maud::html;
use rayon::prelude::*;
use themes::Nav;

use super::{
    breadcrumb, items, page_count, page_file, page_inputs, page_suffix, pagination, PageJob,
    PER_PAGE,
};
use crate::output::{file_for_url, OutFile};
use crate::site::Site;

/// `/departments/<id>/` and its further pages: the department and its disclosures.
pub fn department_page(site: &Site, dep: &Department) -> Vec<OutFile> {
    department_page_jobs(site, dep)
        .into_par_iter()
        .map(|job| (job.render)())
        .collect()
}

/// The department's pages as jobs the build may skip ([`PageJob`]).
pub fn department_page_jobs<'s>(site: &'s Site<'_>, dep: &'s Department) -> Vec<PageJob<'s>> {
    let docs = department_docs(site, dep);
    let pages = page_count(docs.len());
    let base = routes::department(&dep.id);
    (1..=pages)
        .into_par_iter()
        .map(|n| PageJob {
            path: file_for_url(&routes::list_page(&base, n)),
            inputs: page_inputs(site, &dep.id, docs, n),
            render: Box::new(move || department_page_file(site, dep, n, pages)),
        })
        .collect()
}

fn department_docs<'s>(site: &'s Site<'_>, dep: &Department) -> &'s [&'s disclosure::Disclosure] {
    site.by_department
        .get(dep.id.as_str())
        .map_or(&[], |v| v.as_slice())
}

fn department_page_file(site: &Site, dep: &Department, n: usize, pages: usize) -> OutFile {
    let base = routes::department(&dep.id);
    let docs = department_docs(site, dep);
    let feed = routes::department_feed(&dep.id);
    let feed_title = format!("{} RSS", dep.short);
    {
        {
            let start = (n - 1) * PER_PAGE;
            let slice = &docs[start.min(docs.len())..(start + PER_PAGE).min(docs.len())];
            let title = page_suffix(&dep.name, n);
            let main = html! {
                (breadcrumb(&[("/departments/", "监督部门")], &dep.short))
                h1 { (title) }
                @if n == 1 {
                    dl.fields {
                        div { dt { "简称" } dd { (dep.short) } }
                        div { dt { "电子邮箱" } dd { a href={ "mailto:" (dep.email) } { (dep.email) } } }
                        div {
                            dt { "监督的交易类别" }
                            dd {
                                @if dep.categories.is_empty() { "—" }
                                @for c in &dep.categories { span.badge.badge-cat { (c.label()) } " " }
                            }
                        }
                        @if dep.fallback {
                            div { dt { "兜底受理" } dd { "找不到项目或类别对应部门的投诉、举报，由本部门受理。" } }
                        }
                        div {
                            dt { "相关链接" }
                            dd {
                                a href=(format!("/powers/department/{}/", dep.id)) { "权责清单" } " · "
                                a href=(feed) { "RSS 订阅" } " · "
                                a href="/submit" { "投诉举报" }
                            }
                        }
                    }
                }
                h2 { "发布的信息" }
                @if slice.is_empty() {
                    p.empty { (dep.short) "暂未发布信息。" }
                } @else {
                    (items(site, slice))
                }
                (pagination(&base, n, pages, docs.len()))
            };
            let description = format!("{}发布的交易公告、结果、行政处罚、信用名单等信息", dep.name);
            page_file(
                site,
                &routes::list_page(&base, n),
                &title,
                &description,
                Some((&feed, &feed_title)),
                Nav::Departments,
                main,
            )
        }
    }
}

/// `/departments/`: every department with what it supervises and how much it published.
pub fn departments_index(site: &Site) -> OutFile {
    let main = html! {
        (breadcrumb(&[], "监督部门"))
        h1 { "行政监督部门" }
        p.lede {
            "各行政监督部门依法对公共资源交易活动实施监督，受理本行业领域的投诉和举报。"
            "找不到对应部门的事项由公共资源交易管理委员会办公室兜底受理。"
        }
        ul.cards {
            @for dep in site.content.departments.all() {
                @let count = site.by_department.get(dep.id.as_str()).map_or(0, Vec::len);
                li {
                    h2 { a href=(routes::department(&dep.id)) { (dep.name) } }
                    p {
                        "监督类别："
                        @if dep.categories.is_empty() { "—" }
                        @for c in &dep.categories { span.badge.badge-cat { (c.label()) } " " }
                    }
                    p { "已发布信息 " (count) " 条" }
                    p {
                        a href={ "mailto:" (dep.email) } { (dep.email) } " · "
                        a href=(routes::department_feed(&dep.id)) aria-label={ (dep.short) " RSS 订阅" } { "RSS" }
                    }
                }
            }
        }
    };
    page_file(
        site,
        "/departments/",
        "监督部门",
        "公共资源交易行政监督部门及其发布的信息",
        None,
        Nav::Departments,
        main,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures::Fixture;

    #[test]
    fn department_pages_link_feed_and_power_list() {
        let fx = Fixture::with_many_notices(25);
        let site = fx.site();
        let dep = site.content.departments.get("zjj").unwrap();
        let files = department_page(&site, dep);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "departments/zjj/index.html",
                "departments/zjj/page/2/index.html"
            ]
        );
        let first = String::from_utf8(files[0].bytes.clone()).unwrap();
        assert!(first.contains("href=\"/feeds/department/zjj.xml\""));
        assert!(first.contains("href=\"/powers/department/zjj/\""));
        assert!(first.contains("zjj@example.gov.cn"));
        let index = String::from_utf8(departments_index(&site).bytes).unwrap();
        assert!(index.contains("href=\"/departments/czj/\""));
    }
}
