//! The build: load, validate, render pages, lists, project timelines, feeds and open data,
//! publish them with the publication log, commit the search index, write the cache
//! ([`build`] reads as these steps, each in a module of its own: `load`, `render`, `publish`,
//! `indexing`; `writer` writes each file, `verify` checks a published site).
//!
//! Nothing is written until the whole content has validated. A clean build writes into a staging
//! folder beside the output and swaps it in whole, so a failure leaves the published site as it
//! was. An incremental build (the default when the cache ([`crate::cache`]) of a previous build
//! of the same configuration, build date and search index exists) re-parses only the files whose
//! size or modification time changed (`load`), renders the pages of the disclosures that
//! changed and the timelines of their projects (and, for a changed credit entry or penalty, the
//! results its subject won), keeps every list and company page whose inputs are unchanged,
//! copies the unchanged items of the open-data files from the previous ones, appends to the
//! publication log, and writes a file only when its bytes differ, each one atomically
//! (`writer`). Its output is byte-identical to a clean build of the same content (tests apply
//! every kind of change and compare). A new build date (publicity and credit validity change with
//! it), a changed `site.toml`, `departments.toml` or `calendar.toml`, a new theme, index schema or
//! site-gen version makes the next build a clean one.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use disclosure::Disclosure;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cache::{self, CachedFileRef, ParsedRef};
use crate::content::{self, Content};
use crate::log::{self, PublicationLog};
use crate::render::company::Companies;
use crate::site::{self, Site};

mod indexing;
mod load;
mod publish;
mod render;
mod verify;
mod writer;

pub use indexing::INDEX_CONFIG;
pub use verify::verify;

use indexing::{Committing, Feeding, OpeningIndex};
use load::{load, Plan, Previous};
use publish::{publish, Published};
use render::render;

/// What to build, from where, to where.
#[derive(Debug, Clone)]
pub struct Options {
    pub content: PathBuf,
    pub out: PathBuf,
    /// Where the search index goes; `None` leaves it alone.
    pub index: Option<PathBuf>,
    /// The build date: publicity and credit validity are judged on it.
    pub today: NaiveDate,
    /// Ignore the cache and rebuild everything.
    pub clean: bool,
    /// Draw progress bars (on a terminal, unless `--quiet`).
    pub progress: bool,
    /// Where the supervision signals go (`signals.json` and pages for staff); `None`: not computed.
    pub signals: Option<PathBuf>,
}

/// What a build did, for the one-line summary and the benchmark.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub incremental: bool,
    /// Source files parsed this time (the rest came from the cache).
    pub parsed: usize,
    pub disclosures: usize,
    /// HTML pages on the site after the build.
    pub pages: usize,
    pub feeds: usize,
    /// Files in the output after the build.
    pub files: usize,
    /// Files whose bytes were written this time.
    pub written: usize,
    pub removed: usize,
    /// Penalties past `public_until`, left out.
    pub withdrawn: usize,
    pub log_entries: usize,
    /// Every number published although the guard would refuse it (`[[public_numbers]]`):
    /// `content/…md: 6222***********1234：reason`.
    pub public_numbers: Vec<String>,
    /// Wins by a company that was on a black list or barred by a penalty on the award date.
    pub barred_wins: usize,
    /// Supervision signals written for staff.
    pub signals: usize,
    /// The bulk export for OpenSearch, when asked for ([`build_exporting`]).
    pub bulk: Option<crate::bulk::Exported>,
    pub seconds: f64,
    pub phases: Vec<(&'static str, f64)>,
    /// Work done on threads of its own beside the phases, and how long it took: the signals,
    /// worked out while the site is rendered and published (the `signals` phase is what is
    /// left after publishing: waiting for them and writing them).
    pub beside: Vec<(&'static str, f64)>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "built {} pages, {} feeds, {} files from {} disclosures in {:.2} s",
            self.pages, self.feeds, self.files, self.disclosures, self.seconds
        )?;
        if self.incremental {
            write!(
                f,
                " (incremental: {} parsed, {} written, {} removed)",
                self.parsed, self.written, self.removed
            )?;
        }
        if self.withdrawn > 0 {
            write!(
                f,
                "; {} penalties past their publicity left out",
                self.withdrawn
            )?;
        }
        if self.log_entries > 0 {
            write!(f, "; {} new log entries", self.log_entries)?;
        }
        if self.barred_wins > 0 {
            write!(
                f,
                "; {} wins by companies barred on the award date (flagged on their results)",
                self.barred_wins
            )?;
        }
        if self.signals > 0 {
            write!(f, "; {} supervision signals for staff", self.signals)?;
        }
        if let Some(b) = &self.bulk {
            write!(
                f,
                "; bulk export: {} documents, {} deletions in {} files in {} ({} changed)",
                b.indexed,
                b.deleted,
                b.files,
                b.dir.display(),
                b.changed
            )?;
            if !b.truncated.is_empty() {
                write!(
                    f,
                    " ({} bodies cut to fit a file: {})",
                    b.truncated.len(),
                    b.truncated.join(", ")
                )?;
            }
        }
        if !self.public_numbers.is_empty() {
            write!(
                f,
                "; {} numbers published as declared lawful ([[public_numbers]]):",
                self.public_numbers.len()
            )?;
            for n in &self.public_numbers {
                write!(f, "\n  {n}")?;
            }
        }
        Ok(())
    }
}

