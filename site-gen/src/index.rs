//! The search index writer: keeps the tantivy index in `--index` in step with the public site.
//!
//! A clean build calls [`IndexWriter::clear`], [`IndexWriter::upsert`] with every public
//! disclosure and [`IndexWriter::commit`]; an incremental build upserts what changed and removes
//! what was deleted or withdrawn, then commits once. The search server notices the commit and
//! reloads; it never sees a half-written index, because tantivy publishes a commit by atomically
//! replacing `meta.json`. The schema and tokenizers come from `disclosure::search`, the one
//! place that defines them; this module only decides what goes in and when.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use disclosure::search::{self, Fields};
use disclosure::Disclosure;
use tantivy::{Index, IndexWriter as TantivyWriter, TantivyDocument, Term};

use crate::site::Site;

/// Memory the writer may use for buffering documents before it flushes a segment, shared by its
/// threads. Modest, so a build runs beside the servers on a small machine.
const MEMORY_BUDGET: usize = 256 * 1024 * 1024;

/// The budget for a few documents (an incremental build): tantivy sizes each indexing thread's
/// tables by its budget and clears them before the first document, which with the full budget
/// took a tenth of a second — longer than indexing the one document that changed.
const SMALL_BUDGET: usize = 16 * 1024 * 1024;

/// The largest segment a small build merges.
const SMALL_MERGE_DOCS: usize = 10_000;

/// What a commit did, for the build's summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Documents added or replaced in this commit.
    pub upserted: usize,
    /// Ids removed in this commit.
    pub removed: usize,
    /// Whether the whole index was cleared first.
    pub cleared: bool,
    /// Documents in the index after the commit.
    pub docs: u64,
    /// Bytes the index takes on disk after the commit.
    pub bytes: u64,
    pub millis: u128,
}

/// An open index and its writer; dropped without [`IndexWriter::commit`], nothing changes.
pub struct IndexWriter {
    dir: PathBuf,
    index: Index,
    writer: TantivyWriter<TantivyDocument>,
    fields: Fields,
    stats: IndexStats,
    started: Instant,
    /// The index was (re)created empty by `open` while the caller may believe it holds the
    /// site: the first upsert then indexes every public disclosure, not only the ones given.
    needs_everything: bool,
    /// The companies file of the site last upserted from, written beside the index on commit.
    companies: Option<Vec<u8>>,
}

/// A hash of the index's `meta.json` (its segments and their commit), or `None` when there is
/// no index: the build cache is used only with the index the cached build committed.
pub fn meta_hash(dir: &Path) -> Option<u64> {
    std::fs::read(dir.join("meta.json"))
        .ok()
        .map(|bytes| xxhash_rust::xxh3::xxh3_64(&bytes))
}

impl IndexWriter {
    /// Whether `open` found no usable index and created one, empty.
    pub fn recreated(&self) -> bool {
        self.needs_everything
    }

    /// Opens the index in `dir`, creating it with the shared schema when missing. An index with
    /// another schema (written by an older version) is deleted and created anew: the build that
    /// opened it must then upsert everything, which a clean build does.
    pub fn open(dir: &Path) -> Result<IndexWriter> {
        IndexWriter::open_for(dir, false)
    }

