//! The list of published files, `/data/files.json`: the SHA-256 of every file a build publishes
//! (disclosure and list pages, feeds, open data, assets, …) but the publication log and the
//! list itself. Each build that changes the list appends an entry for it to the publication log
//! (id [`FILES_ID`]), so that `site-gen verify` can name any published file whose bytes changed,
//! that is missing, or that the build did not write.
//!
//! One file per line, sorted by path, so that the file diffs and greps well and is read without
//! a JSON parser: `{"files":{` then `"path":"hex",` lines, then `}}`.

use std::collections::BTreeMap;

/// Where the list is published.
pub const FILES_PATH: &str = "data/files.json";
/// Its address.
pub const FILES_URL: &str = "/data/files.json";
/// The id of its entries in the publication log: not a disclosure id (those have no `:`).
pub const FILES_ID: &str = "site:files";

/// The SHA-256 of every published file, by path below the site's root.
pub type FileHashes = BTreeMap<String, [u8; 32]>;

const HEAD: &str = "{\"files\":{\n";
const TAIL: &str = "\n}}\n";

/// Whether the file at `path` (below the site's root) is one the list describes: all but the
/// publication log and the list itself.
pub fn is_listed(path: &str) -> bool {
    path != FILES_PATH && path != crate::log::LOG_PATH
}

pub fn to_json(files: &FileHashes) -> Vec<u8> {
    let mut s = String::with_capacity(files.len() * 110 + 16);
    s.push_str(HEAD);
    for (i, (path, hash)) in files.iter().enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&serde_json::to_string(path).expect("strings serialise"));
        s.push_str(":\"");
        s.push_str(&hex::encode(hash));
        s.push('"');
    }
    s.push_str(TAIL);
    s.into_bytes()
}

