//! The search engine of the service: one tantivy reader for the process (reloaded when
//! `site-gen build` commits), one searcher per request, typed field handles built once.
//!
//! It only reads the index; `site-gen` alone writes it.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use disclosure::model::Details;
use disclosure::search::{self, Fields, Synonyms};
use disclosure::{Disclosure, Kind};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, Order, ReloadPolicy, Score, Searcher, SegmentReader,
    TantivyDocument, Term,
};

use crate::error::SearchError;
use crate::facets::{Capped, FacetCounts, Facets};
use crate::query::{Mode, QueryBuilder, SearchParams, Sort, PER_PAGE};

/// Matches counted exactly; past this a query is "very common", answered from the matches read
/// so far, and its total shown as "10,000+".
pub const COUNT_CAP: usize = 10_000;
/// Characters of the body the snippet is looked for in: names and the kind's own prose come
/// first, so the start of a long body is where a reader's words are.
const SNIPPET_SOURCE_CHARS: usize = 3_000;
/// Characters of body text shown around the matches of a hit.
const SNIPPET_CHARS: usize = 160;
/// The most credit entries and penalties one subject's report lists.
const MAX_CREDIT_DOCS: usize = 200;

/// One result, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The title, HTML-escaped, with matches in `<mark>`.
    pub title_html: String,
    pub url: String,
    pub date: NaiveDate,
    pub department: Option<String>,
    /// A piece of the body, HTML-escaped, with matches in `<mark>`.
    pub snippet_html: String,
}

/// The answer to a search.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Matches, or [`COUNT_CAP`] when there are more (`capped`).
    pub total: usize,
    /// More than [`COUNT_CAP`] documents match: the total is a lower bound, the facets count the
    /// matches read, and relevance ranks among them.
    pub capped: bool,
    /// Nothing matched every word exactly; these hits match most of them.
    pub partial: bool,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
    pub took_ms: f64,
}

/// A subject's current standing: what `/api/credit` answers.
#[derive(Debug, Clone, Default)]
pub struct CreditReport {
    pub red: Vec<Disclosure>,
    pub black: Vec<Disclosure>,
    pub penalties: Vec<Disclosure>,
}

pub struct Engine {
    count_cap: usize,
    reader: IndexReader,
    fields: Fields,
    synonyms: &'static Synonyms,
}

impl Engine {
    /// Opens the index written by `site-gen build` in `dir`. The reader follows later commits
    /// by itself (tantivy watches `meta.json`), so a rebuild is served without a restart.
    pub fn open(dir: &Path) -> anyhow::Result<Engine> {
        if !dir.join("meta.json").exists() {
            bail!(
                "{}: no search index here; run `site-gen build --index {}` first",
                dir.display(),
                dir.display()
            );
        }
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("{}: cannot open the search index", dir.display()))?;
        let (schema, _) = search::schema();
        if index.schema() != schema {
            bail!(
                "{}: the index was written by another version of site-gen; rebuild it with `site-gen build`",
                dir.display()
            );
        }
        search::register_tokenizers(&index);
        // Load jieba's dictionary now rather than in the first user's request.
        search::jieba_words("平顶山市公共资源交易");
        let fields = Fields::from_schema(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .with_context(|| format!("{}: cannot read the search index", dir.display()))?;
        Ok(Engine {
            count_cap: COUNT_CAP,
            reader,
            fields,
            synonyms: Synonyms::builtin(),
        })
    }

