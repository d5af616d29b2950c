//! The search engine of the service: one tantivy reader for the process (reloaded when
//! `site-gen build` commits), one searcher per request, typed field handles built once.
//!
//! It only reads the index; `site-gen` alone writes it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use disclosure::search::{self, Fields, Synonyms};
use disclosure::{Disclosure, Kind};
use tantivy::collector::{Collector, DocSetCollector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, Order, ReloadPolicy, Score, Searcher, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
};

use crate::error::SearchError;
use crate::facets::{Capped, Excluding, FacetCounts, Facets};
use crate::one_char;
use crate::query::{QueryBuilder, SearchParams, Sort, PER_PAGE};

/// Matches counted exactly; past this a query is "very common", answered from the matches read
/// so far, and its total shown as "10,000+".
pub const COUNT_CAP: usize = 10_000;
/// Characters of the body the snippet is looked for in: names and the kind's own prose come
/// first, so the start of a long body is where a reader's words are.
const SNIPPET_SOURCE_CHARS: usize = 3_000;
/// Characters of body text shown around the matches of a hit.
const SNIPPET_CHARS: usize = 160;
/// The most credit entries and penalties one credit look-up reads.
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
    /// Holds most of the words, not all: listed after the full matches.
    pub partial: bool,
    /// The companies it is about, as (credit code, name) ([`search::about_companies`]).
    pub companies: Vec<(String, String)>,
}

