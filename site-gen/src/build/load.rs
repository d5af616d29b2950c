//! Loading the content for a build: every file's parse, from the cache when its size and
//! modification time are unchanged; and, once the content has validated, the build's [`Plan`]:
//! what changed since the cached build, what to render again, what to keep and what goes.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use anyhow::Result;
use disclosure::{Details, Disclosure};
use foldhash::fast::RandomState as FastHash;
use rayon::prelude::*;

use super::{Options, Progress};
use crate::cache::{self, CachedFile};
use crate::content::{self, Content, ParseResult, Parsed, Parses, Stamp};
use crate::data;
use crate::output::file_for_url;
use crate::site::Site;

/// A file's stamp and parse, as the cache keeps them.
type CachedParse = (Stamp, Box<Parsed>);

/// What loading found besides the parses: what the plan is worked out from.
pub(super) struct Loaded {
    /// Path and stamp of each source file parsed without error, in the order [`content::validate`]
    /// keeps (by id, then source), so that it lines up with `content.docs`.
    sources: Vec<(PathBuf, Option<Stamp>)>,
    /// Source files parsed this time (the rest came from the cache).
    parsed: usize,
    /// Ids of the files parsed again.
    reparsed_ids: Vec<String>,
    /// The cached parse of every file that changed or is gone, by its [`cache_key`].
    old: Vec<(PathBuf, Box<Parsed>)>,
    /// Cache shards holding a file that was parsed, added or removed.
    dirty: [bool; cache::SHARDS],
    incremental: bool,
}

/// The previous build a build starts from: its cache and its list of published files (the
/// text of `/data/files.json`, which this build patches).
pub(super) struct Previous {
    pub(super) cache: cache::Cache,
    pub(super) files: Vec<u8>,
}

/// The incremental state of a build, worked out from what the cache says changed: which
/// disclosures changed, which pages to render again, what to keep and what goes. A clean build
/// has no previous build and renders everything.
pub(super) struct Plan {
    /// The previous build; `None` in a clean build.
    pub(super) previous: Option<Previous>,
    /// Path and stamp of each disclosure's source file, in `content.docs` order.
    pub(super) sources: Vec<(PathBuf, Option<Stamp>)>,
    /// Source files parsed this time (the rest came from the cache).
    pub(super) parsed: usize,
    /// Ids of the disclosures that are new, changed or gone (`None`: a clean build).
    pub(super) changed: Option<BTreeSet<String>>,
    /// Projects the changed disclosures belong to, before and after the change (every project
    /// in a clean build): their timelines are rendered.
    pub(super) touched_projects: BTreeSet<String>,
    /// Unchanged results whose pages show another disclosure that changed: those won by the
    /// subject of a changed credit entry or penalty (the barred-winner flag). Their bodies are
    /// read again, so that their pages can be rendered (empty in a clean build).
    pub(super) rerender: BTreeSet<String>,
    /// Cache shards holding a file that was parsed, added or removed.
    pub(super) dirty: [bool; cache::SHARDS],
    /// The page and JSON file of every disclosure that changed or is gone, as the previous build
    /// wrote them (a file saved again unchanged is not changed): what this build does not write
    /// again goes.
    pub(super) old_outputs: Vec<String>,
}

impl Plan {
    /// The plan of a build of the validated `content` from what [`load`] found: `None` when an
    /// incremental build cannot be (a changed disclosure came onto or left the site while
    /// another page's body links to it: that page shows the link differently, but its body is
    /// not at hand, the cache keeping none), and the build must be a clean one. Reads again the
    /// bodies of the unchanged results it renders again.
    pub(super) fn new(
        opts: &Options,
        content: &mut Content,
        loaded: Loaded,
        previous: Option<Previous>,
    ) -> Result<Option<Plan>> {
        let Loaded {
            sources,
            parsed,
            reparsed_ids,
            old,
            dirty,
            incremental,
        } = loaded;
        let mut rerender = BTreeSet::new();
        let (changed, touched_projects) = if incremental {
            let (changed, projects, won) = changes(content, &reparsed_ids, &old, opts.today);
            if publicity_changed_under_a_link(content, &changed, &old, opts) {
                return Ok(None);
            }
            rerender = won;
            read_bodies(opts, content, &sources, &rerender)?;
            (Some(changed), projects)
        } else {
            let projects = content
                .docs
                .iter()
                .filter_map(|d| d.trade())
                .map(|t| t.project.clone())
                .collect();
            (None, projects)
        };
        let old_outputs = old
            .iter()
            .filter(|(_, p)| {
                changed
                    .as_ref()
                    .is_some_and(|c| c.contains(&p.disclosure.id))
            })
            .flat_map(|(_, p)| {
                [
                    file_for_url(&p.disclosure.url()),
                    file_for_url(&data::disclosure_json_url(&p.disclosure.id)),
                ]
            })
            .collect();
        Ok(Some(Plan {
            previous,
            sources,
            parsed,
            changed,
            touched_projects,
            rerender,
            dirty,
            old_outputs,
        }))
    }

