//! Queries for a Han character alone, over an index that holds no single characters but the
//! last of each run ([`search::CjkTokenizer::index`]).
//!
//! Every position of a run of Han characters holds exactly one token, the one that starts with
//! the character there: the bigram it begins, or the character itself where it ends the run. So
//! the occurrences of a character are the postings of the terms that start with it.
//! [`CharQuery`] reads them as one term: a document's frequency is the sum of theirs, the
//! document frequency is the number of documents holding any of them, and BM25 scores them as
//! it would score a term of the character alone. [`phrase`] puts a character inside a phrase as
//! a regular expression for those terms.

use std::collections::HashMap;
use std::sync::Arc;

use disclosure::search;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::TermInfo;
use tantivy::query::{
    wildcard_query_to_regex_str, Bm25StatisticsProvider, Bm25Weight, EnableScoring, Explanation,
    PhraseQuery, Query, RegexPhraseQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

/// The most terms a phrase's characters may stand for together. A character is followed by a few
/// thousand others at most in any real text; this only keeps a pathological index from turning a
/// query into a scan of its dictionary.
const MAX_EXPANSIONS: u32 = 1 << 20;

/// The query of one query token in `field`: the term itself, or every occurrence of a character.
pub fn token(field: Field, token: &str) -> Box<dyn Query> {
    if search::is_one_han(token) {
        Box::new(CharQuery::new(Term::from_field_text(field, token)))
    } else {
        Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        ))
    }
}

/// The phrase of query tokens (two or more, with their positions) in `field`. A phrase without a
/// lone character is a plain phrase; one with a character (`12号`, `A座`) asks for the terms that
/// start with it at its position.
pub fn phrase(field: Field, tokens: &[(usize, String)]) -> Box<dyn Query> {
    let terms = tokens
        .iter()
        .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
        .collect();
    if !tokens.iter().any(|(_, t)| search::is_one_han(t)) {
        return Box::new(PhraseQuery::new_with_offset(terms));
    }
    let patterns = tokens
        .iter()
        .map(|(pos, t)| {
            let exact = wildcard_query_to_regex_str(t);
            let pattern = if search::is_one_han(t) {
                format!("{exact}.?")
            } else {
                exact
            };
            (*pos, pattern)
        })
        .collect();
    let mut inner = RegexPhraseQuery::new_with_offset(field, patterns);
    inner.set_max_expansions(MAX_EXPANSIONS);
    Box::new(CharPhrase { inner, terms })
}

/// A phrase holding a lone character: tantivy's regular-expression phrase, which reports no
/// terms; this reports the tokens themselves, as the phrase it replaces did, so the fragment a
/// snippet shows is picked for them.
#[derive(Debug, Clone)]
struct CharPhrase {
    inner: RegexPhraseQuery,
    terms: Vec<(usize, Term)>,
}

impl Query for CharPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        match enable_scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } => self.inner.weight(EnableScoring::Enabled {
                searcher,
                statistics_provider: &CharStatistics {
                    inner: statistics_provider,
                    searcher,
                },
            }),
            disabled => self.inner.weight(disabled),
        }
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

/// The statistics BM25 reads for a phrase, in which the pattern of a lone character counts the
/// documents holding the character (tantivy would look the pattern up as a term, find none, and
/// weigh the phrase as if the character were the rarest of words). The other tokens' patterns
/// are the tokens themselves: letters, digits and Han characters need no escaping.
struct CharStatistics<'a> {
    inner: &'a dyn Bm25StatisticsProvider,
    searcher: &'a Searcher,
}

impl Bm25StatisticsProvider for CharStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.inner.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.inner.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let value = term.value();
        let character = value
            .as_str()
            .and_then(|pattern| pattern.strip_suffix(".?"))
            .filter(|c| search::is_one_han(c));
        match character {
            Some(c) => doc_freq(self.searcher, &Term::from_field_text(term.field(), c)),
            None => self.inner.doc_freq(term),
        }
    }
}

/// Every occurrence of one Han character in a field, matched and scored as a term of it.
#[derive(Debug, Clone)]
pub struct CharQuery {
    term: Term,
}

impl CharQuery {
    /// `term` is the character, in the field to search.
    pub fn new(term: Term) -> CharQuery {
        CharQuery { term }
    }
}

/// The documents of a segment holding the character, in order, with how often each holds it.
type Occurrences = Arc<Vec<(DocId, u32)>>;

