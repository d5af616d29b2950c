//! What intake reads from the content folder: the site configuration (for the page shell), the
//! departments (routing, mail addresses), the working-day calendar (deadlines) and, from the
//! disclosures, which department supervises each project.
//!
//! It reads the files itself rather than through `site-gen` so that intake does not link the
//! site generator; a disclosure that does not parse is skipped with a warning (the build reports
//! it), since one bad notice must not stop complaints from being received.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use disclosure::{Calendar, Category, Departments, Diagnostics, SiteConfig};

/// A project as the disclosures describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub department: String,
    pub category: Category,
    /// The title of the project's tender notice (else of its first notice or result deciding the
    /// department), to show the submitter what they named.
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct ContentData {
    pub site: SiteConfig,
    pub departments: Departments,
    pub calendar: Calendar,
    /// Project code → the supervising department, from its tender notices and results
    /// (`disclosure::supervising_department`).
    pub projects: BTreeMap<String, Project>,
}

fn read(dir: &Path, name: &str) -> anyhow::Result<(String, String)> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok((path.display().to_string(), text))
}

impl ContentData {
    pub fn load(dir: &Path) -> anyhow::Result<ContentData> {
        let (file, text) = read(dir, "site.toml")?;
        let site = SiteConfig::parse(&file, &text).map_err(Diagnostics::from)?;
        let (file, text) = read(dir, "departments.toml")?;
        let departments = Departments::parse(&file, &text).map_err(Diagnostics::from)?;
        let (file, text) = read(dir, "calendar.toml")?;
        let calendar = Calendar::parse(&file, &text).map_err(Diagnostics::from)?;
        let projects = load_projects(dir, &departments);
        Ok(ContentData {
            site,
            departments,
            calendar,
            projects,
        })
    }
}

/// Walks the content folder for Markdown disclosures, groups the notices and results by project
/// code and asks `disclosure::supervising_department` which department supervises each project
/// (its tender and result disclosures, never the approval stage). A project for which it finds
/// none is left out, so routing falls back to the category's department.
fn load_projects(dir: &Path, departments: &Departments) -> BTreeMap<String, Project> {
    let mut by_project: BTreeMap<String, Vec<disclosure::Disclosure>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("skipping unreadable content entry: {e}");
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let source = path.display().to_string();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("skipping {source}: {e}");
                continue;
            }
        };
        let mut d = match disclosure::parse::parse_disclosure(&source, &stem, &text) {
            Ok(d) => d,
            Err(errors) => {
                for e in errors {
                    tracing::warn!("skipping invalid disclosure: {e}");
                }
                continue;
            }
        };
        let (Some(trade), Some(department)) = (d.trade(), d.department.as_ref()) else {
            continue;
        };
        if departments.get(department).is_none() {
            tracing::warn!(
                "{source}: unknown department \"{department}\", project not routed by it"
            );
            continue;
        }
        let code = trade.project.clone();
        // Only the front matter matters here; do not hold every body in memory.
        d.body = String::new();
        by_project.entry(code).or_default().push(d);
    }
    let mut projects = BTreeMap::new();
    for (code, mut docs) in by_project {
        docs.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        let Some(department) = disclosure::supervising_department(&docs) else {
            tracing::info!(
                "project {code}: no tender notice or result names a department; \
                 complaints about it go by category"
            );
            continue;
        };
        // The category and title as the supervising department published them.
        let first = docs
            .iter()
            .filter(|d| disclosure::supervision::decides_supervision(d))
            .find(|d| d.department.as_deref() == Some(department))
            .expect("the supervising department comes from one of these disclosures");
        let title = docs
            .iter()
            .find(|d| {
                d.trade()
                    .is_some_and(|t| t.stage == disclosure::Stage::Tender)
            })
            .unwrap_or(first)
            .title
            .clone();
        let category = first.trade().expect("a notice or result").category;
        projects.insert(
            code,
            Project {
                department: department.to_string(),
                category,
                title,
            },
        );
    }
    projects
}
