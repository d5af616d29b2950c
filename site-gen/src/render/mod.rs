//! HTML pages, rendered with maud into the site's layout (`themes::page`).
//!
//! Every function here is pure: it reads the [`Site`] and returns files. The build calls them per
//! unit of work (one disclosure page, one list, one project, one company, …) so that an
//! incremental build can re-render only what a changed file touches. A disclosure's own page reads
//! only that disclosure, the site configuration, the departments, the build date and the
//! disclosure's publication record, never other disclosures (but for a result's barred-winner
//! flag, see `doc`): that is what lets a one-file rebuild redo one page.
//!
//! Nothing here uses JavaScript, and every string from content goes through maud's escaping;
//! the only pre-escaped HTML is a Markdown body from [`crate::markdown::to_html`].

pub mod company;
mod department;
mod doc;
mod home;
mod lists;
mod project;
pub mod statistics;

use disclosure::model::CreditList;
use disclosure::{Details, Disclosure, Kind};
use maud::{html, Markup};
use themes::{Meta, Nav};

use crate::output::OutFile;
use crate::site::Site;

pub use department::{department_page, department_page_jobs, departments_index};
pub use doc::disclosure_page;
pub use home::{assets, data_index, feeds_index, home, not_found, sitemap_page, SITEMAP_PAGE};
pub use lists::{
    category_list_url, list_page_jobs, list_pages, lists, FilterGroup, FilterOption, ListSpec,
};
pub use project::{project_page, projects_index};

/// Items per page of every paginated list.
pub const PER_PAGE: usize = 20;

/// One page of a paginated list, ready to render: its file, a hash of everything it is rendered
/// from, and the renderer. The build keeps the previous build's file when the hash is the same,
/// so a one-file change re-renders the list pages that show that file, not all 5,000.
pub struct PageJob<'s> {
    pub path: String,
    pub inputs: u64,
    pub render: Box<dyn FnOnce() -> OutFile + Send + 's>,
}

/// The hash of what page `n` of a list is rendered from, besides the site's configuration and
/// build date (the build cache is keyed on those): `parts`, the list's own texts and counts,
/// and every item on the page and the one before it (a page may say that a group continues),
/// each by its id and source hash ([`Site::source_key`]). A page shows nothing of an item but
/// what its source says.
fn page_inputs(site: &Site, parts: impl std::hash::Hash, items: &[&Disclosure], n: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let start = (n - 1) * PER_PAGE;
    let end = (start + PER_PAGE).min(items.len());
    let mut h = crate::cache::InputsHasher::default();
    parts.hash(&mut h);
    n.hash(&mut h);
    items.len().hash(&mut h);
    for d in &items[start.saturating_sub(1).min(end)..end] {
        site.source_key(d).hash(&mut h);
    }
    h.finish()
}

/// A hash of `value`, for the inputs of a page.
fn hash_of(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher as _;
    let mut h = crate::cache::InputsHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// A whole page in the site's layout, at `url`.
fn page_file(
    site: &Site,
    url: &str,
    title: &str,
    description: &str,
    feed: Option<(&str, &str)>,
    nav: Nav,
    main: Markup,
) -> OutFile {
    let meta = Meta {
        title,
        description,
        path: url,
        feed,
        noindex: false,
    };
    let markup = themes::page(&site.content.site, &meta, nav, main);
    OutFile::at_url(url, markup.into_string())
}

/// The navigation section a disclosure of this kind belongs to.
fn nav_for(kind: Kind) -> Nav {
    match kind {
        Kind::Notice => Nav::Notices,
        Kind::Result => Nav::Results,
        Kind::Penalty => Nav::Penalties,
        Kind::Credit => Nav::Credit,
        Kind::Power => Nav::Powers,
        Kind::Inspection => Nav::Inspections,
        Kind::ComplaintResult | Kind::Page => Nav::Other,
    }
}

/// The list a disclosure is found in, with its title, for breadcrumbs; `None` for pages.
fn list_of(d: &Disclosure) -> Option<(&'static str, &'static str)> {
    Some(match &d.details {
        Details::Notice { .. } => ("/notices/", "交易公告"),
        Details::Result { .. } => ("/results/", "交易结果"),
        Details::Penalty(_) => ("/penalties/", "行政处罚"),
        Details::Credit(c) => match c.list {
            CreditList::Red => ("/credit/red/", "信用红名单"),
            CreditList::Black => ("/credit/black/", "信用黑名单"),
        },
        Details::Power(_) => ("/powers/", "权责清单"),
        Details::Inspection(_) => ("/inspections/", "双随机抽查结果"),
        Details::ComplaintResult(_) => ("/complaint-results/", "投诉处理结果"),
        Details::Page => return None,
    })
}

/// 首页 › … › the current page (not a link).
fn breadcrumb(trail: &[(&str, &str)], current: &str) -> Markup {
    html! {
        nav.breadcrumb aria-label="当前位置" {
            ol {
                li { a href="/" { "首页" } }
                @for (href, label) in trail { li { a href=(href) { (label) } } }
                li aria-current="page" { (current) }
            }
        }
    }
}

/// The short name of a department, for list items; empty when the disclosure has none.
fn department_short<'s>(site: &Site<'s>, d: &Disclosure) -> &'s str {
    d.department
        .as_deref()
        .and_then(|id| site.content.departments.get(id))
        .map_or("", |dep| dep.short.as_str())
}