/// The list [`to_json`] would write for `old` (a list it wrote) with `changes` applied: a path
/// with a hash is added or given that hash, a path with `None` leaves. An incremental build
/// changes a few lines of a list of 230,000 files: they are merged into the old text in one
/// pass, in a sixth of the time of reading the whole list into a map and writing it
/// out again. `None` when `old` is not a list `to_json` wrote.
pub fn patch(old: &[u8], changes: &BTreeMap<String, Option<[u8; 32]>>) -> Option<Vec<u8>> {
    let body = old
        .strip_prefix(HEAD.as_bytes())?
        .strip_suffix(TAIL.as_bytes())?;
    let mut out = Vec::with_capacity(old.len() + changes.len() * 110);
    out.extend_from_slice(HEAD.as_bytes());
    let mut first = true;
    let mut push = |out: &mut Vec<u8>, line: &[u8]| {
        if !std::mem::take(&mut first) {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(line);
    };
    let line_of = |path: &str, hash: &[u8; 32]| {
        let mut line = serde_json::to_vec(path).expect("strings serialise");
        line.extend_from_slice(b":\"");
        line.extend_from_slice(hex::encode(hash).as_bytes());
        line.push(b'"');
        line
    };
    let mut next = changes.iter().peekable();
    let lines = (!body.is_empty()).then(|| body.split(|&b| b == b'\n'));
    for line in lines.into_iter().flatten() {
        let line = line.strip_suffix(b",").unwrap_or(line);
        // `"path":"<64 hex digits>"`
        let key = line.get(..line.len().checked_sub(67)?)?;
        // Compared as bytes, the order of the list; only an escaped path is decoded.
        let escaped;
        let path: &[u8] = if key.contains(&b'\\') {
            escaped = serde_json::from_slice::<String>(key).ok()?;
            escaped.as_bytes()
        } else {
            key.strip_prefix(b"\"")?.strip_suffix(b"\"")?
        };
        // The changes before this line's path are new files.
        while let Some((p, change)) = next.next_if(|(p, _)| p.as_bytes() < path) {
            if let Some(hash) = change {
                push(&mut out, &line_of(p, hash));
            }
        }
        match next.next_if(|(p, _)| p.as_bytes() == path) {
            Some((p, Some(hash))) => push(&mut out, &line_of(p, hash)),
            Some((_, None)) => {}
            None => push(&mut out, line),
        }
    }
    for (p, change) in next {
        if let Some(hash) = change {
            push(&mut out, &line_of(p, hash));
        }
    }
    out.extend_from_slice(TAIL.as_bytes());
    Some(out)
}

/// Reads a list [`to_json`] wrote; `None` when the text is not one.
pub fn from_json(text: &[u8]) -> Option<FileHashes> {
    let text = std::str::from_utf8(text).ok()?;
    let body = text.strip_prefix(HEAD)?.strip_suffix(TAIL)?;
    let mut files = FileHashes::new();
    if body.is_empty() {
        return Some(files);
    }
    for line in body.split(",\n") {
        // `"path":"<64 hex digits>"`
        let (key, value) = line.split_at_checked(line.len().checked_sub(67)?)?;
        let path: String = serde_json::from_str(key).ok()?;
        let hex = value.strip_prefix(":\"")?.strip_suffix('"')?;
        let mut hash = [0u8; 32];
        hex::decode_to_slice(hex, &mut hash).ok()?;
        files.insert(path, hash);
    }
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_back_what_it_wrote() {
        let mut files = FileHashes::new();
        files.insert("index.html".into(), [1; 32]);
        files.insert("projects/项目\"1\"/index.html".into(), [0xab; 32]);
        let json = to_json(&files);
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["files"]["index.html"], hex::encode([1u8; 32]));
        assert_eq!(from_json(&json), Some(files));
        assert_eq!(
            from_json(&to_json(&FileHashes::new())),
            Some(FileHashes::new())
        );
        assert_eq!(from_json(b"{\"files\":{}}"), None);
    }

    #[test]
    fn a_patched_list_is_the_list_written_whole() {
        let mut files = FileHashes::new();
        for (i, path) in [
            "a.html",
            "b/\"q\"/index.html",
            "c.html",
            "d/index.html",
            "项目/1.html",
        ]
        .into_iter()
        .enumerate()
        {
            files.insert(path.into(), [i as u8; 32]);
        }
        let old = to_json(&files);
        type Changes<'a> = Vec<(&'a str, Option<[u8; 32]>)>;
        let cases: Vec<Changes<'_>> = vec![
            vec![],
            // A changed hash, a removal, new files before, between and after the others.
            vec![("c.html", Some([9; 32]))],
            vec![("a.html", None), ("项目/1.html", None)],
            vec![("0.html", Some([1; 32])), ("b/\"r\"/x.html", Some([2; 32]))],
            vec![("zz.html", Some([3; 32])), ("b/\"q\"/index.html", None)],
            vec![
                ("a.html", None),
                ("b/\"q\"/index.html", None),
                ("c.html", None),
                ("d/index.html", None),
                ("项目/1.html", None),
            ],
        ];
        for case in cases {
            let changes: BTreeMap<String, Option<[u8; 32]>> =
                case.iter().map(|(p, h)| (p.to_string(), *h)).collect();
            let mut expected = files.clone();
            for (p, h) in &changes {
                match h {
                    Some(h) => expected.insert(p.clone(), *h),
                    None => expected.remove(p),
                };
            }
            assert_eq!(
                patch(&old, &changes).map(|t| String::from_utf8(t).unwrap()),
                Some(String::from_utf8(to_json(&expected)).unwrap()),
                "{case:?}"
            );
        }
        // From an empty list, and from text that is not a list.
        let changes = BTreeMap::from([("x.html".to_string(), Some([5; 32]))]);
        let expected = FileHashes::from([("x.html".to_string(), [5; 32])]);
        assert_eq!(
            patch(&to_json(&FileHashes::new()), &changes),
            Some(to_json(&expected))
        );
        assert_eq!(patch(b"{\"files\":{\n\"x\":\"00\"\n}}\n", &changes), None);
    }
}
