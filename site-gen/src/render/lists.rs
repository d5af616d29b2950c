//! The list pages: which lists the site has ([`lists`]) and their paginated pages
//! ([`list_pages`]).
//!
//! Filter lists (by category, by stage, credit lists, power lists per department) are static
//! pages of their own, and every filter that can exist always exists, even when empty, so that
//! the filter navigation never depends on the content and never links to a missing page.

use disclosure::model::CreditList;
use disclosure::routes::{self, list_page};
use disclosure::{Category, Disclosure, Kind, Stage};
use maud::html;
use rayon::prelude::*;
use themes::Nav;

use super::{
    breadcrumb, page_count, page_file, page_inputs, page_suffix, pagination, PageJob, PER_PAGE,
};
use crate::output::{file_for_url, OutFile};
use crate::site::Site;

/// One list of the site: its first page's URL, what it shows and how it is navigated.
#[derive(Debug, Clone)]
pub struct ListSpec<'a> {
    /// URL of the first page, ending in `/`; page n is `routes::list_page(url, n)`.
    pub url: String,
    pub title: String,
    /// Newest first (power lists: by department, then newest first).
    pub items: Vec<&'a Disclosure>,
    /// A sentence under the title saying what the list holds.
    pub intro: String,
    /// What an empty list says.
    pub empty: String,
    pub nav: Nav,
    /// The RSS feed that follows this list, with its title.
    pub feed: Option<(String, String)>,
    /// The filter navigation shown above the items.
    pub filters: Vec<FilterGroup>,
    /// Whether items are shown under a heading per department.
    pub group_by_department: bool,
    /// Links above the title, after 首页.
    pub trail: Vec<(String, String)>,
}

/// A row of filter links, e.g. all the categories.
#[derive(Debug, Clone, Hash)]
pub struct FilterGroup {
    pub label: &'static str,
    pub options: Vec<FilterOption>,
}

#[derive(Debug, Clone, Hash)]
pub struct FilterOption {
    pub label: String,
    pub url: String,
    pub count: usize,
}

/// The trading lists (notices or results), with one list per category and per stage.
fn trade_lists<'a>(site: &Site<'a>, kind: Kind, out: &mut Vec<ListSpec<'a>>) {
    let all = &site.by_kind[&kind];
    let base = format!("/{}/", kind.path());
    let label = kind.label();
    let nav = super::nav_for(kind);
    let feed = (
        format!("/feeds/{}.xml", kind.path()),
        format!("{label} RSS"),
    );

    let mut by_category: Vec<Vec<&Disclosure>> = vec![Vec::new(); Category::ALL.len()];
    let mut by_stage: Vec<Vec<&Disclosure>> = vec![Vec::new(); Stage::ALL.len()];
    for d in all {
        if let Some(t) = d.trade() {
            by_category[t.category as usize].push(d);
            by_stage[t.stage as usize].push(d);
        }
    }
    let filters = vec![
        FilterGroup {
            label: "交易类别",
            options: std::iter::once(FilterOption {
                label: "全部".into(),
                url: base.clone(),
                count: all.len(),
            })
            .chain(Category::ALL.iter().map(|c| FilterOption {
                label: c.label().into(),
                url: format!("{base}category/{}/", c.key()),
                count: by_category[*c as usize].len(),
            }))
            .collect(),
        },
        FilterGroup {
            label: "项目阶段",
            options: Stage::ALL
                .iter()
                .map(|s| FilterOption {
                    label: s.label().into(),
                    url: format!("{base}stage/{}/", s.key()),
                    count: by_stage[*s as usize].len(),
                })
                .collect(),
        },
    ];
    let intro = match kind {
        Kind::Notice => "招标、采购、出让、转让公告，以及变更澄清、开标记录等交易过程信息，按发布时间排列，最新在前。",
        _ => "中标候选人公示、中标（成交）结果、合同订立和终止公告，按发布时间排列，最新在前。",
    };
    let list = |url: String,
                title: String,
                items: Vec<&'a Disclosure>,
                feed: (String, String),
                trail: bool| ListSpec {
        empty: format!("暂无{title}。新的信息发布后会列在这里；也可以订阅 RSS 及时获知。"),
        url,
        title,
        items,
        intro: intro.to_string(),
        nav,
        feed: Some(feed),
        filters: filters.clone(),
        group_by_department: false,
        trail: if trail {
            vec![(base.clone(), label.to_string())]
        } else {
            Vec::new()
        },
    };
    out.push(list(
        base.clone(),
        label.to_string(),
        all.clone(),
        feed.clone(),
        false,
    ));
    for (c, items) in Category::ALL.iter().zip(by_category) {
        let feed = (routes::category_feed(*c), format!("{} RSS", c.label()));
        let url = format!("{base}category/{}/", c.key());
        out.push(list(
            url,
            format!("{label} · {}", c.label()),
            items,
            feed,
            true,
        ));
    }
    for (s, items) in Stage::ALL.iter().zip(by_stage) {
        let url = format!("{base}stage/{}/", s.key());
        out.push(list(
            url,
            format!("{label} · {}", s.label()),
            items,
            feed.clone(),
            true,
        ));
    }
}

