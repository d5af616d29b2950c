//! Attachments: at most `limits.max_attachments` files of at most `limits.max_attachment_bytes`
//! each, of the types PDF, JPEG, PNG, DOCX, XLSX and ZIP, recognised by their content (magic
//! numbers; DOCX and XLSX are ZIP files whose entries name `word/` or `xl/`), never by their
//! name. A renamed program is refused whatever it is called.
//!
//! Files are streamed to a temporary file under the attachment folder (never whole in memory),
//! hashed as they come, made durable (fsync of the file and the folder) and only then referred
//! to by the case's transaction. A file of a wrong type is refused on its first bytes and never
//! written; a temporary file never outlives its upload (see [`Upload`]). The folder is outside every public path; the public side never
//! serves these files.

use std::path::{Path, PathBuf};

use rand::RngCore;
use sha2::{Digest, Sha256};
use tempfile::{NamedTempFile, TempPath};
use tokio::io::AsyncWriteExt;

/// The accepted types: MIME type, what the form calls it, file extension.
pub const ACCEPTED: &[(&str, &str, &str)] = &[
    ("application/pdf", "PDF", "pdf"),
    ("image/jpeg", "JPEG", "jpg"),
    ("image/png", "PNG", "png"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "DOCX",
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX",
        "xlsx",
    ),
    ("application/zip", "ZIP", "zip"),
];

/// How many leading bytes are kept for recognition (the DOCX/XLSX test reads a few entries in).
const HEAD: usize = 64 * 1024;

/// The accepted type of a file, from its first bytes.
pub fn recognise(head: &[u8]) -> Option<(&'static str, &'static str)> {
    let kind = infer::get(head)?;
    ACCEPTED
        .iter()
        .find(|(mime, _, _)| *mime == kind.mime_type())
        .map(|(mime, _, ext)| (*mime, *ext))
}

/// A file stored for a case, before or after the case is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// The name it was uploaded with, cleaned (for staff only).
    pub file_name: String,
    pub content_type: &'static str,
    pub size: u64,
    pub sha256: String,
    /// Relative to the attachment folder.
    pub stored_path: String,
}

/// Why a file was refused (the message names the file for the form).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("附件“{0}”超过 {1} MB")]
    TooLarge(String, usize),
    #[error("附件“{0}”的类型不支持（仅限 PDF、JPEG、PNG、DOCX、XLSX、ZIP，按文件内容识别）")]
    Type(String),
    #[error("附件“{0}”为空")]
    Empty(String),
    #[error("附件最多 {0} 个")]
    TooMany(usize),
    #[error("附件上传中断，请重试")]
    Broken,
    #[error("提交的内容过大")]
    BodyTooLarge,
    #[error("storing attachment: {0}")]
    Io(#[from] std::io::Error),
}

/// The last path component of an uploaded name, without control characters, at most 100 chars.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if cleaned.trim().is_empty() {
        "附件".to_string()
    } else {
        cleaned.trim().to_string()
    }
}

/// The first bytes of every accepted type (PDF, JPEG, PNG, and ZIP, which DOCX and XLSX are):
/// a file that starts otherwise is refused on its first bytes, before anything is written.
const MAGIC: &[&[u8]] = &[
    b"%PDF",
    b"\xff\xd8\xff",
    b"\x89PNG",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
];

/// Whether a file starting with `head` may be of an accepted type: `None` while too few bytes
/// have come to tell.
fn may_be_accepted(head: &[u8]) -> Option<bool> {
    let mut undecided = false;
    for magic in MAGIC {
        let n = magic.len().min(head.len());
        if head[..n] == magic[..n] {
            if head.len() >= magic.len() {
                return Some(true);
            }
            undecided = true;
        }
    }
    (!undecided).then_some(false)
}

/// A file being received.
///
/// Nothing is written until the first bytes show a type that may be accepted. From then on
/// the bytes go to `attachments/tmp/<random>.part`, which is removed whenever the upload ends
/// without [`Upload::finish`] succeeding: a refusal, an error, a client gone, a request timed
/// out (the handler is dropped) — the temporary path removes its file when dropped. What a
/// crash (kill -9) leaves, [`clear_leftovers`] removes at the next start.
pub struct Upload {
    dir: PathBuf,
    name: String,
    /// The bytes kept for recognition; until `file` exists, every byte received.
    head: Vec<u8>,
    size: u64,
    max: usize,
    hash: Sha256,
    file: Option<(tokio::fs::File, TempPath)>,
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// The folder of files being received.
fn tmp_dir(dir: &Path) -> PathBuf {
    dir.join("tmp")
}

impl Upload {
    pub async fn start(dir: &Path, name: &str, max: usize) -> Result<Upload, Refused> {
        Ok(Upload {
            dir: dir.to_path_buf(),
            name: clean_name(name),
            head: Vec::new(),
            size: 0,
            max,
            hash: Sha256::new(),
            file: None,
        })
    }