/// The answer to a search.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Matches, or [`COUNT_CAP`] when there are more (`capped`).
    pub total: usize,
    /// More than [`COUNT_CAP`] documents match: the total is a lower bound, the facets count the
    /// matches read, and relevance ranks among them.
    pub capped: bool,
    /// Some hits of the page are partial matches (they follow the full ones).
    pub partial: bool,
    /// Full matches (a lower bound when `capped`); `total` adds the partial ones counted.
    pub full_total: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
    pub took_ms: f64,
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

    /// Runs a search: the full matches (every word) first; when they do not fill the page, the
    /// partial matches (most of the words) follow, each marked; a one-word query has partial
    /// matches only when it has no full one. `p.full_only` keeps full matches
    /// only. `total` counts the full matches, and the partial ones when a page reaches them.
    pub fn search(&self, p: &SearchParams) -> Result<Outcome, SearchError> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let builder = QueryBuilder {
            fields: &self.fields,
            synonyms: self.synonyms,
        };
        let offset = (p.page - 1) * PER_PAGE;
        let query = builder.build(p);
        let none = HashSet::new();
        // The full matches are kept while they are few enough for partial matches to follow
        // them (fewer than fill the page asked for), so those can be left out of the partial
        // ones without running the query again.
        let (addresses, mut facets, capped, full) = self.collect(
            &searcher,
            &*query,
            p,
            offset,
            PER_PAGE,
            &none,
            offset + PER_PAGE,
        )?;
        let full_total = if capped { self.count_cap } else { facets.total };
        let mut hits = self.hits(
            &searcher,
            &*query,
            &addresses,
            &needles(p, false, self.synonyms),
            false,
        )?;
        let mut total = full_total;
        let mut capped_all = capped;
        // One word: its partial matches (most of its bigrams) only when it has no full match,
        // as a name cut short; several words: whenever the full matches do not fill the page.
        let wanted = match p.words.len() {
            1 => full_total == 0,
            _ => full_total < offset + PER_PAGE,
        };
        if !p.full_only && !capped && wanted {
            if let Some(partial) = builder.partial(p) {
                // Few full matches (fewer than the page reaches): all of them are left out.
                let full: HashSet<DocAddress> = match full {
                    Some(full) => full,
                    None => searcher.search(&*query, &DocSetCollector)?,
                };
                let (more, partial_facets, partial_capped, _) = self.collect(
                    &searcher,
                    &*partial,
                    p,
                    offset.saturating_sub(full_total),
                    PER_PAGE - addresses.len(),
                    &full,
                    0,
                )?;
                total += if partial_capped {
                    self.count_cap
                } else {
                    partial_facets.total
                };
                capped_all |= partial_capped;
                facets.add(partial_facets);
                hits.extend(self.hits(
                    &searcher,
                    &*partial,
                    &more,
                    &needles(p, true, self.synonyms),
                    true,
                )?);
            }
        }
        Ok(Outcome {
            total,
            capped: capped_all,
            partial: hits.iter().any(|h| h.partial),
            full_total,
            hits,
            facets,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// The page of hits (`limit` from `offset`) and the facet counts, reading at most about
    /// [`COUNT_CAP`] matches, and every match when there are fewer than `keep` (`None` when
    /// there are more). A date-sorted page of a query over the cap is then collected again
    /// over every match, so that "newest first" is exact; relevance ranks among the matches read.
    #[allow(clippy::too_many_arguments)]
    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        p: &SearchParams,
        offset: usize,
        limit: usize,
        excluded: &HashSet<DocAddress>,
        keep: usize,
    ) -> Result<Collected, SearchError> {
        let limit = limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let total_docs = searcher.num_docs();
        let by_date = p.sort == Sort::Date || p.words.is_empty();
        let kept = Kept(keep);
        if by_date {
            let collector = Capped {
                inner: excluding(
                    (
                        top.order_by_fast_field::<i64>("date", Order::Desc),
                        Facets,
                        kept,
                    ),
                    excluded,
                ),
                cap: self.count_cap,
                total_docs,
            };
            let ((docs, facets, all), truncated) = searcher.search(query, &collector)?;
            if !truncated {
                return Ok((
                    docs.into_iter().map(|(_, a)| a).collect(),
                    facets,
                    false,
                    all,
                ));
            }
            let exact = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_fast_field::<i64>("date", Order::Desc);
            let docs = searcher
                .search(query, &excluding((exact, Facets), excluded))?
                .0;
            Ok((
                docs.into_iter().map(|(_, a)| a).collect(),
                facets,
                true,
                None,
            ))
        } else {
            let collector = Capped {
                inner: excluding((top.tweak_score(newer_first), Facets, kept), excluded),
                cap: self.count_cap,
                total_docs,
            };
            let ((docs, facets, all), truncated) = searcher.search(query, &collector)?;
            Ok((
                docs.into_iter().map(|(_, a)| a).collect(),
                facets,
                truncated,
                all.filter(|_| !truncated),
            ))
        }
    }

    fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        addresses: &[DocAddress],
        needles: &[String],
        partial: bool,
    ) -> Result<Vec<Hit>, SearchError> {
        let f = &self.fields;
        // tantivy picks the fragment of the body with the most matching bigrams; the marks are
        // then put on whole words (and synonyms), not on every bigram they share with the text.
        let generators = if !needles.is_empty() && !addresses.is_empty() {
            Some((needles, Fragments::new(searcher, query, f.body)?))
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
                    // The fragment tantivy picked, if it holds a whole word; else the text
                    // around the first whole word (a code's fragment is often picked for its
                    // pieces, `2026` or `号`); else the lead. Pieces are never marked.
                    let fragment = bg.best(&body).map_or("", |r| &body[r]);
                    let marked = highlight(fragment, needles);
                    let snippet_html = if !fragment.is_empty() && marked.contains("<mark>") {
                        marked
                    } else {
                        match find_loose(&body, needles) {
                            Some(at) => highlight(&around(&body, at), needles),
                            None => highlight(&lead(&body), needles),
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
                partial,
                companies: doc
                    .get_all(f.companies)
                    .filter_map(|v| v.as_str()?.split_once('\t'))
                    .map(|(code, name)| (code.to_string(), name.to_string()))
                    .collect(),
            });
        }
        Ok(hits)
    }

    /// The disclosures with these ids that the index holds, newest first (the credit look-up's
    /// entries, named by the companies file).
    pub fn disclosures(&self, ids: &[&str]) -> Result<Vec<Disclosure>, SearchError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let query = BooleanQuery::union(
            ids.iter()
                .map(|id| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.id, id),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect(),
        );
        let docs = searcher.search(
            &query,
            &TopDocs::with_limit(ids.len().min(MAX_CREDIT_DOCS))
                .order_by_fast_field::<i64>("date", Order::Desc),
        )?;
        let mut out = Vec::with_capacity(docs.len());
        for (_, address) in docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            out.extend(
                doc.get_first(f.data)
                    .and_then(|v| v.as_str())
                    .and_then(search::parse_stored_data),
            );
        }
        Ok(out)
    }
}

