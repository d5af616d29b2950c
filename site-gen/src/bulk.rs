//! The public disclosures as OpenSearch / Elasticsearch `_bulk` files (`site-gen build
//! --export-bulk DIR`), for a province or a nation that runs search on a cluster of its own
//! rather than on our tantivy index (`docs/opensearch.md`).
//!
//! The folder holds, after each successful build:
//! - `disclosures-YYYY-MM-NNN.ndjson`: an `index` action (`_id` = the disclosure's id) and its
//!   source for every public disclosure, grouped by the month of its date, oldest first, cut into
//!   files of at most `max_file_bytes` (10 MiB by default, a sensible `_bulk` request). A month's
//!   files change only when one of its disclosures does, so a feeder that remembers the SHA-256
//!   of the files it sent (the manifest lists them) sends only what changed;
//! - `deletions-NNN.ndjson`: a `delete` action for every disclosure the publication log says
//!   left the site (a penalty past its publicity, a deleted file) and every one that is not public
//!   on the build date, so an index fed from any earlier export is brought in step;
//! - `index-template.json`: the composable index template (`PUT _index_template/yangguang`)
//!   whose analyzers reproduce our matching: CJK bigrams for recall, smartcn words for ranking,
//!   our synonyms, codes by any part;
//! - `manifest.json`, written last: the files, their counts and SHA-256, the build date.
//!
//! The action lines name no `_index`: the feeder chooses the index in the request's URL (one per
//! city, behind an alias). A source carries what the disclosure's page and its open-data JSON
//! publish and the text our index searches (`disclosure::search::search_text`), nothing more.
//!
//! This module decides nothing about publicity (that is [`Site`]'s) and writes nothing into the
//! site; it runs only after the site has been published.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate};
use disclosure::search::{self, Synonyms};
use disclosure::{Category, Disclosure, Kind, Stage};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use crate::data::{DetailsJson, PartiesJson};
use crate::log::{self, Event, PublicationLog};
use crate::site::Site;

/// The index template's file in the export folder.
pub const TEMPLATE_FILE: &str = "index-template.json";
/// The manifest's file in the export folder, written after every other file.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The name the template is meant to be created under (`PUT _index_template/yangguang`).
pub const TEMPLATE_NAME: &str = "yangguang";
/// The indices the template applies to: one per city and generation, e.g.
/// `yangguang-pds-20261206`, behind aliases (`docs/opensearch.md`).
pub const INDEX_PATTERN: &str = "yangguang-*";
/// The largest file by default: 10 MiB, a `_bulk` request a cluster takes comfortably.
pub const DEFAULT_MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The smallest bound accepted: below it a single disclosure's metadata may not fit.
pub const MIN_FILE_BYTES: usize = 4096;
/// Bumped whenever the template or the documents' shape changes, so a cluster can tell which
/// export built its index (`version` of the template, `_meta.format` of the mappings).
pub const FORMAT_VERSION: u32 = 1;

/// Where the export goes and how large its files may be.
#[derive(Debug, Clone)]
pub struct Export {
    pub dir: PathBuf,
    pub max_file_bytes: usize,
}