/// Set (to anything) by the site benchmark only, to measure a clean build without company pages
/// beside one with them (`bench/site.sh`); a site built so lacks `/companies/`.
pub const BENCH_NO_COMPANY_PAGES: &str = "SITE_GEN_BENCH_NO_COMPANY_PAGES";

/// Whether the build makes company pages: always, but in the site benchmark's build without
/// them.
fn company_pages() -> bool {
    std::env::var_os(BENCH_NO_COMPANY_PAGES).is_none()
}

/// Bumped whenever rendering changes in a way the cache cannot see.
const CACHE_FORMAT: &str = concat!("site-gen ", env!("CARGO_PKG_VERSION"), " cache 17");

/// Where the cache of the build into `out` lives: `.public.site-gen-cache/` beside `public/`.
pub fn cache_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.site-gen-cache"))
}

/// The configuration a cached build depends on as a whole: when it changes, rebuild everything.
fn fingerprint(content: &Path, today: NaiveDate) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    CACHE_FORMAT.hash(&mut h);
    // Every page links the theme's files by a hash of their bytes.
    themes::asset_version().hash(&mut h);
    today.hash(&mut h);
    for name in ["site.toml", "departments.toml", "calendar.toml"] {
        std::fs::read(content.join(name))
            .unwrap_or_default()
            .hash(&mut h);
    }
    for (name, bytes) in themes::ASSETS {
        (name, bytes).hash(&mut h);
    }
    // A new index schema means indexing everything, which needs every body: a clean build.
    serde_json::to_string(&disclosure::search::schema().0)
        .unwrap_or_default()
        .hash(&mut h);
    format!("{CACHE_FORMAT} {today} {:016x}", h.finish())
}

/// Reads the publication log the previous build left in `out`, if any.
pub fn read_log(out: &Path) -> Result<PublicationLog> {
    read_log_text(out, None).map(|(log, _)| log)
}

