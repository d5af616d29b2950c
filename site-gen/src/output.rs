//! What a renderer hands to the build: files addressed by their site path. The build decides
//! where and when they are written (aside then swapped for a clean build; atomically one by one
//! for an incremental one), so renderers never touch the file system.

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Path inside the output folder, with `/` separators and no leading slash:
    /// `notices/x/index.html`, `feeds/all.xml`.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutFile {
    /// The file that serves a site URL: `/notices/x/` → `notices/x/index.html`.
    pub fn at_url(url: &str, bytes: impl Into<Vec<u8>>) -> OutFile {
        OutFile {
            path: file_for_url(url),
            bytes: bytes.into(),
        }
    }
}

/// `/notices/x/` → `notices/x/index.html`; `/feeds/all.xml` → `feeds/all.xml`; `/` → `index.html`.
pub fn file_for_url(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// The URL a file serves: the inverse of [`file_for_url`].
pub fn url_for_file(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_files_round_trip() {
        for url in ["/", "/notices/x/", "/feeds/all.xml", "/notices/page/2/"] {
            assert_eq!(url_for_file(&file_for_url(url)), url);
        }
        assert_eq!(file_for_url("/"), "index.html");
    }
}
