//! From what a user typed to a tantivy query, without tantivy's query-parser syntax: users type
//! words, not a language. Parsing is lenient (quotes, brackets, operators and any punctuation
//! only separate or are ignored) and bounded (length, words, page), so no input can make a query
//! expensive or fail in the engine.
//!
//! Matching: a full match holds every word. A word matches as a phrase of its bigrams in the
//! title, names, labels or body (so any piece of two or more characters matches), or as any part
//! of a code; its synonyms and the law's forms of a wrong match too, ranked lower; a word made of
//! known words (`陪标串标`) also matches by any of its parts; its jieba words only add to the
//! score. A title match counts fully only when the body holds the word too, so a title that merely
//! mentions it ranks below documents about it. A partial match ([`QueryBuilder::partial`]) holds
//! most of the words, or most of the bigrams of a one-word query, and no full match.
//!
//! Evaluation: a word's alternatives are a lazy union ([`AnyOf`]) and "most of" is [`AtLeast`],
//! so a phrase's positions are read only in documents the rest of the query still allows; they
//! match and score as tantivy's union and minimum-match queries do (a test compares them).

use std::ops::Bound;

use chrono::NaiveDate;
use disclosure::search::{self, CjkTokenizer, Fields, Synonyms};
use disclosure::{Category, Departments, Kind, Stage};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EmptyScorer, EnableScoring,
    Explanation, Occur, PhrasePrefixQuery, Query, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

use crate::error::BadRequest;
use crate::one_char;

/// The longest query, in characters: longer than any company name with a code beside it.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words a query may have.
pub const MAX_WORDS: usize = 10;
/// The deepest page: nobody reads past it, and deep pages cost the most.
pub const MAX_PAGE: usize = 100;
/// The longest query string accepted before any parsing.
pub const MAX_QUERY_STRING_BYTES: usize = 4096;
/// The longest buyer or agency name (or code) a filter takes.
pub const MAX_NAME_CHARS: usize = 100;
/// Results per page.
pub const PER_PAGE: usize = 10;

const TITLE_BOOST: f32 = 5.0;
/// What a title match counts when the body does not hold the word.
const TITLE_ALONE_BOOST: f32 = 0.5;
/// A part of a word made of known words counts this much of the whole word.
const PART_FACTOR: f32 = 0.5;
const NAMES_BOOST: f32 = 3.0;
const META_BOOST: f32 = 2.0;
const BODY_BOOST: f32 = 1.0;
const CODE_EXACT_BOOST: f32 = 12.0;
const CODE_PART_BOOST: f32 = 6.0;
/// A synonym's match counts this much of an exact match.
const SYNONYM_FACTOR: f32 = 0.3;
/// Weight of a whole jieba word found in a title or name.
const WORDS_BOOST: f32 = 0.5;
/// A code search term shorter than this (normalised chars) is too vague for a prefix expansion.
const MIN_CODE_PART_CHARS: usize = 4;
/// The most code suffixes one prefix may expand to.
const MAX_CODE_EXPANSIONS: u32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

impl Sort {
    pub fn key(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Date => "date",
        }
    }
}

/// A validated search request: what `/search`, `/api/search` and `/search.rss` accept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchParams {
    /// The query as typed, trimmed (for showing it back).
    pub q: String,
    /// Its words, at most [`MAX_WORDS`].
    pub words: Vec<String>,
    pub kind: Option<Kind>,
    pub category: Option<Category>,
    pub department: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// 1-based.
    pub page: usize,
    pub sort: Sort,
    /// Stage key of notices and results (`award`, `candidates`, …).
    pub stage: Option<Stage>,
    /// Full matches only, never partial ones (the saved-search feed). Not a URL parameter.
    pub full_only: bool,
    /// The buyer (招标人 / 采购人), by its name as published or its credit code.
    pub buyer: Option<String>,
    /// The agency (代理机构), by its name as published or its credit code.
    pub agency: Option<String>,
}

impl SearchParams {
    pub fn has_filters(&self) -> bool {
        self.kind.is_some()
            || self.category.is_some()
            || self.stage.is_some()
            || self.department.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.buyer.is_some()
            || self.agency.is_some()
    }