impl Export {
    pub fn new(dir: impl Into<PathBuf>) -> Export {
        Export {
            dir: dir.into(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// What an export wrote, for the build's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported {
    pub dir: PathBuf,
    /// `_bulk` files in the folder (index and delete).
    pub files: usize,
    /// Of those, files whose bytes changed in this build.
    pub changed: usize,
    /// Disclosures with an `index` action.
    pub indexed: usize,
    /// Ids with a `delete` action.
    pub deleted: usize,
    /// Disclosures whose body was cut so that the pair fits in one file (a body of megabytes).
    pub truncated: Vec<String>,
}

/// The body of a disclosure when the build did not read it (an incremental build reads only the
/// changed ones): read again from its source. `None`: the disclosure's own `body` is the one.
pub type BodyOf<'b> = dyn Fn(&Disclosure) -> Result<Option<String>> + Sync + 'b;

/// One file of the manifest.
#[derive(Debug, Clone, Serialize)]
struct FileEntry {
    file: String,
    /// `index` or `delete`.
    action: &'static str,
    /// Documents (index) or ids (delete) in the file.
    documents: usize,
    bytes: usize,
    sha256: String,
}

/// A company the disclosure is about (a hit links to its page).
#[derive(Serialize)]
struct Company<'a> {
    credit_code: &'a str,
    name: &'a str,
}

/// The source of one disclosure's document. Every field here has a mapping in the template
/// (`dynamic: strict` refuses any other), and a test checks both.
#[derive(Serialize)]
struct Source<'a> {
    id: &'a str,
    kind: Kind,
    kind_label: &'static str,
    title: &'a str,
    date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<NaiveDate>,
    /// The page's absolute address.
    url: String,
    /// The page's path on the site.
    path: String,
    /// The site's base URL and name: a province's index holds many cities.
    site: &'a str,
    site_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<Stage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<&'a str>,
    /// `buyer`, `buyer_credit_code`, `agency`, `agency_credit_code`, as the open data has them.
    #[serde(flatten)]
    parties: Option<PartiesJson<'a>>,
    /// A result's amount in yuan (a `scaled_float` of two decimals).
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<f64>,
    /// Every valid unified social credit code the disclosure names: subjects, bidders, buyer,
    /// agency (a natural person's masked id is not one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    credit_codes: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    companies: Vec<Company<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    names: Vec<&'a str>,
    meta: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    codes: Vec<&'a str>,
    body: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
    /// The kind-specific fields as `/data/disclosures/<id>.json` publishes them; kept in the
    /// source for display, not indexed.
    details: DetailsJson<'a>,
}

/// Writes the export of `site` into `export.dir`. `log` is the whole publication log as this
/// build published it (what left the site in any build); `body_of` gives the bodies.
pub fn export(
    site: &Site<'_>,
    log: &PublicationLog,
    body_of: &BodyOf<'_>,
    export: &Export,
) -> Result<Exported> {
    let dir = &export.dir;
    let max = export.max_file_bytes;
    if max < MIN_FILE_BYTES {
        bail!(
            "{}: a bulk file must be allowed at least {MIN_FILE_BYTES} bytes, not {max}",
            dir.display()
        );
    }
    let cannot = || format!("{}: cannot write the bulk export", dir.display());
    std::fs::create_dir_all(dir).with_context(cannot)?;
    let mut done = Exported {
        dir: dir.clone(),
        ..Exported::default()
    };
    let mut entries: Vec<FileEntry> = Vec::new();

    // The index files, month by month, so that no more than a month's documents are in memory.
    let mut months: BTreeMap<(i32, u32), Vec<&Disclosure>> = BTreeMap::new();
    for d in &site.public {
        months
            .entry((d.date.year(), d.date.month()))
            .or_default()
            .push(d);
    }
    for ((year, month), mut docs) in months {
        docs.sort_by(|a, b| (a.date, a.time, &a.id).cmp(&(b.date, b.time, &b.id)));
        let pairs: Vec<(Vec<u8>, bool)> = docs
            .par_iter()
            .map(|d| index_pair(site, d, body_of, max))
            .collect::<Result<_>>()?;
        for (d, (_, truncated)) in docs.iter().zip(&pairs) {
            if *truncated {
                tracing::warn!(
                    "{}: the body is too long for one bulk file of {max} bytes and was cut",
                    d.source
                );
                done.truncated.push(d.id.clone());
            }
        }
        done.indexed += pairs.len();
        let prefix = format!("disclosures-{year:04}-{month:02}");
        for (n, (bytes, count)) in pack(pairs.into_iter().map(|(p, _)| p), max)
            .into_iter()
            .enumerate()
        {
            let file = format!("{prefix}-{:03}.ndjson", n + 1);
            done.changed +=
                usize::from(write_if_changed(&dir.join(&file), &bytes).with_context(cannot)?);
            entries.push(FileEntry {
                file,
                action: "index",
                documents: count,
                bytes: bytes.len(),
                sha256: log::sha256_hex(&bytes),
            });
        }
    }

    // The deletions: every id whose latest log entry says it left the site, and every
    // disclosure not public on the build date (one added after its publicity ended was never
    // logged as published), unless public now.
    let public: BTreeSet<&str> = site.public.iter().map(|d| d.id.as_str()).collect();
    let gone: BTreeSet<&str> = log
        .latest_entries()
        .filter(|e| e.event == Event::Withdrawn && e.id != crate::files::FILES_ID)
        .map(|e| e.id.as_str())
        .chain(site.withdrawn.iter().map(|d| d.id.as_str()))
        .filter(|id| !public.contains(id))
        .collect();
    done.deleted = gone.len();
    let lines = gone.iter().map(|id| {
        let mut line = serde_json::to_vec(&json!({"delete": {"_id": id}})).expect("json");
        line.push(b'\n');
        line
    });
    for (n, (bytes, count)) in pack(lines, max).into_iter().enumerate() {
        let file = format!("deletions-{:03}.ndjson", n + 1);
        done.changed +=
            usize::from(write_if_changed(&dir.join(&file), &bytes).with_context(cannot)?);
        entries.push(FileEntry {
            file,
            action: "delete",
            documents: count,
            bytes: bytes.len(),
            sha256: log::sha256_hex(&bytes),
        });
    }
    done.files = entries.len();

    let mut template = serde_json::to_vec_pretty(&template()).expect("the template serialises");
    template.push(b'\n');
    write_if_changed(&dir.join(TEMPLATE_FILE), &template).with_context(cannot)?;
    let manifest = json!({
        "format": FORMAT_VERSION,
        "generated": site.today,
        "site": site.content.site.base_url,
        "site_name": site.content.site.name,
        "template": {
            "name": TEMPLATE_NAME,
            "file": TEMPLATE_FILE,
            "index_patterns": [INDEX_PATTERN],
            "sha256": log::sha256_hex(&template),
        },
        "max_file_bytes": max,
        "documents": done.indexed,
        "deletions": done.deleted,
        "log_entries": log.entries.last().map_or(0, |e| e.seq),
        "files": entries,
    });
    let mut manifest = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    manifest.push(b'\n');
    write_if_changed(&dir.join(MANIFEST_FILE), &manifest).with_context(cannot)?;

    // Files of an earlier export that this one did not write (a month that lost its last
    // disclosure, fewer files in a month): removed after the manifest no longer names them.
    let kept: BTreeSet<&str> = entries.iter().map(|e| e.file.as_str()).collect();
    for entry in std::fs::read_dir(dir).with_context(cannot)? {
        let path = entry.with_context(cannot)?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if is_bulk_file(name) && !kept.contains(name) {
            std::fs::remove_file(&path)
                .with_context(|| format!("{}: cannot remove {name}", dir.display()))?;
        }
    }
    Ok(done)
}

/// Whether `name` is a `_bulk` file this module writes.
pub fn is_bulk_file(name: &str) -> bool {
    (name.starts_with("disclosures-") || name.starts_with("deletions-"))
        && name.ends_with(".ndjson")
}

/// Lines (or pairs of lines) packed in order into files of at most `max` bytes, with the
/// number of items in each. An item never exceeds `max` ([`index_pair`] sees to it).
fn pack(items: impl Iterator<Item = Vec<u8>>, max: usize) -> Vec<(Vec<u8>, usize)> {
    let mut files: Vec<(Vec<u8>, usize)> = Vec::new();
    for item in items {
        match files.last_mut() {
            Some((bytes, count)) if bytes.len() + item.len() <= max => {
                bytes.extend_from_slice(&item);
                *count += 1;
            }
            _ => files.push((item, 1)),
        }
    }
    files
}

/// The `index` action line and the source line of `d`, each ending in a newline, and whether
/// the body had to be cut for the pair to fit in `max` bytes.
fn index_pair(
    site: &Site<'_>,
    d: &Disclosure,
    body_of: &BodyOf<'_>,
    max: usize,
) -> Result<(Vec<u8>, bool)> {
    let mut out = serde_json::to_vec(&json!({"index": {"_id": d.id}})).expect("json");
    out.push(b'\n');
    let action = out.len();
    let department = crate::index::department_label(site, d);
    let with_body;
    let d = match body_of(d)? {
        None => d,
        Some(body) => {
            with_body = Disclosure { body, ..d.clone() };
            &with_body
        }
    };
    let text = search::search_text(d, &department);
    let trade = d.trade();
    let mut credit_codes: Vec<&str> = d.subjects().into_iter().map(|(_, code)| code).collect();
    if let Some(t) = trade {
        credit_codes.extend(search::parties(t).filter_map(|(_, o)| o.credit_code.as_deref()));
    }
    credit_codes.retain(|c| disclosure::ident::check_uscc(c).is_ok());
    credit_codes.sort_unstable();
    credit_codes.dedup();
    let amount = match &d.details {
        disclosure::Details::Result { amount, .. } => amount.map(|a| a.fen() as f64 / 100.0),
        _ => None,
    };
    let mut source = Source {
        id: &d.id,
        kind: d.kind(),
        kind_label: d.kind().label(),
        title: &d.title,
        date: d.date,
        updated: d.updated,
        url: format!("{}{}", site.content.site.base_url, d.url()),
        path: d.url(),
        site: &site.content.site.base_url,
        site_name: &site.content.site.name,
        department: d.department.as_deref(),
        department_name: d.department.as_deref().map(|id| site.department_name(id)),
        region: d.region.as_deref(),
        category: trade.map(|t| t.category),
        stage: trade.map(|t| t.stage),
        project: d.project(),
        parties: trade.map(PartiesJson::of),
        amount,
        credit_codes,
        companies: search::about_companies(d)
            .into_iter()
            .map(|(credit_code, name)| Company { credit_code, name })
            .collect(),
        names: text.names,
        meta: text.meta.join("\n"),
        codes: text.codes,
        body: text.body,
        truncated: false,
        details: DetailsJson::of(d),
    };
    loop {
        let line = serde_json::to_vec(&source).expect("a source serialises");
        let len = action + line.len() + 1;
        if len <= max {
            out.extend_from_slice(&line);
            out.push(b'\n');
            return Ok((out, source.truncated));
        }
        if source.body.is_empty() {
            bail!(
                "{}: the disclosure does not fit in a bulk file of {max} bytes even without its body",
                d.source
            );
        }
        // Escaping may make the body longer in JSON than in memory: cut, then measure again.
        let excess = len - max;
        let mut keep = source.body.len().saturating_sub(excess + 16);
        while !source.body.is_char_boundary(keep) {
            keep -= 1;
        }
        source.body.truncate(keep);
        source.truncated = true;
    }
}

/// Writes `bytes` to `path` unless it holds them already, through a temporary file renamed
/// over it; says whether it wrote.
fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
        .map(|()| true)
}

