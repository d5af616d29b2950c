//! The site as the renderers see it: the validated content judged on the build date, indexed by
//! kind, department and project, with the publication log for hashes and revisions.
//! Renderers read this and return files; they never decide what is public.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use disclosure::model::{CreditList, Details};
use disclosure::{Disclosure, Kind, ProjectTimeline};

use crate::content::Content;
use crate::log::{Event, PublicationLog, Revision};
use foldhash::fast::RandomState as FastHash;

pub struct Site<'a> {
    pub content: &'a Content,
    /// The build date: publicity and credit validity are judged on it.
    pub today: NaiveDate,
    /// Every public disclosure, newest first (date, time, then id, for a stable order).
    pub public: Vec<&'a Disclosure>,
    /// Disclosures that are no longer public (penalties past `public_until`).
    pub withdrawn: Vec<&'a Disclosure>,
    /// Public disclosures of each kind, newest first.
    pub by_kind: BTreeMap<Kind, Vec<&'a Disclosure>>,
    /// Public disclosures of each department, newest first.
    pub by_department: BTreeMap<&'a str, Vec<&'a Disclosure>>,
    /// Every project, by code.
    pub projects: BTreeMap<&'a str, ProjectTimeline<'a>>,
    /// Public penalties and complaint results about each project, newest first.
    pub about_project: BTreeMap<&'a str, Vec<&'a Disclosure>>,
    /// Penalties and credit-list entries of each credit code, newest first: what may bar a
    /// company from bidding. A penalty past its publicity is here too: a win while it barred
    /// the company stays flagged, with the penalty marked 已过公示期 instead of named.
    pub restrictions: HashMap<&'a str, Vec<&'a Disclosure>, FastHash>,
    pub log: &'a PublicationLog,
    /// The addresses of the withdrawn disclosures: a link to one is text marked 已过公示期.
    withdrawn_urls: HashSet<String, FastHash>,
    by_id: HashMap<&'a str, usize, FastHash>,
    /// A hash of each disclosure's id and source hash, by its place in the content: what a
    /// page's inputs take of each disclosure it shows ([`Site::source_key`]).
    source_keys: Vec<u64>,
}

/// Everything of a [`Site`] but the publication log: what a build works out from the content
/// while it reads the log.
pub struct Indexes<'a> {
    public: Vec<&'a Disclosure>,
    withdrawn: Vec<&'a Disclosure>,
    by_kind: BTreeMap<Kind, Vec<&'a Disclosure>>,
    by_department: BTreeMap<&'a str, Vec<&'a Disclosure>>,
    projects: BTreeMap<&'a str, ProjectTimeline<'a>>,
    about_project: BTreeMap<&'a str, Vec<&'a Disclosure>>,
    restrictions: HashMap<&'a str, Vec<&'a Disclosure>, FastHash>,
    withdrawn_urls: HashSet<String, FastHash>,
    by_id: HashMap<&'a str, usize, FastHash>,
    source_keys: Vec<u64>,
}

/// Newest first; ties broken by id so that every build orders the same way.
pub fn newest_first(a: &Disclosure, b: &Disclosure) -> std::cmp::Ordering {
    (b.date, b.time)
        .cmp(&(a.date, a.time))
        .then_with(|| a.id.cmp(&b.id))
}

/// Disclosures grouped by a key, each group newest first.
type Grouped<'a, K> = BTreeMap<K, Vec<&'a Disclosure>>;

/// The credit entries and penalties about each subject, by credit code.
type Restrictions<'a> = HashMap<&'a str, Vec<&'a Disclosure>, FastHash>;