/// The list of one category's notices and results together, `/categories/<key>/`: what the
/// category's feed carries, and the feed's channel link.
pub fn category_list_url(c: Category) -> String {
    format!("/categories/{}/", c.key())
}

/// One list per category of every notice and result in it, newest first.
fn category_lists<'a>(site: &Site<'a>, out: &mut Vec<ListSpec<'a>>) {
    let mut by_category: Vec<Vec<&Disclosure>> = vec![Vec::new(); Category::ALL.len()];
    for kind in [Kind::Notice, Kind::Result] {
        for d in &site.by_kind[&kind] {
            if let Some(t) = d.trade() {
                by_category[t.category as usize].push(d);
            }
        }
    }
    for items in &mut by_category {
        items.sort_by(|a, b| crate::site::newest_first(a, b));
    }
    let filters = vec![FilterGroup {
        label: "交易类别",
        options: Category::ALL
            .iter()
            .map(|c| FilterOption {
                label: c.label().into(),
                url: category_list_url(*c),
                count: by_category[*c as usize].len(),
            })
            .collect(),
    }];
    for (c, items) in Category::ALL.iter().zip(by_category) {
        let title = format!("{}交易公告与结果", c.label());
        out.push(ListSpec {
            url: category_list_url(*c),
            empty: format!("暂无{title}。新的信息发布后会列在这里；也可以订阅 RSS 及时获知。"),
            intro: format!(
                "{}类项目的交易公告与交易结果合并列出，按发布时间排列，最新在前；与本类别的 RSS 订阅内容一致。",
                c.label()
            ),
            title,
            items,
            nav: Nav::Notices,
            feed: Some((routes::category_feed(*c), format!("{} RSS", c.label()))),
            filters: filters.clone(),
            group_by_department: false,
            trail: Vec::new(),
        });
    }
}

/// A plain list of one kind.
fn simple<'a>(site: &Site<'a>, kind: Kind, intro: &str) -> ListSpec<'a> {
    let label = kind.label();
    ListSpec {
        url: format!("/{}/", kind.path()),
        title: label.to_string(),
        items: site.by_kind[&kind].clone(),
        intro: intro.to_string(),
        empty: format!("暂无{label}。"),
        nav: super::nav_for(kind),
        feed: None,
        filters: Vec::new(),
        group_by_department: false,
        trail: Vec::new(),
    }
}