    /// Parses a raw query string (`q=…&kind=…`). Unknown parameters are ignored; bad values of
    /// known ones are refused with a message naming them. `departments` validates `department`.
    pub fn parse(raw: &str, departments: &Departments) -> Result<SearchParams, BadRequest> {
        if raw.len() > MAX_QUERY_STRING_BYTES {
            return Err(BadRequest::TooLong);
        }
        let mut p = SearchParams {
            page: 1,
            ..SearchParams::default()
        };
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "q" => p.q = value.to_string(),
                "kind" if !value.is_empty() => {
                    p.kind = Some(Kind::from_key(value).ok_or(BadRequest::Field("kind"))?)
                }
                "category" if !value.is_empty() => {
                    p.category =
                        Some(Category::from_key(value).ok_or(BadRequest::Field("category"))?)
                }
                "stage" if !value.is_empty() => {
                    p.stage = Some(Stage::from_key(value).ok_or(BadRequest::Field("stage"))?)
                }
                "department" if !value.is_empty() => {
                    departments
                        .get(value)
                        .ok_or(BadRequest::Field("department"))?;
                    p.department = Some(value.to_string());
                }
                "buyer" | "agency" if !value.is_empty() => {
                    if value.chars().count() > MAX_NAME_CHARS {
                        return Err(BadRequest::Field(if key == "buyer" {
                            "buyer"
                        } else {
                            "agency"
                        }));
                    }
                    match key.as_ref() {
                        "buyer" => p.buyer = Some(value.to_string()),
                        _ => p.agency = Some(value.to_string()),
                    }
                }
                "from" if !value.is_empty() => p.from = Some(date(value, "from")?),
                "to" if !value.is_empty() => p.to = Some(date(value, "to")?),
                "page" if !value.is_empty() => {
                    p.page = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE).contains(n))
                        .ok_or(BadRequest::Page)?
                }
                "sort" if !value.is_empty() => {
                    p.sort = match value {
                        "relevance" => Sort::Relevance,
                        "date" => Sort::Date,
                        _ => return Err(BadRequest::Field("sort")),
                    }
                }
                _ => {}
            }
        }
        if p.q.chars().count() > MAX_QUERY_CHARS {
            return Err(BadRequest::QueryTooLong);
        }
        if let (Some(from), Some(to)) = (p.from, p.to) {
            if from > to {
                return Err(BadRequest::DateRange);
            }
        }
        p.words = words(&p.q);
        if p.words.len() > MAX_WORDS {
            return Err(BadRequest::TooManyWords);
        }
        if p.words.is_empty() && !p.has_filters() {
            return Err(BadRequest::Empty);
        }
        Ok(p)
    }

    /// The query string of these parameters with some changed, for links (facets, pages, sort).
    pub fn link(&self, path: &str, change: &[(&str, Option<&str>)]) -> String {
        let page = self.page.to_string();
        let from = self.from.map(|d| d.to_string());
        let to = self.to.map(|d| d.to_string());
        let mut pairs: Vec<(&str, Option<&str>)> = vec![
            ("q", Some(self.q.as_str()).filter(|q| !q.is_empty())),
            ("kind", self.kind.map(|k| k.key())),
            ("category", self.category.map(|c| c.key())),
            ("stage", self.stage.map(|s| s.key())),
            ("department", self.department.as_deref()),
            ("buyer", self.buyer.as_deref()),
            ("agency", self.agency.as_deref()),
            ("from", from.as_deref()),
            ("to", to.as_deref()),
            (
                "sort",
                (self.sort != Sort::Relevance).then_some(self.sort.key()),
            ),
            ("page", (self.page > 1).then_some(page.as_str())),
        ];
        for (key, value) in change {
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some(pair) => pair.1 = *value,
                None => pairs.push((key, *value)),
            }
        }
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        let qs = s.finish();
        if qs.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{qs}")
        }
    }
}

fn date(value: &str, field: &'static str) -> Result<NaiveDate, BadRequest> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| BadRequest::Field(field))
}

/// The words of a query: split on white space (ASCII or ideographic) and on query-language
/// operators users paste by habit; words with nothing searchable in them are dropped.
pub fn words(q: &str) -> Vec<String> {
    q.split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .map(|w| w.trim_start_matches(['+', '-']))
        .filter(|w| !matches!(*w, "AND" | "OR" | "NOT" | "&&" | "||"))
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .map(str::to_string)
        .collect()
}

/// Builds tantivy queries over the shared schema.
pub struct QueryBuilder<'a> {
    pub fields: &'a Fields,
    pub synonyms: &'a Synonyms,
}

