//! The publication log: a hash chain of every disclosure page as published, kept at
//! `/data/log.json` and carried from build to build.
//!
//! Each build appends one entry for every disclosure that is new, whose source changed
//! (a revision), whose page bytes changed for another reason (re-rendered), or that left the site
//! (withdrawn, e.g. a penalty past its publicity). Every entry holds the SHA-256 of the source
//! file and of the page as written, and the hash of the entry before it, so that `site-gen
//! verify` can name any page whose bytes no longer match and any break in the chain. Every other
//! published file is vouched for by the list of published files ([`crate::files`]), whose own
//! entries (id [`crate::files::FILES_ID`]) hold its SHA-256 in `page_sha256`.

use std::collections::HashMap;

use chrono::NaiveDate;
use disclosure::Disclosure;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const LOG_PATH: &str = "data/log.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// First publication.
    Published,
    /// The source changed: a revision readers see listed on the page.
    Revised,
    /// Same source, new page bytes (a template or configuration change).
    Rerendered,
    /// The page left the site.
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub date: NaiveDate,
    pub id: String,
    pub url: String,
    pub event: Event,
    /// SHA-256 of the Markdown source, hex.
    pub source_sha256: String,
    /// SHA-256 of the page as written, hex; empty when withdrawn.
    pub page_sha256: String,
    /// `hash` of the previous entry; 64 zeros for the first.
    pub prev: String,
    /// SHA-256 over `prev` and this entry's other fields.
    pub hash: String,
    /// The numbers the page publishes although the personal-data guard would refuse them
    /// (`[[public_numbers]]`), masked, each with the author's reason. Part of the hash when
    /// present; absent from entries without any, so older entries keep their hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_numbers: Vec<String>,
}

impl Entry {
    /// The hash this entry must carry, computed from its other fields and `prev`.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.prev.as_str(),
            &self.seq.to_string(),
            &self.date.to_string(),
            &self.id,
            &self.url,
            event_key(self.event),
            &self.source_sha256,
            &self.page_sha256,
        ] {
            h.update(part.as_bytes());
            h.update(b"\n");
        }
        for n in &self.public_numbers {
            h.update(b"public number: ");
            h.update(n.as_bytes());
            h.update(b"\n");
        }
        hex::encode(h.finalize())
    }
}

fn event_key(e: Event) -> &'static str {
    match e {
        Event::Published => "published",
        Event::Revised => "revised",
        Event::Rerendered => "rerendered",
        Event::Withdrawn => "withdrawn",
    }
}

const JSON_HEAD: &str = "{\"entries\":[\n";
const JSON_TAIL: &str = "\n]}\n";

/// The id of an entry as `to_json` writes it (`{"seq":…,"date":…,"id":"…",…}`).
fn entry_id(line: &[u8]) -> Option<&str> {
    let rest = &line[memchr::memmem::find(line, b"\"id\":\"")? + 6..];
    let id = &rest[..memchr::memchr(b'"', rest)?];
    std::str::from_utf8(id).ok().filter(|id| !id.contains('\\'))
}

fn push_entry(s: &mut String, e: &Entry) {
    s.push_str(&serde_json::to_string(e).expect("entries serialise"));
}

/// An entry a build is about to append.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub event: Event,
    pub source: &'a str,
    pub page: &'a str,
    /// The page's declared public numbers (masked, with reasons); empty for most.
    pub public_numbers: &'a [String],
}

/// An entry the publication log is to gain: the owned form of a [`NewEntry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    pub id: String,
    pub url: String,
    pub event: Event,
    pub source: String,
    pub page: String,
    /// The page's declared public numbers (masked, with reasons), for a first publication or a
    /// revision.
    pub public_numbers: Vec<String>,
}

impl Append {
    pub fn entry(&self) -> NewEntry<'_> {
        NewEntry {
            id: &self.id,
            url: &self.url,
            event: self.event,
            source: &self.source,
            page: &self.page,
            public_numbers: &self.public_numbers,
        }
    }
}