/// The publication log in `out` and its JSON text, if there is one: whole, or only the
/// entries of the disclosures in `only` ([`PublicationLog::from_json_for`]).
fn read_log_text(
    out: &Path,
    only: Option<&BTreeSet<String>>,
) -> Result<(PublicationLog, Option<Vec<u8>>)> {
    let path = out.join(log::LOG_PATH);
    match std::fs::read(&path) {
        Ok(text) => match only.map_or_else(
            || PublicationLog::from_json(&text),
            |ids| {
                PublicationLog::from_json_for(&text, &|id| {
                    ids.contains(id) || id == crate::files::FILES_ID
                })
            },
        ) {
            Ok(log) => Ok((log, Some(text))),
            Err(e) => Err(e).with_context(|| {
                format!(
                    "{}: the publication log is damaged; run `site-gen verify {}`",
                    path.display(),
                    out.display()
                )
            }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((PublicationLog::default(), None)),
        Err(e) => {
            Err(e).with_context(|| format!("{}: cannot read the publication log", path.display()))
        }
    }
}

struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(enabled: bool, len: usize, what: &'static str) -> Progress {
        if !enabled {
            return Progress(None);
        }
        let bar = ProgressBar::new(len as u64);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar.set_prefix(what);
        Progress(Some(bar))
    }

    fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    fn finish(self) {
        if let Some(b) = self.0 {
            b.finish_and_clear();
        }
    }
}

struct Phases {
    started: Instant,
    last: Instant,
    done: Vec<(&'static str, f64)>,
}

impl Phases {
    fn start() -> Phases {
        let now = Instant::now();
        Phases {
            started: now,
            last: now,
            done: Vec::new(),
        }
    }

    fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.done.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

/// Builds the site. Validation errors come back as [`content::Invalid`] inside the error.
pub fn build(opts: &Options) -> Result<Summary> {
    build_exporting(opts, None)
}

/// Builds the site and, when `bulk` is given and the site was published, writes the public
/// disclosures as OpenSearch `_bulk` files with their index template ([`crate::bulk`]).
pub fn build_exporting(opts: &Options, bulk: Option<&crate::bulk::Export>) -> Result<Summary> {
    let mut phases = Phases::start();
    let fingerprint = fingerprint(&opts.content, opts.today);
    // The cache is decoded while the content folder is walked: each keeps about one core busy.
    let (mut previous, stamped) = rayon::join(
        || Previous::read(opts, &fingerprint),
        || content::markdown_files_stamped(&opts.content),
    );
    let incremental = previous.is_some();
    // Opening the index loads the segmenter's dictionary, a tenth of a one-file rebuild's CPU:
    // done while the parses are matched with the cache, validated and the site worked out,
    // which keep one core busy, rather than beside the walk and the cache's decoding, which
    // keep both.
    let opening_index = OpeningIndex::start(opts.index.as_deref(), incremental);
    let (parses, loaded) = load(
        opts,
        stamped?,
        previous.as_mut().map(Previous::take_sources),
    )?;
    // Nothing below runs unless the whole content is valid.
    let mut content = content::validate(&opts.content, parses)?;
    let Some(mut plan) = Plan::new(opts, &mut content, loaded, previous)? else {
        // A page's body links to a disclosure that came onto or left the site: a clean build.
        drop((content, opening_index));
        return build_exporting(
            &Options {
                clean: true,
                ..opts.clone()
            },
            bulk,
        );
    };
    phases.mark("load");

    // The publication log is read while the site's indexes are made.
    let (record, indexes) = rayon::join(
        || Record::read(&opts.out, &mut plan),
        || site::Indexes::of(&content, opts.today),
    );
    let (log, record) = record?;
    let site = indexes.with_log(&content, opts.today, &log);
    let ctx = Context::new(opts, &site, &plan);
    phases.mark("site");
    // The index is fed on a thread of its own while the site is rendered and published, and
    // committed only once the site is published; if that fails, the feeding stops. The signals
    // are worked out on another, and written only once the site is published.
    let (published, signals, tally, committing) = std::thread::scope(|scope| {
        let signals = opts.signals.as_deref().map(|dir| {
            let (site, clean) = (&site, !plan.incremental());
            scope.spawn(move || {
                // On a pool of their own, of lower priority: in rayon's, they would wait for the
                // pages to be rendered; beside it, they take the time a core is not busy with
                // the site (the stretches where publishing keeps one core busy).
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(rayon::current_num_threads())
                    .thread_name(|i| format!("signals-{i}"))
                    .start_handler(|_| lower_priority())
                    .build()?;
                let started = Instant::now();
                let prepared = pool
                    .install(|| crate::signals::prepare(site, dir, clean))
                    .with_context(|| {
                        format!("{}: cannot work out the supervision signals", dir.display())
                    })?;
                Ok::<_, anyhow::Error>((prepared, started.elapsed().as_secs_f64()))
            })
        });
        let feeding = Feeding::start(scope, &ctx, opening_index);
        // What the summary counts is counted while the site is published, which keeps one core
        // busy for most of its time.
        let (published, tally) = render(&ctx, &mut phases).map_or_else(
            |e| (Err(e), None),
            |r| {
                let (published, tally) = rayon::join(
                    || publish(&ctx, r, record, &mut phases),
                    || Tally::of(&site),
                );
                (published, Some(tally))
            },
        );
        let fed = feeding.finish(published.is_err());
        let published = published?;
        let tally = tally.expect("counted beside publishing");
        let committing = Committing::start(&ctx, fed, &published.new_entries)?;
        let signals = signals
            .map(|s| {
                s.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .transpose()?;
        Ok::<_, anyhow::Error>((published, signals, tally, committing))
    })?;
    let mut beside: Vec<(&'static str, f64)> =
        signals.iter().map(|(_, s)| ("signals", *s)).collect();
    let signals = write_signals(opts, signals.map(|(prepared, _)| prepared));
    if opts.signals.is_some() {
        phases.mark("signals");
    }
    let signals = signals?;
    let bulk = bulk
        .map(|export| export_bulk(opts, &site, &plan, export, &mut phases))
        .transpose()?;
    drop(ctx);
    drop(site);

    let committed = write_cache(
        opts,
        &fingerprint,
        &mut content,
        &plan,
        &published,
        committing,
    )?;
    beside.extend(committed.map(|s| ("index commit", s)));
    phases.mark("cache");
    let mut summary = tally.summary(&content, &plan, &published, signals, phases);
    summary.bulk = bulk;
    summary.beside = beside;
    // Freeing a million small allocations takes a tenth of a one-file rebuild: done on another
    // thread, which a command-line build does not wait for and `serve` does not notice.
    let garbage = (content, published, plan, log);
    std::thread::spawn(move || drop(garbage));
    Ok(summary)
}

/// Checks `content` as a build would, without writing anything: the same parse and the same
/// validation step. The build date does not make content invalid: a link to a penalty past its
/// publicity is shown as text marked 已过公示期.
pub fn check(content_dir: &Path) -> Result<Content> {
    content::validate(content_dir, content::parse_all(content_dir, &|| {})?)
}

impl Previous {
    /// The previous build's cache and list of published files, when this build can be an
    /// incremental one: not asked to be clean, the same fingerprint, and the very index the
    /// previous build committed (the cache keeps no bodies, so an index that must be written
    /// whole needs a clean build). An incremental build updates the previous build's list of
    /// published files; without one (a site of an older site-gen, or a damaged list) it must
    /// make the list whole: a clean build.
    fn read(opts: &Options, fingerprint: &str) -> Option<Previous> {
        let index_meta = opts.index.as_deref().map(crate::index::meta_hash);
        if opts.clean || index_meta.is_some_and(|m| m.is_none()) || !opts.out.is_dir() {
            return None;
        }
        let cache = cache::read(&cache_path(&opts.out), fingerprint)
            .filter(|c| c.index_meta == index_meta.flatten())?;
        // The list as the previous build wrote it; one changed since (by hand, or by a build
        // that stopped before writing its cache) cannot be patched.
        let files = std::fs::read(opts.out.join(crate::files::FILES_PATH)).ok()?;
        (cache::hash_bytes(&files) == cache.files_list).then_some(Previous { cache, files })
    }

    /// The cached parse of every source file, for [`load()`].
    fn take_sources(&mut self) -> Vec<cache::CachedFile> {
        std::mem::take(&mut self.cache.files)
    }
}

/// What the previous build published and this one appends to: its publication log's bytes and
/// its list of published files.
struct Record {
    log_text: Option<Vec<u8>>,
    /// The previous list's text, in an incremental build.
    files: Option<Vec<u8>>,
}

impl Record {
    /// Reads the publication log in `out` (in an incremental build, only the entries of the
    /// disclosures it renders) and takes the previous build's list of published files from the
    /// plan.
    fn read(out: &Path, plan: &mut Plan) -> Result<(PublicationLog, Record)> {
        let (log, log_text) = read_log_text(out, plan.rendered().as_ref())?;
        let files = plan.previous.as_mut().map(|p| std::mem::take(&mut p.files));
        Ok((log, Record { log_text, files }))
    }
}

/// What the steps after validation share: the options, the site as judged on the build date,
/// the plan, and the disclosures whose pages are rendered and whose documents are indexed.
struct Context<'a> {
    opts: &'a Options,
    site: &'a Site<'a>,
    plan: &'a Plan,
    /// Public disclosures whose page and JSON this build renders (all in a clean build).
    targets: Vec<&'a Disclosure>,
    /// Those whose search documents an incremental build writes.
    to_index: Vec<&'a Disclosure>,
    /// The site's companies, gathered once for the company pages and the search index's
    /// companies file (`None` when neither is made), by whichever needs them first
    /// ([`Context::companies`]).
    companies: Option<OnceLock<Companies<'a>>>,
}

impl<'a> Context<'a> {
    fn new(opts: &'a Options, site: &'a Site<'a>, plan: &'a Plan) -> Context<'a> {
        let (targets, to_index) = plan.targets(site);
        Context {
            opts,
            site,
            plan,
            targets,
            to_index,
            companies: (opts.index.is_some() || company_pages()).then(OnceLock::new),
        }
    }

    /// The site's companies, gathered by the first caller (the others wait for it): the thread
    /// that feeds the index, as soon as the index is open, so that a one-file rebuild gathers
    /// them while the pool works out the list pages, rather than alone before.
    fn companies(&self) -> Option<&Companies<'a>> {
        let site = self.site;
        self.companies
            .as_ref()
            .map(|c| c.get_or_init(|| Companies::new(site)))
    }
}

/// Lowers the calling thread's priority (nice 10), so that it takes only the time the build's
/// other threads leave (on Linux, where each thread has a nice value of its own; elsewhere,
/// nothing). Should the system refuse, the thread runs as it was.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(None, 10);
}

/// Writes the supervision signals for staff worked out beside the site
/// ([`crate::signals::prepare`]: a clean build computes them anew, an incremental one keeps them
/// while their inputs stand), when asked to; returns how many there are.
fn write_signals(opts: &Options, prepared: Option<crate::signals::Prepared>) -> Result<usize> {
    let (Some(dir), Some(prepared)) = (&opts.signals, prepared) else {
        return Ok(0);
    };
    prepared
        .write(dir)
        .with_context(|| format!("{}: cannot write the supervision signals", dir.display()))
}

/// The bulk export, once the site is published: every public disclosure, and a deletion for
/// each that the whole publication log (as just published) says left the site. An incremental
/// build read only the changed bodies; the others are read again from their files.
fn export_bulk(
    opts: &Options,
    site: &Site<'_>,
    plan: &Plan,
    export: &crate::bulk::Export,
    phases: &mut Phases,
) -> Result<crate::bulk::Exported> {
    let whole_log = read_log(&opts.out)?;
    let rendered = plan.rendered();
    let body_of = |d: &Disclosure| -> Result<Option<String>> {
        if rendered.as_ref().is_none_or(|ids| ids.contains(&d.id)) {
            return Ok(None);
        }
        let i = site.index_of(d).context("a disclosure of the site")?;
        let path = &plan.sources[i].0;
        let parsed = content::read_source(&opts.content, path)
            .map_err(|d| vec![d])
            .and_then(|f| content::parse_source(&f))
            .map_err(content::Invalid)?;
        if parsed.hash != site.content.hashes[i] {
            anyhow::bail!(
                "{}: the file changed during the build; build again",
                content::display_path(&opts.content, path)
            );
        }
        Ok(Some(parsed.disclosure.body))
    };
    let exported = crate::bulk::export(site, &whole_log, &body_of, export)?;
    phases.mark("bulk");
    Ok(exported)
}

/// Writes what this build leaves for the next ([`crate::cache`]) while the search index is
/// being committed (`committing`): the shards, then, once the commit is done, the manifest
/// that names the index it goes with. Returns how long the commit took, if there was one. The
/// bodies go first: the cache keeps none (a disclosure is rendered again only when its file
/// changed, and then it is parsed again).
fn write_cache(
    opts: &Options,
    fingerprint: &str,
    content: &mut Content,
    plan: &Plan,
    published: &Published,
    committing: Committing,
) -> Result<Option<f64>> {
    for d in &mut content.docs {
        d.body = String::new();
    }
    let cached: Vec<CachedFileRef<'_>> = plan
        .sources
        .iter()
        .zip(content.docs.iter().zip(&content.hashes).zip(&content.links))
        .filter_map(|((path, stamp), ((disclosure, hash), links))| {
            Some(CachedFileRef {
                path: load::cache_key(&opts.content, path),
                stamp: (*stamp)?,
                parsed: ParsedRef {
                    disclosure,
                    hash,
                    links,
                },
            })
        })
        .collect();
    let dir = cache_path(&opts.out);
    let shards = cache::write_shards(&dir, &cached, plan.previous(), &plan.dirty)?;
    let committed = committing.finish()?;
    cache::write_manifest(
        &dir,
        &cache::Next {
            fingerprint,
            files: &cached,
            outputs: &published.manifest,
            items: &published.items,
            index_meta: opts.index.as_deref().and_then(crate::index::meta_hash),
            files_list: published.files_list,
        },
        &shards,
    )?;
    Ok(committed)
}

/// What the summary needs from the site, taken before the site goes.
struct Tally {
    withdrawn: usize,
    public: usize,
    projects: usize,
    public_numbers: Vec<String>,
    barred_wins: usize,
}

impl Tally {
    fn of(site: &Site<'_>) -> Tally {
        Tally {
            withdrawn: site.withdrawn.len(),
            public: site.public.len(),
            projects: site.projects.len(),
            public_numbers: site
                .public
                .par_iter()
                .flat_map_iter(|d| {
                    log::public_number_notes(d)
                        .into_iter()
                        .map(move |n| format!("{}: {n}", d.source))
                })
                .collect(),
            barred_wins: site
                .by_kind
                .get(&disclosure::Kind::Result)
                .map_or(0, |results| {
                    results
                        .par_iter()
                        .map(|d| crate::companies::barred_award(site, d).len())
                        .sum()
                }),
        }
    }

    fn summary(
        self,
        content: &Content,
        plan: &Plan,
        published: &Published,
        signals: usize,
        phases: Phases,
    ) -> Summary {
        let manifest = &published.manifest;
        // Besides the site-wide files: a page and a JSON file per public disclosure, a page per
        // project.
        let (public, projects) = (self.public, self.projects);
        let pages = manifest.keys().filter(|p| p.ends_with(".html")).count() + public + projects;
        let feeds = manifest
            .keys()
            .filter(|p| p.starts_with("feeds/") && p.ends_with(".xml"))
            .count();
        Summary {
            incremental: plan.incremental(),
            parsed: plan.parsed,
            disclosures: content.docs.len(),
            pages,
            feeds,
            // The publication log and the list of published files are not in the manifest.
            files: manifest.len() + 2 * public + projects + 2,
            written: published.written,
            removed: published.removed,
            withdrawn: self.withdrawn,
            // Entries about disclosures; the list of published files' own is not counted.
            log_entries: published
                .new_entries
                .iter()
                .filter(|e| e.id != crate::files::FILES_ID)
                .count(),
            public_numbers: self.public_numbers,
            barred_wins: self.barred_wins,
            signals,
            bulk: None,
            seconds: phases.started.elapsed().as_secs_f64(),
            phases: phases.done,
            beside: Vec::new(),
        }
    }
}