// ---------------------------------------------------------------------------------------------
// The index template

/// The synonym rules of `disclosure/data/synonyms.toml` in the Solr format that `synonym_graph`
/// reads: a group's words are equivalent (`串通投标, 串标, 围标`); a wrong's forms in the law are
/// found by a query for the wrong or a synonym of it, and not the other way round
/// (`串通投标, 串标 => 串通投标, 串标, 协商投标报价, …`), as `Synonyms::variants` does.
pub fn synonym_rules(synonyms: &Synonyms) -> Vec<String> {
    let clean = |w: &str| w.replace([',', '=', '>'], " ");
    let mut rules: Vec<String> = synonyms
        .groups()
        .iter()
        .map(|g| g.iter().map(|w| clean(w)).collect::<Vec<_>>().join(", "))
        .collect();
    for forms in synonyms.forms() {
        let Some(group) = synonyms.groups().iter().find(|g| g.contains(&forms.of)) else {
            continue;
        };
        let lhs: Vec<String> = group.iter().map(|w| clean(w)).collect();
        let rhs: Vec<String> = lhs
            .iter()
            .cloned()
            .chain(forms.words.iter().map(|w| clean(w)))
            .collect();
        rules.push(format!("{} => {}", lhs.join(", "), rhs.join(", ")));
    }
    rules
}

