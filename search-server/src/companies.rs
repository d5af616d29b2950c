//! The companies of the site, from the file `site-gen` writes beside the index
//! ([`disclosure::search::COMPANIES_FILE`], the same records as the company pages): the company
//! card of a search for a credit code or a company's exact name, the company links of hits, and
//! the subjects of a credit look-up ([`credit`]). The file is read again when a build replaces
//! it, as the index is; the server never gathers companies itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use chrono::NaiveDate;
use disclosure::ident::check_uscc;
use disclosure::model::{CreditList, Details};
use disclosure::search::{CompaniesFile, CompanyRecord, PersonRecord, COMPANIES_FILE};
use disclosure::Disclosure;

use crate::engine::Engine;
use crate::error::SearchError;

/// The most subjects a credit look-up by part of a name reports on.
pub const MAX_CREDIT_SUBJECTS: usize = 20;

/// The companies file of an index folder, read again whenever a build replaced it.
pub struct Companies {
    path: Option<PathBuf>,
    loaded: RwLock<(Option<Stamp>, Arc<Directory>)>,
}

/// What tells one version of the file from the next: its length and modification time.
type Stamp = (u64, SystemTime);

impl Companies {
    /// The companies file of the index folder `dir` (none yet: an empty directory until a
    /// build writes one).
    pub fn open(dir: &Path) -> Companies {
        let companies = Companies {
            path: Some(dir.join(COMPANIES_FILE)),
            loaded: RwLock::new((None, Arc::new(Directory::default()))),
        };
        companies.current();
        companies
    }

    /// No companies (a state built without an index folder).
    pub fn none() -> Companies {
        Companies {
            path: None,
            loaded: RwLock::new((None, Arc::new(Directory::default()))),
        }
    }

    /// The directory of the file as it is now: read again when its length or modification time
    /// changed. A file that cannot be read or parsed leaves the previous directory in place.
    pub fn current(&self) -> Arc<Directory> {
        let Some(path) = &self.path else {
            return self.loaded.read().map(|l| l.1.clone()).unwrap_or_default();
        };
        let stamp = std::fs::metadata(path)
            .ok()
            .and_then(|m| Some((m.len(), m.modified().ok()?)));
        if let Ok(loaded) = self.loaded.read() {
            if loaded.0 == stamp {
                return loaded.1.clone();
            }
        }
        let mut loaded = match self.loaded.write() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        if loaded.0 == stamp {
            return loaded.1.clone();
        }
        match std::fs::read(path).map(|bytes| serde_json::from_slice::<CompaniesFile>(&bytes)) {
            Ok(Ok(file)) => *loaded = (stamp, Arc::new(Directory::new(file))),
            Ok(Err(e)) => tracing::warn!("{}: unreadable companies file: {e}", path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(
                    "{}: no companies file; rebuild the index with `site-gen build`",
                    path.display()
                );
                *loaded = (stamp, Arc::new(Directory::default()));
            }
            Err(e) => tracing::warn!("{}: cannot read: {e}", path.display()),
        }
        loaded.1.clone()
    }
}

/// The companies of one build, looked up by code and by name.
#[derive(Debug, Default)]
pub struct Directory {
    file: CompaniesFile,
    by_code: HashMap<String, usize>,
    /// Every name a company went by → the companies that used it.
    by_name: HashMap<String, Vec<usize>>,
}