impl<'a> Indexes<'a> {
    /// Indexes `content` as judged on `today`.
    pub fn of(content: &'a Content, today: NaiveDate) -> Indexes<'a> {
        let (mut public, mut withdrawn): (Vec<&Disclosure>, Vec<&Disclosure>) =
            content.docs.iter().partition(|d| d.is_public(today));
        // The content is in id order, which is mostly date order: the standard library's sort
        // finds those runs, and on one core takes less time than rayon's merge sort on two.
        let ((), source_keys) = rayon::join(
            || {
                public.sort_by(|a, b| newest_first(a, b));
                withdrawn.sort_by(|a, b| newest_first(a, b));
            },
            || source_keys(content),
        );
        // Three independent indexes of the public disclosures, made side by side.
        let ((by_kind, by_department), ((projects, about_project), (restrictions, by_id))) =
            rayon::join(
                || Site::by_kind_and_department(content, &public),
                || {
                    rayon::join(
                        || Site::projects(&public, today),
                        || Site::restrictions_and_ids(content, &public, &withdrawn),
                    )
                },
            );
        let withdrawn_urls = withdrawn.iter().map(|d| d.url()).collect();
        Indexes {
            public,
            withdrawn,
            by_kind,
            by_department,
            projects,
            about_project,
            restrictions,
            withdrawn_urls,
            by_id,
            source_keys,
        }
    }

    /// The site: these indexes of `content` on `today`, with the publication `log`.
    pub fn with_log(
        self,
        content: &'a Content,
        today: NaiveDate,
        log: &'a PublicationLog,
    ) -> Site<'a> {
        Site {
            content,
            today,
            log,
            public: self.public,
            withdrawn: self.withdrawn,
            by_kind: self.by_kind,
            by_department: self.by_department,
            projects: self.projects,
            about_project: self.about_project,
            restrictions: self.restrictions,
            withdrawn_urls: self.withdrawn_urls,
            by_id: self.by_id,
            source_keys: self.source_keys,
        }
    }
}

/// xxh3 of each disclosure's id and source hash, by its place in the content.
fn source_keys(content: &Content) -> Vec<u64> {
    use rayon::prelude::*;
    content
        .docs
        .par_iter()
        .zip(&content.hashes)
        .map(|(d, hash)| {
            let mut bytes = Vec::with_capacity(d.id.len() + 33);
            bytes.extend_from_slice(d.id.as_bytes());
            bytes.push(0xff);
            bytes.extend_from_slice(hash);
            xxhash_rust::xxh3::xxh3_64(&bytes)
        })
        .collect()
}