impl QueryBuilder<'_> {
    /// The full-match query: every word (exactly, by a synonym or by a part), ranking boosts and
    /// filters.
    pub fn build(&self, p: &SearchParams) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in &p.words {
            clauses.push((Occur::Must, self.word(w)));
        }
        self.finish(p, clauses)
    }

    /// The partial-match query: documents holding most of the words (a word may match by most of
    /// its bigrams), or, for one word, most of its bigrams. Full matches may match it too: the
    /// engine leaves them out (tantivy's exclusion of phrase queries is not used). `None` when a
    /// partial match cannot differ from a full one (no words, one short word).
    pub fn partial(&self, p: &SearchParams) -> Option<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match p.words.as_slice() {
            [] => return None,
            [w] => clauses.push((Occur::Must, self.fragment(w)?)),
            words => {
                let units: Vec<Box<dyn Query>> = words
                    .iter()
                    .map(|w| match self.fragment(w) {
                        Some(f) => Box::new(AnyOf::new(vec![self.word(w), f])) as Box<dyn Query>,
                        None => self.word(w),
                    })
                    .collect();
                let need = words.len().div_ceil(2);
                clauses.push((Occur::Must, Box::new(AtLeast::new(units, need))));
            }
        }
        Some(self.finish(p, clauses))
    }

    /// The word clauses with the jieba ranking boosts and the filters.
    fn finish(
        &self,
        p: &SearchParams,
        mut clauses: Vec<(Occur, Box<dyn Query>)>,
    ) -> Box<dyn Query> {
        // One optional clause: it only adds to the score of documents the rest matches, so it is
        // read only where they are.
        let mut boosts: Vec<Box<dyn Query>> = Vec::new();
        for w in &p.words {
            for word in search::jieba_words(w) {
                if word.chars().count() >= 2 {
                    let term = Term::from_field_text(self.fields.words, &word);
                    boosts.push(Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                        WORDS_BOOST,
                    )));
                }
            }
        }
        if !boosts.is_empty() {
            clauses.push((Occur::Should, Box::new(AnyOf::new(boosts))));
        }
        for filter in self.filters(p) {
            clauses.push((Occur::Must, filter));
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The filters of `p` as non-scoring required clauses.
    fn filters(&self, p: &SearchParams) -> Vec<Box<dyn Query>> {
        let f = self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        let raw = |field, value: &str| -> Box<dyn Query> {
            Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )),
                0.0,
            ))
        };
        if let Some(kind) = p.kind {
            out.push(raw(f.kind, kind.key()));
        }
        if let Some(category) = p.category {
            out.push(raw(f.category, category.key()));
        }
        if let Some(stage) = p.stage {
            out.push(raw(f.stage, stage.key()));
        }
        if let Some(department) = &p.department {
            out.push(raw(f.department, department));
        }
        // A buyer or agency by its credit code (every name it went by), else by its name.
        for (value, name, code) in [
            (&p.buyer, f.buyer, f.buyer_code),
            (&p.agency, f.agency, f.agency_code),
        ] {
            if let Some(value) = value {
                let upper = value.to_ascii_uppercase();
                out.push(match disclosure::ident::check_uscc(&upper) {
                    Ok(_) => raw(code, &upper),
                    Err(_) => raw(name, value),
                });
            }
        }
        if p.from.is_some() || p.to.is_some() {
            let bound = |d: Option<NaiveDate>| match d {
                Some(d) => Bound::Included(Term::from_field_i64(f.date, search::date_value(d))),
                None => Bound::Unbounded,
            };
            out.push(Box::new(ConstScoreQuery::new(
                Box::new(RangeQuery::new(bound(p.from), bound(p.to))),
                0.0,
            )));
        }
        out
    }

    /// One word, exactly: its phrase in any text field, any part of a code, a synonym, or, for
    /// a word made of known words, any of its parts (and their synonyms).
    pub fn word(&self, w: &str) -> Box<dyn Query> {
        let mut alternatives = self.phrase_everywhere(w, 1.0);
        alternatives.extend(self.code(w));
        for variant in self.synonyms.variants(w) {
            alternatives.extend(self.phrase_everywhere(&variant, SYNONYM_FACTOR));
        }
        for part in self.synonyms.split(w).unwrap_or_default() {
            alternatives.extend(self.phrase_everywhere(&part, PART_FACTOR));
            for variant in self.synonyms.variants(&part) {
                alternatives.extend(self.phrase_everywhere(&variant, PART_FACTOR * SYNONYM_FACTOR));
            }
        }
        if alternatives.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(AnyOf::new(alternatives))
    }

    fn phrase_everywhere(&self, w: &str, factor: f32) -> Vec<Box<dyn Query>> {
        let tokens = CjkTokenizer::query().tokens(w);
        if tokens.is_empty() {
            return Vec::new();
        }
        let f = self.fields;
        let phrase = |field| -> Box<dyn Query> {
            if tokens.len() == 1 {
                one_char::token(field, &tokens[0].1)
            } else {
                one_char::phrase(field, &tokens)
            }
        };
        let boosted = |q: Box<dyn Query>, boost: f32| -> Box<dyn Query> {
            Box::new(BoostQuery::new(q, boost * factor))
        };
        let mut out = vec![
            boosted(phrase(f.names), NAMES_BOOST),
            boosted(phrase(f.meta), META_BOOST),
        ];
        if factor < 1.0 {
            // Synonyms and parts: a plain title boost (they already rank below the word).
            out.push(boosted(phrase(f.body), BODY_BOOST));
            out.push(boosted(phrase(f.title), TITLE_BOOST));
        } else {
            // The title counts fully when the body holds the word too: a title that only
            // mentions it in passing ranks below documents about it.
            out.push(Box::new(TitleAndBody {
                body: phrase(f.body),
                title: phrase(f.title),
                weights: TitleAndBodyWeights {
                    body: BODY_BOOST,
                    title_alone: TITLE_ALONE_BOOST,
                    about: TITLE_BOOST - TITLE_ALONE_BOOST,
                },
            }));
        }
        out
    }

    /// A word as a code: the whole code exactly (ranked first), or any part of one.
    fn code(&self, w: &str) -> Vec<Box<dyn Query>> {
        let code = search::normalize_code(w);
        let chars = code.chars().count();
        let has_ascii = code.chars().any(|c| c.is_ascii_alphanumeric());
        if !has_ascii || chars < MIN_CODE_PART_CHARS {
            return Vec::new();
        }
        let f = self.fields;
        let exact = TermQuery::new(
            Term::from_field_text(f.code, &code),
            IndexRecordOption::Basic,
        );
        let mut part = PhrasePrefixQuery::new(vec![Term::from_field_text(f.codes, &code)]);
        part.set_max_expansions(MAX_CODE_EXPANSIONS);
        vec![
            Box::new(ConstScoreQuery::new(Box::new(exact), CODE_EXACT_BOOST)),
            Box::new(ConstScoreQuery::new(Box::new(part), CODE_PART_BOOST)),
        ]
    }

    /// One word by most of its bigrams, in any text field (a name cut short or worded a little
    /// differently); `None` for a word of two bigrams or fewer.
    fn fragment(&self, w: &str) -> Option<Box<dyn Query>> {
        let tokens = CjkTokenizer::query().tokens(w);
        if tokens.len() <= 2 {
            return None;
        }
        let f = self.fields;
        let per_token: Vec<Box<dyn Query>> = tokens
            .iter()
            .map(|(_, t)| {
                let fields: Vec<Box<dyn Query>> = [
                    (f.title, TITLE_BOOST),
                    (f.names, NAMES_BOOST),
                    (f.meta, META_BOOST),
                    (f.body, BODY_BOOST),
                ]
                .into_iter()
                .map(|(field, boost)| {
                    Box::new(BoostQuery::new(one_char::token(field, t), boost)) as Box<dyn Query>
                })
                .collect();
                Box::new(AnyOf::new(fields)) as Box<dyn Query>
            })
            .collect();
        let n = per_token.len();
        let need = (n * 3).div_ceil(5).max(2).min(n);
        Some(Box::new(AtLeast::new(per_token, need)))
    }
}

