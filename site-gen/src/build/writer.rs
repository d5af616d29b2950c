//! Where a build's files go: a staging folder for a clean build, the live folder (each file
//! replaced atomically, and only when its bytes change) for an incremental one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{Context, Result};
use foldhash::fast::RandomState as FastHash;

use crate::cache::{self, Output, Owner};
use crate::data;
use crate::output::OutFile;

/// Where files go: a staging folder for a clean build, the live folder for an incremental one.
pub(super) struct Writer<'a> {
    pub(super) root: PathBuf,
    /// The previous build's outputs, when writing incrementally: unchanged bytes are skipped.
    pub(super) previous: Option<&'a cache::Outputs>,
    pub(super) written: AtomicUsize,
    /// The site-wide files, for the manifest.
    pub(super) outputs: Mutex<Vec<(String, Output)>>,
    /// The pages and JSON files of disclosures and projects written or kept this time.
    pub(super) rendered: Mutex<HashSet<String>>,
    /// Folders known to exist: 93,000 JSON files share one, which need not be made again.
    pub(super) folders: Mutex<HashSet<PathBuf, FastHash>>,
    /// The SHA-256 of every file written or rendered again this time, for the list of
    /// published files ([`crate::files`]); a file kept without being rendered keeps the
    /// previous build's.
    pub(super) hashes: Mutex<Vec<(String, [u8; 32])>>,
    /// The root folder, opened, when writing incrementally: whether a file kept from the previous
    /// build is still there is asked relative to it ([`Writer::is_there`]).
    #[cfg(target_os = "linux")]
    pub(super) root_fd: Option<rustix::fd::OwnedFd>,
}