/// A text field searched as we search: indexed as CJK bigrams and single characters, queried as
/// bigrams (`match_phrase` finds any piece of two or more characters), with a `words` subfield
/// cut by smartcn for ranking, whose queries expand our synonyms.
fn cjk_text(words: bool) -> Value {
    let mut field = json!({
        "type": "text",
        "analyzer": "yg_cjk_index",
        "search_analyzer": "yg_cjk_search",
        "index_options": "offsets",
    });
    if words {
        field["fields"] = json!({
            "words": {
                "type": "text",
                "analyzer": "yg_words_index",
                "search_analyzer": "yg_words_search",
            }
        });
    }
    field
}

/// The composable index template (`PUT _index_template/yangguang`): settings with the analysis
/// chain and the mappings of every field of the documents. Needs the `analysis-smartcn` plugin
/// on every node (OpenSearch and Elasticsearch both ship it).
pub fn template() -> Value {
    json!({
        "index_patterns": [INDEX_PATTERN],
        "priority": 100,
        "version": FORMAT_VERSION,
        "_meta": {
            "description": "阳光交易 disclosures exported by `site-gen build --export-bulk`",
            "generated_by": concat!("site-gen ", env!("CARGO_PKG_VERSION")),
            "plugins": ["analysis-smartcn"],
        },
        "template": {
            "settings": {
                "index": {
                    "number_of_shards": 1,
                    "number_of_replicas": 1,
                },
                "analysis": analysis(),
            },
            "mappings": mappings(),
        },
    })
}