/// A union that is only as eager as its use: where tantivy's union reads every alternative over a
/// window of 4,096 documents ahead (and scores each), this one moves an alternative only to the
/// document asked for, and scores only the documents that match the whole query. A word's
/// alternatives (its phrase in five fields, its synonyms, its parts) are phrase queries that read
/// positions: inside an intersection with the other words of a query, or under a required
/// clause, a union that reads ahead checks phrases in thousands of documents the intersection
/// never visits. Matches and scores are those of [`BooleanQuery::union`] (the sum of the
/// alternatives' scores, added in the same order).
#[derive(Debug)]
pub struct AnyOf(Vec<Box<dyn Query>>);

impl Clone for AnyOf {
    fn clone(&self) -> AnyOf {
        AnyOf(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl AnyOf {
    pub fn new(alternatives: Vec<Box<dyn Query>>) -> AnyOf {
        AnyOf(alternatives)
    }
}

impl Query for AnyOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(AnyOfWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.0 {
            q.query_terms(visitor);
        }
    }
}

struct AnyOfWeight(Vec<Box<dyn Weight>>);

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        any_of_scorer(&self.0, reader, boost, None)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut details = Vec::new();
        for w in &self.0 {
            if let Ok(e) = w.explain(reader, doc) {
                details.push(e);
            }
        }
        if details.is_empty() {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut e = Explanation::new("sum of", details.iter().map(Explanation::value).sum());
        for d in details {
            e.add_detail(d);
        }
        Ok(e)
    }
}

/// One alternative of [`AnyOfScorer`]: where it is (`valid`), or, after a `seek_danger` that
/// missed, a lower bound of where its next match is (`!valid`: it then only takes
/// `seek_danger` calls until one finds, as tantivy's contract requires).
struct Alternative {
    scorer: Box<dyn Scorer>,
    doc: DocId,
    valid: bool,
    /// Its place among the queries it was made from.
    slot: usize,
}

impl Alternative {
    /// Back to a valid state at its first match at or after `target` (≥ its lower bound).
    fn settle(&mut self, target: DocId) {
        let mut t = target.max(self.doc);
        loop {
            if t >= TERMINATED {
                self.doc = TERMINATED;
                break;
            }
            match self.scorer.seek_danger(t) {
                SeekDangerResult::Found => {
                    self.doc = t;
                    break;
                }
                SeekDangerResult::SeekLowerBound(lower) => t = lower,
            }
        }
        self.valid = true;
    }
}

struct AnyOfScorer {
    subs: Vec<Alternative>,
    /// The union's document (a lower bound after a `seek_danger` that missed).
    doc: DocId,
    /// How [`TitleAndBody`] weighs its two alternatives; `None`: the sum.
    title_and_body: Option<TitleAndBodyWeights>,
}

/// The scorer of the queries of `weights`, read lazily.
fn any_of_scorer(
    weights: &[Box<dyn Weight>],
    reader: &SegmentReader,
    boost: Score,
    title_and_body: Option<TitleAndBodyWeights>,
) -> tantivy::Result<Box<dyn Scorer>> {
    let mut subs = Vec::with_capacity(weights.len());
    for (slot, w) in weights.iter().enumerate() {
        let scorer = w.scorer(reader, boost)?;
        let doc = scorer.doc();
        if doc != TERMINATED {
            subs.push(Alternative {
                scorer,
                doc,
                valid: true,
                slot,
            });
        }
    }
    if subs.is_empty() {
        return Ok(Box::new(EmptyScorer));
    }
    let doc = subs.iter().map(|s| s.doc).min().unwrap_or(TERMINATED);
    Ok(Box::new(AnyOfScorer {
        subs,
        doc,
        title_and_body,
    }))
}

impl AnyOfScorer {
    fn settle_all(&mut self) {
        for s in &mut self.subs {
            if !s.valid {
                s.settle(s.doc);
            }
        }
    }

