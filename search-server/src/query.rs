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

use std::ops::Bound;

use chrono::NaiveDate;
use disclosure::search::{self, CjkTokenizer, Fields, Synonyms};
use disclosure::{Category, Departments, Kind, Stage};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::error::BadRequest;

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
                        Some(f) => {
                            Box::new(BooleanQuery::union(vec![self.word(w), f])) as Box<dyn Query>
                        }
                        None => self.word(w),
                    })
                    .collect();
                let need = words.len().div_ceil(2);
                clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::union_with_minimum_required_clauses(
                        units, need,
                    )),
                ));
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
        for w in &p.words {
            for word in search::jieba_words(w) {
                if word.chars().count() >= 2 {
                    let term = Term::from_field_text(self.fields.words, &word);
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                            WORDS_BOOST,
                        )),
                    ));
                }
            }
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
        Box::new(BooleanQuery::union(alternatives))
    }

    fn phrase_everywhere(&self, w: &str, factor: f32) -> Vec<Box<dyn Query>> {
        let tokens = CjkTokenizer::query().tokens(w);
        if tokens.is_empty() {
            return Vec::new();
        }
        let f = self.fields;
        let phrase = |field| -> Box<dyn Query> {
            if tokens.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &tokens[0].1),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new_with_offset(
                    tokens
                        .iter()
                        .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
                        .collect(),
                ))
            }
        };
        let boosted = |q: Box<dyn Query>, boost: f32| -> Box<dyn Query> {
            Box::new(BoostQuery::new(q, boost * factor))
        };
        let mut out = vec![
            boosted(phrase(f.names), NAMES_BOOST),
            boosted(phrase(f.meta), META_BOOST),
            boosted(phrase(f.body), BODY_BOOST),
        ];
        if factor < 1.0 {
            // Synonyms and parts: a plain title boost (they already rank below the word).
            out.push(boosted(phrase(f.title), TITLE_BOOST));
        } else {
            // The title counts fully when the body holds the word too: a title that only
            // mentions it in passing ranks below documents about it.
            let about = BooleanQuery::new(vec![
                (Occur::Must, phrase(f.title)),
                (Occur::Must, phrase(f.body)),
            ]);
            out.push(boosted(phrase(f.title), TITLE_ALONE_BOOST));
            out.push(boosted(Box::new(about), TITLE_BOOST - TITLE_ALONE_BOOST));
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
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, t),
                            IndexRecordOption::WithFreqs,
                        )),
                        boost,
                    )) as Box<dyn Query>
                })
                .collect();
                Box::new(BooleanQuery::union(fields)) as Box<dyn Query>
            })
            .collect();
        let n = per_token.len();
        let need = (n * 3).div_ceil(5).max(2).min(n);
        Some(Box::new(BooleanQuery::union_with_minimum_required_clauses(
            per_token, need,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
