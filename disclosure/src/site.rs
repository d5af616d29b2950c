//! Site-wide configuration: `site.toml` (name, base URL, footer identifiers) and
//! `departments.toml` (who supervises what; the committee office is the fallback).

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::front_matter::line_of_offset;
use crate::kind::Category;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    /// Absolute base URL without a trailing slash, used in feeds, the sitemap and open data.
    pub base_url: String,
    pub organisation: String,
    #[serde(default)]
    pub description: String,
    /// The OCDS ocid prefix the Open Contracting Partnership registered for the publisher
    /// (`ocds-` and six lowercase letters or digits). Absent: a placeholder, `ocds-yg0000`.
    #[serde(default)]
    pub ocid_prefix: Option<String>,
    pub footer: Footer,
}

/// The identifiers every Chinese government site shows in its footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    /// 网站标识码
    pub site_code: String,
    /// ICP备案号
    pub icp: String,
    /// 公网安备号
    pub police: String,
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub id: String,
    pub name: String,
    /// The short name readers know, e.g. 住建局.
    pub short: String,
    pub email: String,
    #[serde(default)]
    pub categories: Vec<Category>,
    /// The committee office (公管办): receives what no other department supervises.
    #[serde(default)]
    pub fallback: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Departments {
    list: Vec<Department>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentsFile {
    department: Vec<Department>,
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> Diagnostic {
    let line = e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(0);
    Diagnostic::new(file, line, "", e.message().trim().to_string())
}

impl SiteConfig {
    pub fn parse(file: &str, text: &str) -> Result<SiteConfig, Diagnostic> {
        let mut site: SiteConfig = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        site.base_url = site.base_url.trim_end_matches('/').to_string();
        if !site.base_url.starts_with("https://") && !site.base_url.starts_with("http://") {
            return Err(Diagnostic::new(
                file,
                0,
                "base_url",
                "must be an absolute http(s) URL",
            ));
        }
        if let Some(prefix) = &site.ocid_prefix {
            let ok = prefix.strip_prefix("ocds-").is_some_and(|rest| {
                rest.len() == 6
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
            if !ok {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("ocid_prefix"))
                    .map_or(0, |i| i + 1);
                return Err(Diagnostic::new(
                    file,
                    line,
                    "ocid_prefix",
                    format!("\"{prefix}\" is not an OCDS ocid prefix; it is `ocds-` and the six characters the Open Contracting Partnership registered, such as \"ocds-a1b2c3\""),
                ));
            }
        }
        Ok(site)
    }
}

impl Departments {
    pub fn parse(file: &str, text: &str) -> Result<Departments, Vec<Diagnostic>> {
        let parsed: DepartmentsFile =
            toml::from_str(text).map_err(|e| vec![toml_error(file, text, &e)])?;
        let mut diags = Vec::new();
        let line_of = |id: &str| {
            text.find(&format!("\"{id}\""))
                .map(|o| line_of_offset(text, o))
                .unwrap_or(0)
        };
        let mut seen = std::collections::HashSet::new();
        for d in &parsed.department {
            if !crate::routes::is_url_safe(&d.id) {
                diags.push(Diagnostic::new(
                    file,
                    line_of(&d.id),
                    "id",
                    format!(
                        "department id \"{}\" may only use A-Z, a-z, 0-9, - and _",
                        d.id
                    ),
                ));
            }
            if !seen.insert(d.id.clone()) {
                diags.push(Diagnostic::new(
                    file,
                    line_of(&d.id),
                    "id",
                    format!("department \"{}\" is defined twice", d.id),
                ));
            }
        }
        match parsed.department.iter().filter(|d| d.fallback).count() {
            1 => {}
            n => diags.push(Diagnostic::new(file, 0, "fallback", format!("exactly one department must have `fallback = true` (the committee office); found {n}"))),
        }
        if diags.is_empty() {
            Ok(Departments {
                list: parsed.department,
            })
        } else {
            Err(diags)
        }
    }

    pub fn get(&self, id: &str) -> Option<&Department> {
        self.list.iter().find(|d| d.id == id)
    }

    pub fn all(&self) -> &[Department] {
        &self.list
    }

    /// The committee office, which receives what no other department supervises.
    pub fn fallback(&self) -> &Department {
        self.list
            .iter()
            .find(|d| d.fallback)
            .expect("parse checks there is exactly one fallback")
    }

    /// The first department whose categories include `category`.
    pub fn for_category(&self, category: Category) -> Option<&Department> {
        self.list.iter().find(|d| d.categories.contains(&category))
    }

    pub fn ids(&self) -> String {
        self.list
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