/// The occurrences of the character `term` names in one segment: the postings of every term
/// that starts with it, added up per document.
fn occurrences(reader: &SegmentReader, term: &Term) -> tantivy::Result<Occurrences> {
    let (inverted, infos) = terms_starting_with(reader, term)?;
    if infos.is_empty() {
        return Ok(Arc::new(Vec::new()));
    }
    let mut freqs = vec![0u32; reader.max_doc() as usize];
    for info in &infos {
        let mut block =
            inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        loop {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            for (doc, freq) in docs.iter().zip(block.freqs()) {
                freqs[*doc as usize] += freq;
            }
            block.advance();
        }
    }
    let found = freqs
        .iter()
        .enumerate()
        .filter(|(_, f)| **f > 0)
        .map(|(doc, f)| (doc as DocId, *f))
        .collect();
    Ok(Arc::new(found))
}

/// The segment's inverted index of `term`'s field, and the entries of its dictionary that start
/// with `term`: for a character, the bigrams it begins and itself.
fn terms_starting_with(
    reader: &SegmentReader,
    term: &Term,
) -> tantivy::Result<(Arc<InvertedIndexReader>, Vec<TermInfo>)> {
    let inverted = reader.inverted_index(term.field())?;
    let prefix = term.serialized_value_bytes();
    let mut infos = Vec::new();
    let mut stream = inverted.terms().range().ge(prefix).into_stream()?;
    while stream.advance() && stream.key().starts_with(prefix) {
        infos.push(stream.value().clone());
    }
    Ok((inverted, infos))
}

/// How many documents hold a term: for a lone Han character, every occurrence of it (see
/// [`CharQuery`]); else the term's own document frequency.
pub fn doc_freq(searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
    if !term.value().as_str().is_some_and(search::is_one_han) {
        return searcher.doc_freq(term);
    }
    let mut n = 0;
    for reader in searcher.segment_readers() {
        n += occurrences(reader, term)?.len() as u64;
    }
    Ok(n)
}

/// An upper bound of the documents holding a term, from the term dictionary alone: for a lone Han
/// character, the sum of the document frequencies of the terms that start with it (a document
/// holding two of them counts twice), at most the number of documents; else the term's own.
/// Cheap where [`doc_freq`] reads every posting: for weighing a snippet's fragments.
pub fn doc_freq_upper_bound(searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
    if !term.value().as_str().is_some_and(search::is_one_han) {
        return searcher.doc_freq(term);
    }
    let mut n = 0u64;
    for reader in searcher.segment_readers() {
        let (_, infos) = terms_starting_with(reader, term)?;
        n += infos.iter().map(|i| u64::from(i.doc_freq)).sum::<u64>();
    }
    Ok(n.min(searcher.num_docs()))
}

impl Query for CharQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let searcher = match enable_scoring {
            EnableScoring::Enabled { searcher, .. } => Some(searcher),
            EnableScoring::Disabled { searcher_opt, .. } => searcher_opt,
        };
        // Read once here for the document frequency, and kept for the scorers.
        let mut segments = HashMap::new();
        let mut doc_freq = 0u64;
        if let Some(searcher) = searcher {
            for reader in searcher.segment_readers() {
                let found = occurrences(reader, &self.term)?;
                doc_freq += found.len() as u64;
                segments.insert(reader.segment_id(), found);
            }
        }
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let docs = statistics_provider.total_num_docs()?;
                let tokens = statistics_provider.total_num_tokens(self.term.field())?;
                let average = tokens as Score / docs.max(1) as Score;
                Some(Bm25Weight::for_one_term(doc_freq, docs, average))
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(CharWeight {
            term: self.term.clone(),
            bm25,
            segments,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

struct CharWeight {
    term: Term,
    bm25: Option<Bm25Weight>,
    segments: HashMap<SegmentId, Occurrences>,
}

impl CharWeight {
    fn char_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<CharScorer> {
        let matches = match self.segments.get(&reader.segment_id()) {
            Some(found) => found.clone(),
            None => occurrences(reader, &self.term)?,
        };
        let fieldnorms = match &self.bm25 {
            Some(_) => reader.fieldnorms_readers().get_field(self.term.field())?,
            None => None,
        }
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        Ok(CharScorer {
            matches,
            at: 0,
            fieldnorms,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
        })
    }
}

impl Weight for CharWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.char_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.char_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not hold the character"
            )));
        }
        let (_, freq) = scorer.matches[scorer.at];
        Ok(match &scorer.bm25 {
            Some(w) => w.explain(scorer.fieldnorms.fieldnorm_id(doc), freq),
            None => Explanation::new("the character, unscored", 1.0),
        })
    }
}

