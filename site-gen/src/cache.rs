//! What one build leaves for the next: the parse of every source file (by size and modification
//! time) without its body, and every output file's owner and hash. It lives in a folder beside the output,
//! `.public.site-gen-cache/`:
//!
//! - `files-00` … `files-63`: the parsed source files, sharded by a hash of their path in the
//!   content folder, so that a build that changed one file rewrites one shard (about 1/64 of the
//!   cache) and a build reads the shards in parallel;
//! - `manifest`: the configuration fingerprint, the hash of every shard, the site-wide outputs
//!   (lists, feeds, open data), each with its hash and what it was rendered from, and where
//!   each disclosure's item is in the open-data files.
//!
//! Shards are written first and the manifest last, each atomically; a shard whose bytes do not
//! match the manifest (a build killed between the two) makes the whole cache unusable, and the
//! next build is a clean one. A cache is only ever an optimisation: nothing is lost without it.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use disclosure::Disclosure;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::content::{Parsed, Stamp};

/// How many shards the parsed files are spread over.
pub const SHARDS: usize = 64;

/// Who produced an output file: the site-wide files go into the cache's manifest, the others
/// are known from the disclosures and projects that produce them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Disclosure,
    Project,
    Site,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CachedFile {
    /// Its path in the content folder (`notices/x.md`), whatever name the folder was given.
    pub path: PathBuf,
    pub stamp: Stamp,
    /// Boxed: a build moves 100,000 of these around before they settle in the content.
    pub parsed: Box<Parsed>,
}

/// A [`CachedFile`] borrowed from the build's content: serialises to the same bytes, without
/// copying 100,000 disclosures to save them.
#[derive(Serialize)]
pub struct CachedFileRef<'a> {
    pub path: &'a Path,
    pub stamp: Stamp,
    pub parsed: ParsedRef<'a>,
}

/// The borrowed form of [`Parsed`], field for field.
#[derive(Serialize)]
pub struct ParsedRef<'a> {
    pub disclosure: &'a Disclosure,
    pub hash: &'a [u8; 32],
    pub links: &'a [(usize, String)],
}

/// What the cache knows of one site-wide output file (lists, feeds, open data, …). The pages
/// and JSON of disclosures and projects are not listed: a build knows them from the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Hash of its bytes.
    pub hash: u64,
    /// Hash of everything a site-wide page was rendered from (a list page: the list, its page
    /// number and its items' ids and source hashes), when the renderer can name it: the next
    /// build keeps the file without rendering it again while the inputs are the same.
    pub inputs: Option<u64>,
}

/// Every output file, by path.
pub type Outputs = BTreeMap<String, Output>;

#[derive(Serialize, Deserialize)]
struct Manifest {
    fingerprint: String,
    /// xxh3 of each shard's bytes.
    shards: Vec<u64>,
    outputs: Outputs,
    items: BTreeMap<String, ItemIndex>,
    index_meta: Option<u64>,
    files_list: u64,
}

/// The previous build's cache, read back.
#[derive(Debug, Default)]
pub struct Cache {
    pub files: Vec<CachedFile>,
    pub outputs: Outputs,
    /// Where each disclosure's item is in the open-data files, by file.
    pub items: BTreeMap<String, ItemIndex>,
    /// The search index the build committed ([`crate::index::meta_hash`]).
    pub index_meta: Option<u64>,
    /// xxh3 of the list of published files the build left ([`crate::files`]): the next build
    /// patches that list, and only when it is still the same bytes.
    pub files_list: u64,
    shards: Vec<u64>,
}

/// What a build leaves for the next one.
pub struct Next<'a> {
    pub fingerprint: &'a str,
    pub files: &'a [CachedFileRef<'a>],
    pub outputs: &'a Outputs,
    pub items: &'a BTreeMap<String, ItemIndex>,
    pub index_meta: Option<u64>,
    pub files_list: u64,
}

/// Which shard a source file's parse lives in.
pub fn shard_of(path: &Path) -> usize {
    (xxh3_64(path.as_os_str().as_encoded_bytes()) % SHARDS as u64) as usize
}

/// Hash of an output file's bytes, to skip writing what has not changed.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

