//! Publishing what a build rendered: removing what the previous build wrote and this one did
//! not, writing the list of published files and the publication log, and, in a clean build,
//! swapping the staging folder in for the published one. An incremental build has replaced
//! each file atomically already; a clean build's failure leaves the published site as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use super::render::Rendered;
use super::writer::Writer;
use super::{Context, Phases, Record};
use crate::cache::{self, ItemIndex};
use crate::log::{self, Append, Event, NewEntry};
use crate::output::file_for_url;

/// What a build published.
pub(super) struct Published {
    /// The publication log's new entries.
    pub(super) new_entries: Vec<log::Entry>,
    /// Where each item is in the open-data files, by file.
    pub(super) items: BTreeMap<String, ItemIndex>,
    /// The site-wide files, for the cache.
    pub(super) manifest: cache::Outputs,
    /// Files whose bytes were written.
    pub(super) written: usize,
    pub(super) removed: usize,
    /// xxh3 of the list of published files as this build leaves it ([`cache::Cache::files_list`]).
    pub(super) files_list: u64,
}

/// The folder a clean build writes into, beside the published one.
fn staging_path(out: &Path) -> PathBuf {
    out.with_file_name(format!(
        ".{}.staging",
        out.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ))
}

/// The writer of a build's files: into the published folder for an incremental build, into a
/// fresh staging folder for a clean one.
pub(super) fn stage<'a>(ctx: &Context<'a>) -> Result<Writer<'a>> {
    let root = if ctx.plan.incremental() {
        ctx.opts.out.clone()
    } else {
        let staging = staging_path(&ctx.opts.out);
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        staging
    };
    #[cfg(target_os = "linux")]
    let root_fd = if ctx.plan.incremental() {
        use rustix::fs::{open, Mode, OFlags};
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        Some(
            open(&root, flags, Mode::empty())
                .with_context(|| format!("cannot open {}", root.display()))?,
        )
    } else {
        None
    };
    Ok(Writer {
        #[cfg(target_os = "linux")]
        root_fd,
        root,
        previous: ctx.plan.previous().map(|c| &c.outputs),
        written: Default::default(),
        outputs: Mutex::new(Vec::new()),
        rendered: Default::default(),
        folders: Default::default(),
        hashes: Default::default(),
    })
}

/// Removes a clean build's staging folder after a failure.
pub(super) fn discard(ctx: &Context<'_>) {
    if !ctx.plan.incremental() {
        let _ = std::fs::remove_dir_all(staging_path(&ctx.opts.out));
    }
}

/// Publishes what [`super::render::render`] wrote: removes what the previous build wrote and
/// this one did not, updates the previous build's list of published files and appends to its
/// publication log (`record`), then, in a clean build, swaps the staging folder in.
pub(super) fn publish(
    ctx: &Context<'_>,
    rendered: Rendered<'_>,
    record: Record,
    phases: &mut Phases,
) -> Result<Published> {
    let published = write(ctx, rendered, record);
    if published.is_err() {
        discard(ctx);
    }
    let published = published?;
    phases.mark("write");
    if !ctx.plan.incremental() {
        swap(&staging_path(&ctx.opts.out), &ctx.opts.out)?;
        phases.mark("publish");
    }
    Ok(published)
}

fn write(ctx: &Context<'_>, rendered: Rendered<'_>, record: Record) -> Result<Published> {
    let (opts, site, plan) = (ctx.opts, ctx.site, ctx.plan);
    let Rendered {
        writer,
        mut appends,
        items,
    } = rendered;
    let Writer {
        root,
        outputs,
        written,
        rendered,
        hashes,
        ..
    } = writer;
    // What the list of published files gains, changes and loses.
    let mut files: BTreeMap<String, Option<[u8; 32]>> = hashes
        .into_inner()
        .expect("writer threads are done")
        .into_iter()
        .filter(|(path, _)| crate::files::is_listed(path))
        .map(|(path, sha)| (path, Some(sha)))
        .collect();
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
    if let Some(previous) = plan.previous() {
        let gone_projects = plan
            .touched_projects
            .iter()
            .filter(|code| !site.projects.contains_key(code.as_str()))
            .map(|code| file_for_url(&disclosure::routes::project(code)));
        let gone: Vec<String> = previous
            .outputs
            .keys()
            .filter(|path| !manifest.contains_key(*path))
            .cloned()
            .chain(plan.old_outputs.iter().cloned().chain(gone_projects))
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
            remove_empty_parents(&opts.out, &target);
            files.insert(path, None);
        }
    }

    // The list of published files, and the publication log: new, revised, re-rendered and
    // withdrawn pages in id order, then the list when it changed.
    let files_json = match &record.files {
        Some(old) => crate::files::patch(old, &files).with_context(|| {
            format!(
                "{}: the list of published files is damaged; run `site-gen verify {}`",
                opts.out.join(crate::files::FILES_PATH).display(),
                opts.out.display()
            )
        })?,
        None => crate::files::to_json(
            &files
                .into_iter()
                .filter_map(|(path, sha)| Some((path, sha?)))
                .collect(),
        ),
    };
    let files_list = cache::hash_bytes(&files_json);
    // An incremental build writes the list only when its bytes changed; a clean one writes it
    // into the staging folder. It is written while its SHA-256 is taken and the log's new text
    // made (25 and 40 MB at 100,000 disclosures).
    let write_files = plan.previous().is_none_or(|p| p.files_list != files_list);
    let (files, new_entries) = rayon::join(
        || {
            if write_files {
                replace(&root, crate::files::FILES_PATH, &[&files_json])
            } else {
                Ok(())
            }
        },
        || -> Result<Vec<log::Entry>> {
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
            // Nothing new in the log: the list is the one it already vouches for.
            if plan.incremental() && new_entries.is_empty() {
                return Ok(new_entries);
            }
            match record
                .log_text
                .as_deref()
                .and_then(|prior| Some((prior, site.log.appending(prior, &new_entries)?)))
            {
                Some((prior, (keep, added))) => {
                    replace(&root, log::LOG_PATH, &[&prior[..keep], added.as_bytes()])?
                }
                // No log yet, or one of another shape (an older site-gen's): written whole,
                // without checking its shape a second time.
                None => {
                    let log_json = site.log.to_json_appending(None, &new_entries);
                    replace(&root, log::LOG_PATH, &[&log_json])?
                }
            }
            Ok(new_entries)
        },
    );
    files?;
    let new_entries = new_entries?;
    Ok(Published {
        new_entries,
        items,
        manifest,
        written,
        removed,
        files_list,
    })
}

/// Replaces the file at `path` below `root` with `parts`, one after the other, atomically.
fn replace(root: &Path, path: &str, parts: &[&[u8]]) -> Result<()> {
    use std::io::Write as _;
    let target = root.join(path);
    let tmp = target.with_file_name(format!(".{}.tmp", path.rsplit('/').next().unwrap_or(path)));
    // The build holds the old bytes it keeps: the old file's cached pages go to the new one.
    super::writer::release_cached_at(&target);
    std::fs::File::create(&tmp)
        .and_then(|mut f| parts.iter().try_for_each(|p| f.write_all(p)))
        .and_then(|_| std::fs::rename(&tmp, &target))
        .with_context(|| format!("cannot write {}", target.display()))
}

/// Swaps the staging folder in for the published one.
fn swap(staging: &Path, out: &Path) -> Result<()> {
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
