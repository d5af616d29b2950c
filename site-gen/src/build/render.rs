//! Rendering a build's files into the output folder (a staging folder in a clean build): the
//! pages and JSON of the disclosures to render, the project timelines touched, then the
//! site-wide files (lists, departments, companies, home, feeds, sitemap, open data) and, beside
//! them, what the publication log gains ([`log::appends`]).
//!
//! Every disclosure's JSON file is written by one thread of its own while the others render and
//! write the pages: the JSON files share one folder, and making a file locks its folder.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use anyhow::{bail, Result};
use disclosure::Disclosure;
use foldhash::fast::RandomState as FastHash;
use rayon::prelude::*;

use super::publish::{discard, stage};
use super::writer::Writer;
use super::{Context, Phases, Progress};
use crate::cache::{self, ItemIndex, Output, Owner};
use crate::content::Content;
use crate::log::{self, Append, RenderedPage};
use crate::output::{file_for_url, OutFile};
use crate::site::Site;
use crate::{data, feeds, render};

/// What the render step leaves for publishing.
pub(super) struct Rendered<'a> {
    /// What was written, and where.
    pub(super) writer: Writer<'a>,
    /// What the publication log gains from the pages, in id order.
    pub(super) appends: Vec<Append>,
    /// Where each item is in the open-data files, by file, for the next build.
    pub(super) items: BTreeMap<String, ItemIndex>,
}

/// Renders and writes every file this build makes. A clean build writes into a staging folder,
/// removed again if anything fails, so the published site is never half-written.
pub(super) fn render<'a>(ctx: &Context<'a>, phases: &mut Phases) -> Result<Rendered<'a>> {
    let writer = stage(ctx)?;
    match render_into(ctx, &writer, phases) {
        Ok((appends, items)) => Ok(Rendered {
            writer,
            appends,
            items,
        }),
        Err(e) => {
            discard(ctx);
            Err(e)
        }
    }
}

fn render_into(
    ctx: &Context<'_>,
    writer: &Writer<'_>,
    phases: &mut Phases,
) -> Result<(Vec<Append>, BTreeMap<String, ItemIndex>)> {
    let page_hashes = disclosure_pages(ctx, writer)?;
    phases.mark("pages");
    project_pages(ctx, writer)?;
    phases.mark("projects");
    let site = ctx.site;
    let rendered = page_hashes.into_iter().map(|(i, page)| {
        let d = ctx.targets[i];
        RenderedPage {
            disclosure: d,
            source: site.source_hash(d),
            page,
        }
    });
    // The list of published files has log entries of its own, made when it is written.
    let on_site = |id: &str| {
        id == crate::files::FILES_ID || site.get(id).is_some_and(|d| d.is_public(site.today))
    };
    let (items, appends) = rayon::join(
        || site_wide_files(ctx, writer),
        || log::appends(site.log, rendered, on_site),
    );
    phases.mark("lists+feeds");
    Ok((appends, items?))
}

/// One page and one JSON file per disclosure to render; returns each page's SHA-256 in hex, by
/// its place in `ctx.targets`, for the publication log.
fn disclosure_pages(ctx: &Context<'_>, writer: &Writer<'_>) -> Result<Vec<(usize, String)>> {
    let (site, targets) = (ctx.site, &ctx.targets);
    let bar = Progress::new(ctx.opts.progress, targets.len(), "pages");
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
    Ok(page_hashes)
}

/// The project timelines touched by the change (all of them in a clean build).
fn project_pages(ctx: &Context<'_>, writer: &Writer<'_>) -> Result<()> {
    let site = ctx.site;
    ctx.plan.touched_projects.par_iter().try_for_each(|code| {
        if let Some(p) = site.projects.get(code.as_str()) {
            writer.put(&Owner::Project, &render::project_page(site, p))?;
        }
        Ok(())
    })
}

/// The site-wide files: lists, departments, companies, home, feeds, sitemap, and the two
/// open-data files; returns where each open-data file's items are.
fn site_wide_files(ctx: &Context<'_>, writer: &Writer<'_>) -> Result<BTreeMap<String, ItemIndex>> {
    let site = ctx.site;
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
    ];
    let data_reuse = DataReuse {
        previous: ctx.plan.previous().map(|c| &c.items),
        changed: ctx.plan.changed.as_ref(),
        inputs: content_inputs(site.content),
    };
    // The two open-data files are made while the lists are worked out.
    let (pages, (index, ocds)) = rayon::join(
        || {
            let lists = render::lists(site);
            // Company pages, each kept when what it is made from is unchanged. The site
            // benchmark measures the build without them (issue 11 allows them 15% of a clean
            // build).
            let companies = || ctx.companies().filter(|_| super::company_pages());
            site_wide_pages(site, writer, &lists, &companies, &site_wide)?;
            feeds(ctx, writer)
        },
        || {
            rayon::join(
                || data_reuse.write(writer, data::INDEX_URL, |r| data::index_file(site, r)),
                || data_reuse.write(writer, data::OCDS_URL, |r| data::ocds_file(site, r)),
            )
        },
    );
    pages?;
    Ok([index?, ocds?].into_iter().collect())
}