    /// [`IndexWriter::open`], for a few documents when `few` (one thread, a small budget).
    pub fn open_for(dir: &Path, few: bool) -> Result<IndexWriter> {
        let started = Instant::now();
        let (schema, fields) = search::schema();
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the index folder", dir.display()))?;
        let existed = dir.join("meta.json").exists();
        let mut recreated = false;
        let index = if !existed {
            remove_index_files(dir)?;
            create(dir, schema)?
        } else {
            match Index::open_in_dir(dir) {
                Ok(index) if index.schema() == schema => index,
                Ok(_) => {
                    tracing::info!("{}: index schema changed, recreating", dir.display());
                    recreated = true;
                    remove_index_files(dir)?;
                    create(dir, schema)?
                }
                Err(e) => {
                    tracing::warn!("{}: unreadable index ({e}), recreating", dir.display());
                    recreated = true;
                    remove_index_files(dir)?;
                    create(dir, schema)?
                }
            }
        };
        search::register_tokenizers(&index);
        // tantivy-jieba loads its dictionary when it segments its first text: here, on the
        // thread that opens the index while the content is validated (one core busy), rather than
        // on the first document fed, while the lists are written (both busy): a twentieth of a
        // one-file rebuild.
        if let Some(mut jieba) = index.tokenizers().get(search::JIEBA) {
            use tantivy::tokenizer::TokenStream as _;
            jieba.token_stream("招标公告").advance();
        }
        let (threads, budget) = if few {
            (1, SMALL_BUDGET)
        } else {
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 4);
            (threads, MEMORY_BUDGET)
        };
        let writer: TantivyWriter<TantivyDocument> = index
            .writer_with_num_threads(threads, budget)
            .with_context(|| {
                format!(
                    "{}: cannot open the index for writing (is another build running?)",
                    dir.display()
                )
            })?;
        if few {
            // Each small build adds a small segment; merging those is quick, but a merge that
            // takes in the large segments of a clean build took over a second. They are left
            // as they are until the next clean build.
            let mut policy = tantivy::merge_policy::LogMergePolicy::default();
            policy.set_max_docs_before_merge(SMALL_MERGE_DOCS);
            writer.set_merge_policy(Box::new(policy));
        }
        Ok(IndexWriter {
            dir: dir.to_path_buf(),
            index,
            writer,
            fields,
            stats: IndexStats::default(),
            started,
            needs_everything: recreated,
            companies: None,
        })
    }

    /// Takes the companies file ([`companies_file_of`]) the commit writes, made by the caller.
    pub fn use_companies_file(&mut self, bytes: Vec<u8>) {
        self.companies = Some(bytes);
    }

    /// Adds or replaces the documents of `docs`. A disclosure that is no longer public on the
    /// build date (a penalty past its publicity) is removed instead. The site's companies are
    /// gathered too, for the companies file the commit writes beside the index.
    pub fn upsert(&mut self, site: &Site, docs: &[&Disclosure]) -> Result<()> {
        self.upsert_unless(site, docs, &AtomicBool::new(false))
    }

    /// [`IndexWriter::upsert`], giving up (with an error) once `stop` is set. The documents
    /// (Markdown to text, JSON of the details) are made on the calling thread, which a build
    /// runs beside its page writers; tantivy's own threads tokenize them.
    pub fn upsert_unless(
        &mut self,
        site: &Site,
        docs: &[&Disclosure],
        stop: &AtomicBool,
    ) -> Result<()> {
        if self.companies.is_none() {
            self.companies = Some(companies_file(site));
        }
        let docs = if std::mem::take(&mut self.needs_everything) {
            &site.public[..]
        } else {
            docs
        };
        for d in docs {
            if stop.load(Ordering::Relaxed) {
                bail!("{}: indexing stopped", self.dir.display());
            }
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &d.id));
            if !d.is_public(site.today) {
                self.stats.removed += 1;
                continue;
            }
            let department = department_label(site, d);
            self.writer
                .add_document(search::document(&self.fields, d, &department))
                .with_context(|| format!("{}: cannot index {}", self.dir.display(), d.source))?;
            self.stats.upserted += 1;
        }
        Ok(())
    }

    /// Removes the documents with these ids (deleted or withdrawn disclosures).
    pub fn remove(&mut self, ids: &[String]) -> Result<()> {
        for id in ids {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, id));
            self.stats.removed += 1;
        }
        Ok(())
    }

    /// Drops every document; the next commit publishes only what was upserted after this.
    pub fn clear(&mut self) {
        // Deleting all documents only fails when the writer is already broken, and then commit
        // reports it.
        if let Err(e) = self.writer.delete_all_documents() {
            tracing::warn!("{}: cannot clear the index: {e}", self.dir.display());
        }
        self.stats.cleared = true;
        self.needs_everything = false;
    }

    /// Publishes everything at once and waits for the merges it started, so that the folder is
    /// settled when the build ends. The companies file is replaced (atomically, when it
    /// changed) right after the index's commit, so a server sees both of one build.
    pub fn commit(mut self) -> Result<IndexStats> {
        self.writer
            .commit()
            .with_context(|| format!("{}: cannot commit the index", self.dir.display()))?;
        if let Some(bytes) = &self.companies {
            write_if_changed(&self.dir.join(search::COMPANIES_FILE), bytes)?;
        }
        self.writer
            .wait_merging_threads()
            .with_context(|| format!("{}: cannot merge index segments", self.dir.display()))?;
        let reader = self
            .index
            .reader()
            .with_context(|| format!("{}: cannot read the index back", self.dir.display()))?;
        let mut stats = self.stats;
        stats.docs = reader.searcher().num_docs();
        stats.bytes = folder_size(&self.dir);
        stats.millis = self.started.elapsed().as_millis();
        Ok(stats)
    }
}