struct CharScorer {
    matches: Occurrences,
    at: usize,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for CharScorer {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.matches.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() < target {
            self.at += self.matches[self.at..].partition_point(|(d, _)| *d < target);
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.matches.get(self.at).map_or(TERMINATED, |(d, _)| *d)
    }

    fn size_hint(&self) -> u32 {
        self.matches.len() as u32
    }
}

impl Scorer for CharScorer {
    fn score(&mut self) -> Score {
        let Some((doc, freq)) = self.matches.get(self.at).copied() else {
            return 0.0;
        };
        match &self.bm25 {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(doc), freq),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::Bm25StatisticsProvider;
    use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, Value, STORED};
    use tantivy::tokenizer::TextAnalyzer;
    use tantivy::{DocAddress, Index, TantivyDocument};

    /// The same random texts in two indexes of three segments each: one cut as the index is
    /// now, one with every character alone as well, as the index was before. Runs of Han
    /// characters of one to five, over a small alphabet so that every character is common and
    /// doubled characters (`常常`) occur, between codes, digits and punctuation.
    fn twin_indexes() -> (Vec<String>, [(Index, Field); 2]) {
        let alphabet: Vec<char> = "工程建设号桥常".chars().collect();
        let separators = [" ", "，", " 12", "A1", "：2026-", "。"];
        let mut seed: u64 = 11;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let texts: Vec<Vec<String>> = (0..3)
            .map(|_| {
                (0..400)
                    .map(|_| {
                        let mut text = String::new();
                        for _ in 0..1 + next() % 6 {
                            for _ in 0..1 + next() % 5 {
                                text.push(alphabet[next() % alphabet.len()]);
                            }
                            text.push_str(separators[next() % separators.len()]);
                        }
                        text
                    })
                    .collect()
            })
            .collect();
        let indexes = [
            ("now", search::CjkTokenizer::index()),
            ("before", search::CjkTokenizer::characters()),
        ]
        .map(|(name, tokenizer)| {
            let mut b = Schema::builder();
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let field = b.add_text_field(
                "text",
                TextOptions::default().set_indexing_options(indexing) | STORED,
            );
            let index = Index::create_in_ram(b.build());
            index
                .tokenizers()
                .register(name, TextAnalyzer::from(tokenizer));
            let mut writer: tantivy::IndexWriter =
                index.writer_with_num_threads(1, 15_000_000).unwrap();
            for segment in &texts {
                for text in segment {
                    writer
                        .add_document(tantivy::doc!(field => text.as_str()))
                        .unwrap();
                }
                writer.commit().unwrap();
            }
            (index, field)
        });
        (texts.concat(), indexes)
    }

    /// Every match's stored text, with its score and address, sorted by text and address.
    fn found(index: &Index, query: &dyn Query, field: Field) -> Vec<(String, DocAddress, Score)> {
        let searcher = index.reader().unwrap().searcher();
        let top = searcher
            .search(query, &TopDocs::with_limit(10_000).order_by_score())
            .unwrap();
        let mut out: Vec<_> = top
            .into_iter()
            .map(|(score, a)| {
                let doc: TantivyDocument = searcher.doc(a).unwrap();
                let text = doc.get_first(field).and_then(|v| v.as_str()).unwrap();
                (text.to_string(), a, score)
            })
            .collect();
        out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        out
    }

    /// The texts of the matches, in order.
    fn texts(matches: &[(String, DocAddress, Score)]) -> Vec<String> {
        matches.iter().map(|(t, _, _)| t.clone()).collect()
    }

    /// Checks that every match of `query` scores as `bm25` gives for the count `count` finds in
    /// its text and the length of the field as this index cut it.
    fn scored_as(
        searcher: &Searcher,
        field: Field,
        matches: &[(String, DocAddress, Score)],
        bm25: &Bm25Weight,
        query: &str,
        count: impl Fn(&str) -> u32,
    ) {
        for (text, address, score) in matches {
            let norms = searcher
                .segment_reader(address.segment_ord)
                .get_fieldnorms_reader(field)
                .unwrap();
            let want = bm25.score(norms.fieldnorm_id(address.doc_id), count(text));
            assert!(
                (score - want).abs() < 1e-4,
                "{query} in {text}: {score} not {want}"
            );
        }
    }