/// The analysis settings of the template: the analyzers that reproduce our tokenizers.
fn analysis() -> Value {
    json!({
        "char_filter": {
            // A code reduced to letters, digits and Han characters, as
            // `disclosure::search::normalize_code` does: 平建罚〔2026〕12号 and
            // 平建罚[2026]12号 are one code.
            "yg_code_strip": {
                "type": "pattern_replace",
                "pattern": "[^\\p{L}\\p{N}]+",
                "replacement": "",
            },
        },
        "filter": {
            // Indexed text: each Han character alone and with the next one, so a
            // one-character query finds it and a phrase of bigrams finds any piece. (Our own
            // index keeps a run's last character only and finds a character by the terms that
            // start with it; a query here asks for the character's own term.)
            "yg_bigrams_and_unigrams": {
                "type": "cjk_bigram",
                "output_unigrams": true,
            },
            // Queries: bigrams only (a lone character stays a unigram).
            "yg_bigrams": {
                "type": "cjk_bigram",
                "output_unigrams": false,
            },
            "yg_synonyms": {
                "type": "synonym_graph",
                "lenient": true,
                "synonyms": synonym_rules(Synonyms::builtin()),
            },
            // Every suffix of two characters or more of a code (reversed edge
            // n-grams of the reversed code): a `prefix` query over them finds any
            // part of a code, as our `codes` field does.
            "yg_code_edges": {
                "type": "edge_ngram",
                "min_gram": 2,
                "max_gram": 40,
            },
        },
        "analyzer": {
            "yg_cjk_index": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "yg_bigrams_and_unigrams"],
            },
            "yg_cjk_search": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "yg_bigrams"],
            },
            "yg_words_index": {
                "type": "custom",
                "tokenizer": "smartcn_tokenizer",
                "filter": ["smartcn_stop", "cjk_width", "lowercase"],
            },
            "yg_words_search": {
                "type": "custom",
                "tokenizer": "smartcn_tokenizer",
                "filter": ["smartcn_stop", "cjk_width", "lowercase", "yg_synonyms"],
            },
            "yg_code": {
                "type": "custom",
                "tokenizer": "keyword",
                "char_filter": ["yg_code_strip"],
                "filter": ["cjk_width", "lowercase"],
            },
            "yg_code_suffixes": {
                "type": "custom",
                "tokenizer": "keyword",
                "char_filter": ["yg_code_strip"],
                "filter": ["cjk_width", "lowercase", "reverse", "yg_code_edges", "reverse"],
            },
        },
    })
}