impl Writer<'_> {
    pub(super) fn put(&self, owner: &Owner, file: &OutFile) -> Result<()> {
        self.put_with_inputs(owner, file, None).map(|_| ())
    }

    /// Writes `file` (a disclosure's or project's) and returns the SHA-256 of its bytes.
    pub(super) fn put_hashed(&self, owner: &Owner, file: &OutFile) -> Result<[u8; 32]> {
        debug_assert!(*owner != Owner::Site, "site-wide files kept are not hashed");
        self.put_with_inputs(owner, file, None)
            .map(|sha| sha.unwrap_or_else(|| crate::log::sha256(&file.bytes)))
    }

    fn record_sha(&self, path: &str, sha: [u8; 32]) {
        self.hashes
            .lock()
            .expect("no panics while holding the lock")
            .push((path.to_string(), sha));
    }

    /// Writes the site-wide page at `path` rendered from `inputs` (a hash of everything it is
    /// rendered from), unless the previous build wrote it from the same inputs: then the file
    /// stays as it is and `render` is not called.
    pub(super) fn put_rendered(
        &self,
        path: String,
        inputs: u64,
        render: impl FnOnce() -> OutFile,
    ) -> Result<()> {
        match self.kept(&path, inputs) {
            Some(o) => {
                self.record(path, o);
                Ok(())
            }
            None => {
                let file = render();
                debug_assert_eq!(file.path, path, "the renderer names the same file");
                self.put_with_inputs(&Owner::Site, &file, Some(inputs))
                    .map(|_| ())
            }
        }
    }

    /// The previous build's record of the site-wide file at `path`, if it was made from the
    /// same `inputs` and is still there.
    pub(super) fn kept(&self, path: &str, inputs: u64) -> Option<Output> {
        self.previous
            .and_then(|p| p.get(path))
            .filter(|o| o.inputs == Some(inputs) && self.is_there(path))
            .cloned()
    }

    /// Whether the file at `path` below the root is there. A one-file rebuild at 100,000
    /// disclosures asks it of 33,000 site-wide files kept from the previous build: asked
    /// relative to the opened root, without reading the file's attributes, each takes half the
    /// kernel's time of a `stat` of its whole path.
    fn is_there(&self, path: &str) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(root) = &self.root_fd {
            use rustix::fs::{accessat, Access, AtFlags};
            return accessat(root, path, Access::EXISTS, AtFlags::empty()).is_ok();
        }
        self.root.join(path).exists()
    }

    /// Writes a file made of pieces, some of them ranges of the file it replaces.
    pub(super) fn put_pieces(&self, file: &data::ItemFile, inputs: u64) -> Result<()> {
        use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
        let target = self.root.join(&file.path);
        self.make_parent(&target)?;
        let old = if file.pieces.iter().any(|p| matches!(p, data::Piece::Old(_))) {
            Some(
                std::fs::File::open(&target)
                    .with_context(|| format!("cannot read {}", target.display()))?,
            )
        } else {
            None
        };
        let dest = if self.previous.is_some() {
            beside(&target)
        } else {
            target.clone()
        };
        // The bytes are hashed on their way, for the list of published files: the old ranges
        // are read through a buffer rather than copied by the kernel.
        let write = || -> std::io::Result<[u8; 32]> {
            use sha2::Digest as _;
            let mut sha = sha2::Sha256::new();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&dest)?);
            let mut buf = vec![0u8; 1 << 20];
            for piece in &file.pieces {
                match (piece, old.as_ref()) {
                    (data::Piece::New(bytes), _) => {
                        sha.update(bytes);
                        out.write_all(bytes)?;
                    }
                    (data::Piece::Old(range), Some(mut old)) => {
                        old.seek(SeekFrom::Start(range.start))?;
                        let mut left = range.end - range.start;
                        while left > 0 {
                            let n = left.min(buf.len() as u64) as usize;
                            match old.read(&mut buf[..n])? {
                                0 => {
                                    return Err(std::io::Error::new(
                                        std::io::ErrorKind::UnexpectedEof,
                                        "the previous file is shorter than the cache says",
                                    ))
                                }
                                got => {
                                    sha.update(&buf[..got]);
                                    out.write_all(&buf[..got])?;
                                    left -= got as u64;
                                    // Read once: its pages go to the bytes written next.
                                    let end = range.end - left;
                                    release_cached(old, Some(end - got as u64..end));
                                }
                            }
                        }
                    }
                    (data::Piece::Old(_), None) => unreachable!("opened above"),
                }
            }
            out.flush()?;
            Ok(sha.finalize().into())
        };
        let sha = write().with_context(|| format!("cannot write {}", dest.display()))?;
        if dest != target {
            std::fs::rename(&dest, &target)
                .with_context(|| format!("cannot replace {}", target.display()))?;
        }
        if let Some(old) = old {
            // The replaced file's last handle: closing it frees 100 MB of blocks, which the
            // rest of the build need not wait for.
            std::thread::spawn(move || drop(old));
        }
        self.written.fetch_add(1, Ordering::Relaxed);
        self.record_sha(&file.path, sha);
        self.record(
            file.path.clone(),
            Output {
                hash: 0,
                inputs: Some(inputs),
            },
        );
        Ok(())
    }

    pub(super) fn record(&self, path: String, output: Output) {
        self.outputs
            .lock()
            .expect("no panics while holding the lock")
            .push((path, output));
    }

    pub(super) fn put_with_inputs(
        &self,
        owner: &Owner,
        file: &OutFile,
        inputs: Option<u64>,
    ) -> Result<Option<[u8; 32]>> {
        let target = self.root.join(&file.path);
        let site_wide = *owner == Owner::Site;
        let hash = if site_wide {
            cache::hash_bytes(&file.bytes)
        } else {
            0
        };
        let unchanged = match self.previous {
            None => false,
            Some(p) if site_wide => p
                .get(&file.path)
                .is_some_and(|o| o.hash == hash && self.is_there(&file.path)),
            // Not in the manifest; an incremental build renders only the few that changed.
            Some(_) => std::fs::read(&target).is_ok_and(|old| old == file.bytes),
        };
        if !unchanged {
            self.make_parent(&target)?;
            if self.previous.is_some() {
                // Live folder: never leave a half-written file where a reader can see it.
                if file.bytes.len() as u64 >= RELEASE_FROM {
                    release_cached_at(&target);
                }
                let tmp = beside(&target);
                std::fs::write(&tmp, &file.bytes)
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
                std::fs::rename(&tmp, &target)
                    .with_context(|| format!("cannot replace {}", target.display()))?;
            } else {
                std::fs::write(&target, &file.bytes)
                    .with_context(|| format!("cannot write {}", target.display()))?;
            }
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        if site_wide {
            self.record(file.path.clone(), Output { hash, inputs });
        } else if self.previous.is_some() {
            self.rendered
                .lock()
                .expect("no panics while holding the lock")
                .insert(file.path.clone());
        }
        // A site-wide file kept as it was is in the previous list of published files already:
        // its SHA-256 (10 MB of sitemaps, 700 project-list pages) is not worked out again.
        if unchanged && site_wide {
            return Ok(None);
        }
        let sha = crate::log::sha256(&file.bytes);
        self.record_sha(&file.path, sha);
        Ok(Some(sha))
    }

    /// Makes the folder `target` goes in, unless this writer made or found it before.
    fn make_parent(&self, target: &Path) -> Result<()> {
        let Some(dir) = target.parent() else {
            return Ok(());
        };
        let folders = || {
            self.folders
                .lock()
                .expect("no panics while holding the lock")
        };
        if folders().contains(dir) {
            return Ok(());
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        folders().insert(dir.to_path_buf());
        Ok(())
    }

    pub(super) fn put_all(&self, owner: &Owner, files: &[OutFile]) -> Result<()> {
        files.iter().try_for_each(|f| self.put(owner, f))
    }
}

/// Where a file of the live site is written before it is renamed over `target`:
/// `.index.html.tmp` beside `index.html`.
fn beside(target: &Path) -> PathBuf {
    target.with_file_name(format!(
        ".{}.tmp",
        target
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ))
}

/// Files at least this large give their cached pages back before the file that replaces them is
/// written ([`release_cached`]); for smaller ones the system call costs more than it saves.
pub(super) const RELEASE_FROM: u64 = 1 << 20;

/// Tells the kernel that the cached pages of `file` in `range` (all of it when `None`) will not
/// be read again by this build: it frees them now, and the file written next takes those pages
/// rather than fresh ones. On the 2-core virtual machine this project is measured on, writing
/// 40 MB into freshly allocated pages took 30 to 140 ms, and 10 ms into pages just freed; a
/// one-file rebuild at 100,000 disclosures replaces 200 MB of open data and logs. Readers of the
/// old file lose nothing: they read it from the disk. Only advice: a failure is ignored, and
/// elsewhere than on Linux it does nothing.
pub(super) fn release_cached(file: &std::fs::File, range: Option<std::ops::Range<u64>>) {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{fadvise, Advice};
        let (offset, len) = match range {
            Some(r) => (r.start, std::num::NonZeroU64::new(r.end - r.start)),
            None => (0, None),
        };
        let _ = fadvise(file, offset, len, Advice::DontNeed);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, range);
}

/// [`release_cached`] for the whole file at `target`, when it is there and at least
/// [`RELEASE_FROM`] bytes: called before the file that replaces it is written.
pub(super) fn release_cached_at(target: &Path) {
    if let Ok(file) = std::fs::File::open(target) {
        if file.metadata().is_ok_and(|m| m.len() >= RELEASE_FROM) {
            release_cached(&file, None);
        }
    }
}