/// The fragment of a body tantivy's `SnippetGenerator` would pick, found the same way at a
/// fraction of the cost (it lowercases a copy of every token, unigrams included, and looks it up
/// in a B-tree): the body is cut into fragments of at most [`SNIPPET_CHARS`] bytes as its tokens
/// come, each fragment scores `1 / (1 + document frequency)` for every token that is a query
/// term of the field, and the highest-scoring fragment wins, the first among equals. The body is
/// cut as a reader sees it, every character alone as well as in bigrams
/// ([`search::CjkTokenizer::characters`]), so a character a query asks for alone counts wherever
/// it stands; its document frequency is the dictionary's bound
/// ([`one_char::doc_freq_upper_bound`]), which spares reading its postings a second time.
struct Fragments {
    /// Terms of up to eight bytes (a bigram is six) as their bytes in a `u64`, sorted.
    short: Vec<(u64, Score)>,
    long: HashMap<String, Score>,
    /// Bit `n` set when some term is `n` bytes long: most tokens (the single characters) are
    /// passed over without a look-up.
    lengths: u128,
}

/// The bytes of a token of up to eight bytes as one number (tokens hold no NUL).
fn short_key(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    (bytes.len() <= 8).then(|| {
        let mut key = [0u8; 8];
        key[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(key)
    })
}

impl Fragments {
    fn new(searcher: &Searcher, query: &dyn Query, field: Field) -> Result<Fragments, SearchError> {
        let mut wanted: BTreeSet<&Term> = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                wanted.insert(term);
            }
        });
        let mut fragments = Fragments {
            short: Vec::new(),
            long: HashMap::new(),
            lengths: 0,
        };
        for term in wanted {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = one_char::doc_freq_upper_bound(searcher, term)?;
            if doc_freq > 0 {
                let score = 1.0 / (1.0 + doc_freq as Score);
                match short_key(text) {
                    Some(key) => fragments.short.push((key, score)),
                    None => {
                        fragments.long.insert(text.to_string(), score);
                    }
                }
                fragments.lengths |= 1u128 << text.len().min(127);
            }
        }
        fragments.short.sort_by_key(|(key, _)| *key);
        Ok(fragments)
    }

    fn score_of(&self, token: &str) -> Option<Score> {
        if self.lengths & (1u128 << token.len().min(127)) == 0 {
            return None;
        }
        match short_key(token) {
            Some(key) => self
                .short
                .binary_search_by_key(&key, |(k, _)| *k)
                .ok()
                .map(|i| self.short[i].1),
            None => self.long.get(token).copied(),
        }
    }

    /// The byte range of the best fragment of `text`; `None` when no fragment holds a term.
    fn best(&self, text: &str) -> Option<std::ops::Range<usize>> {
        if self.lengths == 0 {
            return None;
        }
        let mut tokenizer = search::CjkTokenizer::characters();
        let mut stream = tokenizer.token_stream(text);
        // (score, start, stop) of the fragment being read and of the best one so far.
        let (mut score, mut start, mut stop) = (0.0 as Score, 0usize, 0usize);
        let mut best: Option<(Score, usize, usize)> = None;
        let mut keep = |score: Score, start: usize, stop: usize| {
            if score > 0.0 && best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, start, stop));
            }
        };
        while stream.advance() {
            let token = stream.token();
            if token.offset_to - start > SNIPPET_CHARS {
                keep(score, start, stop);
                (score, start) = (0.0, token.offset_from);
            }
            stop = token.offset_to;
            if let Some(s) = self.score_of(&token.text) {
                score += s;
            }
        }
        keep(score, start, stop);
        best.map(|(_, start, stop)| start..stop)
    }
}

/// What [`Engine::collect`] gathers: the page's addresses, the facet counts, whether the cap cut
/// the matches short, and every match when they are few.
type Collected = (
    Vec<DocAddress>,
    FacetCounts,
    bool,
    Option<HashSet<DocAddress>>,
);

/// Collects every match while there are fewer than `.0`; `None` once there are more.
struct Kept(usize);

struct KeptSegment {
    ord: SegmentOrdinal,
    limit: usize,
    docs: Option<Vec<DocId>>,
}