    pub(super) fn incremental(&self) -> bool {
        self.previous.is_some()
    }

    /// The previous build's cache, in an incremental build.
    pub(super) fn previous(&self) -> Option<&cache::Cache> {
        self.previous.as_ref().map(|p| &p.cache)
    }

    /// The disclosures whose pages an incremental build renders (`None`: all of them): those it
    /// changed and the results whose barred-winner flag they may change. The build reads the
    /// log entries of those only: all that gain entries or show revisions (publicity changes
    /// only with the build date).
    pub(super) fn rendered(&self) -> Option<BTreeSet<String>> {
        self.changed
            .as_ref()
            .map(|ids| ids.union(&self.rerender).cloned().collect())
    }

    /// The public disclosures whose pages this build renders, and those whose search documents
    /// it writes: in an incremental build, the changed ones (a page rendered again for its flag
    /// is indexed as it was); in a clean one, every page and no single document (the whole index
    /// is written from the site).
    pub(super) fn targets<'a>(
        &self,
        site: &Site<'a>,
    ) -> (Vec<&'a Disclosure>, Vec<&'a Disclosure>) {
        let (Some(rendered), Some(changed)) = (self.rendered(), &self.changed) else {
            return (site.public.clone(), Vec::new());
        };
        let targets: Vec<&Disclosure> = site
            .public
            .iter()
            .copied()
            .filter(|d| rendered.contains(d.id.as_str()))
            .collect();
        let to_index = targets
            .iter()
            .copied()
            .filter(|d| changed.contains(d.id.as_str()))
            .collect();
        (targets, to_index)
    }
}

/// What the cache knows a source file by: its path in the content folder (`notices/x.md`), so
/// that the same folder named another way (`content`, `./content`, its absolute path, a link to
/// it) reuses the same parses.
///
/// Every path the walk finds is the content folder's path joined with the file's, so the key is
/// cut off byte for byte: comparing them component by component took 15 ms per 100,000 paths.
pub(super) fn cache_key<'p>(content: &Path, path: &'p Path) -> &'p Path {
    use std::os::unix::ffi::OsStrExt as _;
    let root = content.as_os_str().as_bytes();
    let key = path
        .as_os_str()
        .as_bytes()
        .strip_prefix(root)
        .and_then(|rest| {
            // `content/` joined keeps its slash; `content` gets one.
            if root.ends_with(b"/") {
                Some(rest)
            } else {
                rest.strip_prefix(b"/")
            }
        });
    match key {
        Some(key) if !key.is_empty() => Path::new(OsStr::from_bytes(key)),
        _ => path.strip_prefix(content).unwrap_or(path),
    }
}