    fn current(&mut self) -> DocId {
        if self.title_and_body.is_none() {
            self.subs.retain(|s| s.doc != TERMINATED);
        }
        self.doc = self.subs.iter().map(|s| s.doc).min().unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        self.settle_all();
        let at = self.doc;
        for s in &mut self.subs {
            if s.doc == at {
                s.doc = s.scorer.advance();
            }
        }
        self.current()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target && self.subs.iter().all(|s| s.valid) {
            return self.doc;
        }
        for s in &mut self.subs {
            if !s.valid {
                s.settle(target);
            } else if s.doc < target {
                s.doc = s.scorer.seek(target);
            }
        }
        self.current()
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let mut found = false;
        for s in &mut self.subs {
            if s.doc > target || (s.doc == target && s.valid) {
                found |= s.doc == target;
                continue;
            }
            match s.scorer.seek_danger(target) {
                SeekDangerResult::Found => {
                    s.doc = target;
                    s.valid = true;
                    found = true;
                }
                SeekDangerResult::SeekLowerBound(lower) => {
                    s.doc = lower;
                    s.valid = false;
                }
            }
        }
        if found {
            self.doc = target;
            SeekDangerResult::Found
        } else {
            let lower = self.subs.iter().map(|s| s.doc).min().unwrap_or(TERMINATED);
            self.doc = lower;
            SeekDangerResult::SeekLowerBound(lower.max(target + 1))
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.subs
            .iter()
            .map(|s| s.scorer.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.subs
            .iter()
            .map(|s| s.scorer.cost())
            .fold(0u64, u64::saturating_add)
    }
}

impl Scorer for AnyOfScorer {
    fn score(&mut self) -> Score {
        let at = self.doc;
        if let Some(w) = self.title_and_body {
            let (mut body, mut title) = (None, None);
            for s in &mut self.subs {
                if s.doc == at && s.valid {
                    let score = s.scorer.score();
                    match s.slot {
                        0 => body = Some(score),
                        _ => title = Some(score),
                    }
                }
            }
            return match (body, title) {
                (Some(b), Some(t)) => b * w.body + t * w.title_alone + (t + b) * w.about,
                (Some(b), None) => b * w.body,
                (None, Some(t)) => t * w.title_alone,
                (None, None) => 0.0,
            };
        }
        let mut sum = 0.0;
        for s in &mut self.subs {
            if s.doc == at && s.valid {
                sum += s.scorer.score();
            }
        }
        sum
    }
}

/// A word in the body and in the title, scored as the union of the body's match, the title's
/// match boosted by `title_alone`, and, when both match, both boosted by `about` (the body holds
/// the word: the title is about it) — reading each field's positions once, where the union with
/// an intersection of the two read them twice.
#[derive(Debug)]
pub struct TitleAndBody {
    body: Box<dyn Query>,
    title: Box<dyn Query>,
    weights: TitleAndBodyWeights,
}

#[derive(Debug, Clone, Copy)]
struct TitleAndBodyWeights {
    body: Score,
    title_alone: Score,
    about: Score,
}

impl Clone for TitleAndBody {
    fn clone(&self) -> TitleAndBody {
        TitleAndBody {
            body: self.body.box_clone(),
            title: self.title.box_clone(),
            weights: self.weights,
        }
    }
}

impl Query for TitleAndBody {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(TitleAndBodyWeight {
            weights: [
                self.body.weight(enable_scoring)?,
                self.title.weight(enable_scoring)?,
            ],
            boosts: self.weights,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.body.query_terms(visitor);
        self.title.query_terms(visitor);
    }
}

struct TitleAndBodyWeight {
    /// Body, then title.
    weights: [Box<dyn Weight>; 2],
    boosts: TitleAndBodyWeights,
}

impl Weight for TitleAndBodyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        any_of_scorer(&self.weights, reader, boost, Some(self.boosts))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let body = self.weights[0].explain(reader, doc).ok();
        let title = self.weights[1].explain(reader, doc).ok();
        let w = self.boosts;
        let value = match (&body, &title) {
            (Some(b), Some(t)) => {
                b.value() * w.body + t.value() * w.title_alone + (t.value() + b.value()) * w.about
            }
            (Some(b), None) => b.value() * w.body,
            (None, Some(t)) => t.value() * w.title_alone,
            (None, None) => {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "document {doc} does not match"
                )))
            }
        };
        let mut e = Explanation::new("body, title, and both", value);
        for d in body.into_iter().chain(title) {
            e.add_detail(d);
        }
        Ok(e)
    }
}