    /// The same engine counting exactly only up to `cap` matches (tests of the cap).
    pub fn with_count_cap(mut self, cap: usize) -> Engine {
        self.count_cap = cap.max(1);
        self
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Reloads now instead of waiting for the watcher (tests, and the build-and-serve command).
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.reader.reload()?)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a search: every word exactly first; when that finds nothing, most words partially.
    pub fn search(&self, p: &SearchParams) -> Result<Outcome, SearchError> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let builder = QueryBuilder {
            fields: &self.fields,
            synonyms: self.synonyms,
        };
        let mut partial = false;
        let mut query = builder.build(p, Mode::Exact);
        let mut found = self.collect(&searcher, &*query, p)?;
        if found.1.total == 0 && !p.words.is_empty() {
            query = builder.build(p, Mode::Partial);
            found = self.collect(&searcher, &*query, p)?;
            partial = found.1.total > 0;
        }
        let (addresses, facets, capped) = found;
        let needles = needles(p, partial, self.synonyms);
        let hits = self.hits(&searcher, &*query, &addresses, &needles)?;
        Ok(Outcome {
            total: if capped { self.count_cap } else { facets.total },
            capped,
            partial,
            hits,
            facets,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// The page of hits and the facet counts, reading at most about [`COUNT_CAP`] matches. A
    /// date-sorted page of a query over the cap is then collected again over every match, so
    /// that "newest first" is exact; relevance ranks among the matches read.
    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        p: &SearchParams,
    ) -> Result<(Vec<DocAddress>, FacetCounts, bool), SearchError> {
        let offset = (p.page - 1) * PER_PAGE;
        let top = TopDocs::with_limit(PER_PAGE).and_offset(offset);
        let total_docs = searcher.num_docs();
        let by_date = p.sort == Sort::Date || p.words.is_empty();
        if by_date {
            let collector = Capped {
                inner: (top.order_by_fast_field::<i64>("date", Order::Desc), Facets),
                cap: self.count_cap,
                total_docs,
            };
            let ((docs, facets), truncated) = searcher.search(query, &collector)?;
            if !truncated {
                return Ok((docs.into_iter().map(|(_, a)| a).collect(), facets, false));
            }
            let exact = TopDocs::with_limit(PER_PAGE)
                .and_offset(offset)
                .order_by_fast_field::<i64>("date", Order::Desc);
            let docs = searcher.search(query, &exact)?;
            Ok((docs.into_iter().map(|(_, a)| a).collect(), facets, true))
        } else {
            let collector = Capped {
                inner: (top.tweak_score(newer_first), Facets),
                cap: self.count_cap,
                total_docs,
            };
            let ((docs, facets), truncated) = searcher.search(query, &collector)?;
            Ok((
                docs.into_iter().map(|(_, a)| a).collect(),
                facets,
                truncated,
            ))
        }
    }

    fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        addresses: &[DocAddress],
        needles: &[String],
    ) -> Result<Vec<Hit>, SearchError> {
        let f = &self.fields;
        // tantivy picks the fragment of the body with the most matching bigrams; the marks are
        // then put on whole words (and synonyms), not on every bigram they share with the text.
        let generators = if !needles.is_empty() && !addresses.is_empty() {
            let mut body = SnippetGenerator::create(searcher, query, f.body)?;
            body.set_max_num_chars(SNIPPET_CHARS);
            Some((needles, body))
        } else {
            None
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let title = text(f.title);
            let body: String = match doc.get_first(f.body).and_then(|v| v.as_str()) {
                Some(b) => match b.char_indices().nth(SNIPPET_SOURCE_CHARS) {
                    Some((cut, _)) => b[..cut].to_string(),
                    None => b.to_string(),
                },
                None => String::new(),
            };
            let (title_html, snippet_html) = match &generators {
                Some((needles, bg)) => {
                    let title_html = highlight(&title, needles);
                    let snippet = bg.snippet(&body);
                    let snippet_html = if snippet.is_empty() {
                        highlight(&lead(&body), needles)
                    } else {
                        let fragment = snippet.fragment();
                        let marked = highlight(fragment, needles);
                        if marked.contains("<mark>") {
                            marked
                        } else {
                            let mut snippet = snippet;
                            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                            snippet.to_html()
                        }
                    };
                    (title_html, snippet_html)
                }
                None => (escape(&title), escape(&lead(&body))),
            };
            let kind = Kind::from_key(&text(f.kind)).unwrap_or(Kind::Page);
            let date = doc
                .get_first(f.date)
                .and_then(|v| v.as_i64())
                .and_then(search::date_from_value)
                .unwrap_or_default();
            let department = Some(text(f.department)).filter(|d| !d.is_empty());
            hits.push(Hit {
                id: text(f.id),
                kind,
                title,
                title_html,
                url: text(f.url),
                date,
                department,
                snippet_html,
            });
        }
        Ok(hits)
    }

