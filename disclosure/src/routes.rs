//! The site's URL scheme, in one place, so pages, feeds, the sitemap, link checks and the search
//! index all agree on where a thing lives.

use crate::kind::{Category, Kind};

/// `/notices/<id>/`; pages (`kind = "page"`) live at `/<id>/`.
pub fn disclosure(kind: Kind, id: &str) -> String {
    match kind {
        Kind::Page => format!("/{id}/"),
        _ => format!("/{}/{id}/", kind.path()),
    }
}

pub fn project(code: &str) -> String {
    format!("/projects/{code}/")
}

/// `/companies/<credit code>/`
pub fn company(credit_code: &str) -> String {
    format!("/companies/{credit_code}/")
}

pub fn department(id: &str) -> String {
    format!("/departments/{id}/")
}

/// Page `n` (1-based) of a list whose first page is `base` (ending in `/`).
pub fn list_page(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

pub fn category_feed(category: Category) -> String {
    format!("/feeds/category/{}.xml", category.key())
}

pub fn department_feed(id: &str) -> String {
    format!("/feeds/department/{id}.xml")
}

/// The list pages of the site that do not depend on content.
pub const LISTS: &[&str] = &[
    "/notices/",
    "/results/",
    "/penalties/",
    "/credit/red/",
    "/credit/black/",
    "/credit/history/",
    "/powers/",
    "/inspections/",
    "/complaint-results/",
    "/projects/",
    "/departments/",
];

/// Fixed files and the paths the search and intake services answer on the same port.
pub const FIXED: &[&str] = &[
    "/",
    "/feeds/",
    "/feeds/all.xml",
    "/feeds/notices.xml",
    "/feeds/results.xml",
    "/feeds/penalties.xml",
    "/feeds/credit.xml",
    "/sitemap.xml",
    "/robots.txt",
    "/opensearch.xml",
    "/404.html",
    "/data/",
    "/data/disclosures.json",
    "/data/ocds/release-package.json",
    "/data/log.json",
    "/search",
    "/submit",
    "/track",
    "/staff/",
];

/// Whether a string may be used as one URL segment without escaping.
pub fn is_url_safe(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