/// One disclosure in a list: title link, then date, department, badges, region, and the one fact
/// a reader scanning the list wants for its kind.
fn item(site: &Site, d: &Disclosure) -> Markup {
    let url = d.url();
    html! {
        li.item {
            a.item-title href=(url) { (d.title) }
            p.item-meta {
                time datetime=(d.date) { (d.date) }
                @let dep = department_short(site, d);
                @if !dep.is_empty() { span { (dep) } }
                @if let Some(t) = d.trade() {
                    span.badge.badge-cat { (t.category.label()) }
                    span.badge.badge-stage { (t.stage.label()) }
                }
                @if let Details::Credit(c) = &d.details {
                    @let current = c.is_current(site.today);
                    span.badge.badge-red[current && c.list == CreditList::Red]
                        .badge-black[current && c.list == CreditList::Black] {
                        (c.list.label()) "·" (c.state_label(site.today))
                    }
                }
                @if let Some(region) = &d.region { span { (region) } }
            }
            @match &d.details {
                Details::Result { amount: Some(amount), .. } => p.item-extra { (amount_label(d)) "：" span.amount { (amount.display()) } }
                Details::Penalty(p) => p.item-extra { (p.decision_no) " · " (p.subject) }
                Details::Credit(c) => p.item-extra { (c.subject) " · 有效期 " (c.from) " 至 " (c.until) }
                Details::Power(p) => p.item-extra { (p.code) " · " (p.power_type) }
                Details::Inspection(i) => p.item-extra { (i.subject) " · " (i.finding) }
                Details::ComplaintResult(c) => p.item-extra { (c.case_no) " · " (c.outcome) }
                _ => {}
            }
        }
    }
}

/// What barred a company from bidding on a day, as the result, project and company pages name it
/// (一处失信，处处受限): the credit entry or penalty by its title, linking to it, and until when.
/// A penalty past its publicity has no page any more and is not named: it is marked 已过公示期.
fn bar_note(site: &Site, bar: &crate::companies::Bar) -> Markup {
    html! {
        @if bar.by.is_public(site.today) {
            a href=(bar.by.url()) { (bar.by.title) } "（至 " (bar.until) "）"
        } @else {
            "禁止投标的行政处罚（至 " (bar.until) "，" span.muted { "已过公示期" } "）"
        }
    }
}

/// Several [`bar_note`]s, separated by "；".
fn bar_notes(site: &Site, bars: &[crate::companies::Bar]) -> Markup {
    html! {
        @for (i, bar) in bars.iter().enumerate() {
            @if i > 0 { "；" }
            (bar_note(site, bar))
        }
    }
}

/// A list of disclosures.
fn items<'x>(site: &Site, docs: impl IntoIterator<Item = &'x &'x Disclosure>) -> Markup {
    html! {
        ul.items {
            @for d in docs { (item(site, d)) }
        }
    }
}

/// Number of pages a list of `len` items takes; an empty list still has its first page.
fn page_count(len: usize) -> usize {
    len.div_ceil(PER_PAGE).max(1)
}

/// The page numbers to link from page `n` of `pages`: the first, the last, and two either side
/// of the current one; `None` marks a gap.
fn page_numbers(n: usize, pages: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let mut last = 0;
    for i in 1..=pages {
        if i == 1 || i == pages || i.abs_diff(n) <= 2 {
            if i > last + 1 {
                out.push(None);
            }
            out.push(Some(i));
            last = i;
        }
    }
    out
}

/// Previous / numbered / next links and "第 n / m 页", for page `n` (1-based) of a list at `base`.
fn pagination(base: &str, n: usize, pages: usize, total: usize) -> Markup {
    use disclosure::routes::list_page;
    html! {
        @if pages > 1 {
            nav.pagination aria-label="分页" {
                ul {
                    @if n > 1 { li { a href=(list_page(base, n - 1)) rel="prev" { "‹ 上一页" } } }
                    @for i in page_numbers(n, pages) {
                        @match i {
                            Some(i) if i == n => li { span.current aria-current="page" { (i) } }
                            Some(i) => li { a href=(list_page(base, i)) aria-label={ "第 " (i) " 页" } { (i) } }
                            None => li.gap aria-hidden="true" { "…" }
                        }
                    }
                    @if n < pages { li { a href=(list_page(base, n + 1)) rel="next" { "下一页 ›" } } }
                }
                p.page-status { "第 " (n) " / " (pages) " 页，共 " (total) " 条" }
            }
        } @else if total > 0 {
            p.page-status { "共 " (total) " 条" }
        }
    }
}

/// " （第 n 页）" after a title on every page but the first.
fn page_suffix(title: &str, n: usize) -> String {
    if n > 1 {
        format!("{title}（第 {n} 页）")
    } else {
        title.to_string()
    }
}

/// What a result's `amount` is, in its stage's own words: before the award it is a candidate's
/// bid, not a contract value.
pub fn amount_label(d: &Disclosure) -> &'static str {
    use disclosure::kind::Stage;
    match d.trade().map(|t| t.stage) {
        Some(Stage::Candidates) => "第一中标候选人投标报价",
        Some(Stage::Award) => "中标（成交）金额",
        Some(Stage::Contract) => "合同金额",
        _ => "金额",
    }
}

/// What a trade's buyer is called in its category: 采购人 in procurement, 出让人 for land and
/// mining rights, 转让方 for state assets, 招标人 otherwise.
pub fn buyer_label(category: disclosure::Category) -> &'static str {
    use disclosure::Category;
    match category {
        Category::Procurement => "采购人",
        Category::Land | Category::Mining => "出让人",
        Category::Assets => "转让方",
        Category::Construction | Category::Other => "招标人",
    }
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_show_ends_and_neighbours() {
        assert_eq!(page_numbers(1, 1), vec![Some(1)]);
        assert_eq!(
            page_numbers(1, 10),
            vec![Some(1), Some(2), Some(3), None, Some(10)]
        );
        assert_eq!(
            page_numbers(6, 10),
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(10)
            ]
        );
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(20), 1);
        assert_eq!(page_count(21), 2);
    }
}
