//! The open-data files in pieces, for the incremental build: an item of `/data/disclosures.json`
//! or of the release package depends only on its disclosure, the site configuration and the
//! build date, so the item of an unchanged disclosure is a range of the previous build's file,
//! copied, and only changed ones are serialised. [`ItemIndex`] (in the cache) says where each
//! item is for the next build.

use std::ops::Range;

use disclosure::Disclosure;

use super::{index_file, ocds_file};
use crate::cache::{item_key, ItemIndex};
use serde::Serialize;

use crate::output::OutFile;
use crate::site::Site;

/// `/data/disclosures.json` (every public disclosure, newest first) and
/// `/data/ocds/release-package.json`.
pub fn data_files(site: &Site) -> Vec<OutFile> {
    [index_file(site, &|_| None), ocds_file(site, &|_| None)]
        .into_iter()
        .map(|f| OutFile {
            path: f.path,
            bytes: f
                .pieces
                .into_iter()
                .flat_map(Piece::into_new)
                .flatten()
                .collect(),
        })
        .collect()
}

/// Where the previous build put a disclosure's item in the same file, if the item is still
/// good. An item of the open-data files depends only on its disclosure, the site's
/// configuration and the build date, so an unchanged disclosure's item is copied from the
/// previous file rather than serialised again: at 100,000 disclosures these two files are
/// 140 MB, most of a one-file rebuild's work if made anew.
pub type Reuse<'r> = dyn Fn(&Disclosure) -> Option<Range<u64>> + Sync + 'r;

/// A piece of an open-data file: bytes made now, or a range of the previous build's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    New(Vec<u8>),
    Old(Range<u64>),
}

impl Piece {
    fn into_new(self) -> Option<Vec<u8>> {
        match self {
            Piece::New(bytes) => Some(bytes),
            Piece::Old(_) => None,
        }
    }
}

/// An open-data file in pieces, and where each item is in it, for the next build.
#[derive(Debug)]
pub struct ItemFile {
    /// Path inside the output folder.
    pub path: String,
    pub pieces: Vec<Piece>,
    pub items: ItemIndex,
}

/// `head`'s JSON object with one more member, `name`, the array of `item(d)` for every `d`,
/// and a final newline, in pieces: an item that `reuse` finds in the previous file is a range
/// of it (consecutive ones, with the comma between them, one range), the rest is made now.
/// Returns the pieces and where each item is in the file they make.
pub(super) fn object_with_array<'d, H, T>(
    head: &H,
    name: &str,
    docs: &[&'d Disclosure],
    reuse: &Reuse<'_>,
    item: impl Fn(&'d Disclosure) -> T + Sync,
) -> (Vec<Piece>, ItemIndex)
where
    H: Serialize,
    T: Serialize,
{
    let mut buf = serde_json::to_vec(head).expect("open data serialises");
    let closing = buf.pop();
    assert_eq!(closing, Some(b'}'), "the head is a JSON object");
    if buf.len() > 1 {
        buf.push(b',');
    }
    serde_json::to_writer(&mut buf, name).expect("a name serialises");
    buf.extend_from_slice(b":[");
    // `pos`: the length of the pieces before `buf`, the bytes being made now.
    let (mut pieces, mut pos) = (Vec::new(), 0u64);
    let mut items = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let start;
        match reuse(d) {
            Some(old) => {
                match pieces.last_mut() {
                    // Only the comma between this item and the one copied before it.
                    Some(Piece::Old(run)) if buf == b"," && run.end + 1 == old.start => {
                        run.end = old.end;
                        start = pos + 1;
                    }
                    _ => {
                        pos += buf.len() as u64;
                        pieces.push(Piece::New(std::mem::take(&mut buf)));
                        pieces.push(Piece::Old(old.clone()));
                        start = pos;
                    }
                }
                buf.clear();
                pos = start + (old.end - old.start);
            }
            None => {
                start = pos + buf.len() as u64;
                serde_json::to_writer(&mut buf, &item(d)).expect("open data serialises");
            }
        }
        let end = pos + buf.len() as u64;
        items.push((item_key(d), start, (end - start) as u32));
    }
    buf.extend_from_slice(b"]}\n");
    let len = pos + buf.len() as u64;
    pieces.push(Piece::New(buf));
    pieces.retain(|p| !matches!(p, Piece::New(b) if b.is_empty()));
    (pieces, ItemIndex { len, items })
}