/// The paginated lists and department pages, each kept from the previous build when what it
/// shows is the same, and the other site-wide files.
fn site_wide_pages<'a: 'c, 'c>(
    site: &Site<'a>,
    writer: &Writer<'_>,
    lists: &[render::ListSpec<'_>],
    companies: &(dyn Fn() -> Option<&'c render::company::Companies<'a>> + Sync),
    site_wide: &[Box<dyn Fn() -> Vec<OutFile> + Sync + Send + '_>],
) -> Result<()> {
    // Worked out on both cores: hashing the inputs of 33,000 pages at 100,000 disclosures, one
    // list after another, kept a core idle for a fifteenth of a one-file rebuild. The companies
    // are gathered beside them, unless the thread feeding the index has done it already.
    let (mut jobs, companies): (Vec<render::PageJob<'_>>, _) = rayon::join(
        || {
            lists
                .par_iter()
                .flat_map(|l| render::list_page_jobs(site, l))
                .collect()
        },
        companies,
    );
    jobs.par_extend(
        site.content
            .departments
            .all()
            .par_iter()
            .flat_map(|d| render::department_page_jobs(site, d)),
    );
    if let Some(c) = companies {
        jobs.extend(render::company::company_jobs(site, c));
    }
    // The other site-wide files are made beside the pages: the sitemap, when it is made again,
    // once came after them and kept one core busy alone for a twentieth of a one-file rebuild.
    let (pages, (sitemap, others)) = rayon::join(
        || {
            jobs.into_par_iter()
                .try_for_each(|job| writer.put_rendered(job.path, job.inputs, job.render))
        },
        || {
            rayon::join(
                || put_sitemap(site, writer),
                || {
                    site_wide
                        .par_iter()
                        .try_for_each(|unit| writer.put_all(&Owner::Site, &unit()))
                },
            )
        },
    );
    pages.and(sitemap).and(others)
}

/// The sitemap (10 MB at 100,000 disclosures), robots.txt and opensearch.xml, kept as the
/// previous build wrote them while what they are made from is the same
/// ([`data::sitemap_inputs`]): a change to a body leaves them alone.
fn put_sitemap(site: &Site<'_>, writer: &Writer<'_>) -> Result<()> {
    let (paths, inputs) = data::sitemap_inputs(site);
    let kept: Option<Vec<Output>> = paths.iter().map(|p| writer.kept(p, inputs)).collect();
    if let Some(kept) = kept {
        for (path, output) in paths.into_iter().zip(kept) {
            writer.record(path, output);
        }
        return Ok(());
    }
    let files = data::sitemap(site);
    debug_assert_eq!(
        files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        paths,
        "the sitemap's files are those its inputs name"
    );
    files.iter().try_for_each(|f| {
        writer
            .put_with_inputs(&Owner::Site, f, Some(inputs))
            .map(drop)
    })
}

/// The feeds, each kept from the previous build when its items are the same. The items of
/// those rendered again quote the start of their bodies ([`crate::content::excerpt`]), which
/// the cache does not keep: a disclosure that came from it is read again. At 100,000
/// disclosures, an excerpt of every body made the cache twice as large, and every rebuild read
/// it back whole for the 50 newest items of a few feeds.
fn feeds(ctx: &Context<'_>, writer: &Writer<'_>) -> Result<()> {
    let site = ctx.site;
    let specs = feeds::specs(site);
    let to_render: Vec<(&feeds::FeedSpec<'_>, String, u64)> = specs
        .iter()
        .filter_map(|spec| {
            let (path, inputs) = (file_for_url(&spec.path), spec.inputs(site));
            match writer.kept(&path, inputs) {
                Some(kept) => {
                    writer.record(path, kept);
                    None
                }
                None => Some((spec, path, inputs)),
            }
        })
        .collect();
    let items: BTreeMap<&str, &Disclosure> = to_render
        .iter()
        .flat_map(|(spec, _, _)| &spec.items)
        .map(|d| (d.id.as_str(), *d))
        .collect();
    let excerpts: HashMap<&str, String, FastHash> = items
        .into_par_iter()
        .map(|(id, d)| {
            let excerpt = match site.index_of(d) {
                // Disclosures that came from the cache have no body.
                Some(i) if d.body.is_empty() => {
                    let (path, hash) = (&ctx.plan.sources[i].0, &site.content.hashes[i]);
                    crate::content::excerpt(&super::load::read_body(ctx.opts, path, hash)?)
                }
                _ => crate::content::excerpt(&d.body),
            };
            Ok((id, excerpt))
        })
        .collect::<Result<_>>()?;
    to_render
        .into_par_iter()
        .try_for_each(|(spec, path, inputs)| {
            let file = spec.render(site, &|d| excerpts[d.id.as_str()].clone());
            debug_assert_eq!(file.path, path, "the feed is at its path");
            writer
                .put_with_inputs(&Owner::Site, &file, Some(inputs))
                .map(drop)
        })
}

/// A hash of every disclosure's id and source: with the configuration and the build date (the
/// cache's fingerprint), all that the site-wide files are made from.
fn content_inputs(content: &Content) -> u64 {
    use std::hash::Hasher as _;
    let mut h = crate::cache::InputsHasher::default();
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
