//! Counting matches per kind, category, stage, department, buyer and agency in the same pass that
//! ranks them, from the fast (columnar) raw fields of the index, so a facet costs a few array
//! increments per match.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The facet fields, in the order of [`FacetCounts::fields`].
pub const FACET_FIELDS: [&str; 6] = ["kind", "category", "stage", "department", "buyer", "agency"];

/// The buyer and agency facets, whose values are names (many, unlike the closed vocabularies):
/// only this many of the most frequent are shown and answered.
pub const MAX_NAME_FACET_VALUES: usize = 20;

/// How many matches each value of each facet field has, and how many matches in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetCounts {
    pub total: usize,
    /// Per field of [`FACET_FIELDS`]: value → count.
    pub fields: [BTreeMap<String, u64>; 6],
}

/// The collector: counts every match and every facet value.
pub struct Facets;

pub struct SegmentFacets {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    total: usize,
}

impl Collector for Facets {
    type Fruit = FacetCounts;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let mut columns = Vec::with_capacity(FACET_FIELDS.len());
        let mut counts = Vec::with_capacity(FACET_FIELDS.len());
        for name in FACET_FIELDS {
            let column = reader.fast_fields().str(name)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(SegmentFacets {
            columns,
            counts,
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut all = FacetCounts::default();
        for fruit in fruits {
            all.total += fruit.total;
            for (into, from) in all.fields.iter_mut().zip(fruit.fields) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.total += 1;
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut fruit = FacetCounts {
            total: self.total,
            ..FacetCounts::default()
        };
        for (i, (column, counts)) in self.columns.iter().zip(self.counts).enumerate() {
            let Some(column) = column else { continue };
            for (ord, n) in counts.into_iter().enumerate() {
                let mut value = String::new();
                if n > 0 && column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    fruit.fields[i].insert(value, n);
                }
            }
        }
        fruit
    }
}

/// Wraps a collector so that it sees at most about `cap` matches in all: each segment stops
/// after its share of the cap (at least [`MIN_SEGMENT_SHARE`], so the small segments of recent
/// incremental builds are read whole). Very common words then cost a bounded amount instead of a
/// scan of the whole index; the fruit says whether matches were left unseen.
pub struct Capped<C> {
    pub inner: C,
    pub cap: usize,
    /// Documents in the searcher, to share the cap among segments by size.
    pub total_docs: u64,
}

/// The least number of matches a segment may contribute before it is cut off.
pub const MIN_SEGMENT_SHARE: usize = 2_000;

pub struct CappedSegment<S>(S);

impl<S: SegmentCollector> SegmentCollector for CappedSegment<S> {
    type Fruit = (S::Fruit, bool);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.0.collect(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        (self.0.harvest(), false)
    }
}

impl<C: Collector> Collector for Capped<C> {
    type Fruit = (C::Fruit, bool);
    type Child = CappedSegment<C::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(CappedSegment(self.inner.for_segment(ord, reader)?))
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        let truncated = fruits.iter().any(|(_, t)| *t);
        let inner = self
            .inner
            .merge_fruits(fruits.into_iter().map(|(f, _)| f).collect())?;
        Ok((inner, truncated))
    }

    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        use tantivy::{DocSet, TERMINATED};
        let mut child = self.inner.for_segment(ord, reader)?;
        let share = (self.cap as u64 * u64::from(reader.num_docs()))
            .checked_div(self.total_docs)
            .unwrap_or(0) as usize;
        let limit = share.max(MIN_SEGMENT_SHARE.min(self.cap));
        let scoring = self.inner.requires_scoring();
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut seen = 0;
        let mut truncated = false;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                if seen == limit {
                    truncated = true;
                    break;
                }
                seen += 1;
                let score = if scoring { scorer.score() } else { 0.0 };
                child.collect(doc, score);
            }
            doc = scorer.advance();
        }
        Ok((child.harvest(), truncated))
    }
}

impl FacetCounts {
    /// The values of field `i` of [`FACET_FIELDS`] to show: all of a closed vocabulary, the
    /// [`MAX_NAME_FACET_VALUES`] most frequent of a name field (ties by name), in value order.
    pub fn shown(&self, i: usize) -> Vec<(&str, u64)> {
        let mut values: Vec<(&str, u64)> = self.fields[i]
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        if matches!(FACET_FIELDS[i], "buyer" | "agency") && values.len() > MAX_NAME_FACET_VALUES {
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            values.truncate(MAX_NAME_FACET_VALUES);
            values.sort();
        }
        values
    }

    /// Adds the counts of `other` (the partial matches after the full ones).
    pub fn add(&mut self, other: FacetCounts) {
        self.total += other.total;
        for (into, from) in self.fields.iter_mut().zip(other.fields) {
            for (value, n) in from {
                *into.entry(value).or_default() += n;
            }
        }
    }
}

/// Wraps a collector so that it never sees the documents of `excluded` (the full matches, when
/// the partial ones are collected after them).
pub struct Excluding<C> {
    pub inner: C,
    pub excluded: std::collections::HashSet<tantivy::DocAddress>,
}

pub struct ExcludingSegment<S> {
    inner: S,
    skip: std::collections::HashSet<DocId>,
}

impl<S: SegmentCollector> SegmentCollector for ExcludingSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.skip.contains(&doc) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}

impl<C: Collector> Collector for Excluding<C> {
    type Fruit = C::Fruit;
    type Child = ExcludingSegment<C::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let skip = self
            .excluded
            .iter()
            .filter(|a| a.segment_ord == ord)
            .map(|a| a.doc_id)
            .collect();
        Ok(ExcludingSegment {
            inner: self.inner.for_segment(ord, reader)?,
            skip,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}