    /// Current red and black list entries and still-public penalties of the subject with this
    /// credit code or name, judged on `today`.
    pub fn credit(
        &self,
        code: Option<&str>,
        name: Option<&str>,
        today: NaiveDate,
    ) -> Result<CreditReport, SearchError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let code = code.map(search::normalize_code).filter(|c| !c.is_empty());
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let subject: Box<dyn Query> = match (&code, name) {
            (Some(code), _) => Box::new(TermQuery::new(
                Term::from_field_text(f.code, code),
                IndexRecordOption::Basic,
            )),
            (None, Some(name)) => {
                let tokens = search::CjkTokenizer::query().tokens(name);
                match tokens.len() {
                    0 => return Ok(CreditReport::default()),
                    1 => Box::new(TermQuery::new(
                        Term::from_field_text(f.names, &tokens[0].1),
                        IndexRecordOption::Basic,
                    )),
                    _ => Box::new(PhraseQuery::new_with_offset(
                        tokens
                            .iter()
                            .map(|(p, t)| (*p, Term::from_field_text(f.names, t)))
                            .collect(),
                    )),
                }
            }
            (None, None) => return Ok(CreditReport::default()),
        };
        let kinds: Vec<Box<dyn Query>> = [Kind::Credit, Kind::Penalty]
            .iter()
            .map(|k| {
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, k.key()),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>
            })
            .collect();
        let query = BooleanQuery::new(vec![
            (Occur::Must, subject),
            (Occur::Must, Box::new(BooleanQuery::union(kinds))),
        ]);
        let docs = searcher.search(
            &query,
            &TopDocs::with_limit(MAX_CREDIT_DOCS).order_by_fast_field::<i64>("date", Order::Desc),
        )?;
        let mut report = CreditReport::default();
        for (_, address) in docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(d) = doc
                .get_first(f.data)
                .and_then(|v| v.as_str())
                .and_then(search::parse_stored_data)
            else {
                continue;
            };
            let about_subject = d.subjects().iter().any(|(n, c)| match (&code, name) {
                (Some(code), _) => search::normalize_code(c) == *code,
                (None, Some(name)) => n.contains(name),
                _ => false,
            });
            if !about_subject {
                continue;
            }
            match &d.details {
                Details::Credit(c) if c.is_current(today) => match c.list {
                    disclosure::model::CreditList::Red => report.red.push(d),
                    disclosure::model::CreditList::Black => report.black.push(d),
                },
                Details::Penalty(_) if d.is_public(today) => report.penalties.push(d),
                _ => {}
            }
        }
        Ok(report)
    }
}

/// Relevance first; among equal scores (to two decimals), the newer disclosure first.
fn newer_first(segment: &SegmentReader) -> impl Fn(DocId, Score) -> i64 + use<> {
    let dates = segment
        .fast_fields()
        .i64("date")
        .map(|c| c.first_or_default_col(0))
        .ok();
    move |doc: DocId, score: Score| {
        let date = dates.as_ref().map_or(0, |d| d.get_val(doc));
        ((score * 100.0).round() as i64) * 1_000_000 + date.clamp(0, 999_999)
    }
}

/// What to mark in titles and snippets: the words and their synonyms, or, for partial matches,
/// their bigrams. Longest first, so a longer match wins over a piece of it.
fn needles(p: &SearchParams, partial: bool, synonyms: &Synonyms) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in &p.words {
        if partial {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() > 2 && chars.iter().all(|c| !c.is_ascii()) {
                out.extend(chars.windows(2).map(|p| p.iter().collect::<String>()));
                continue;
            }
        }
        out.push(w.to_lowercase());
        out.extend(synonyms.variants(w).into_iter().map(|v| v.to_lowercase()));
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    out.dedup();
    out.retain(|n| !n.is_empty());
    out
}

/// `text` HTML-escaped with every occurrence of a needle (ASCII case ignored) in `<mark>`.
pub fn highlight(text: &str, needles: &[String]) -> String {
    let lower: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let chars: Vec<char> = text.chars().collect();
    let needles: Vec<Vec<char>> = needles.iter().map(|n| n.chars().collect()).collect();
    let mut marked = vec![false; chars.len()];
    for needle in &needles {
        if needle.is_empty() || needle.len() > lower.len() {
            continue;
        }
        for start in 0..=lower.len() - needle.len() {
            if lower[start..start + needle.len()] == needle[..] {
                marked[start..start + needle.len()]
                    .iter_mut()
                    .for_each(|m| *m = true);
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut open = false;
    for (c, m) in chars.iter().zip(&marked) {
        if *m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !*m && open {
            out.push_str("</mark>");
            open = false;
        }
        out.push_str(&escape(&c.to_string()));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// The first sentence-ish piece of a body, for hits without a highlighted match.
fn lead(body: &str) -> String {
    body.chars().take(SNIPPET_CHARS).collect()
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