/// Every list page of the site except projects and departments (which have their own renderers).
pub fn lists<'a>(site: &Site<'a>) -> Vec<ListSpec<'a>> {
    let mut out = Vec::new();
    trade_lists(site, Kind::Notice, &mut out);
    trade_lists(site, Kind::Result, &mut out);
    category_lists(site, &mut out);

    let mut penalties = simple(
        site,
        Kind::Penalty,
        "行政监督部门作出的行政处罚决定，在公示期内公开；公示期满后不再在本站展示。",
    );
    penalties.feed = Some(("/feeds/penalties.xml".into(), "行政处罚 RSS".into()));
    penalties.empty = "目前没有处于公示期内的行政处罚决定。".into();
    out.push(penalties);

    // The credit lists, judged on the build date.
    let red = site.current_credit(CreditList::Red);
    let black = site.current_credit(CreditList::Black);
    let history = site.credit_history();
    let credit_filters = vec![FilterGroup {
        label: "信用名单",
        options: vec![
            FilterOption {
                label: "红名单".into(),
                url: "/credit/red/".into(),
                count: red.len(),
            },
            FilterOption {
                label: "黑名单".into(),
                url: "/credit/black/".into(),
                count: black.len(),
            },
            FilterOption {
                label: "历史记录".into(),
                url: "/credit/history/".into(),
                count: history.len(),
            },
        ],
    }];
    let today = site.today;
    let credit =
        |url: &str, title: &str, items: Vec<&'a Disclosure>, intro: String, empty: &str| ListSpec {
            url: url.into(),
            title: title.into(),
            items,
            intro,
            empty: empty.into(),
            nav: Nav::Credit,
            feed: Some(("/feeds/credit.xml".into(), "信用名单 RSS".into())),
            filters: credit_filters.clone(),
            group_by_department: false,
            trail: Vec::new(),
        };
    out.push(credit(
        "/credit/red/",
        "信用红名单",
        red,
        format!(
            "截至 {today} 处于有效期内、状态有效的守信激励对象。到期、修复或撤销的记录见历史记录。"
        ),
        "目前没有有效的红名单主体。",
    ));
    out.push(credit(
        "/credit/black/",
        "信用黑名单",
        black,
        format!(
            "截至 {today} 处于有效期内、状态有效的失信惩戒对象。到期、修复或撤销的记录见历史记录。"
        ),
        "目前没有有效的黑名单主体。",
    ));
    out.push(credit(
        "/credit/history/",
        "信用名单历史记录",
        history,
        format!("截至 {today} 已到期、尚未生效、已信用修复或已撤销的红黑名单记录。"),
        "暂无历史记录。",
    ));

    // Power lists: all of them grouped by department, and one list per department.
    let deps = site.content.departments.all();
    let dep_index = |d: &Disclosure| {
        d.department
            .as_deref()
            .and_then(|id| deps.iter().position(|x| x.id == id))
            .unwrap_or(usize::MAX)
    };
    let mut powers = simple(
        site,
        Kind::Power,
        "各行政监督部门的权力事项、设定依据、责任事项和追责情形，按部门排列。",
    );
    powers.items.sort_by_key(|d| dep_index(d));
    powers.group_by_department = true;
    let mut per_dep: Vec<Vec<&Disclosure>> = vec![Vec::new(); deps.len()];
    for d in &powers.items {
        if let Some(v) = per_dep.get_mut(dep_index(d)) {
            v.push(d);
        }
    }
    powers.filters = vec![FilterGroup {
        label: "部门",
        options: std::iter::once(FilterOption {
            label: "全部".into(),
            url: "/powers/".into(),
            count: powers.items.len(),
        })
        .chain(deps.iter().zip(&per_dep).map(|(dep, items)| FilterOption {
            label: dep.short.clone(),
            url: format!("/powers/department/{}/", dep.id),
            count: items.len(),
        }))
        .collect(),
    }];
    let powers_filters = powers.filters.clone();
    out.push(powers);
    for (dep, items) in deps.iter().zip(per_dep) {
        out.push(ListSpec {
            url: format!("/powers/department/{}/", dep.id),
            title: format!("权责清单 · {}", dep.short),
            items,
            intro: format!("{}的权力事项、设定依据、责任事项和追责情形。", dep.name),
            empty: format!("{}暂未公布权责清单。", dep.name),
            nav: Nav::Powers,
            feed: None,
            filters: powers_filters.clone(),
            group_by_department: false,
            trail: vec![("/powers/".into(), "权责清单".into())],
        });
    }

    out.push(simple(
        site,
        Kind::Inspection,
        "“双随机、一公开”抽查：随机抽取检查对象、随机选派执法检查人员，抽查情况及查处结果及时向社会公开。",
    ));
    let mut complaints = simple(
        site,
        Kind::ComplaintResult,
        "投诉处理决定依法公开。提交投诉、异议或举报，请使用在线投诉举报。",
    );
    complaints.empty = "暂无公开的投诉处理结果。".into();
    out.push(complaints);
    out
}

