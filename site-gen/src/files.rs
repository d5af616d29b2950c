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
}