/// The issuing department's full and short name, searchable as a label of `d`.
pub fn department_label(site: &Site, d: &Disclosure) -> String {
    d.department
        .as_deref()
        .and_then(|id| site.content.departments.get(id))
        .map(|dep| format!("{} {}", dep.name, dep.short))
        .unwrap_or_default()
}

/// The companies file of the site ([`search::CompaniesFile`]): the same records as the company
/// pages ([`crate::companies::companies`]), compactly, and the subjects without a credit code.
pub fn companies_file(site: &Site) -> Vec<u8> {
    companies_file_of(site, crate::companies::companies(site).values())
}

/// [`companies_file`] from the site's companies gathered already (a build gathers them once,
/// for the company pages and for this file).
pub fn companies_file_of<'c, 'a: 'c>(
    site: &Site<'a>,
    companies: impl Iterator<Item = &'c crate::companies::Company<'a>>,
) -> Vec<u8> {
    use disclosure::ident::check_uscc;
    use disclosure::model::Details;
    use search::{CompanyRecord, PersonRecord};
    use std::collections::BTreeMap;
    let ids = |docs: &[&Disclosure]| docs.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
    let companies = companies
        .map(|c| CompanyRecord {
            code: c.code.to_string(),
            name: c.name().to_string(),
            names: c.names.iter().map(|(n, _, _)| n.to_string()).collect(),
            bids: c.bids.len(),
            wins: c.wins().count(),
            won_amount: c.won_amount().decimal(),
            credit: ids(&c.credit),
            penalties: ids(&c.penalties),
        })
        .collect();
    let mut persons: BTreeMap<&str, PersonRecord> = BTreeMap::new();
    for d in &site.public {
        let (name, code, credit) = match &d.details {
            Details::Penalty(p) => (&p.subject, &p.subject_credit_code, false),
            Details::Credit(c) => (&c.subject, &c.credit_code, true),
            _ => continue,
        };
        if check_uscc(code).is_ok() {
            continue;
        }
        let p = persons.entry(name).or_insert_with(|| PersonRecord {
            name: name.clone(),
            ..PersonRecord::default()
        });
        if credit {
            p.credit.push(d.id.clone());
        } else {
            p.penalties.push(d.id.clone());
        }
    }
    let file = search::CompaniesFile {
        generated: Some(site.today),
        companies,
        persons: persons.into_values().collect(),
    };
    let mut bytes = serde_json::to_vec(&file).expect("the companies file serialises");
    bytes.push(b'\n');
    bytes
}

/// Replaces `path` with `bytes` through a temporary file and a rename, unless it holds them.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))
}

fn create(dir: &Path, schema: tantivy::schema::Schema) -> Result<Index> {
    Index::create_in_dir(dir, schema)
        .with_context(|| format!("{}: cannot create the search index", dir.display()))
}