impl Collector for Kept {
    type Fruit = Option<HashSet<DocAddress>>;
    type Child = KeptSegment;

    fn for_segment(&self, ord: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<KeptSegment> {
        Ok(KeptSegment {
            ord,
            limit: self.0,
            docs: (self.0 > 0).then(Vec::new),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Option<Vec<DocAddress>>>,
    ) -> tantivy::Result<Option<HashSet<DocAddress>>> {
        let mut all = HashSet::new();
        for fruit in fruits {
            let Some(docs) = fruit else { return Ok(None) };
            all.extend(docs);
            if all.len() >= self.0 {
                return Ok(None);
            }
        }
        Ok(Some(all))
    }
}

impl SegmentCollector for KeptSegment {
    type Fruit = Option<Vec<DocAddress>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(docs) = &mut self.docs {
            if docs.len() < self.limit {
                docs.push(doc);
            } else {
                self.docs = None;
            }
        }
    }

    fn harvest(self) -> Option<Vec<DocAddress>> {
        let ord = self.ord;
        self.docs
            .map(|docs| docs.into_iter().map(|d| DocAddress::new(ord, d)).collect())
    }
}

fn excluding<C>(inner: C, excluded: &HashSet<DocAddress>) -> Excluding<C> {
    Excluding {
        inner,
        excluded: excluded.clone(),
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

/// What to mark in titles and snippets: the words, their synonyms and their known parts, and,
/// for partial matches, their bigrams. Longest first, so a longer match wins over a piece of it.
fn needles(p: &SearchParams, partial: bool, synonyms: &Synonyms) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in &p.words {
        if partial {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() > 2 && chars.iter().all(|c| !c.is_ascii()) {
                out.extend(chars.windows(2).map(|p| p.iter().collect::<String>()));
            }
        }
        out.push(w.to_lowercase());
        out.extend(synonyms.variants(w).into_iter().map(|v| v.to_lowercase()));
        for part in synonyms.split(w).unwrap_or_default() {
            out.extend(synonyms.variants(&part));
            out.push(part);
        }
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    out.dedup();
    out.retain(|n| !n.is_empty());
    out
}

/// A character as matching compares it: full-width folded, lowercased; `None` for what matching
/// skips (punctuation, brackets, spaces), so `平建罚[2026]12号` finds `平建罚〔2026〕12号`.
fn loose(c: char) -> Option<char> {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.is_alphanumeric()
        .then(|| c.to_lowercase().next().unwrap_or(c))
}

/// The spans (first and last char index, inclusive) of `text` where a needle occurs, compared
/// loosely.
fn loose_matches(text: &[char], needles: &[String]) -> Vec<(usize, usize)> {
    let kept: Vec<(usize, char)> = text
        .iter()
        .enumerate()
        .filter_map(|(i, c)| loose(*c).map(|l| (i, l)))
        .collect();
    let mut out = Vec::new();
    for needle in needles {
        let needle: Vec<char> = needle.chars().filter_map(loose).collect();
        if needle.is_empty() || needle.len() > kept.len() {
            continue;
        }
        for start in 0..=kept.len() - needle.len() {
            if kept[start..start + needle.len()]
                .iter()
                .zip(&needle)
                .all(|((_, a), b)| a == b)
            {
                out.push((kept[start].0, kept[start + needle.len() - 1].0));
            }
        }
    }
    out
}

/// The char index of the first loose match of a needle in `text`.
fn find_loose(text: &str, needles: &[String]) -> Option<usize> {
    let chars: Vec<char> = text.chars().collect();
    loose_matches(&chars, needles)
        .into_iter()
        .map(|(from, _)| from)
        .min()
}

/// About [`SNIPPET_CHARS`] characters of `text` around char index `at`.
fn around(text: &str, at: usize) -> String {
    let start = at.saturating_sub(SNIPPET_CHARS / 4);
    text.chars().skip(start).take(SNIPPET_CHARS).collect()
}

/// `text` HTML-escaped with every occurrence of a needle in `<mark>`. Needles are compared
/// loosely (case, full-width forms and punctuation inside a code ignored).
pub fn highlight(text: &str, needles: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut marked = vec![false; chars.len()];
    for (from, to) in loose_matches(&chars, needles) {
        marked[from..=to].iter_mut().for_each(|m| *m = true);
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