/// Documents that match at least `need` of the queries, scored by the sum of those that match —
/// the matches and scores of [`BooleanQuery::union_with_minimum_required_clauses`], found with
/// less reading: a document matching `need` of `n` queries matches one of any `n - need + 1` of
/// them, so the cheapest `n - need + 1` lead, and the others are only asked about the documents
/// the lead proposes, and only while they can still decide the match (or add to the score of a
/// match). The most common word of a partial query is then never read through.
#[derive(Debug)]
pub struct AtLeast {
    queries: Vec<Box<dyn Query>>,
    need: usize,
}

impl AtLeast {
    pub fn new(queries: Vec<Box<dyn Query>>, need: usize) -> AtLeast {
        AtLeast {
            queries,
            need: need.max(1),
        }
    }
}

impl Clone for AtLeast {
    fn clone(&self) -> AtLeast {
        AtLeast {
            queries: self.queries.iter().map(|q| q.box_clone()).collect(),
            need: self.need,
        }
    }
}

impl Query for AtLeast {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .queries
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(AtLeastWeight {
            weights,
            need: self.need,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.queries {
            q.query_terms(visitor);
        }
    }
}

struct AtLeastWeight {
    weights: Vec<Box<dyn Weight>>,
    need: usize,
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut units = Vec::with_capacity(self.weights.len());
        for (slot, w) in self.weights.iter().enumerate() {
            let scorer = w.scorer(reader, boost)?;
            let doc = scorer.doc();
            if doc != TERMINATED {
                units.push(Alternative {
                    scorer,
                    doc,
                    valid: true,
                    slot,
                });
            }
        }
        if units.len() < self.need {
            return Ok(Box::new(EmptyScorer));
        }
        units.sort_by_key(|u| u.scorer.cost());
        let tail = units.split_off(units.len() - self.need + 1);
        let mut scorer = AtLeastScorer {
            lead: units,
            tail,
            need: self.need,
            doc: 0,
        };
        scorer.find();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let details: Vec<Explanation> = self
            .weights
            .iter()
            .filter_map(|w| w.explain(reader, doc).ok())
            .collect();
        if details.len() < self.need {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} matches {} of the {} required",
                details.len(),
                self.need
            )));
        }
        let mut e = Explanation::new("sum of", details.iter().map(Explanation::value).sum());
        for d in details {
            e.add_detail(d);
        }
        Ok(e)
    }
}

struct AtLeastScorer {
    /// Always valid, read through: every match is on one of them.
    lead: Vec<Alternative>,
    /// Asked (`seek_danger`) only about the lead's candidates, in increasing order.
    tail: Vec<Alternative>,
    need: usize,
    doc: DocId,
}

/// Whether `unit` matches `doc`, asking it if it has not been asked yet. `doc` never decreases
/// between calls, as `seek_danger` requires.
fn holds(unit: &mut Alternative, doc: DocId) -> bool {
    if unit.doc > doc {
        return false;
    }
    if unit.doc == doc && unit.valid {
        return true;
    }
    match unit.scorer.seek_danger(doc) {
        SeekDangerResult::Found => {
            unit.doc = doc;
            unit.valid = true;
            true
        }
        SeekDangerResult::SeekLowerBound(lower) => {
            unit.doc = lower;
            unit.valid = false;
            false
        }
    }
}

impl AtLeastScorer {
    /// Moves to the first match at or after where the lead stands.
    fn find(&mut self) -> DocId {
        loop {
            let candidate = self.lead.iter().map(|u| u.doc).min().unwrap_or(TERMINATED);
            if candidate == TERMINATED {
                self.doc = TERMINATED;
                return TERMINATED;
            }
            let mut count = self.lead.iter().filter(|u| u.doc == candidate).count();
            let mut left = self.tail.len();
            for unit in &mut self.tail {
                if count >= self.need || count + left < self.need {
                    break;
                }
                left -= 1;
                if holds(unit, candidate) {
                    count += 1;
                }
            }
            if count >= self.need {
                self.doc = candidate;
                return candidate;
            }
            for unit in &mut self.lead {
                if unit.doc == candidate {
                    unit.doc = unit.scorer.advance();
                }
            }
        }
    }
}