fn shard_path(dir: &Path, shard: usize) -> PathBuf {
    dir.join(format!("files-{shard:02}"))
}

/// Reads the cache in `dir` if it was written for `fingerprint` and is whole; `None` otherwise.
pub fn read(dir: &Path, fingerprint: &str) -> Option<Cache> {
    let bytes = std::fs::read(dir.join("manifest")).ok()?;
    let manifest: Manifest = postcard::from_bytes(&bytes).ok()?;
    if manifest.fingerprint != fingerprint || manifest.shards.len() != SHARDS {
        return None;
    }
    let shards: Vec<Vec<CachedFile>> = (0..SHARDS)
        .into_par_iter()
        .map(|i| {
            let bytes = std::fs::read(shard_path(dir, i)).ok()?;
            if xxh3_64(&bytes) != manifest.shards[i] {
                return None;
            }
            postcard::from_bytes(&bytes).ok()
        })
        .collect::<Option<_>>()?;
    Some(Cache {
        files: shards.into_iter().flatten().collect(),
        outputs: manifest.outputs,
        items: manifest.items,
        index_meta: manifest.index_meta,
        files_list: manifest.files_list,
        shards: manifest.shards,
    })
}

/// Writes the cache into `dir`, in two steps so that a build can do other work between them.
/// First the shards in `dirty` (every shard when there is no previous cache to keep them from),
/// returning the hash of every shard for [`write_manifest`]. Until the manifest is written, the
/// cache is unusable (its shards no longer match it) and the next build a clean one.
pub fn write_shards(
    dir: &Path,
    files: &[CachedFileRef<'_>],
    previous: Option<&Cache>,
    dirty: &[bool; SHARDS],
) -> Result<Vec<u64>> {
    if dir.is_file() {
        // The single-file cache of earlier versions.
        std::fs::remove_file(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let previous = previous.filter(|p| p.shards.len() == SHARDS);
    // Only the shards to write need their files (hashing 100,000 paths on one core took a
    // fiftieth of a one-file rebuild).
    let rewrite = |i: usize| previous.is_none() || dirty[i];
    let of: Vec<usize> = files.par_iter().map(|f| shard_of(f.path)).collect();
    let mut by_shard: Vec<Vec<&CachedFileRef<'_>>> = vec![Vec::new(); SHARDS];
    for (f, &i) in files.iter().zip(&of) {
        if rewrite(i) {
            by_shard[i].push(f);
        }
    }
    let shards: Vec<u64> = by_shard
        .par_iter()
        .enumerate()
        .map(|(i, files)| match previous {
            Some(p) if !rewrite(i) => Ok(p.shards[i]),
            _ => {
                let bytes =
                    postcard::to_allocvec(files).context("cannot encode the build cache")?;
                write_atomically(&shard_path(dir, i), &bytes)?;
                Ok(xxh3_64(&bytes))
            }
        })
        .collect::<Result<_>>()?;
    Ok(shards)
}

/// The second step of writing the cache: the manifest, naming the `shards` [`write_shards`]
/// wrote.
pub fn write_manifest(dir: &Path, next: &Next<'_>, shards: &[u64]) -> Result<()> {
    let manifest = postcard::to_allocvec(&ManifestRef {
        fingerprint: next.fingerprint,
        shards,
        outputs: next.outputs,
        items: next.items,
        index_meta: next.index_meta,
        files_list: next.files_list,
    })
    .context("cannot encode the build cache")?;
    write_atomically(&dir.join("manifest"), &manifest)
}

/// [`Manifest`], borrowed.
#[derive(Serialize)]
struct ManifestRef<'a> {
    fingerprint: &'a str,
    shards: &'a [u64],
    outputs: &'a Outputs,
    items: &'a BTreeMap<String, ItemIndex>,
    index_meta: Option<u64>,
    files_list: u64,
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// The hasher of what a file is made from (its `inputs`): xxh3 of the bytes written to it,
/// gathered first and hashed at once. A page's inputs are many small writes (ids and hashes,
/// one of each per item), and xxh3's streaming form spent more time copying each small write
/// into its buffer than hashing: a twentieth of a one-file rebuild's CPU.
#[derive(Default)]
pub struct InputsHasher(Vec<u8>);

impl std::hash::Hasher for InputsHasher {
    fn finish(&self) -> u64 {
        xxh3_64(&self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// Where each disclosure's item is in an open-data file: by a hash of the disclosure's id
/// ([`item_key`]), its range; and the file's length, to know the file is the one described.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ItemIndex {
    pub len: u64,
    pub items: Vec<(u64, u64, u32)>,
}

impl ItemIndex {
    /// The ranges by key, or `None` when two ids share a key (then nothing is reused).
    pub fn ranges(&self) -> Option<HashMap<u64, Range<u64>, KeyIsHash>> {
        let mut map = HashMap::with_capacity_and_hasher(self.items.len(), KeyIsHash::default());
        for &(key, start, len) in &self.items {
            if map.insert(key, start..start + u64::from(len)).is_some() {
                return None;
            }
        }
        Some(map)
    }
}

/// Hashes a key that is a hash already ([`item_key`]) to itself.
pub type KeyIsHash = std::hash::BuildHasherDefault<Identity>;

#[derive(Default)]
pub struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The key of a disclosure's item in an [`ItemIndex`].
pub fn item_key(d: &Disclosure) -> u64 {
    xxhash_rust::xxh3::xxh3_64(d.id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(id: &str) -> Parsed {
        let text =
            format!("+++\nkind = \"page\"\ntitle = \"关于\"\ndate = 2026-01-01\n+++\n{id}\n");
        let d = disclosure::parse::parse_disclosure(&format!("content/{id}.md"), id, &text)
            .expect("a valid page");
        Parsed {
            disclosure: d,
            hash: [7; 32],
            links: vec![(6, format!("/{id}/"))],
        }
    }

    #[test]
    fn a_cache_reads_back_whole_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".public.site-gen-cache");
        let files: Vec<(PathBuf, Parsed)> = (0..200)
            .map(|i| {
                (
                    PathBuf::from(format!("content/p{i}.md")),
                    parsed(&format!("p{i}")),
                )
            })
            .collect();
        let refs: Vec<CachedFileRef<'_>> = files
            .iter()
            .map(|(path, p)| CachedFileRef {
                path,
                stamp: Stamp {
                    size: 1,
                    modified_ns: 2,
                },
                parsed: ParsedRef {
                    disclosure: &p.disclosure,
                    hash: &p.hash,
                    links: &p.links,
                },
            })
            .collect();
        let next = Next {
            fingerprint: "f",
            files: &refs,
            outputs: &Outputs::new(),
            items: &BTreeMap::new(),
            index_meta: Some(9),
            files_list: 4,
        };
        let write = |previous: Option<&Cache>, dirty: &[bool; SHARDS]| {
            let shards = write_shards(&dir, next.files, previous, dirty).unwrap();
            write_manifest(&dir, &next, &shards).unwrap();
        };
        write(None, &[true; SHARDS]);

        let back = read(&dir, "f").expect("the cache just written");
        assert_eq!(back.files.len(), 200);
        assert_eq!(back.index_meta, Some(9));
        let p7 = back
            .files
            .iter()
            .find(|f| f.path.ends_with("p7.md"))
            .unwrap();
        assert_eq!(p7.parsed.disclosure, files[7].1.disclosure);
        assert_eq!(p7.parsed.links, [(6, "/p7/".to_string())]);
        assert!(read(&dir, "another configuration").is_none());

        // Rewriting one shard from a previous cache keeps the others as they are.
        let mut dirty = [false; SHARDS];
        dirty[shard_of(&files[3].0)] = true;
        write(Some(&back), &dirty);
        assert_eq!(read(&dir, "f").unwrap().files.len(), 200);

        // A shard that no longer matches the manifest (a build killed between the two) makes
        // the whole cache unusable: the next build is a clean one.
        let shard = shard_path(&dir, shard_of(&files[3].0));
        let mut bytes = std::fs::read(&shard).unwrap();
        bytes[0] ^= 1;
        std::fs::write(&shard, bytes).unwrap();
        assert!(read(&dir, "f").is_none());
    }
}