impl Directory {
    pub fn new(file: CompaniesFile) -> Directory {
        let mut by_code = HashMap::with_capacity(file.companies.len());
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in file.companies.iter().enumerate() {
            by_code.insert(c.code.clone(), i);
            for name in &c.names {
                let list = by_name.entry(name.clone()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        Directory {
            file,
            by_code,
            by_name,
        }
    }

    pub fn len(&self) -> usize {
        self.file.companies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.file.companies.is_empty()
    }

    /// The company with this credit code (as published: upper case), if it has a page.
    pub fn by_code(&self, code: &str) -> Option<&CompanyRecord> {
        self.by_code.get(code).map(|i| &self.file.companies[*i])
    }

    /// The company a whole query names: a well-formed credit code (spaces and case ignored), or
    /// exactly one of the names a company went by. `None` when it names none, or several.
    pub fn named_by(&self, query: &str) -> Option<&CompanyRecord> {
        let query = query.trim();
        let compact: String = query
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if check_uscc(&compact).is_ok() {
            return self.by_code(&compact);
        }
        match self.by_name.get(query).map(Vec::as_slice) {
            Some([one]) => Some(&self.file.companies[*one]),
            _ => None,
        }
    }

    /// Companies with a name (current or earlier) holding `part`: those named exactly by it
    /// first, then the others by name, at most `limit`.
    pub fn containing(&self, part: &str, limit: usize) -> Vec<&CompanyRecord> {
        let mut out: Vec<&CompanyRecord> = self
            .by_name
            .get(part)
            .into_iter()
            .flatten()
            .map(|i| &self.file.companies[*i])
            .collect();
        let mut others: Vec<&CompanyRecord> = self
            .file
            .companies
            .iter()
            .filter(|c| c.names.iter().any(|n| n.contains(part)))
            .filter(|c| !out.iter().any(|o| o.code == c.code))
            .collect();
        others.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(others);
        out.truncate(limit);
        out
    }

    /// Subjects without a credit code whose name holds `part`.
    pub fn persons_containing(&self, part: &str, limit: usize) -> Vec<&PersonRecord> {
        self.file
            .persons
            .iter()
            .filter(|p| p.name.contains(part))
            .take(limit)
            .collect()
    }
}

/// A subject's current standing: what `/api/credit` and `/credit` answer.
#[derive(Debug, Clone, Default)]
pub struct CreditReport {
    /// The companies the look-up found (their pages hold the same entries).
    pub companies: Vec<CompanyRecord>,
    pub red: Vec<Disclosure>,
    pub black: Vec<Disclosure>,
    pub penalties: Vec<Disclosure>,
}

/// The current red and black list entries and still-public penalties of the subject with this
/// credit code, or of the subjects whose name (any name a company went by) holds `name`, judged
/// on `today`: the entries of their company records, so that a renamed company is found under
/// each of its names and the answer is what its company page lists.
pub fn credit(
    engine: &Engine,
    directory: &Directory,
    code: Option<&str>,
    name: Option<&str>,
    today: NaiveDate,
) -> Result<CreditReport, SearchError> {
    let mut companies: Vec<&CompanyRecord> = Vec::new();
    let mut persons: Vec<&PersonRecord> = Vec::new();
    match (code, name.map(str::trim).filter(|n| !n.is_empty())) {
        (Some(code), _) => companies.extend(directory.by_code(code)),
        (None, Some(name)) => {
            companies = directory.containing(name, MAX_CREDIT_SUBJECTS);
            persons = directory.persons_containing(name, MAX_CREDIT_SUBJECTS - companies.len());
        }
        (None, None) => {}
    }
    let ids: Vec<&str> = companies
        .iter()
        .flat_map(|c| c.credit.iter().chain(&c.penalties))
        .chain(
            persons
                .iter()
                .flat_map(|p| p.credit.iter().chain(&p.penalties)),
        )
        .map(String::as_str)
        .collect();
    let mut report = CreditReport {
        companies: companies.into_iter().cloned().collect(),
        ..CreditReport::default()
    };
    for d in engine.disclosures(&ids)? {
        match &d.details {
            Details::Credit(c) if c.is_current(today) => match c.list {
                CreditList::Red => report.red.push(d),
                CreditList::Black => report.black.push(d),
            },
            Details::Penalty(_) if d.is_public(today) => report.penalties.push(d),
            _ => {}
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(code: &str, names: &[&str]) -> CompanyRecord {
        CompanyRecord {
            code: code.to_string(),
            name: names.last().unwrap().to_string(),
            names: names.iter().map(|n| n.to_string()).collect(),
            ..CompanyRecord::default()
        }
    }

    #[test]
    fn a_company_is_named_by_its_code_or_any_of_its_names() {
        let d = Directory::new(CompaniesFile {
            generated: None,
            companies: vec![
                record(
                    "91410400MAJPK28NQ5",
                    &["鹰城建设工程有限公司", "鹰城建设集团有限公司"],
                ),
                record("91410400MA1YR1W4YN", &["河南汇鼎建设工程有限公司"]),
            ],
            persons: Vec::new(),
        });
        fn code(c: Option<&CompanyRecord>) -> Option<&str> {
            c.map(|c| c.code.as_str())
        }
        assert_eq!(
            code(d.named_by("鹰城建设工程有限公司")),
            Some("91410400MAJPK28NQ5")
        );
        assert_eq!(
            code(d.named_by(" 鹰城建设集团有限公司 ")),
            Some("91410400MAJPK28NQ5")
        );
        assert_eq!(
            code(d.named_by("91410400ma1yr1w4yn")),
            Some("91410400MA1YR1W4YN")
        );
        assert_eq!(
            code(d.named_by("鹰城建设")),
            None,
            "part of a name is no card"
        );
        assert_eq!(
            code(d.named_by("91410400MA0000000A")),
            None,
            "nobody's code"
        );
        let found: Vec<&str> = d
            .containing("建设", 10)
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