/// Removes the index's files, and only those: the folder may be a mount point or hold a
/// `.gitkeep`.
fn remove_index_files(dir: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_index_file = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(".tantivy")
            || name.contains('.') && name.split('.').next().is_some_and(|s| s.len() == 32);
        if is_index_file && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("{}: cannot remove", entry.path().display()))?;
        }
    }
    Ok(())
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Content;
    use crate::log::PublicationLog;
    use tantivy::collector::Count;
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;

    /// A content folder on disk with these disclosures, loaded the way a build loads it.
    fn content(dir: &Path, docs: &[(&str, &str)]) -> Content {
        let files: &[(&str, &str)] = &[
            ("site.toml", "name = \"站\"\nbase_url = \"https://x.example\"\norganisation = \"办\"\n[footer]\nsite_code = \"1\"\nicp = \"2\"\npolice = \"3\"\ncontact = \"4\"\n"),
            ("departments.toml", "[[department]]\nid = \"zjj\"\nname = \"平顶山市住房和城乡建设局\"\nshort = \"住建局\"\nemail = \"z@x.example\"\ncategories = [\"construction\"]\nfallback = true\n"),
            ("calendar.toml", "[[year]]\nyear = 2026\nholidays = [2026-01-01]\n"),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        for (stem, text) in docs {
            std::fs::write(dir.join(format!("{stem}.md")), text).unwrap();
        }
        crate::content::load(dir, &|| {}).unwrap()
    }

    const NOTICE: &str = "+++\nkind = \"notice\"\ntitle = \"鹰城大道改造工程招标公告\"\ndate = 2026-03-01\ndepartment = \"zjj\"\ncategory = \"construction\"\nproject = \"PDSZJ-2026-0001\"\nstage = \"tender\"\n+++\n招标人为平顶山市住房和城乡建设局。\n";
    const PENALTY: &str = "+++\nkind = \"penalty\"\ntitle = \"行政处罚决定书\"\ndate = 2025-01-01\ndepartment = \"zjj\"\ndecision_no = \"平建罚〔2025〕1号\"\nsubject = \"某某公司\"\nsubject_credit_code = \"91410400MA44A0XH27\"\nviolation = \"串通投标\"\nbasis = \"招标投标法\"\npenalty = \"罚款\"\ndecision_date = 2025-01-01\npublic_until = 2025-06-30\n+++\n正文\n";

    fn count(dir: &Path, id: &str) -> usize {
        let index = Index::open_in_dir(dir).unwrap();
        let fields = Fields::from_schema(&index.schema()).unwrap();
        let q = TermQuery::new(
            Term::from_field_text(fields.id, id),
            IndexRecordOption::Basic,
        );
        index
            .reader()
            .unwrap()
            .searcher()
            .search(&q, &Count)
            .unwrap()
    }

    #[test]
    fn upsert_replaces_remove_deletes_and_withdrawn_is_left_out() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tempfile::tempdir().unwrap();
        let content = content(src.path(), &[("n1", NOTICE), ("p1", PENALTY)]);
        let log = PublicationLog::default();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let site = Site::new(&content, today, &log);
        let all: Vec<&Disclosure> = content.docs.iter().collect();

        let mut w = IndexWriter::open(tmp.path()).unwrap();
        w.clear();
        w.upsert(&site, &all).unwrap();
        let stats = w.commit().unwrap();
        assert_eq!((stats.upserted, stats.docs), (1, 1), "{stats:?}");
        assert!(stats.bytes > 0);
        assert_eq!(count(tmp.path(), "n1"), 1);
        assert_eq!(
            count(tmp.path(), "p1"),
            0,
            "a withdrawn penalty is not indexed"
        );

        // Upserting again replaces rather than duplicates.
        let mut w = IndexWriter::open(tmp.path()).unwrap();
        w.upsert(&site, &all[..1]).unwrap();
        assert_eq!(w.commit().unwrap().docs, 1);

        let mut w = IndexWriter::open(tmp.path()).unwrap();
        w.remove(&["n1".to_string()]).unwrap();
        assert_eq!(w.commit().unwrap().docs, 0);
    }

    #[test]
    fn an_index_with_another_schema_is_recreated() {
        let tmp = tempfile::tempdir().unwrap();
        let mut b = tantivy::schema::Schema::builder();
        b.add_text_field("old", tantivy::schema::TEXT);
        let old = Index::create_in_dir(tmp.path(), b.build()).unwrap();
        drop(old);
        std::fs::write(tmp.path().join(".gitkeep"), "").unwrap();
        let w = IndexWriter::open(tmp.path()).unwrap();
        assert_eq!(w.commit().unwrap().docs, 0);
        let index = Index::open_in_dir(tmp.path()).unwrap();
        assert!(Fields::from_schema(&index.schema()).is_ok());
        assert!(tmp.path().join(".gitkeep").exists());
    }
}
