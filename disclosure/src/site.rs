//! Site-wide configuration: `site.toml` (name, base URL, footer identifiers) and
//! `departments.toml` (who supervises what; the committee office is the fallback).

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::front_matter::line_of_offset;
use crate::kind::Category;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Supervision signals (智慧监管): whether they are published and their thresholds.
    #[serde(default)]
    pub signals: SignalsConfig,
}

/// `[signals]` in `site.toml`: every threshold of the supervision signals, each with a default
/// (the values below). Checked when the file is read, a bad value named with its line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignalsConfig {
    /// Put the signal pages into the public site under `/signals/` (default: no; they are
    /// written beside it for signed-in staff only).
    pub publish: bool,
    /// The fewest peers a fence (Q1 − k·IQR, Q3 + k·IQR) is computed from (8).
    pub min_peers: usize,
    /// k of the fences (1.5, as Cardinal).
    pub fence_iqr: f64,
    /// The fewest bids before a company's win rate is judged: 陪标 (5).
    pub min_bids: usize,
    /// The largest chance under honest bidding of what a 陪标, co-bidding or rotation hint
    /// reports: of so few wins in so many bids, of so many joint bids (divided by the pairs
    /// tested), of wins going round so regularly; and the false-discovery rate the price
    /// screens of `low_bid_spread` are kept to (0.01).
    pub max_chance: f64,
    /// The fewest joint bids of a co-bidding pair (3).
    pub min_co_bids: usize,
    /// How many times more often than under independent bidding a pair must bid together (2.0).
    pub min_lift: f64,
    /// The fewest awards of one buyer (or category and region), overall or in a year, before a
    /// winner's share is judged: 标王 (5).
    pub min_awards: usize,
    /// The least share of those awards a 标王 holds, whatever the fence (0.5).
    pub min_share: f64,
    /// The fewest wins of a co-bidding group in its joint tenders before rotation is judged (3).
    pub min_rotation_wins: usize,
    /// The least share of steps from one win to the next where the winner changes: rotation (0.66).
    pub min_turns: f64,
    /// A kind firing for more than this share of the companies (company kinds) or tenders
    /// (tender kinds) is reported as a warning itself: too many to be a hint (0.1).
    pub too_many_share: f64,
    /// … and at least this many companies or tenders: one ring of three in a market of twenty
    /// companies is not "too many" (10).
    pub too_many_min: usize,
}

impl Default for SignalsConfig {
    fn default() -> SignalsConfig {
        SignalsConfig {
            publish: false,
            min_peers: 8,
            fence_iqr: 1.5,
            min_bids: 5,
            max_chance: 0.01,
            min_co_bids: 3,
            min_lift: 2.0,
            min_awards: 5,
            min_share: 0.5,
            min_rotation_wins: 3,
            min_turns: 0.66,
            too_many_share: 0.1,
            too_many_min: 10,
        }
    }
}

impl SignalsConfig {
    /// The first value out of its range: (key, what it must be).
    fn invalid(&self) -> Option<(&'static str, &'static str)> {
        let share = |x: f64| (0.0..=1.0).contains(&x);
        if self.min_peers < 4 {
            return Some((
                "min_peers",
                "at least 4 (quartiles of fewer peers say nothing)",
            ));
        }
        if !(self.fence_iqr.is_finite() && self.fence_iqr >= 0.0) {
            return Some(("fence_iqr", "a number of 0 or more"));
        }
        if self.min_bids < 2 {
            return Some(("min_bids", "at least 2"));
        }
        if !(self.max_chance > 0.0 && self.max_chance <= 1.0) {
            return Some(("max_chance", "a probability above 0 and up to 1"));
        }
        if self.min_co_bids < 2 {
            return Some(("min_co_bids", "at least 2"));
        }
        if !(self.min_lift.is_finite() && self.min_lift >= 1.0) {
            return Some(("min_lift", "a number of 1 or more"));
        }
        if self.min_awards < 2 {
            return Some(("min_awards", "at least 2"));
        }
        if !share(self.min_share) {
            return Some(("min_share", "a share from 0 to 1"));
        }
        if self.min_rotation_wins < 2 {
            return Some(("min_rotation_wins", "at least 2"));
        }
        if !share(self.min_turns) {
            return Some(("min_turns", "a share from 0 to 1"));
        }
        if !share(self.too_many_share) || self.too_many_share == 0.0 {
            return Some(("too_many_share", "a share above 0 and up to 1"));
        }
        None
    }
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
        if let Some((key, must)) = site.signals.invalid() {
            return Err(Diagnostic::new(
                file,
                line_in_table(text, "signals", key),
                key,
                format!("[signals] {key} must be {must}"),
            ));
        }
        Ok(site)
    }
}

/// The line of `key = …` inside `[table]` of a TOML text (0 when not found).
fn line_in_table(text: &str, table: &str, key: &str) -> usize {
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t.trim_start_matches('[').trim_end_matches(']').trim() == table;
        } else if inside
            && t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return i + 1;
        }
    }
    0
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

    /// A department's full name as pages and mails show it; the id itself when it is not in
    /// `departments.toml` (validation refuses such content, but a case filed before a department
    /// was removed still names it).
    pub fn name<'s>(&'s self, id: &'s str) -> &'s str {
        self.get(id).map_or(id, |d| d.name.as_str())
    }

    /// A department's short name (tables, staff pages); the id when unknown, as [`Self::name`].
    pub fn short<'s>(&'s self, id: &'s str) -> &'s str {
        self.get(id).map_or(id, |d| d.short.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "name = \"站\"\nbase_url = \"https://x.example\"\norganisation = \"办\"\n\n[footer]\nsite_code = \"1\"\nicp = \"2\"\npolice = \"3\"\ncontact = \"4\"\n";

    #[test]
    fn signals_thresholds_default_and_bad_values_name_their_line() {
        let site = SiteConfig::parse("site.toml", SITE).unwrap();
        assert_eq!(site.signals, SignalsConfig::default());
        assert!(!site.signals.publish);

        let text = format!("{SITE}\n[signals]\npublish = true\nmin_bids = 8\n");
        let site = SiteConfig::parse("site.toml", &text).unwrap();
        assert!(site.signals.publish);
        assert_eq!(site.signals.min_bids, 8);
        assert_eq!(site.signals.min_peers, 8);

        // Line 13: `too_many_share = 1.5`.
        let text = format!("{SITE}\n[signals]\nmin_bids = 8\ntoo_many_share = 1.5\n");
        let e = SiteConfig::parse("site.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("site.toml:13:"), "{e}");
        assert!(e.contains("too_many_share must be a share"), "{e}");

        let text = format!("{SITE}\n[signals]\nmin_lift = \"two\"\n");
        let e = SiteConfig::parse("site.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("site.toml:12:"), "{e}");
        let text = format!("{SITE}\n[signals]\nmin_lfit = 3.0\n");
        let e = SiteConfig::parse("site.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("site.toml:12:") && e.contains("min_lfit"),
            "{e}"
        );
    }
}
