//! Attachments: at most `limits.max_attachments` files of at most `limits.max_attachment_bytes`
//! each, of the types PDF, JPEG, PNG, DOCX, XLSX and ZIP, recognised by their content (magic
//! numbers; DOCX and XLSX are ZIP files whose entries name `word/` or `xl/`), never by their
//! name. A renamed program is refused whatever it is called.
//!
//! Files are streamed to a temporary file under the attachment folder (never whole in memory),
//! hashed as they come, made durable (fsync of the file and the folder) and only then referred
//! to by the case's transaction. The folder is outside every public path; the public side never
//! serves these files.

use std::path::{Path, PathBuf};

use rand::RngCore;
use sha2::{Digest, Sha256};
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

/// A file being received.
pub struct Upload {
    dir: PathBuf,
    tmp: PathBuf,
    file: tokio::fs::File,
    name: String,
    head: Vec<u8>,
    size: u64,
    max: usize,
    hash: Sha256,
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

impl Upload {
    pub async fn start(dir: &Path, name: &str, max: usize) -> Result<Upload, Refused> {
        let tmp_dir = dir.join("tmp");
        tokio::fs::create_dir_all(&tmp_dir).await?;
        let tmp = tmp_dir.join(format!("{}.part", random_hex(12)));
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(Upload {
            dir: dir.to_path_buf(),
            tmp,
            file,
            name: clean_name(name),
            head: Vec::new(),
            size: 0,
            max,
            hash: Sha256::new(),
        })
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), Refused> {
        self.size += chunk.len() as u64;
        if self.size > self.max as u64 {
            return Err(Refused::TooLarge(
                self.name.clone(),
                self.max / (1024 * 1024),
            ));
        }
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hash.update(chunk);
        self.file.write_all(chunk).await?;
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
        self.file.flush().await?;
        self.file.sync_all().await?;
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
        tokio::fs::create_dir_all(&parent).await?;
        tokio::fs::rename(&self.tmp, &dest).await?;
        // The rename is durable once the folder is synced.
        tokio::task::spawn_blocking(move || std::fs::File::open(&parent)?.sync_all())
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

    /// Gives up on the file.
    pub async fn abandon(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.tmp).await;
    }
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
}