/// A disclosure page as a build rendered it: what the log compares with its latest entry.
pub struct RenderedPage<'a> {
    pub disclosure: &'a Disclosure,
    /// SHA-256 of its source file, in hex.
    pub source: String,
    /// SHA-256 of the page's bytes, in hex.
    pub page: String,
}

/// What the log gains from a build, in id order. A rendered page is published when the log
/// has never seen it, or saw it withdrawn with a source it has already logged (a penalty back
/// in its publicity); revised when its source is new; re-rendered when only its bytes changed
/// (a template or configuration change); nothing when both are the same. Every logged page not
/// withdrawn yet that `on_site` says left the site (a penalty past its publicity, a deleted
/// file) is withdrawn.
pub fn appends<'a>(
    log: &PublicationLog,
    rendered: impl IntoIterator<Item = RenderedPage<'a>>,
    on_site: impl Fn(&str) -> bool,
) -> Vec<Append> {
    let mut appends = Vec::new();
    for RenderedPage {
        disclosure: d,
        source,
        page,
    } in rendered
    {
        let event = match log.latest(&d.id) {
            None => Some(Event::Published),
            Some(e) if e.event == Event::Withdrawn => {
                let known = log
                    .revisions(&d.id)
                    .iter()
                    .any(|r| r.source_sha256 == source);
                Some(if known {
                    Event::Published
                } else {
                    Event::Revised
                })
            }
            Some(e) if e.source_sha256 != source => Some(Event::Revised),
            Some(e) if e.page_sha256 != page => Some(Event::Rerendered),
            Some(_) => None,
        };
        if let Some(event) = event {
            let public_numbers = match event {
                Event::Published | Event::Revised => public_number_notes(d),
                _ => Vec::new(),
            };
            appends.push(Append {
                id: d.id.clone(),
                url: d.url(),
                event,
                source,
                page,
                public_numbers,
            });
        }
    }
    for e in log.latest_entries() {
        if e.event != Event::Withdrawn && !on_site(&e.id) {
            appends.push(Append {
                id: e.id.clone(),
                url: e.url.clone(),
                event: Event::Withdrawn,
                source: e.source_sha256.clone(),
                page: String::new(),
                public_numbers: Vec::new(),
            });
        }
    }
    appends.sort_by(|a, b| a.id.cmp(&b.id));
    appends
}

/// A disclosure's declared public numbers as the log and the summary name them: masked, with the
/// author's reason.
pub fn public_number_notes(d: &Disclosure) -> Vec<String> {
    d.public_numbers
        .iter()
        .map(|n| {
            let digits = disclosure::guard::number_digits(&n.value);
            format!("{}：{}", disclosure::guard::mask(&digits), n.reason)
        })
        .collect()
}

/// The entry after `last` (the first when `None`), with its hash.
fn chain(last: Option<&Entry>, date: NaiveDate, n: &NewEntry<'_>) -> Entry {
    let mut e = Entry {
        seq: last.map_or(1, |e| e.seq + 1),
        date,
        id: n.id.to_string(),
        url: n.url.to_string(),
        event: n.event,
        source_sha256: n.source.to_string(),
        page_sha256: n.page.to_string(),
        prev: last.map_or(GENESIS.to_string(), |e| e.hash.clone()),
        hash: String::new(),
        public_numbers: n.public_numbers.to_vec(),
    };
    e.hash = e.compute_hash();
    e
}

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The log as read from the previous build, plus what this build appends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationLog {
    pub entries: Vec<Entry>,
    /// Indexes of every entry of each id, oldest first; the last one is the latest.
    #[serde(skip)]
    by_id: HashMap<String, Vec<usize>>,
    /// Entries of the file not read into `entries` ([`PublicationLog::from_json_for`]).
    #[serde(skip)]
    skipped: usize,
}

/// A revision as shown on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub date: NaiveDate,
    pub event: Event,
    pub source_sha256: String,
}

impl PublicationLog {
    pub fn from_json(text: &[u8]) -> Result<PublicationLog, serde_json::Error> {
        let mut log: PublicationLog = serde_json::from_slice(text)?;
        log.reindex();
        Ok(log)
    }