impl DocSet for AtLeastScorer {
    fn advance(&mut self) -> DocId {
        let at = self.doc;
        if at == TERMINATED {
            return TERMINATED;
        }
        for unit in &mut self.lead {
            if unit.doc == at {
                unit.doc = unit.scorer.advance();
            }
        }
        self.find()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for unit in &mut self.lead {
            if unit.doc < target {
                unit.doc = unit.scorer.seek(target);
            }
        }
        self.find()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.lead
            .iter()
            .map(|u| u.scorer.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.lead
            .iter()
            .chain(&self.tail)
            .map(|u| u.scorer.cost())
            .fold(0u64, u64::saturating_add)
    }
}

impl Scorer for AtLeastScorer {
    fn score(&mut self) -> Score {
        let at = self.doc;
        let mut sum = 0.0;
        for unit in &mut self.lead {
            if unit.doc == at {
                sum += unit.scorer.score();
            }
        }
        for unit in &mut self.tail {
            if holds(unit, at) {
                sum += unit.scorer.score();
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::PhraseQuery;

    /// An index of random sentences over a small vocabulary in three segments, so that words
    /// are common, phrases sometimes match, and unions and intersections skip about.
    fn random_index() -> (tantivy::Index, tantivy::schema::Field) {
        use tantivy::schema::{Schema, TEXT};
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT);
        let index = tantivy::Index::create_in_ram(b.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for segment in 0..3 {
            for _ in 0..1500 {
                let len = 1 + next() % 6;
                // Rarer words further down the vocabulary.
                let sentence: Vec<&str> = (0..len)
                    .map(|_| words[(next() % 64 + 1).ilog2() as usize + next() % 2])
                    .collect();
                writer
                    .add_document(tantivy::doc!(text => sentence.join(" ")))
                    .unwrap();
            }
            writer.commit().unwrap();
            assert!(segment < 3);
        }
        (index, text)
    }

    /// Every match with its score, in document order.
    fn matches(searcher: &tantivy::Searcher, q: &dyn Query) -> Vec<(DocAddressKey, f32)> {
        let top = searcher
            .search(
                q,
                &tantivy::collector::TopDocs::with_limit(100_000).order_by_score(),
            )
            .unwrap();
        let mut out: Vec<(DocAddressKey, f32)> = top
            .into_iter()
            .map(|(score, a)| ((a.segment_ord, a.doc_id), score))
            .collect();
        out.sort_by_key(|(a, _)| *a);
        out
    }

    /// The same documents with the same scores (to float rounding); the first difference.
    fn same(ours: &[(DocAddressKey, f32)], theirs: &[(DocAddressKey, f32)]) -> Result<(), String> {
        if ours.len() != theirs.len() {
            return Err(format!("{} matches, not {}", ours.len(), theirs.len()));
        }
        for (a, b) in ours.iter().zip(theirs) {
            if a.0 != b.0 || (a.1 - b.1).abs() > 1e-5 * b.1.abs().max(1.0) {
                return Err(format!("{a:?} where tantivy has {b:?}"));
            }
        }
        Ok(())
    }

    type DocAddressKey = (u32, u32);

    #[test]
    fn lazy_unions_and_at_least_match_and_score_as_tantivy_does() {
        let (index, field) = random_index();
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let phrase = |a: &str, b: &str| -> Box<dyn Query> {
            Box::new(PhraseQuery::new(vec![
                Term::from_field_text(field, a),
                Term::from_field_text(field, b),
            ]))
        };
        let boosted = |q: Box<dyn Query>, boost: f32| -> Box<dyn Query> {
            Box::new(BoostQuery::new(q, boost))
        };
        // Alternatives as a word has them: phrases and terms, boosted.
        let alternatives = |x: &str, y: &str| -> Vec<Box<dyn Query>> {
            vec![
                boosted(phrase(x, y), 3.0),
                boosted(term(y), 0.5),
                phrase(y, x),
            ]
        };
        let pairs = [("a", "b"), ("c", "d"), ("e", "f"), ("g", "h"), ("b", "g")];
        let mut checked = 0;
        for (i, (x, y)) in pairs.iter().enumerate() {
            let ours: Box<dyn Query> = Box::new(AnyOf::new(alternatives(x, y)));
            let theirs: Box<dyn Query> = Box::new(BooleanQuery::union(alternatives(x, y)));
            let r = same(&matches(&searcher, &*ours), &matches(&searcher, &*theirs));
            assert_eq!(r, Ok(()), "{x} {y}");
            // Inside an intersection (seek_danger) and under a required clause (seek).
            for (a, b) in pairs.iter().skip(i + 1) {
                for other in [
                    term(a),
                    phrase(a, b),
                    Box::new(AnyOf::new(alternatives(a, b))),
                ] {
                    let with = |q: Box<dyn Query>| -> Box<dyn Query> {
                        Box::new(BooleanQuery::new(vec![
                            (Occur::Must, q),
                            (Occur::Must, other.box_clone()),
                            (Occur::Should, term(b)),
                        ]))
                    };
                    let ours = matches(&searcher, &*with(Box::new(AnyOf::new(alternatives(x, y)))));
                    let theirs = matches(
                        &searcher,
                        &*with(Box::new(BooleanQuery::union(alternatives(x, y)))),
                    );
                    assert_eq!(same(&ours, &theirs), Ok(()), "{x} {y} with {a} {b}");
                    checked += ours.len();
                }
            }
        }
        // A word's body and title alternatives, fused, as the union they replace.
        for (x, y) in pairs {
            let fused: Box<dyn Query> = Box::new(TitleAndBody {
                body: term(x),
                title: phrase(x, y),
                weights: TitleAndBodyWeights {
                    body: BODY_BOOST,
                    title_alone: TITLE_ALONE_BOOST,
                    about: TITLE_BOOST - TITLE_ALONE_BOOST,
                },
            });
            let about =
                BooleanQuery::new(vec![(Occur::Must, phrase(x, y)), (Occur::Must, term(x))]);
            let union: Box<dyn Query> = Box::new(BooleanQuery::union(vec![
                boosted(term(x), BODY_BOOST),
                boosted(phrase(x, y), TITLE_ALONE_BOOST),
                boosted(Box::new(about), TITLE_BOOST - TITLE_ALONE_BOOST),
            ]));
            let found = matches(&searcher, &*fused);
            let r = same(&found, &matches(&searcher, &*union));
            assert_eq!(r, Ok(()), "{x} {y}");
            checked += found.len();
        }
        // At least `need` of several units, alone and in an intersection.
        for need in 1..=4 {
            let units = || -> Vec<Box<dyn Query>> {
                pairs
                    .iter()
                    .map(|(x, y)| Box::new(AnyOf::new(alternatives(x, y))) as Box<dyn Query>)
                    .collect()
            };
            let ours: Box<dyn Query> = Box::new(AtLeast::new(units(), need));
            let theirs: Box<dyn Query> = Box::new(
                BooleanQuery::union_with_minimum_required_clauses(units(), need),
            );
            let found = matches(&searcher, &*ours);
            let r = same(&found, &matches(&searcher, &*theirs));
            assert_eq!(r, Ok(()), "need {need}");
            assert!(!found.is_empty(), "need {need}");
            for filter in ["a", "h"] {
                let with = |q: Box<dyn Query>| -> Box<dyn Query> {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, q),
                        (Occur::Must, term(filter)),
                    ]))
                };
                let r = same(
                    &matches(&searcher, &*with(Box::new(AtLeast::new(units(), need)))),
                    &matches(
                        &searcher,
                        &*with(Box::new(BooleanQuery::union_with_minimum_required_clauses(
                            units(),
                            need,
                        ))),
                    ),
                );
                assert_eq!(r, Ok(()), "need {need} with {filter}");
            }
            checked += found.len();
        }
        assert!(checked > 1000, "{checked}");
    }