/// Every page of a list, 20 items a page, newest first.
pub fn list_pages(site: &Site, list: &ListSpec) -> Vec<OutFile> {
    list_page_jobs(site, list)
        .into_par_iter()
        .map(|job| (job.render)())
        .collect()
}

/// The pages of a list as jobs the build may skip ([`PageJob`]).
pub fn list_page_jobs<'s>(site: &'s Site<'_>, list: &'s ListSpec<'_>) -> Vec<PageJob<'s>> {
    let pages = page_count(list.items.len());
    // What the list's pages share is hashed once, not once per page: a list's filters alone
    // are dozens of strings, and a list of 100,000 items has 5,000 pages.
    let own = super::hash_of(&(
        &list.url,
        &list.title,
        &list.intro,
        &list.empty,
        list.nav,
        &list.feed,
        &list.filters,
        list.group_by_department,
        &list.trail,
    ));
    (1..=pages)
        .into_par_iter()
        .map(|n| PageJob {
            path: file_for_url(&list_page(&list.url, n)),
            inputs: page_inputs(site, own, &list.items, n),
            render: Box::new(move || list_page_file(site, list, n, pages)),
        })
        .collect()
}

fn list_page_file(site: &Site, list: &ListSpec, n: usize, pages: usize) -> OutFile {
    let start = (n - 1) * PER_PAGE;
    let slice = &list.items[start.min(list.items.len())..(start + PER_PAGE).min(list.items.len())];
    let title = page_suffix(&list.title, n);
    let trail: Vec<(&str, &str)> = list
        .trail
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let main = html! {
        (breadcrumb(&trail, &list.title))
        h1 { (title) }
        @if !list.intro.is_empty() { p.lede { (list.intro) } }
        @if !list.filters.is_empty() {
            nav.filters aria-label="筛选" {
                @for group in &list.filters {
                    h2 { (group.label) }
                    ul.chips {
                        @for o in &group.options {
                            li {
                                a href=(o.url) aria-current=[(o.url == list.url).then_some("page")] {
                                    (o.label) span.count { "（" (o.count) "）" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if slice.is_empty() {
            p.empty { (list.empty) }
        } @else if list.group_by_department {
            @for (i, group) in slice.chunk_by(|a, b| a.department == b.department).enumerate() {
                @let continued = i == 0 && start > 0 && list.items[start - 1].department == group[0].department;
                @let name = group[0].department.as_deref().map_or("", |id| site.department_name(id));
                h2.group-title { (name) @if continued { "（续）" } }
                (super::items(site, group))
            }
        } @else {
            (super::items(site, slice))
        }
        (pagination(&list.url, n, pages, list.items.len()))
        @if let Some((href, label)) = &list.feed {
            p.note { "订阅本栏目：" a href=(href) { (label) } }
        }
    };
    let description = list.intro.as_str();
    let url = list_page(&list.url, n);
    let feed = list.feed.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
    page_file(site, &url, &title, description, feed, list.nav, main)
}

#[cfg(test)]
fn item_html(site: &Site, d: &Disclosure) -> String {
    super::item(site, d).into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures::Fixture;
    use scraper::{Html, Selector};

    fn page_text(files: &[OutFile], path: &str) -> String {
        let f = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"));
        String::from_utf8(f.bytes.clone()).unwrap()
    }

    #[test]
    fn every_filter_list_exists_even_when_empty() {
        let fx = Fixture::new();
        let site = fx.site();
        let lists = lists(&site);
        let urls: Vec<&str> = lists.iter().map(|l| l.url.as_str()).collect();
        for c in Category::ALL {
            assert!(urls.contains(&format!("/notices/category/{}/", c.key()).as_str()));
            assert!(urls.contains(&format!("/results/category/{}/", c.key()).as_str()));
        }
        for s in Stage::ALL {
            assert!(urls.contains(&format!("/results/stage/{}/", s.key()).as_str()));
        }
        for u in [
            "/notices/",
            "/results/",
            "/penalties/",
            "/credit/red/",
            "/credit/black/",
            "/credit/history/",
            "/powers/",
            "/powers/department/zjj/",
            "/inspections/",
            "/complaint-results/",
        ] {
            assert!(urls.contains(&u), "{u}");
        }
        let mining = lists
            .iter()
            .find(|l| l.url == "/notices/category/mining/")
            .unwrap();
        assert!(mining.items.is_empty());
        let files = list_pages(&site, mining);
        assert_eq!(files.len(), 1);
        let html = page_text(&files, "notices/category/mining/index.html");
        assert!(html.contains("暂无交易公告 · 矿业权"));
    }

    #[test]
    fn lists_paginate_twenty_a_page_with_prev_next() {
        let fx = Fixture::with_many_notices(45);
        let site = fx.site();
        let lists = lists(&site);
        let notices = lists.iter().find(|l| l.url == "/notices/").unwrap();
        let files = list_pages(&site, notices);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "notices/index.html",
                "notices/page/2/index.html",
                "notices/page/3/index.html"
            ]
        );
        let doc = Html::parse_document(&page_text(&files, "notices/page/2/index.html"));
        let sel = |s: &str| Selector::parse(s).unwrap();
        assert_eq!(doc.select(&sel("li.item")).count(), 20);
        assert_eq!(
            doc.select(&sel("a[rel=prev]"))
                .next()
                .unwrap()
                .value()
                .attr("href"),
            Some("/notices/")
        );
        assert_eq!(
            doc.select(&sel("a[rel=next]"))
                .next()
                .unwrap()
                .value()
                .attr("href"),
            Some("/notices/page/3/")
        );
        let status: String = doc
            .select(&sel(".page-status"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert!(status.contains("第 2 / 3 页"), "{status}");
        assert_eq!(doc.select(&sel("nav[aria-label=分页]")).count(), 1);
        assert_eq!(doc.select(&sel("h1")).count(), 1);
        // The category filter shows counts and marks nothing current on the unfiltered list…
        let chips: Vec<String> = doc
            .select(&sel(".filters a"))
            .map(|a| a.text().collect::<String>())
            .collect();
        assert!(chips.contains(&"全部（46）".to_string()), "{chips:?}");
        // …and the filtered list marks its own chip.
        let construction = lists
            .iter()
            .find(|l| l.url == "/notices/category/construction/")
            .unwrap();
        let files = list_pages(&site, construction);
        let doc = Html::parse_document(&page_text(
            &files,
            "notices/category/construction/index.html",
        ));
        let current: Vec<String> = doc
            .select(&sel(".filters a[aria-current=page]"))
            .map(|a| a.text().collect::<String>())
            .collect();
        assert_eq!(current, ["工程建设（46）"]);
    }

    #[test]
    fn credit_lists_follow_the_build_date() {
        let fx = Fixture::new();
        let site = fx.site();
        let lists = lists(&site);
        let ids = |url: &str| -> Vec<String> {
            lists
                .iter()
                .find(|l| l.url == url)
                .unwrap()
                .items
                .iter()
                .map(|d| d.id.clone())
                .collect()
        };
        assert_eq!(ids("/credit/black/"), ["black-current"]);
        assert_eq!(ids("/credit/history/"), ["black-expired"]);
        let expired = site.get("black-expired").unwrap();
        expect_test::expect![[r#"
            <li class="item"><a class="item-title" href="/credit/black-expired/">平顶山市某建筑劳务有限公司列入失信黑名单</a><p class="item-meta"><time datetime="2025-01-10">2025-01-10</time><span>住房城乡建设局</span><span class="badge">黑名单·已到期</span></p><p class="item-extra">平顶山市某建筑劳务有限公司 · 有效期 2025-01-10 至 2025-12-31</p></li>"#]]
        .assert_eq(&item_html(&site, expired));
    }
}