    /// Reads, of a log [`PublicationLog::to_json`] wrote, only the entries of the ids `wanted`
    /// names and the last entry (the next one chains to it); the others are counted, not
    /// kept. An incremental build needs no more: only the disclosures it changed gain entries
    /// or show their revisions, and reading 100,000 entries whole took a tenth of it. Text in
    /// another shape is read whole.
    pub fn from_json_for(
        text: &[u8],
        wanted: &dyn Fn(&str) -> bool,
    ) -> Result<PublicationLog, serde_json::Error> {
        let Some(body) = text
            .strip_prefix(JSON_HEAD.as_bytes())
            .and_then(|t| t.strip_suffix(JSON_TAIL.as_bytes()))
            .filter(|body| !body.is_empty())
        else {
            return PublicationLog::from_json(text);
        };
        // A string in JSON has its line breaks escaped: every line break is between entries.
        let mut lines = Vec::new();
        let mut start = 0;
        for end in memchr::memmem::find_iter(body, b",\n") {
            lines.push(&body[start..end]);
            start = end + 2;
        }
        lines.push(&body[start..]);
        let mut log = PublicationLog::default();
        for (i, line) in lines.iter().enumerate() {
            let keep = match entry_id(line) {
                Some(id) => i + 1 == lines.len() || wanted(id),
                None => return PublicationLog::from_json(text),
            };
            if keep {
                log.entries.push(serde_json::from_slice(line)?);
            } else {
                log.skipped += 1;
            }
        }
        log.reindex();
        Ok(log)
    }

    /// How many entries the log has, read or not.
    pub fn len(&self) -> usize {
        self.entries.len() + self.skipped
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One entry per line, so the file diffs and greps well.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(self.entries.len() * 512 + 32);
        s.push_str(JSON_HEAD);
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                s.push_str(",\n");
            }
            push_entry(&mut s, e);
        }
        s.push_str(JSON_TAIL);
        s
    }

    /// The JSON of this log with `new` appended, given `prior`, this log's JSON as
    /// [`PublicationLog::to_json`] wrote it: its bytes (and its buffer) are kept as they are, so
    /// a build that adds one entry to 100,000 does not write the other 100,000 again.
    pub fn to_json_appending(&self, prior: Option<Vec<u8>>, new: &[Entry]) -> Vec<u8> {
        let appended = prior.as_deref().and_then(|text| self.appending(text, new));
        match (prior, appended) {
            (Some(mut text), Some((keep, added))) => {
                text.truncate(keep);
                text.extend_from_slice(added.as_bytes());
                text
            }
            _ => {
                // A log read in part came from text of this shape, and took the branch above.
                assert_eq!(
                    self.skipped, 0,
                    "a log read in part is written by appending"
                );
                let mut all = self.clone();
                all.entries.extend(new.iter().cloned());
                all.to_json().into_bytes()
            }
        }
    }

    /// How to append `new` to `prior`, the text of this log as [`PublicationLog::to_json`]
    /// wrote it: how many of its bytes to keep, and what follows them. `None` when `prior` is
    /// not of that shape. A build writes the two parts one after the other, without copying the
    /// 40 MB of a log of 100,000 disclosures into a new buffer first.
    pub fn appending(&self, prior: &[u8], new: &[Entry]) -> Option<(usize, String)> {
        // Written by `to_json`: one line per entry between the head and the tail.
        let shaped = !self.is_empty()
            && prior.starts_with(JSON_HEAD.as_bytes())
            && prior.ends_with(JSON_TAIL.as_bytes())
            && memchr::memchr_iter(b'\n', prior).count() == self.len() + 2;
        if !shaped {
            return None;
        }
        let mut added = String::with_capacity(new.len() * 512 + JSON_TAIL.len());
        for e in new {
            added.push_str(",\n");
            push_entry(&mut added, e);
        }
        added.push_str(JSON_TAIL);
        Some((prior.len() - JSON_TAIL.len(), added))
    }

    /// The entries that appending `events` in order would add, chained to the last entry.
    pub fn next_entries(&self, date: NaiveDate, events: &[NewEntry]) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::with_capacity(events.len());
        for n in events {
            let last = out.last().or(self.entries.last());
            out.push(chain(last, date, n));
        }
        out
    }

    fn reindex(&mut self) {
        self.by_id.clear();
        for (i, e) in self.entries.iter().enumerate() {
            self.by_id.entry(e.id.clone()).or_default().push(i);
        }
    }

    pub fn latest(&self, id: &str) -> Option<&Entry> {
        self.by_id
            .get(id)
            .and_then(|v| v.last())
            .map(|&i| &self.entries[i])
    }

    /// The latest entry of every id ever logged, in no particular order.
    pub fn latest_entries(&self) -> impl Iterator<Item = &Entry> {
        self.by_id
            .values()
            .filter_map(|v| v.last())
            .map(|&i| &self.entries[i])
    }

    /// The publication and every revision of `id`, oldest first.
    pub fn revisions(&self, id: &str) -> Vec<Revision> {
        self.by_id
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
            .filter(|e| matches!(e.event, Event::Published | Event::Revised))
            .map(|e| Revision {
                date: e.date,
                event: e.event,
                source_sha256: e.source_sha256.clone(),
            })
            .collect()
    }

    /// Appends an entry, chaining it to the last one.
    pub fn append(
        &mut self,
        date: NaiveDate,
        id: &str,
        url: &str,
        event: Event,
        source: &str,
        page: &str,
    ) {
        let new = NewEntry {
            id,
            url,
            event,
            source,
            page,
            public_numbers: &[],
        };
        let e = chain(self.entries.last(), date, &new);
        self.by_id
            .entry(e.id.clone())
            .or_default()
            .push(self.entries.len());
        self.entries.push(e);
    }

    /// Every break in the chain, as sentences naming the entry.
    pub fn chain_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        for e in &self.entries {
            if e.seq != expected_seq {
                problems.push(format!("entry {} ({}): expected sequence number {expected_seq}; an entry was removed or reordered", e.seq, e.id));
            }
            if e.prev != prev {
                problems.push(format!("entry {} ({}): does not follow the entry before it (prev {} ≠ {}); an entry was removed, inserted or reordered", e.seq, e.id, short(&e.prev), short(&prev)));
            }
            if e.compute_hash() != e.hash {
                problems.push(format!(
                    "entry {} ({}): its fields no longer match its hash; the entry was edited",
                    e.seq, e.id
                ));
            }
            prev = e.hash.clone();
            expected_seq = e.seq + 1;
        }
        problems
    }
}

fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn new<'a>(id: &'a str, event: Event) -> NewEntry<'a> {
        NewEntry {
            id,
            url: "/notices/x/",
            event,
            source: "ab",
            page: "cd",
            public_numbers: &[],
        }
    }

    #[test]
    fn what_a_build_adds_to_the_log() {
        let text = |title: &str| {
            format!("+++\nkind = \"page\"\ntitle = \"{title}\"\ndate = 2026-01-01\n+++\n正文。\n")
        };
        let parse = |id: &str, t: &str| {
            disclosure::parse::parse_disclosure(&format!("content/{id}.md"), id, t).unwrap()
        };
        let (a, b, c) = (
            parse("a", &text("甲")),
            parse("b", &text("乙")),
            parse("c", &text("丙")),
        );
        fn page<'a>(d: &'a Disclosure, source: &str, page: &str) -> RenderedPage<'a> {
            RenderedPage {
                disclosure: d,
                source: source.to_string(),
                page: page.to_string(),
            }
        }
        let events = |appends: Vec<Append>| -> Vec<(String, Event)> {
            appends.into_iter().map(|a| (a.id, a.event)).collect()
        };
        let mut log = PublicationLog::default();
        let d = day("2026-01-01");
        log.append(d, "a", "/a/", Event::Published, "s1", "p1");
        log.append(d, "b", "/b/", Event::Published, "s1", "p1");
        log.append(d, "gone", "/gone/", Event::Published, "s1", "p1");
        log.append(d, "back", "/back/", Event::Published, "s1", "p1");
        log.append(d, "back", "/back/", Event::Withdrawn, "s1", "");
        let back = parse("back", &text("回"));
        let rendered = [
            page(&a, "s2", "p1"),    // a new source: revised
            page(&b, "s1", "p2"),    // the same source, new bytes: re-rendered
            page(&c, "s1", "p1"),    // never logged: published
            page(&back, "s1", "p1"), // withdrawn, back with a source the log knows: published
        ];
        let on_site = |id: &str| id != "gone";
        assert_eq!(
            events(appends(&log, rendered, on_site)),
            [
                ("a".to_string(), Event::Revised),
                ("b".to_string(), Event::Rerendered),
                ("back".to_string(), Event::Published),
                ("c".to_string(), Event::Published),
                ("gone".to_string(), Event::Withdrawn),
            ]
        );
        // Nothing changed: nothing to add.
        assert!(appends(&log, [page(&a, "s1", "p1")], |_| true).is_empty());
    }

    #[test]
    fn a_log_read_in_part_knows_its_ids_and_appends_like_the_whole() {
        let mut log = PublicationLog::default();
        for (i, id) in ["a", "b", "c", "a", "d"].iter().enumerate() {
            let event = if i == 3 {
                Event::Revised
            } else {
                Event::Published
            };
            log.append(day("2026-01-01"), id, "/x/", event, &format!("s{i}"), "p");
        }
        let text = log.to_json();
        let part = PublicationLog::from_json_for(text.as_bytes(), &|id| id == "a").unwrap();
        assert_eq!(part.len(), 5);
        assert_eq!(part.entries.len(), 3, "both of a's and the last (d)");
        assert_eq!(part.revisions("a"), log.revisions("a"));
        assert_eq!(part.latest("d"), log.latest("d"));
        assert_eq!(part.latest("b"), None);

        let events = [new("a", Event::Revised)];
        let added = part.next_entries(day("2026-02-01"), &events);
        assert_eq!(added, log.next_entries(day("2026-02-01"), &events));
        let mut whole = log.clone();
        whole.append(
            day("2026-02-01"),
            "a",
            "/notices/x/",
            Event::Revised,
            "ab",
            "cd",
        );
        assert_eq!(
            part.to_json_appending(Some(text.clone().into_bytes()), &added),
            whole.to_json().into_bytes()
        );

        // Text of another shape is read whole.
        let pretty = serde_json::to_string_pretty(&log).unwrap();
        let read = PublicationLog::from_json_for(pretty.as_bytes(), &|id| id == "a").unwrap();
        assert_eq!(read.entries.len(), 5);
    }

    #[test]
    fn appending_keeps_the_prior_bytes_and_equals_writing_all() {
        let mut log = PublicationLog::default();
        log.append(day("2026-01-01"), "a", "/a/", Event::Published, "s1", "p1");
        log.append(day("2026-01-02"), "b", "/b/", Event::Published, "s2", "p2");
        let prior = log.to_json();

        let events = [new("a", Event::Revised), new("c", Event::Published)];
        let added = log.next_entries(day("2026-02-01"), &events);
        let spliced =
            String::from_utf8(log.to_json_appending(Some(prior.clone().into_bytes()), &added))
                .unwrap();

        let mut whole = log.clone();
        for n in &events {
            whole.append(day("2026-02-01"), n.id, n.url, n.event, n.source, n.page);
        }
        assert_eq!(added, whole.entries[2..]);
        assert_eq!(spliced, whole.to_json());
        assert!(whole.chain_problems().is_empty());
        assert!(spliced.starts_with(&prior[..prior.len() - JSON_TAIL.len()]));

        // Text in another shape (not written by this version) is written again whole.
        let reformatted = prior.replace(",\n", ",");
        assert_eq!(
            log.to_json_appending(Some(reformatted.into_bytes()), &added),
            whole.to_json().into_bytes()
        );
        // An empty log has nothing to keep.
        let empty = PublicationLog::default();
        let first = empty.next_entries(day("2026-02-01"), &events);
        assert_eq!(first[0].prev, GENESIS);
        assert_eq!(first[1].prev, first[0].hash);
        assert_eq!(
            empty.to_json_appending(Some(empty.to_json().into_bytes()), &first),
            PublicationLog {
                entries: first.clone(),
                ..Default::default()
            }
            .to_json()
            .into_bytes()
        );
    }
}
