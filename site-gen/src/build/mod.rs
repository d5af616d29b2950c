//! The build: load, validate, render pages, lists, project timelines and feeds, write open data,
//! append to the publication log, update the search index, publish.
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

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use disclosure::Disclosure;
use foldhash::fast::RandomState as FastHash;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cache::{self, CachedFileRef, Output, Owner, ParsedRef};
use crate::content::{self, Content};
use crate::cache::ItemIndex;
use crate::index::IndexWriter;
use crate::log::{self, Event, NewEntry, PublicationLog};
use crate::output::file_for_url;
use crate::output::OutFile;
use crate::site::Site;
use crate::{data, feeds, render};

mod load;
mod writer;

use load::{load, Loaded};
use writer::Writer;

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
    pub seconds: f64,
    pub phases: Vec<(&'static str, f64)>,
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

/// Bumped whenever rendering changes in a way the cache cannot see.
const CACHE_FORMAT: &str = concat!("site-gen ", env!("CARGO_PKG_VERSION"), " cache 12");

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
    last: Instant,
    done: Vec<(&'static str, f64)>,
}

impl Phases {
    fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.done.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

/// Builds the site. Validation errors come back as [`content::Invalid`] inside the error.
pub fn build(opts: &Options) -> Result<Summary> {
    let started = Instant::now();
    let mut phases = Phases {
        last: started,
        done: Vec::new(),
    };
    let fingerprint = fingerprint(&opts.content, opts.today);
    let cache_dir = cache_path(&opts.out);
    // The cache keeps no bodies, so an index that must be written whole needs a clean build:
    // the cache is used only with the very index the previous build committed.
    let index_meta = opts.index.as_deref().map(crate::index::meta_hash);
    let index_missing = index_meta.is_some_and(|m| m.is_none());
    let mut previous = if opts.clean || index_missing || !opts.out.is_dir() {
        None
    } else {
        cache::read(&cache_dir, &fingerprint).filter(|c| c.index_meta == index_meta.flatten())
    };
    // An incremental build updates the previous build's list of published files; without one
    // (a site of an older site-gen, or a damaged list) it must make the list whole: a clean build.
    let previous_files = previous.as_ref().and_then(|_| {
        let text = std::fs::read(opts.out.join(crate::files::FILES_PATH)).ok()?;
        crate::files::from_json(&text)
    });
    if previous_files.is_none() {
        previous = None;
    }
    let incremental = previous.is_some();
    // An incremental build indexes the few disclosures that changed.
    let opening_index = OpeningIndex::start(opts.index.as_deref(), incremental);

    // Load and validate: nothing below runs unless the whole content is valid.
    let cached_files = previous.as_mut().map(|c| std::mem::take(&mut c.files));
    let Loaded {
        mut content,
        sources,
        parsed,
        changed,
        touched_projects,
        rerender,
        dirty,
        old_outputs,
        linked_publicity_changed,
    } = load(opts, cached_files)?;
    if incremental && linked_publicity_changed {
        // A page whose body links to it shows the link anew, and the cache keeps no bodies.
        drop((content, sources, opening_index, previous));
        return build(&Options {
            clean: true,
            ..opts.clone()
        });
    }
    phases.mark("load");

    // An incremental build renders the pages of the disclosures it changed and of the results
    // whose barred-winner flag they may change, and reads the log entries of those: all that
    // gain entries or show revisions (publicity changes only with the build date).
    let rendered: Option<BTreeSet<String>> = changed
        .as_ref()
        .map(|ids| ids.union(&rerender).cloned().collect());
    let (log, log_text) = read_log_text(&opts.out, rendered.as_ref())?;
    let site = Site::new(&content, opts.today, &log);
    let (targets, to_index): (Vec<&Disclosure>, Vec<&Disclosure>) = match (&rendered, &changed) {
        (Some(rendered), Some(ids)) => {
            let targets: Vec<&Disclosure> = site
                .public
                .iter()
                .copied()
                .filter(|d| rendered.contains(d.id.as_str()))
                .collect();
            // A page rendered again for its flag is indexed as it was.
            let to_index = targets
                .iter()
                .copied()
                .filter(|d| ids.contains(d.id.as_str()))
                .collect();
            (targets, to_index)
        }
        _ => (site.public.clone(), Vec::new()),
    };

    // The search index is fed on a thread of its own while the site is written, so that both
    // cores stay busy: tantivy tokenizes while the file system makes files. It is committed
    // once the site is published.
    let stop = AtomicBool::new(false);
    let site_written = std::thread::scope(|scope| {
        let feeding = opts.index.as_ref().map(|dir| {
            let (site, targets, stop) = (&site, &to_index, &stop);
            scope.spawn(move || {
                feed_index(opening_index, site, targets, !incremental, stop)
                    .with_context(|| format!("{}: cannot update the search index", dir.display()))
            })
        });
        let written = write_site(
            opts,
            &site,
            &targets,
            &touched_projects,
            previous.as_ref().zip(previous_files),
            log_text,
            changed.as_ref(),
            old_outputs,
            &mut phases,
        );
        if written.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let fed = feeding.map(|f| f.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        let written = written?;
        if let (Some(writer), Some(dir)) = (fed, &opts.index) {
            commit_index(writer?, &written.new_entries)
                .with_context(|| format!("{}: cannot update the search index", dir.display()))?;
            carry_config(&opts.content, dir)
                .with_context(|| format!("{}: cannot update the search index", dir.display()))?;
            phases.mark("index");
        }
        Ok::<_, anyhow::Error>(written)
    })?;
    let Written {
        new_entries,
        items,
        manifest,
        written,
        removed,
    } = site_written;
    let index_meta = opts.index.as_deref().and_then(crate::index::meta_hash);

    // What the summary needs from the site; then the bodies go: the cache keeps none (a
    // disclosure is rendered again only when its file changed, and then it is parsed again).
    let withdrawn = site.withdrawn.len();
    let (public_count, project_count) = (site.public.len(), site.projects.len());
    // Entries about disclosures; the list of published files' own is not counted.
    let log_entries = new_entries
        .iter()
        .filter(|e| e.id != crate::files::FILES_ID)
        .count();
    let public_numbers: Vec<String> = site
        .public
        .iter()
        .flat_map(|d| {
            public_number_notes(d)
                .into_iter()
                .map(move |n| format!("{}: {n}", d.source))
        })
        .collect();
    let signals = match &opts.signals {
        Some(dir) => crate::signals::write(&site, dir)
            .with_context(|| format!("{}: cannot write the supervision signals", dir.display()))?,
        None => 0,
    };
    if opts.signals.is_some() {
        phases.mark("signals");
    }
    let barred_wins = site
        .by_kind
        .get(&disclosure::Kind::Result)
        .into_iter()
        .flatten()
        .map(|d| crate::companies::barred_award(&site, d).len())
        .sum();
    drop((targets, to_index, site));
    for d in &mut content.docs {
        d.body = String::new();
    }
    let cached: Vec<CachedFileRef<'_>> = sources
        .iter()
        .zip(
            content
                .docs
                .iter()
                .zip(&content.hashes)
                .zip(&content.links)
                .zip(&content.excerpts),
        )
        .filter_map(|((path, stamp), (((disclosure, hash), links), excerpt))| {
            Some(CachedFileRef {
                path,
                stamp: (*stamp)?,
                parsed: ParsedRef {
                    disclosure,
                    hash,
                    links,
                    excerpt,
                },
            })
        })
        .collect();
    cache::write(
        &cache_dir,
        &cache::Next {
            fingerprint: &fingerprint,
            files: &cached,
            outputs: &manifest,
            items: &items,
            index_meta,
        },
        previous.as_ref(),
        &dirty,
    )?;
    phases.mark("cache");

    drop(cached);

    // Besides the site-wide files: a page and a JSON file per public disclosure, a page per
    // project.
    let (public, projects) = (public_count, project_count);
    let pages = manifest.keys().filter(|p| p.ends_with(".html")).count() + public + projects;
    let feeds = manifest
        .keys()
        .filter(|p| p.starts_with("feeds/") && p.ends_with(".xml"))
        .count();
    let summary = Summary {
        incremental,
        parsed,
        disclosures: content.docs.len(),
        pages,
        feeds,
        // The publication log and the list of published files are not in the manifest.
        files: manifest.len() + 2 * public + projects + 2,
        written,
        removed,
        withdrawn,
        log_entries,
        public_numbers,
        barred_wins,
        signals,
        seconds: started.elapsed().as_secs_f64(),
        phases: phases.done,
    };
    // Freeing a million small allocations takes a tenth of a one-file rebuild: done on another
    // thread, which a command-line build does not wait for and `serve` does not notice.
    let garbage = (content, manifest, previous, sources, log);
    std::thread::spawn(move || drop(garbage));
    Ok(summary)
}

/// What [`write_site`] wrote.
struct Written {
    new_entries: Vec<log::Entry>,
    items: BTreeMap<String, ItemIndex>,
    /// The site-wide files, for the cache.
    manifest: cache::Outputs,
    written: usize,
    removed: usize,
}

/// Writes the site: into a staging folder swapped in at the end for a clean build, into the
/// live folder for an incremental one (removing what the change took away).
#[allow(clippy::too_many_arguments)]
fn write_site(
    opts: &Options,
    site: &Site<'_>,
    targets: &[&Disclosure],
    touched_projects: &BTreeSet<String>,
    previous: Option<(&cache::Cache, crate::files::FileHashes)>,
    log_text: Option<Vec<u8>>,
    changed: Option<&BTreeSet<String>>,
    old_outputs: Vec<String>,
    phases: &mut Phases,
) -> Result<Written> {
    let (previous, previous_files) = match previous {
        Some((cache, files)) => (Some(cache), Some(files)),
        None => (None, None),
    };
    let incremental = previous.is_some();
    let staging = opts.out.with_file_name(format!(
        ".{}.staging",
        opts.out
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let root = if incremental {
        opts.out.clone()
    } else {
        staging.clone()
    };
    if !incremental {
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
    }
    let writer = Writer {
        root,
        previous: previous.map(|c| &c.outputs),
        written: Default::default(),
        outputs: Mutex::new(Vec::new()),
        rendered: Default::default(),
        folders: Default::default(),
        hashes: Default::default(),
    };
    let result = render_and_write(
        opts,
        site,
        targets,
        touched_projects,
        &writer,
        DataReuse {
            previous: previous.map(|c| &c.items),
            changed,
            inputs: content_inputs(site.content),
        },
        phases,
    );
    let (mut appends, items) = match result {
        Ok(done) => done,
        Err(e) => {
            if !incremental {
                let _ = std::fs::remove_dir_all(&staging);
            }
            return Err(e);
        }
    };
    let Writer {
        outputs,
        written,
        rendered,
        hashes,
        ..
    } = writer;
    let mut files = previous_files.unwrap_or_default();
    files.extend(
        hashes
            .into_inner()
            .expect("writer threads are done")
            .into_iter()
            .filter(|(path, _)| crate::files::is_listed(path)),
    );
    let written = written.into_inner();
    let manifest: cache::Outputs = outputs
        .into_inner()
        .expect("writer threads are done")
        .into_iter()
        .collect();
    let rendered = rendered.into_inner().expect("writer threads are done");

    // What the previous build wrote and this one did not: site-wide files no longer made, the
    // files of disclosures that changed or went, the pages of projects that went.
    let mut removed = 0;
    if let Some(previous) = previous {
        let gone_projects = touched_projects
            .iter()
            .filter(|code| !site.projects.contains_key(code.as_str()))
            .map(|code| file_for_url(&disclosure::routes::project(code)));
        let gone: Vec<String> = previous
            .outputs
            .keys()
            .filter(|path| !manifest.contains_key(*path))
            .cloned()
            .chain(old_outputs.into_iter().chain(gone_projects))
            .filter(|path| !rendered.contains(path))
            .collect();
        for path in gone {
            let target = opts.out.join(&path);
            match std::fs::remove_file(&target) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot remove {}", target.display()))
                }
            }
            files.remove(&path);
            remove_empty_parents(&opts.out, &target);
        }
    }

    // The list of published files, and the publication log: new, revised, re-rendered and
    // withdrawn pages in id order, then the list when it changed.
    let root = if incremental { &opts.out } else { &staging };
    let files_json = crate::files::to_json(&files);
    let new_files_sha = log::sha256_hex(&files_json);
    let logged = site.log.latest(crate::files::FILES_ID);
    if logged.is_none_or(|e| e.page_sha256 != new_files_sha) {
        appends.push(Append {
            id: crate::files::FILES_ID.to_string(),
            url: crate::files::FILES_URL.to_string(),
            event: if logged.is_none() {
                Event::Published
            } else {
                Event::Revised
            },
            source: String::new(),
            page: new_files_sha,
            public_numbers: Vec::new(),
        });
    }
    let entries: Vec<NewEntry<'_>> = appends.iter().map(Append::entry).collect();
    let new_entries = site.log.next_entries(site.today, &entries);
    // Nothing new in the log: the list is the one it already vouches for, and both stay.
    let unchanged = incremental && new_entries.is_empty();
    let log_json = if unchanged {
        Vec::new()
    } else {
        site.log.to_json_appending(log_text, &new_entries)
    };
    let writes = [
        (crate::files::FILES_PATH, files_json),
        (log::LOG_PATH, log_json),
    ];
    for (path, bytes) in writes.into_iter().filter(|_| !unchanged) {
        let target = root.join(path);
        let tmp =
            target.with_file_name(format!(".{}.tmp", path.rsplit('/').next().unwrap_or(path)));
        std::fs::write(&tmp, &bytes)
            .and_then(|_| std::fs::rename(&tmp, &target))
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    phases.mark("write");

    if !incremental {
        publish(&staging, &opts.out)?;
        phases.mark("publish");
    }

    Ok(Written {
        new_entries,
        items,
        manifest,
        written,
        removed,
    })
}

#[allow(clippy::too_many_arguments)]
fn render_and_write(
    opts: &Options,
    site: &Site<'_>,
    targets: &[&Disclosure],
    touched_projects: &BTreeSet<String>,
    writer: &Writer<'_>,
    data_reuse: DataReuse<'_>,
    phases: &mut Phases,
) -> Result<(Vec<Append>, BTreeMap<String, ItemIndex>)> {
    let log = site.log;
    // One page and one JSON file per disclosure; the page hashes go to the publication log.
    let bar = Progress::new(opts.progress, targets.len(), "pages");
    let page_hashes = std::thread::scope(|scope| {
        // The JSON files all go in one folder, and making a file locks its folder: two threads
        // making them side by side spent a seventh of a clean build waiting on that lock. So
        // one thread writes them all, while the others render and write the pages, each in a
        // folder of its own.
        let (json, to_write) = std::sync::mpsc::sync_channel::<OutFile>(256);
        let json_writer = scope.spawn(move || {
            to_write
                .into_iter()
                .try_for_each(|f| writer.put(&Owner::Disclosure, &f))
        });
        let hashes = targets
            .par_iter()
            .enumerate()
            .map_with(json, |json, (i, d)| {
                let page = render::disclosure_page(site, d);
                let sha = writer.put_hashed(&Owner::Disclosure, &page)?;
                if json.send(data::disclosure_json(site, d)).is_err() {
                    // The JSON writer stopped; its error is the one reported below.
                    bail!("the JSON files could not be written");
                }
                bar.inc();
                Ok((i, hex::encode(sha)))
            })
            .collect::<Result<Vec<(usize, String)>>>();
        json_writer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        hashes
    })?;
    bar.finish();
    phases.mark("pages");

    // Project timelines touched by the change (all of them in a clean build).
    touched_projects.par_iter().try_for_each(|code| {
        if let Some(p) = site.projects.get(code.as_str()) {
            writer.put(&Owner::Project, &render::project_page(site, p))?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    phases.mark("projects");

    // Site-wide pages: lists, departments, home, feeds, sitemap, open-data indexes.
    let lists = render::lists(site);
    let site_wide: Vec<Box<dyn Fn() -> Vec<OutFile> + Sync + Send + '_>> = vec![
        Box::new(|| render::projects_index(site)),
        Box::new(|| vec![render::departments_index(site)]),
        Box::new(|| {
            vec![
                render::home(site),
                render::not_found(site),
                render::feeds_index(site),
                render::data_index(site),
                render::sitemap_page(site),
            ]
        }),
        Box::new(render::assets),
        Box::new(|| data::audit_anchors(site)),
        Box::new(|| render::statistics::page(site)),
        // Only when `site.toml` says `[signals] publish = true`.
        Box::new(|| crate::signals::public_files(site)),
        Box::new(|| feeds::feeds(site)),
        Box::new(|| data::sitemap(site)),
    ];
    // Company pages, each kept when what it is made from is unchanged. The site benchmark
    // measures the build without them (issue 11 allows them 15% of a clean build).
    let companies = std::env::var_os(BENCH_NO_COMPANY_PAGES)
        .is_none()
        .then(|| render::company::Companies::new(site));
    // The site-wide pages and, beside them, what the publication log gains: new, revised,
    // re-rendered and withdrawn pages, in id order.
    let ((pages, (index, ocds)), appends) = rayon::join(
        || {
            rayon::join(
                || site_wide_pages(site, writer, &lists, companies.as_ref(), &site_wide),
                || {
                    rayon::join(
                        || data_reuse.write(writer, data::INDEX_URL, |r| data::index_file(site, r)),
                        || data_reuse.write(writer, data::OCDS_URL, |r| data::ocds_file(site, r)),
                    )
                },
            )
        },
        || {
            let mut appends: Vec<(String, String, Event, String, String, Vec<String>)> = Vec::new();
            for (i, page_hash) in page_hashes {
                let d: &Disclosure = targets[i];
                let source = site.source_hash(d);
                let event = match log.latest(&d.id) {
                    None => Some(Event::Published),
                    Some(e) if e.event == Event::Withdrawn => {
                        let known = log
                            .revisions(&d.id)
                            .iter()
                            .any(|r| r.source_sha256 == source);
                        Some(if known {
                            Event::Published
                        } else {
                            Event::Revised
                        })
                    }
                    Some(e) if e.source_sha256 != source => Some(Event::Revised),
                    Some(e) if e.page_sha256 != page_hash => Some(Event::Rerendered),
                    Some(_) => None,
                };
                if let Some(event) = event {
                    let numbers = match event {
                        Event::Published | Event::Revised => public_number_notes(d),
                        _ => Vec::new(),
                    };
                    appends.push((d.id.clone(), d.url(), event, source, page_hash, numbers));
                }
            }
            for e in log
                .latest_entries()
                .filter(|e| e.id != crate::files::FILES_ID)
            {
                let public = site.get(&e.id).is_some_and(|d| d.is_public(site.today));
                if e.event != Event::Withdrawn && !public {
                    appends.push((
                        e.id.clone(),
                        e.url.clone(),
                        Event::Withdrawn,
                        e.source_sha256.clone(),
                        String::new(),
                        Vec::new(),
                    ));
                }
            }
            appends.sort_by(|a, b| a.0.cmp(&b.0));
            appends
                .into_iter()
                .map(|(id, url, event, source, page, numbers)| Append {
                    id,
                    url,
                    event,
                    source,
                    page,
                    public_numbers: numbers,
                })
                .collect::<Vec<_>>()
        },
    );
    pages?;
    let items = [index?, ocds?].into_iter().collect();
    phases.mark("lists+feeds");
    Ok((appends, items))
}

/// An entry the publication log is to gain.
struct Append {
    id: String,
    url: String,
    event: Event,
    source: String,
    page: String,
    /// The page's declared public numbers (masked, with reasons), for a first publication or a
    /// revision.
    public_numbers: Vec<String>,
}

impl Append {
    fn entry(&self) -> NewEntry<'_> {
        NewEntry {
            id: &self.id,
            url: &self.url,
            event: self.event,
            source: &self.source,
            page: &self.page,
            public_numbers: &self.public_numbers,
        }
    }
}

/// A disclosure's declared public numbers as the log and the summary name them: masked, with the
/// author's reason.
pub fn public_number_notes(d: &Disclosure) -> Vec<String> {
    d.public_numbers
        .iter()
        .map(|n| {
            let digits = disclosure::guard::number_digits(&n.value);
            format!("{}：{}", disclosure::guard::mask(&digits), n.reason)
        })
        .collect()
}

/// The paginated lists and department pages, each kept from the previous build when what it
/// shows is the same, and the other site-wide files.
fn site_wide_pages<'a>(
    site: &Site<'a>,
    writer: &Writer<'_>,
    lists: &[render::ListSpec<'_>],
    companies: Option<&render::company::Companies<'a>>,
    site_wide: &[Box<dyn Fn() -> Vec<OutFile> + Sync + Send + '_>],
) -> Result<()> {
    let jobs: Vec<render::PageJob<'_>> = lists
        .iter()
        .flat_map(|l| render::list_page_jobs(site, l))
        .chain(
            site.content
                .departments
                .all()
                .iter()
                .flat_map(|d| render::department_page_jobs(site, d)),
        )
        .chain(
            companies
                .into_iter()
                .flat_map(|c| render::company::company_jobs(site, c)),
        )
        .collect();
    jobs.into_par_iter()
        .try_for_each(|job| writer.put_rendered(job.path, job.inputs, job.render))?;
    site_wide
        .par_iter()
        .try_for_each(|unit| writer.put_all(&Owner::Site, &unit()))
}

/// A hash of every disclosure's id and source: with the configuration and the build date (the
/// cache's fingerprint), all that the site-wide files are made from.
fn content_inputs(content: &Content) -> u64 {
    use std::hash::Hasher as _;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (d, hash) in content.docs.iter().zip(&content.hashes) {
        h.write(d.id.as_bytes());
        h.write(hash);
    }
    h.finish()
}

/// What the open-data files may take from the previous build.
struct DataReuse<'a> {
    /// Where each item is in the previous build's files.
    previous: Option<&'a BTreeMap<String, ItemIndex>>,
    /// Disclosures whose items must be made anew (`None`: all of them).
    changed: Option<&'a BTreeSet<String>>,
    /// [`content_inputs`]: when it is the previous build's, the files are kept as they are.
    inputs: u64,
}

impl DataReuse<'_> {
    /// Writes the open-data file at `url`, made by `make` from the items it may copy from the
    /// previous build's file (those of unchanged disclosures, when that file is still the one
    /// the cache describes), and returns where its items are.
    fn write(
        &self,
        writer: &Writer<'_>,
        url: &str,
        make: impl FnOnce(&data::Reuse<'_>) -> data::ItemFile,
    ) -> Result<(String, ItemIndex)> {
        let path = file_for_url(url);
        let before = self.previous.and_then(|p| p.get(&path));
        let target = writer.root.join(&path);
        let on_disk = std::fs::metadata(&target).ok().map(|m| m.len());
        let old = before.filter(|b| on_disk == Some(b.len));
        if let (Some(old), Some(kept)) = (old, writer.kept(&path, self.inputs)) {
            writer.record(path.clone(), kept);
            return Ok((path, old.clone()));
        }
        // A clean build (no `changed`) makes every item anew.
        let ranges = old
            .filter(|_| self.changed.is_some())
            .and_then(ItemIndex::ranges);
        let changed: HashSet<&str, FastHash> = self
            .changed
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let reuse = |d: &Disclosure| {
            let ranges = ranges.as_ref()?;
            if changed.contains(d.id.as_str()) {
                return None;
            }
            ranges.get(&cache::item_key(d)).cloned()
        };
        let file = make(&reuse);
        if old.is_some_and(|old| same_bytes(&file, old, &target)) {
            writer.record(
                path.clone(),
                Output {
                    hash: 0,
                    inputs: Some(self.inputs),
                },
            );
            return Ok((path, file.items));
        }
        writer.put_pieces(&file, self.inputs)?;
        Ok((path, file.items))
    }
}

/// Whether `file` is the previous file `old` describes, byte for byte: the same items in the
/// same places, and every piece made now equal to the bytes it stands for (the item of a
/// disclosure whose change the file does not show, such as a body edit in the OCDS package).
/// Then the file is kept: writing 100 MB of the same bytes again took a tenth of a rebuild.
fn same_bytes(file: &data::ItemFile, old: &ItemIndex, target: &Path) -> bool {
    use std::io::{Read as _, Seek as _, SeekFrom};
    if file.items != *old {
        return false;
    }
    let Ok(mut on_disk) = std::fs::File::open(target) else {
        return false;
    };
    let mut at = 0;
    for piece in &file.pieces {
        match piece {
            data::Piece::Old(range) if range.start == at => at = range.end,
            data::Piece::Old(_) => return false,
            data::Piece::New(bytes) => {
                let mut was = vec![0; bytes.len()];
                let read = on_disk
                    .seek(SeekFrom::Start(at))
                    .and_then(|_| on_disk.read_exact(&mut was));
                if read.is_err() || was != *bytes {
                    return false;
                }
                at += bytes.len() as u64;
            }
        }
    }
    at == old.len
}

/// Swaps the staging folder in for the published one.
fn publish(staging: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        let old = out.with_file_name(format!(
            ".{}.old",
            out.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        if old.exists() {
            remove_tree(&old).with_context(|| format!("cannot clear {}", old.display()))?;
        }
        std::fs::rename(out, &old)
            .with_context(|| format!("cannot move {} aside", out.display()))?;
        if let Err(e) = std::fs::rename(staging, out) {
            // Put the old site back: readers must never see no site at all.
            let _ = std::fs::rename(&old, out);
            return Err(e).with_context(|| format!("cannot publish {}", out.display()));
        }
        remove_tree(&old).with_context(|| format!("cannot remove {}", old.display()))?;
    } else {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::rename(staging, out)
            .with_context(|| format!("cannot publish {}", out.display()))?;
    }
    Ok(())
}

/// Removes a folder tree, its top-level folders in parallel: a site of 100,000 pages is
/// 200,000 files, and unlinking them one by one dominated a clean rebuild over an old site.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|p| {
        if !p.is_dir() {
            return std::fs::remove_file(p);
        }
        let children: Vec<PathBuf> = std::fs::read_dir(p)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        children.par_iter().try_for_each(|c| {
            if c.is_dir() {
                std::fs::remove_dir_all(c)
            } else {
                std::fs::remove_file(c)
            }
        })?;
        std::fs::remove_dir(p)
    })?;
    std::fs::remove_dir(dir)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// The search index writer, opened on a thread of its own while the content loads: opening it
/// loads the segmenter's dictionary, a tenth of a one-file rebuild. Joined when dropped, so that
/// a failed build never leaves it holding the index's lock.
struct OpeningIndex(Option<std::thread::JoinHandle<Result<IndexWriter>>>);

impl OpeningIndex {
    /// Starts opening the index in `dir`, for a few documents when `few`.
    fn start(dir: Option<&Path>, few: bool) -> OpeningIndex {
        OpeningIndex(dir.map(|dir| {
            let dir = dir.to_path_buf();
            std::thread::spawn(move || IndexWriter::open_for(&dir, few))
        }))
    }

    fn wait(mut self) -> Result<IndexWriter> {
        let handle = self.0.take().context("no index was asked for")?;
        match handle.join() {
            Ok(writer) => writer,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl Drop for OpeningIndex {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

/// Brings the search index in step with the site, but for what left it in this build: every
/// public disclosure in a clean build (or when the index is new), else the changed ones. Gives
/// up once `stop` is set (the site could not be written).
fn feed_index(
    writer: OpeningIndex,
    site: &Site<'_>,
    targets: &[&Disclosure],
    fresh: bool,
    stop: &AtomicBool,
) -> Result<IndexWriter> {
    let mut writer = writer.wait()?;
    if writer.recreated() && !fresh {
        // Indexing everything needs every body, which only a clean build reads.
        bail!("the index had to be created anew; run `site-gen build --clean`");
    }
    if fresh {
        writer.clear();
        writer.upsert_unless(site, &site.public, stop)?;
    } else {
        writer.upsert_unless(site, targets, stop)?;
    }
    Ok(writer)
}

/// Removes the disclosures withdrawn in this build (`new_entries`) from the index fed by
/// [`feed_index`], and commits it.
/// The files search-server needs besides the index (site name and footer, departments), copied
/// into the index folder so that a search replica needs only a copy of that folder (SPEC).
pub const INDEX_CONFIG: [&str; 2] = ["site.toml", "departments.toml"];

fn carry_config(content: &Path, index: &Path) -> Result<()> {
    for name in INDEX_CONFIG {
        let bytes = std::fs::read(content.join(name))
            .with_context(|| format!("cannot read {}", content.join(name).display()))?;
        let target = index.join(name);
        if std::fs::read(&target).ok().as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        let tmp = index.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &target)?;
    }
    Ok(())
}

fn commit_index(
    mut writer: IndexWriter,
    new_entries: &[log::Entry],
) -> Result<crate::index::IndexStats> {
    let left: Vec<String> = new_entries
        .iter()
        .filter(|e| e.event == Event::Withdrawn)
        .map(|e| e.id.clone())
        .collect();
    writer.remove(&left)?;
    writer.commit()
}

/// Checks `content` as a build would, without writing anything. The build date does not make
/// content invalid: a link to a penalty past its publicity is shown as text marked 已过公示期.
pub fn check(content_dir: &Path) -> Result<Content> {
    content::load(content_dir, &|| {})
}

/// Every published file whose bytes no longer match the publication log (a disclosure page) or
/// the list of published files the log vouches for (every other file), every file that is
/// missing or that no build published, and every break in the log's chain.
pub fn verify(out: &Path) -> Result<Vec<String>> {
    use crate::files::{self, FILES_ID, FILES_PATH};
    let log = read_log(out)?;
    if log.entries.is_empty() {
        bail!(
            "{}: no publication log found; is this a site built by site-gen?",
            out.join(log::LOG_PATH).display()
        );
    }
    let mut problems = log.chain_problems();
    let mut latest: BTreeMap<&str, &log::Entry> = BTreeMap::new();
    for e in &log.entries {
        latest.insert(&e.id, e);
    }
    let files_entry = latest.remove(FILES_ID);
    let disclosure_pages: HashSet<String> = latest
        .values()
        .filter(|e| e.event != Event::Withdrawn)
        .map(|e| file_for_url(&e.url))
        .collect();
    let pages: Vec<String> = latest
        .par_iter()
        .filter(|(_, e)| e.event != Event::Withdrawn)
        .filter_map(|(_, e)| {
            let file = crate::output::file_for_url(&e.url);
            match std::fs::read(out.join(&file)) {
                Ok(bytes) if log::sha256_hex(&bytes) == e.page_sha256 => None,
                Ok(_) => Some(format!(
                    "{file}: the page's bytes no longer match the log (entry {} of {})",
                    e.seq, e.date
                )),
                Err(_) => Some(format!(
                    "{file}: the page is missing but the log says it is published (entry {})",
                    e.seq
                )),
            }
        })
        .collect();
    problems.extend(pages);

    // Every other file, against the list of published files that the log vouches for.
    let Some(entry) = files_entry else {
        problems.push(format!(
            "{FILES_PATH}: the log names no list of published files, so no file but the \
             disclosure pages can be checked; rebuild the site with this site-gen"
        ));
        return Ok(problems);
    };
    let listed = match std::fs::read(out.join(FILES_PATH)) {
        Ok(text) if log::sha256_hex(&text) == entry.page_sha256 => files::from_json(&text),
        Ok(_) => {
            problems.push(format!(
                "{FILES_PATH}: the list of published files no longer matches the log (entry {} of {})",
                entry.seq, entry.date
            ));
            None
        }
        Err(_) => {
            problems.push(format!(
                "{FILES_PATH}: the list of published files is missing but the log names it (entry {})",
                entry.seq
            ));
            None
        }
    };
    let Some(listed) = listed else {
        return Ok(problems);
    };
    let mut others: Vec<String> = listed
        .par_iter()
        .filter(|(path, _)| !disclosure_pages.contains(*path))
        .filter_map(|(path, sha)| match std::fs::read(out.join(path)) {
            Ok(bytes) if log::sha256(&bytes) == *sha => None,
            Ok(_) => Some(format!(
                "{path}: the file's bytes no longer match the list of published files ({FILES_PATH}, entry {} of {})",
                entry.seq, entry.date
            )),
            Err(_) => Some(format!(
                "{path}: the file is missing but the list of published files names it ({FILES_PATH}, entry {})",
                entry.seq
            )),
        })
        .collect();
    for file in walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if !file.file_type().is_file() {
            continue;
        }
        let Ok(rel) = file.path().strip_prefix(out) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if files::is_listed(&rel) && !listed.contains_key(&rel) && !disclosure_pages.contains(&rel)
        {
            others.push(format!(
                "{rel}: no build published this file (it is not in {FILES_PATH})"
            ));
        }
    }
    others.sort();
    problems.extend(others);
    Ok(problems)
}