/// Loads the content, the `stamped` files found in its folder
/// ([`content::markdown_files_stamped`]), reusing the parse of every file whose size and
/// modification time the cache still knows: the parses to validate, and what the [`Plan`] is
/// worked out from.
pub(super) fn load(
    opts: &Options,
    stamped: Vec<(PathBuf, Option<Stamp>)>,
    previous: Option<Vec<CachedFile>>,
) -> Result<(Parses, Loaded)> {
    let config = content::load_config(&opts.content);
    let (paths, stamps): (Vec<PathBuf>, Vec<Option<Stamp>>) = stamped.into_iter().unzip();
    let incremental = previous.is_some();
    let (old_paths, mut old): (Vec<PathBuf>, Vec<Option<CachedParse>>) = previous
        .unwrap_or_default()
        .into_iter()
        .map(|f| (f.path, Some((f.stamp, f.parsed))))
        .unzip();
    let at: HashMap<&OsStr, usize, FastHash> = old_paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_os_str(), i))
        .collect();
    // The cached parse of every file whose stamp is unchanged, moved out of `old`: what stays
    // there was changed or removed since.
    let reused: Vec<Option<Box<Parsed>>> = paths
        .iter()
        .zip(&stamps)
        .map(|(path, stamp)| {
            let slot = &mut old[*at.get(cache_key(&opts.content, path).as_os_str())?];
            match slot {
                Some((s, _)) if Some(*s) == *stamp => slot.take().map(|(_, p)| p),
                _ => None,
            }
        })
        .collect();
    let old: Vec<(&PathBuf, Box<Parsed>)> = old_paths
        .iter()
        .zip(old)
        .filter_map(|(path, slot)| Some((path, slot?.1)))
        .collect();
    let mut dirty = [!incremental; cache::SHARDS];
    for (path, r) in paths.iter().zip(&reused) {
        if r.is_none() {
            dirty[cache::shard_of(cache_key(&opts.content, path))] = true;
        }
    }
    for (path, _) in &old {
        dirty[cache::shard_of(path)] = true;
    }

    let bar = Progress::new(opts.progress, paths.len(), "load");
    let results: Vec<(bool, ParseResult)> = paths
        .par_iter()
        .zip(reused)
        .map(|(path, reused)| {
            let r = match reused {
                Some(p) => (false, Ok(p)),
                None => (
                    true,
                    content::read_source(&opts.content, path)
                        .map_err(|d| vec![d])
                        .and_then(|f| content::parse_source(&f)),
                ),
            };
            bar.inc();
            r
        })
        .collect();
    bar.finish();
    let parsed = results.iter().filter(|r| r.0).count();

    // In the order `content::validate` keeps (by id, then source), so `sources` lines up with the docs.
    let mut ok = Vec::with_capacity(results.len());
    let mut failed = Vec::new();
    let mut reparsed_ids = Vec::new();
    for ((path, stamp), (fresh, r)) in paths.into_iter().zip(stamps).zip(results) {
        match r {
            Ok(p) => {
                if fresh {
                    reparsed_ids.push(p.disclosure.id.clone());
                }
                ok.push((path, stamp, p));
            }
            Err(e) => failed.push(Err(e)),
        }
    }
    // Sorting keys, not the parses themselves, which are large to move: each key holds its id
    // and source, so that a comparison does not go through the parse's box first.
    let mut keys: Vec<(&str, &str, usize)> = ok
        .iter()
        .enumerate()
        .map(|(i, (_, _, p))| (p.disclosure.id.as_str(), p.disclosure.source.as_str(), i))
        .collect();
    keys.par_sort_unstable();
    let order: Vec<usize> = keys.into_iter().map(|(_, _, i)| i).collect();
    let mut ok: Vec<Option<_>> = ok.into_iter().map(Some).collect();
    let mut sources = Vec::with_capacity(ok.len());
    let results: Vec<_> = order
        .into_iter()
        .filter_map(|i| ok[i].take())
        .map(|(path, stamp, p)| {
            sources.push((path, stamp));
            Ok(p)
        })
        .chain(failed)
        .collect();
    let old = old.into_iter().map(|(path, p)| (path.clone(), p)).collect();
    Ok((
        Parses {
            config,
            files: results,
        },
        Loaded {
            sources,
            parsed,
            reparsed_ids,
            old,
            dirty,
            incremental,
        },
    ))
}

/// Reads again the bodies of the cached disclosures in `ids` (the cache keeps none), for pages
/// rendered again although their files did not change.
fn read_bodies(
    opts: &Options,
    content: &mut Content,
    sources: &[(PathBuf, Option<Stamp>)],
    ids: &BTreeSet<String>,
) -> Result<()> {
    let at: Vec<usize> = ids
        .iter()
        .filter_map(|id| {
            content
                .docs
                .binary_search_by(|d| d.id.as_str().cmp(id))
                .ok()
        })
        .collect();
    let bodies: Vec<(usize, String)> = at
        .par_iter()
        .map(|&i| Ok((i, read_body(opts, &sources[i].0, &content.hashes[i])?)))
        .collect::<Result<_>>()?;
    for (i, body) in bodies {
        content.docs[i].body = body;
    }
    Ok(())
}

/// Reads again the body of the cached disclosure whose source is `path` (the cache keeps no
/// bodies), parsed as it was: the file must still have the SHA-256 `hash` it had when loaded.
pub(super) fn read_body(opts: &Options, path: &Path, hash: &[u8; 32]) -> Result<String> {
    let parsed = content::read_source(&opts.content, path)
        .map_err(|d| vec![d])
        .and_then(|f| content::parse_source(&f))
        .map_err(content::Invalid)?;
    if parsed.hash != *hash {
        anyhow::bail!(
            "{}: the file changed during the build; build again",
            content::display_path(&opts.content, path)
        );
    }
    Ok(parsed.disclosure.body)
}