    /// The temporary file, created when the type looks right; the head so far goes in first.
    async fn open(&mut self) -> Result<(), Refused> {
        let tmp = tmp_dir(&self.dir);
        let (file, path) = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&tmp)?;
            tempfile::Builder::new()
                .suffix(".part")
                .tempfile_in(&tmp)
                .map(NamedTempFile::into_parts)
        })
        .await
        .map_err(std::io::Error::other)??;
        let mut file = tokio::fs::File::from_std(file);
        file.write_all(&self.head).await?;
        self.head.truncate(HEAD);
        self.file = Some((file, path));
        Ok(())
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), Refused> {
        self.size += chunk.len() as u64;
        if self.size > self.max as u64 {
            self.file = None; // removes the temporary file
            return Err(Refused::TooLarge(
                self.name.clone(),
                self.max / (1024 * 1024),
            ));
        }
        self.hash.update(chunk);
        let Some((file, _)) = &mut self.file else {
            // Not writing yet: keep everything until the first bytes tell the type.
            self.head.extend_from_slice(chunk);
            return match may_be_accepted(&self.head) {
                Some(false) => Err(Refused::Type(self.name.clone())),
                Some(true) => self.open().await,
                None => Ok(()),
            };
        };
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        file.write_all(chunk).await?;
        Ok(())
    }

    /// Checks the type, makes the file durable and moves it to its place.
    pub async fn finish(mut self) -> Result<StoredFile, Refused> {
        if self.size == 0 {
            return Err(Refused::Empty(self.name.clone()));
        }
        let Some((mime, ext)) = recognise(&self.head) else {
            return Err(Refused::Type(self.name.clone()));
        };
        if self.file.is_none() {
            self.open().await?; // a file shorter than the longest magic number
        }
        let (mut file, tmp) = self.file.take().expect("opened above");
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256 = hex::encode(self.hash.clone().finalize());
        let now = chrono::Utc::now();
        let rel = format!(
            "{}/{}-{}.{ext}",
            now.format("%Y/%m"),
            &sha256[..16],
            random_hex(6)
        );
        let dest = self.dir.join(&rel);
        let parent = dest.parent().expect("has a parent").to_path_buf();
        // The rename is durable once the folder is synced.
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&parent)?;
            tmp.persist(&dest).map_err(|e| e.error)?;
            std::fs::File::open(&parent)?.sync_all()
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok(StoredFile {
            file_name: self.name.clone(),
            content_type: mime,
            size: self.size,
            sha256,
            stored_path: rel,
        })
    }

    /// Gives up on the file (dropping the upload does the same).
    pub async fn abandon(self) {
        drop(self);
    }
}

/// Removes what uploads cut short by a crash left in `attachments/tmp/`; returns how many files.
/// Run once at start, before requests are served: a file there then belongs to no upload.
pub fn clear_leftovers(dir: &Path) -> std::io::Result<usize> {
    let tmp = tmp_dir(dir);
    let entries = match std::fs::read_dir(&tmp) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes stored files whose case was never written (the submission failed).
pub async fn discard(dir: &Path, files: &[StoredFile]) {
    for f in files {
        let _ = tokio::fs::remove_file(dir.join(&f.stored_path)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognised_by_content_not_name() {
        assert_eq!(recognise(b"%PDF-1.7\n%\xe2\xe3").map(|t| t.1), Some("pdf"));
        assert_eq!(
            recognise(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").map(|t| t.1),
            Some("png")
        );
        // A Windows program, whatever its name.
        assert_eq!(recognise(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), None);
        assert_eq!(recognise(b"just text"), None);
        assert_eq!(clean_name("C:\\Users\\a\\证据.pdf"), "证据.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
    }

    #[test]
    fn the_first_bytes_tell_a_wrong_type() {
        assert_eq!(may_be_accepted(b"%P"), None);
        assert_eq!(may_be_accepted(b"%PDF-1.7"), Some(true));
        assert_eq!(may_be_accepted(b"PK\x03\x04\x14\0"), Some(true));
        assert_eq!(may_be_accepted(b"MZ"), Some(false));
        assert_eq!(may_be_accepted(b"hello"), Some(false));
        assert_eq!(may_be_accepted(b""), None);
    }
}