    fn departments() -> Departments {
        Departments::parse(
            "departments.toml",
            "[[department]]\nid = \"zjj\"\nname = \"住建局\"\nshort = \"住建局\"\nemail = \"a@b.c\"\nfallback = true\n",
        )
        .unwrap()
    }

    #[test]
    fn lenient_words() {
        assert_eq!(
            words("  鹰城建设\u{3000}AND (\"串标\")  +PDSJT-2026 -- ()"),
            vec!["鹰城建设", "(\"串标\")", "PDSJT-2026"]
        );
    }

    #[test]
    fn bad_parameters_name_themselves() {
        let d = departments();
        assert_eq!(SearchParams::parse("q=", &d), Err(BadRequest::Empty));
        assert_eq!(
            SearchParams::parse("q=a&page=1000000000", &d),
            Err(BadRequest::Page)
        );
        assert_eq!(SearchParams::parse("q=a&page=x", &d), Err(BadRequest::Page));
        assert_eq!(
            SearchParams::parse("q=a&kind=x", &d),
            Err(BadRequest::Field("kind"))
        );
        assert_eq!(
            SearchParams::parse("q=a&department=x", &d),
            Err(BadRequest::Field("department"))
        );
        assert_eq!(
            SearchParams::parse("q=a&from=2026-13-01", &d),
            Err(BadRequest::Field("from"))
        );
        assert_eq!(
            SearchParams::parse("q=a&from=2026-02-01&to=2026-01-01", &d),
            Err(BadRequest::DateRange)
        );
        let long = format!("q={}", "字".repeat(201));
        assert_eq!(
            SearchParams::parse(&long, &d),
            Err(BadRequest::QueryTooLong)
        );
        assert_eq!(
            SearchParams::parse("q=a+b+c+d+e+f+g+h+i+j+k", &d),
            Err(BadRequest::TooManyWords)
        );
        let p = SearchParams::parse("q=%E9%B9%B0%E5%9F%8E&kind=notice&page=2&utm=1", &d).unwrap();
        assert_eq!(
            (p.words.as_slice(), p.kind, p.page),
            (&["鹰城".to_string()][..], Some(Kind::Notice), 2)
        );
        assert_eq!(
            p.link("/search", &[("page", None)]),
            "/search?q=%E9%B9%B0%E5%9F%8E&kind=notice"
        );
    }
}