/// Whether a disclosure in `changed` is public on the build date where its previous version
/// was not, or the other way round, and a body links to its page.
fn publicity_changed_under_a_link(
    content: &Content,
    changed: &BTreeSet<String>,
    old: &[(PathBuf, Box<Parsed>)],
    opts: &Options,
) -> bool {
    let flipped: BTreeSet<String> = old
        .iter()
        .map(|(_, p)| &p.disclosure)
        .filter(|was| changed.contains(&was.id))
        .filter_map(|was| {
            let i = content
                .docs
                .binary_search_by(|d| d.id.as_str().cmp(&was.id))
                .ok()?;
            let now = &content.docs[i];
            (now.is_public(opts.today) != was.is_public(opts.today)).then(|| now.url())
        })
        .collect();
    if flipped.is_empty() {
        return false;
    }
    content.links.iter().flatten().any(|(_, target)| {
        let path = target.split(['#', '?']).next().unwrap_or("");
        flipped.contains(path) || flipped.contains(&format!("{path}/"))
    })
}

/// Which disclosures changed since the cached build, the projects they touch before and after
/// the change, and the unchanged results whose barred-winner flag they may change:
/// `reparsed` are the ids of the files parsed again, `old` the cached parse of every file that
/// changed or is gone, `today` the build date.
fn changes(
    content: &Content,
    reparsed: &[String],
    old: &[(PathBuf, Box<Parsed>)],
    today: chrono::NaiveDate,
) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let before: HashMap<&str, &Parsed> = old
        .iter()
        .map(|(_, p)| (p.disclosure.id.as_str(), &**p))
        .collect();
    let index_of = |id: &str| {
        content
            .docs
            .binary_search_by(|d| d.id.as_str().cmp(id))
            .ok()
    };
    let mut changed = BTreeSet::new();
    let mut projects = BTreeSet::new();
    for id in reparsed {
        let Some(i) = index_of(id) else { continue };
        let d = &content.docs[i];
        match before.get(id.as_str()) {
            // The same bytes at the same place parse the same (the cache keeps no bodies).
            Some(p) if p.hash == content.hashes[i] && p.disclosure.source == d.source => {}
            old => {
                changed.insert(id.clone());
                projects.extend(d.project().map(str::to_string));
                projects.extend(old.and_then(|p| p.disclosure.project()).map(str::to_string));
            }
        }
    }
    for (id, p) in &before {
        if index_of(id).is_none() {
            changed.insert(id.to_string());
            projects.extend(p.disclosure.project().map(str::to_string));
        }
    }
    // A credit entry or penalty changes whether its subject's wins are flagged on their results
    // and their projects, unless those read the same of both versions (`bar_inputs`: a penalty
    // reworded with the same ban).
    let restricted = |d: &disclosure::Disclosure| match &d.details {
        Details::Credit(c) => Some(c.credit_code.clone()),
        Details::Penalty(p) => Some(p.subject_credit_code.clone()),
        _ => None,
    };
    let mut codes = BTreeSet::new();
    for id in &changed {
        let now = index_of(id).map(|i| &content.docs[i]);
        let was = before.get(id.as_str()).map(|p| &p.disclosure);
        if let (Some(now), Some(was)) = (now, was) {
            let read = crate::companies::bar_inputs(now, today);
            if read.is_some() && read == crate::companies::bar_inputs(was, today) {
                continue;
            }
        }
        codes.extend(now.into_iter().chain(was).filter_map(restricted));
    }
    let mut won = BTreeSet::new();
    if !codes.is_empty() {
        for d in &content.docs {
            if let Details::Result { trade, bidders, .. } = &d.details {
                if bidders
                    .iter()
                    .any(|b| b.won && codes.contains(&b.credit_code))
                {
                    projects.insert(trade.project.clone());
                    if !changed.contains(&d.id) {
                        won.insert(d.id.clone());
                    }
                }
            }
        }
    }
    (changed, projects, won)
}

#[cfg(test)]
mod tests {
    use super::cache_key;
    use std::path::Path;

    #[test]
    fn a_file_is_known_by_its_path_in_the_content_folder_however_the_folder_is_named() {
        for (content, path) in [
            ("content", "content/notices/x.md"),
            ("content/", "content/notices/x.md"),
            ("./content", "./content/notices/x.md"),
            ("/srv/site/content", "/srv/site/content/notices/x.md"),
        ] {
            let walked = Path::new(content).join("notices/x.md");
            assert_eq!(walked, Path::new(path));
            assert_eq!(
                cache_key(Path::new(content), &walked),
                Path::new("notices/x.md")
            );
        }
        // A path outside the folder (never walked) is kept whole, not cut mid-name.
        let other = Path::new("/srv/site/content2/x.md");
        assert_eq!(cache_key(Path::new("/srv/site/content"), other), other);
    }
}