impl<'a> Site<'a> {
    pub fn new(content: &'a Content, today: NaiveDate, log: &'a PublicationLog) -> Site<'a> {
        Indexes::of(content, today).with_log(content, today, log)
    }

    /// Whether a site path (ending in `/`) is the page of a disclosure that left the site.
    pub fn is_withdrawn_url(&self, path: &str) -> bool {
        self.withdrawn_urls.contains(path)
    }

    /// The public disclosures by kind and by department (each department of departments.toml
    /// has its list, empty or not).
    fn by_kind_and_department(
        content: &'a Content,
        public: &[&'a Disclosure],
    ) -> (Grouped<'a, Kind>, Grouped<'a, &'a str>) {
        let mut by_kind: BTreeMap<Kind, Vec<&Disclosure>> =
            Kind::ALL.iter().map(|k| (*k, Vec::new())).collect();
        let mut by_department: BTreeMap<&str, Vec<&Disclosure>> = content
            .departments
            .all()
            .iter()
            .map(|d| (d.id.as_str(), Vec::new()))
            .collect();
        for d in public {
            by_kind.entry(d.kind()).or_default().push(d);
            if let Some(dep) = &d.department {
                by_department.entry(dep.as_str()).or_default().push(d);
            }
        }
        (by_kind, by_department)
    }

    /// Each project's timeline, and the disclosures about a project that are not part of it.
    fn projects(
        public: &[&'a Disclosure],
        today: NaiveDate,
    ) -> (BTreeMap<&'a str, ProjectTimeline<'a>>, Grouped<'a, &'a str>) {
        let mut project_docs: BTreeMap<&str, Vec<&Disclosure>> = BTreeMap::new();
        let mut about_project: BTreeMap<&str, Vec<&Disclosure>> = BTreeMap::new();
        for d in public {
            if let Some(t) = d.trade() {
                project_docs.entry(t.project.as_str()).or_default().push(d);
            } else if let Some(p) = d.project() {
                about_project.entry(p).or_default().push(d);
            }
        }
        let projects = project_docs
            .into_iter()
            .map(|(code, docs)| (code, ProjectTimeline::new(code, docs, today)))
            .collect();
        (projects, about_project)
    }

    /// The credit entries and penalties about each subject (newest first, withdrawn penalties
    /// too), and where each disclosure is in the content, by id.
    fn restrictions_and_ids(
        content: &'a Content,
        public: &[&'a Disclosure],
        withdrawn: &[&'a Disclosure],
    ) -> (Restrictions<'a>, HashMap<&'a str, usize, FastHash>) {
        let mut restrictions = Restrictions::default();
        for d in public {
            match &d.details {
                Details::Penalty(p) => restrictions
                    .entry(p.subject_credit_code.as_str())
                    .or_default()
                    .push(d),
                Details::Credit(c) => restrictions
                    .entry(c.credit_code.as_str())
                    .or_default()
                    .push(d),
                _ => {}
            }
        }
        for d in withdrawn {
            if let Details::Penalty(p) = &d.details {
                restrictions
                    .entry(p.subject_credit_code.as_str())
                    .or_default()
                    .push(d);
            }
        }
        if !withdrawn.is_empty() {
            for docs in restrictions.values_mut() {
                docs.sort_by(|a, b| newest_first(a, b));
            }
        }
        let by_id = content
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .collect();
        (restrictions, by_id)
    }

    pub fn get(&self, id: &str) -> Option<&'a Disclosure> {
        self.by_id.get(id).map(|&i| &self.content.docs[i])
    }

    /// Where `d` is in the content: found by its address when it is one of the content's own
    /// disclosures (every renderer holds those), which spares a hash lookup per disclosure per
    /// list, feed and data file; else by its id.
    pub fn index_of(&self, d: &Disclosure) -> Option<usize> {
        let docs = &self.content.docs;
        let offset = (d as *const Disclosure as usize).wrapping_sub(docs.as_ptr() as usize);
        let i = offset / std::mem::size_of::<Disclosure>().max(1);
        match docs.get(i) {
            Some(at) if std::ptr::eq(at, d) => Some(i),
            _ => self.by_id.get(d.id.as_str()).copied(),
        }
    }

    /// SHA-256 of the disclosure's source file.
    pub fn source_sha256(&self, d: &Disclosure) -> Option<&'a [u8; 32]> {
        self.index_of(d).map(|i| &self.content.hashes[i])
    }

    /// A hash of the disclosure's id and source hash ([`Site::source_sha256`]): what the inputs
    /// of a page that shows it take of it.
    /// (One not in the content, which no renderer is given, is known by its id alone.)
    pub fn source_key(&self, d: &Disclosure) -> u64 {
        match self.index_of(d) {
            Some(i) => self.source_keys[i],
            None => xxhash_rust::xxh3::xxh3_64(d.id.as_bytes()),
        }
    }

    /// SHA-256 of the disclosure's source file, hex.
    pub fn source_hash(&self, d: &Disclosure) -> String {
        self.source_sha256(d).map(hex::encode).unwrap_or_default()
    }

    /// Publication and revisions of a disclosure, oldest first, including the one this build is
    /// about to log when the source is new or changed.
    pub fn revisions(&self, d: &Disclosure) -> Vec<Revision> {
        let mut revisions = self.log.revisions(&d.id);
        let source = self.source_hash(d);
        if revisions.last().is_none_or(|r| r.source_sha256 != source) {
            let event = if revisions.is_empty() {
                Event::Published
            } else {
                Event::Revised
            };
            revisions.push(Revision {
                date: self.today,
                event,
                source_sha256: source,
            });
        }
        revisions
    }

    /// The department's display name, or the id when unknown (validation prevents that).
    pub fn department_name(&self, id: &'a str) -> &'a str {
        self.content.departments.name(id)
    }

    /// Active entries of a credit list inside `from..=until` on the build date, newest first.
    pub fn current_credit(&self, list: CreditList) -> Vec<&'a Disclosure> {
        self.by_kind[&Kind::Credit]
            .iter()
            .copied()
            .filter(|d| matches!(&d.details, Details::Credit(c) if c.list == list && c.is_current(self.today)))
            .collect()
    }

    /// Credit entries not on a current list: expired, not yet in force, repaired or revoked.
    pub fn credit_history(&self) -> Vec<&'a Disclosure> {
        self.by_kind[&Kind::Credit]
            .iter()
            .copied()
            .filter(|d| matches!(&d.details, Details::Credit(c) if !c.is_current(self.today)))
            .collect()
    }
}