/// The mappings of every field of the documents ([`Source`]).
fn mappings() -> Value {
    let keyword = json!({"type": "keyword"});
    let day = json!({"type": "date", "format": "yyyy-MM-dd"});
    let not_indexed = json!({"type": "keyword", "index": false});
    json!({
        "dynamic": "strict",
        "_meta": {"format": FORMAT_VERSION},
        "properties": {
            "id": keyword,
            "kind": keyword,
            "kind_label": keyword,
            "title": cjk_text(true),
            "date": day,
            "updated": day,
            "url": not_indexed,
            "path": not_indexed,
            "site": keyword,
            "site_name": keyword,
            "department": keyword,
            "department_name": keyword,
            "region": keyword,
            "category": keyword,
            "stage": keyword,
            "project": keyword,
            "buyer": keyword,
            "buyer_credit_code": keyword,
            "agency": keyword,
            "agency_credit_code": keyword,
            "amount": {"type": "scaled_float", "scaling_factor": 100},
            "credit_codes": keyword,
            "companies": {
                "properties": {
                    "credit_code": keyword,
                    "name": keyword,
                },
            },
            "names": cjk_text(true),
            "meta": cjk_text(false),
            "codes": {
                "type": "text",
                "analyzer": "yg_code",
                "fields": {
                    "part": {
                        "type": "text",
                        "analyzer": "yg_code_suffixes",
                        "search_analyzer": "yg_code",
                        "index_options": "docs",
                    },
                },
            },
            "body": cjk_text(true),
            "truncated": {"type": "boolean"},
            "details": {"type": "object", "enabled": false},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_order_and_the_bound() {
        let items = ["aaaa\n", "bb\n", "cccccc\n", "d\n"].map(|s| s.as_bytes().to_vec());
        let files = pack(items.into_iter(), 8);
        let shown: Vec<(String, usize)> = files
            .into_iter()
            .map(|(b, n)| (String::from_utf8(b).unwrap(), n))
            .collect();
        assert_eq!(
            shown,
            [
                ("aaaa\nbb\n".to_string(), 2),
                ("cccccc\n".to_string(), 1),
                ("d\n".to_string(), 1)
            ]
        );
    }

    #[test]
    fn synonym_rules_are_solr_rules() {
        let rules = synonym_rules(Synonyms::builtin());
        assert!(rules.contains(&"中标, 成交".to_string()), "{rules:?}");
        let forms = rules
            .iter()
            .find(|r| r.contains("=>") && r.contains("泄露标底"))
            .expect("a rule for the forms of 串通投标");
        let (lhs, rhs) = forms.split_once(" => ").unwrap();
        assert!(lhs.split(", ").any(|w| w == "串标"), "{forms}");
        assert!(
            rhs.split(", ").any(|w| w == "串标"),
            "the wrong keeps itself: {forms}"
        );
        assert!(
            !lhs.contains("泄露标底"),
            "a form finds only itself: {forms}"
        );
        for r in &rules {
            let words = r.split(" => ").flat_map(|s| s.split(", "));
            assert!(words.clone().all(|w| !w.trim().is_empty()), "{r}");
        }
    }
}
