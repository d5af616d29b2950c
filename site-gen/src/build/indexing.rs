//! The search index in a build: opened on a thread of its own while the content loads, fed on
//! another while the site is written (so that tantivy tokenizes while the file system makes
//! files), committed only after the site is published. If writing the site fails, the feeding
//! stops and nothing is committed.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};

use anyhow::{bail, Context as _, Result};

use super::Context;
use crate::index::IndexWriter;
use crate::log::{self, Event};

/// The search index writer, opened on a thread of its own while the content loads: opening it
/// loads the segmenter's dictionary, a tenth of a one-file rebuild. Joined when dropped, so that
/// a failed build never leaves it holding the index's lock.
pub(super) struct OpeningIndex(Option<std::thread::JoinHandle<Result<IndexWriter>>>);

impl OpeningIndex {
    /// Starts opening the index in `dir`, for a few documents when `few`.
    pub(super) fn start(dir: Option<&Path>, few: bool) -> OpeningIndex {
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

/// The thread that feeds the search index while the site is written.
pub(super) struct Feeding<'scope> {
    thread: Option<ScopedJoinHandle<'scope, Result<IndexWriter>>>,
    stop: Arc<AtomicBool>,
}

impl<'scope> Feeding<'scope> {
    /// Starts feeding the index `ctx.opts.index` names (nothing when it names none): every public
    /// disclosure in a clean build, the changed ones in an incremental one.
    pub(super) fn start<'a: 'scope>(
        scope: &'scope Scope<'scope, '_>,
        ctx: &'scope Context<'a>,
        opening: OpeningIndex,
    ) -> Feeding<'scope> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = ctx.opts.index.as_ref().map(|dir| {
            let stop = Arc::clone(&stop);
            scope.spawn(move || {
                let fresh = !ctx.plan.incremental();
                feed_index(opening, ctx, fresh, &stop)
                    .with_context(|| format!("{}: cannot update the search index", dir.display()))
            })
        });
        Feeding { thread, stop }
    }

    /// Waits for the feeding to end, telling it to give up first when the site could not be
    /// written (`failed`): then its index must not be committed.
    pub(super) fn finish(self, failed: bool) -> Option<Result<IndexWriter>> {
        if failed {
            self.stop.store(true, Ordering::Relaxed);
        }
        self.thread
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    }
}

/// Brings the search index in step with the site, but for what left it in this build: every
/// public disclosure in a clean build (or when the index is new), else the changed ones. Gives
/// up once `stop` is set (the site could not be written).
fn feed_index(
    writer: OpeningIndex,
    ctx: &Context<'_>,
    fresh: bool,
    stop: &AtomicBool,
) -> Result<IndexWriter> {
    let (site, targets) = (ctx.site, &ctx.to_index);
    let mut writer = writer.wait()?;
    if writer.recreated() && !fresh {
        // Indexing everything needs every body, which only a clean build reads.
        bail!("the index had to be created anew; run `site-gen build --clean`");
    }
    if let Some(companies) = ctx.companies() {
        writer.use_companies_file(crate::index::companies_file_of(
            site,
            companies.all().iter(),
        ));
    }
    if fresh {
        writer.clear();
        writer.upsert_unless(site, &site.public, stop)?;
    } else {
        writer.upsert_unless(site, targets, stop)?;
    }
    Ok(writer)
}

/// The search index being committed on a thread of its own, once the site is published: the
/// commit mostly waits on the disk (and on tantivy's merges), while the build writes its cache.
pub(super) struct Committing(Option<std::thread::JoinHandle<Result<f64>>>);

impl Committing {
    /// Removes the disclosures withdrawn in this build (`new_entries`) from the index fed by
    /// [`Feeding`], commits it, and copies the configuration search-server reads beside it.
    pub(super) fn start(
        ctx: &Context<'_>,
        fed: Option<Result<IndexWriter>>,
        new_entries: &[log::Entry],
    ) -> Result<Committing> {
        let (Some(fed), Some(dir)) = (fed, &ctx.opts.index) else {
            return Ok(Committing(None));
        };
        let context = format!("{}: cannot update the search index", dir.display());
        let mut writer = fed.context(context.clone())?;
        let left: Vec<String> = new_entries
            .iter()
            .filter(|e| e.event == Event::Withdrawn)
            .map(|e| e.id.clone())
            .collect();
        let (content, dir) = (ctx.opts.content.clone(), dir.clone());
        Ok(Committing(Some(std::thread::spawn(move || {
            let started = std::time::Instant::now();
            writer.remove(&left).context(context.clone())?;
            writer.commit().context(context.clone())?;
            carry_config(&content, &dir).context(context)?;
            Ok(started.elapsed().as_secs_f64())
        }))))
    }

    /// Waits for the commit; returns how long it took, if there was one.
    pub(super) fn finish(mut self) -> Result<Option<f64>> {
        self.0
            .take()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .transpose()
    }
}

impl Drop for Committing {
    /// A build that fails before waiting for its commit still waits: the index's lock is not
    /// left to a thread the process may end under.
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            let _ = t.join();
        }
    }
}

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