    #[test]
    fn a_character_alone_matches_every_text_holding_it_and_scores_as_a_term_of_it() {
        let (all, [(now, field), (before, old_field)]) = twin_indexes();
        let searcher = now.reader().unwrap().searcher();
        let docs = searcher.num_docs();
        let average = searcher.total_num_tokens(field).unwrap() as Score / docs as Score;
        let mut checked = 0;
        for c in "工程建设号桥常".chars() {
            let c = c.to_string();
            let ours = found(&now, &*token(field, &c), field);
            let theirs = found(&before, &*token_before(old_field, &c), old_field);
            assert_eq!(texts(&ours), texts(&theirs), "{c}");
            // BM25 of the character as one term: its count in the text, the number of texts
            // holding it, and the length of the field as this index cut it.
            let holding = all.iter().filter(|t| t.contains(c.as_str())).count();
            assert_eq!(ours.len(), holding, "{c}");
            let bm25 = Bm25Weight::for_one_term(holding as u64, docs, average);
            scored_as(&searcher, field, &ours, &bm25, &c, |text| {
                text.matches(c.as_str()).count() as u32
            });
            checked += ours.len();
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn a_phrase_with_a_character_alone_matches_and_scores_as_when_characters_were_indexed() {
        let (all, [(now, field), (before, old_field)]) = twin_indexes();
        let searcher = now.reader().unwrap().searcher();
        let mut checked = 0;
        for q in [
            "12号",
            "号12",
            "A1桥",
            "桥A1",
            "2026-常",
            "常 12",
            "工程 12",
            "12号桥",
            "a1常常",
        ] {
            let tokens = search::CjkTokenizer::query().tokens(q);
            assert!(tokens.len() > 1, "{q}");
            let ours = found(&now, &*phrase(field, &tokens), field);
            let old_terms = tokens
                .iter()
                .map(|(p, t)| (*p, Term::from_field_text(old_field, t)))
                .collect();
            let theirs = found(&before, &PhraseQuery::new_with_offset(old_terms), old_field);
            assert_eq!(texts(&ours), texts(&theirs), "{q}");
            // BM25 of the phrase as it was: each token's number of texts (the character's: of
            // texts holding it), the phrase's count in the text, the field's length as now.
            let counted = Counted {
                texts: &all,
                tokens: searcher.total_num_tokens(field).unwrap(),
            };
            let plain: Vec<Term> = tokens
                .iter()
                .map(|(_, t)| Term::from_field_text(field, t))
                .collect();
            let bm25 = Bm25Weight::for_terms(&counted, &plain).unwrap();
            scored_as(&searcher, field, &ours, &bm25, q, |text| {
                phrase_count(text, &tokens)
            });
            checked += ours.len();
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn the_dictionary_bound_of_a_character_is_never_below_the_documents_holding_it() {
        let (all, [(now, field), _]) = twin_indexes();
        let searcher = now.reader().unwrap().searcher();
        for c in "工程建设号桥常".chars() {
            let term = Term::from_field_text(field, &c.to_string());
            let holding = all.iter().filter(|t| t.contains(c)).count() as u64;
            assert_eq!(doc_freq(&searcher, &term).unwrap(), holding, "{c}");
            let bound = doc_freq_upper_bound(&searcher, &term).unwrap();
            assert!(
                holding <= bound && bound <= searcher.num_docs(),
                "{c}: {bound}"
            );
        }
        let bigram = Term::from_field_text(field, "工程");
        assert_eq!(
            doc_freq_upper_bound(&searcher, &bigram).unwrap(),
            searcher.doc_freq(&bigram).unwrap()
        );
    }

    /// BM25's statistics counted in the texts themselves, cut as a reader sees them.
    struct Counted<'a> {
        texts: &'a [String],
        tokens: u64,
    }

    impl Bm25StatisticsProvider for Counted<'_> {
        fn total_num_tokens(&self, _: Field) -> tantivy::Result<u64> {
            Ok(self.tokens)
        }

        fn total_num_docs(&self) -> tantivy::Result<u64> {
            Ok(self.texts.len() as u64)
        }

        fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
            let token = term.value().as_str().unwrap().to_string();
            Ok(self
                .texts
                .iter()
                .filter(|text| {
                    search::CjkTokenizer::characters()
                        .tokens(text)
                        .iter()
                        .any(|(_, t)| *t == token)
                })
                .count() as u64)
        }
    }

    /// How often the phrase of `tokens` occurs in `text`, cut as a reader sees it.
    fn phrase_count(text: &str, tokens: &[(usize, String)]) -> u32 {
        let cut = search::CjkTokenizer::characters().tokens(text);
        let at: std::collections::HashSet<(usize, &str)> =
            cut.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let starts: std::collections::BTreeSet<usize> = cut.iter().map(|(p, _)| *p).collect();
        starts
            .into_iter()
            .filter(|p| {
                tokens
                    .iter()
                    .all(|(o, t)| at.contains(&(p + o, t.as_str())))
            })
            .count() as u32
    }

    /// The query of a token as it was when every character was indexed alone: its term.
    fn token_before(field: Field, token: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        ))
    }
}
