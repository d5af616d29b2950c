//! Checks across files: duplicate ids, unknown departments and broken internal links. Checks
//! within one file live in [`crate::parse`].

use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState as FastHash;

use crate::diagnostic::Diagnostic;
use crate::kind::Category;
use crate::model::Disclosure;
use crate::routes;
use crate::site::Departments;

/// Every problem across the set of disclosures, sorted by file and line. `links[i]` are the
/// internal links of `docs[i]` ([`internal_links`]), computed by the caller so they can be cached.
pub fn validate_site(
    docs: &[Disclosure],
    links: &[Vec<(usize, String)>],
    departments: &Departments,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // Hashed with foldhash (seeded anew in each process), not SipHash: at 100,000 disclosures
    // this check runs on one core before anything else of a rebuild can start.
    let mut by_id: HashMap<&str, &Disclosure, FastHash> =
        HashMap::with_capacity_and_hasher(docs.len(), FastHash::default());
    for d in docs {
        if let Some(first) = by_id.insert(&d.id, d) {
            let (a, b) = if first.source <= d.source {
                (first, d)
            } else {
                (d, first)
            };
            diags.push(Diagnostic::new(
                &b.source,
                0,
                "id",
                format!(
                    "duplicate id \"{}\": {} already uses it; ids must be unique across the site",
                    d.id, a.source
                ),
            ));
            by_id.insert(&a.id, a);
        }
        if let Some(dep) = &d.department {
            if departments.get(dep).is_none() {
                let line = d.department_line;
                diags.push(Diagnostic::new(
                    &d.source,
                    line,
                    "department",
                    format!(
                        "unknown department \"{dep}\"; departments.toml has {}",
                        departments.ids()
                    ),
                ));
            }
        }
    }
    if links.iter().all(Vec::is_empty) {
        diags.sort();
        return diags;
    }
    let known = known_paths(departments);
    // Project pages by code, borrowed: 30,000 addresses need not be made to check a few links.
    let projects: HashSet<&str, FastHash> = docs
        .iter()
        .filter_map(|d| d.trade().map(|t| t.project.as_str()))
        .collect();
    let is_project_page = |path: &str| {
        path.strip_prefix("/projects/")
            .map(|code| code.strip_suffix('/').unwrap_or(code))
            .is_some_and(|code| projects.contains(code))
    };
    // A disclosure's page is found by its id (the last segment of its address), so that
    // 100,000 addresses need not be made to check a few links.
    let is_disclosure_page = |path: &str| {
        let id = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        by_id.get(id).is_some_and(|d| {
            let url = d.url();
            path == url || path == url.trim_end_matches('/')
        })
    };
    for (d, links) in docs.iter().zip(links) {
        for (line, target) in links {
            let path = target.split(['#', '?']).next().unwrap_or("");
            if !known.contains(path)
                && !is_disclosure_page(path)
                && !is_project_page(path)
                && !is_list_page(path, &known)
            {
                diags.push(Diagnostic::new(
                    &d.source,
                    *line,
                    "body",
                    format!(
                        "broken internal link \"{target}\": no page of the site has that address"
                    ),
                ));
            }
        }
    }
    diags.sort();
    diags
}

/// Every site path that a page may link to, but the disclosures' and projects' own pages.
fn known_paths(departments: &Departments) -> HashSet<String> {
    let mut known: HashSet<String> = routes::LISTS
        .iter()
        .chain(routes::FIXED)
        .map(|s| s.to_string())
        .collect();
    for dep in departments.all() {
        known.insert(routes::department(&dep.id));
        known.insert(routes::department_feed(&dep.id));
    }
    for c in Category::ALL {
        known.insert(routes::category_feed(*c));
    }
    // Paths without the trailing slash are served by redirect: `is_list_page` accepts them.
    known
}

fn is_list_page(path: &str, known: &HashSet<String>) -> bool {
    // `/notices/page/3/`, and filter pages such as `/notices/category/land/page/2/`.
    let path = path.strip_suffix('/').unwrap_or(path);
    let base = match path.rsplit_once("/page/") {
        Some((base, n)) if n.parse::<u32>().is_ok_and(|n| n >= 2) => format!("{base}/"),
        Some(_) => return false,
        None => format!("{path}/"),
    };
    if known.contains(&base) {
        return true;
    }
    let filter = |list: &str, dim: &str, key: &str| {
        ["/notices/", "/results/"].contains(&list)
            && match dim {
                "category" => Category::from_key(key).is_some(),
                "stage" => crate::kind::Stage::from_key(key).is_some(),
                _ => false,
            }
    };
    let mut parts = base.trim_end_matches('/').rsplitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(key), Some(dim), Some(list)) => filter(&format!("{list}/"), dim, key),
        _ => false,
    }
}

/// Site-internal link targets (starting with `/`, not `//`) in the body, with their lines. The
/// build takes them from the parse ([`crate::parse::parse_disclosure_with_links`]), which finds
/// them in the same pass as the guard; this reads the body again, for a disclosure made otherwise.
pub fn internal_links(d: &Disclosure) -> Vec<(usize, String)> {
    internal_only(crate::text::links(&d.body, d.body_line))
}

/// The internal targets among a body's links and images, with their lines.
pub fn internal_only(links: Vec<crate::text::Link>) -> Vec<(usize, String)> {
    links
        .into_iter()
        .filter(|l| l.is_internal())
        .map(|l| (l.line, l.dest))
        .collect()
}

/// Links from public pages to pages that are no longer public on `today` (a penalty past its
/// publicity): such a link would lead readers to a missing page, so the build refuses it.
pub fn links_to_withdrawn(
    docs: &[Disclosure],
    links: &[Vec<(usize, String)>],
    today: chrono::NaiveDate,
) -> Vec<Diagnostic> {
    let gone: HashMap<String, &Disclosure> = docs
        .iter()
        .filter(|d| !d.is_public(today))
        .map(|d| (d.url(), d))
        .collect();
    let mut diags = Vec::new();
    if gone.is_empty() {
        return diags;
    }
    for (d, links) in docs.iter().zip(links).filter(|(d, _)| d.is_public(today)) {
        for (line, target) in links {
            let path = target.split(['#', '?']).next().unwrap_or("");
            let path = if path.ends_with('/') {
                path.to_string()
            } else {
                format!("{path}/")
            };
            if let Some(target_doc) = gone.get(&path) {
                let until = match &target_doc.details {
                    crate::model::Details::Penalty(p) => p.public_until.to_string(),
                    _ => String::new(),
                };
                diags.push(Diagnostic::new(
                    &d.source,
                    *line,
                    "body",
                    format!("link \"{target}\" points at {} whose publicity ended on {until}; its page is no longer published, so remove the link", target_doc.source),
                ));
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_pages_and_filters_are_known_but_not_their_bare_folders() {
        let known: HashSet<String> = ["/notices/".to_string()].into();
        for ok in [
            "/notices/page/2/",
            "/notices/category/land/",
            "/results/stage/award/page/3/",
            // Without the trailing slash (served by redirect).
            "/notices",
            "/notices/page/2",
        ] {
            assert!(is_list_page(ok, &known), "{ok}");
        }
        for bad in [
            "/notices/category/",
            "/notices/page/1/",
            "/notices/category/roads/",
            "/penalties/stage/award/",
        ] {
            assert!(!is_list_page(bad, &known), "{bad}");
        }
    }
}
