//! Loading `content/`: the site-wide TOML files and every Markdown disclosure, parsed in
//! parallel and validated as a whole. Every problem is collected before the build fails.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use disclosure::parse::parse_disclosure_with_links;
use disclosure::validate::{internal_only, validate_site};
use disclosure::{Calendar, Departments, Diagnostic, Disclosure, SiteConfig};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// Everything the content folder says, validated.
#[derive(Debug, Clone)]
pub struct Content {
    pub dir: PathBuf,
    pub site: SiteConfig,
    pub departments: Departments,
    pub calendar: Calendar,
    /// Every disclosure, sorted by id.
    pub docs: Vec<Disclosure>,
    /// SHA-256 of each source file, in the same order as `docs`.
    pub hashes: Vec<[u8; 32]>,
    /// Internal links of each body with their lines, in the same order as `docs`.
    pub links: Vec<Vec<(usize, String)>>,
}

/// Size and modification time of a source file: when both are unchanged, so is its parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub modified_ns: u64,
}

impl Stamp {
    pub fn from_metadata(meta: &std::fs::Metadata) -> Option<Stamp> {
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(Stamp {
            size: meta.len(),
            modified_ns: modified.as_nanos() as u64,
        })
    }
}

/// How much of each body's plain text the build keeps ([`excerpt`]), in characters other than
/// whitespace: a feed's description ([`crate::feeds::DESCRIPTION_CHARS`], counted with its
/// spaces) and one character more, to know whether it was cut.
pub const EXCERPT_CHARS: usize = 201;

/// The start of a Markdown body as plain text, as long as a feed's description can quote.
pub fn excerpt(markdown: &str) -> String {
    use crate::markdown::{plain_text, Layout};
    plain_text(markdown, Layout::OneLine, Some(EXCERPT_CHARS))
}

/// One source file, parsed: what the build cache keeps per file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Parsed {
    pub disclosure: Disclosure,
    pub hash: [u8; 32],
    pub links: Vec<(usize, String)>,
}

/// Why content could not be loaded: every diagnostic found, sorted by file and line.
#[derive(Debug)]
pub struct Invalid(pub Vec<Diagnostic>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "{} problem{} found; nothing was published",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Invalid {}

/// A source file as read from disk.
pub struct SourceFile {
    /// Path shown in messages: the content folder's own name, then the path inside it.
    pub display: String,
    pub stem: String,
    pub text: String,
}

/// Finds every `.md` file below `dir`, in a fixed order (by the bytes of their paths) so that
/// builds are deterministic.
pub fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(markdown_files_stamped(dir)?
        .into_iter()
        .map(|(path, _)| path)
        .collect())
}

/// [`markdown_files`] with each file's size and modification time. Folders are read in
/// parallel and each file's metadata is asked of its folder, without looking its path up
/// again: at 100,000 files this is the first tenth of a one-file rebuild. Symbolic links are
/// followed.
pub fn markdown_files_stamped(dir: &Path) -> Result<Vec<(PathBuf, Option<Stamp>)>> {
    let mut files = walk(dir, 0).with_context(|| format!("reading {}", dir.display()))?;
    // Byte order: comparing paths component by component took a tenth of a one-file rebuild.
    files.par_sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    Ok(files)
}

/// Deeper than this, a folder is taken for a symbolic link loop.
const MAX_DEPTH: usize = 64;

fn walk(dir: &Path, depth: usize) -> std::io::Result<Vec<(PathBuf, Option<Stamp>)>> {
    if depth > MAX_DEPTH {
        return Err(std::io::Error::other(format!(
            "{}: more than {MAX_DEPTH} folders deep; is there a symbolic link loop?",
            dir.display()
        )));
    }
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let (kind, meta) = match entry.file_type()? {
            t if t.is_symlink() => {
                let meta = std::fs::metadata(&path).map_err(|e| {
                    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                })?;
                (meta.file_type(), Some(meta))
            }
            t => (t, None),
        };
        if kind.is_dir() {
            dirs.push(path);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "md") {
            let meta = match meta {
                Some(m) => m,
                None => entry.metadata()?,
            };
            files.push((path, Stamp::from_metadata(&meta)));
        }
    }
    let nested: Vec<Vec<_>> = dirs
        .par_iter()
        .map(|d| walk(d, depth + 1))
        .collect::<std::io::Result<_>>()?;
    files.extend(nested.into_iter().flatten());
    Ok(files)
}

/// How a path inside the content folder is shown in messages: `content/notices/x.md`.
pub fn display_path(dir: &Path, path: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    format!("{name}/{rel}")
}

fn read_toml_file(dir: &Path, name: &str) -> Result<(String, String)> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", display_path(dir, &path)))?;
    Ok((display_path(dir, &path), text))
}

/// Reads the three site-wide files, and checks the optional audit anchors.
pub fn load_config(dir: &Path) -> Result<(SiteConfig, Departments, Calendar), Invalid> {
    let mut diags = Vec::new();
    let mut io = |name: &str| match read_toml_file(dir, name) {
        Ok(x) => Some(x),
        Err(e) => {
            diags.push(Diagnostic::new(
                format!("{e}"),
                0,
                "",
                "the file is required",
            ));
            None
        }
    };
    let (site, deps, cal) = (io("site.toml"), io("departments.toml"), io("calendar.toml"));
    let site = site.and_then(|(f, t)| SiteConfig::parse(&f, &t).map_err(|d| diags.push(d)).ok());
    let deps = deps.and_then(|(f, t)| Departments::parse(&f, &t).map_err(|d| diags.extend(d)).ok());
    let cal = cal.and_then(|(f, t)| Calendar::parse(&f, &t).map_err(|d| diags.extend(d)).ok());
    // Optional: the audit-chain anchors `intake export` writes, published as they are.
    let anchors = dir.join(AUDIT_ANCHORS_FILE);
    if anchors.exists() {
        let display = display_path(dir, &anchors);
        match std::fs::read_to_string(&anchors) {
            Ok(text) => {
                if let Err(d) = parse_audit_anchors(&display, &text) {
                    diags.push(d);
                }
            }
            Err(e) => diags.push(Diagnostic::new(display, 0, "", format!("cannot read: {e}"))),
        }
    }
    // Optional: the handling statistics `intake export` writes, checked against the departments.
    let stats = dir.join(STATISTICS_FILE);
    if let (true, Some(d)) = (stats.exists(), &deps) {
        let display = display_path(dir, &stats);
        let ids: Vec<&str> = d.all().iter().map(|d| d.id.as_str()).collect();
        match std::fs::read_to_string(&stats) {
            Ok(text) => {
                if let Err(e) = parse_statistics(&display, &text, &ids) {
                    diags.push(e);
                }
            }
            Err(e) => diags.push(Diagnostic::new(display, 0, "", format!("cannot read: {e}"))),
        }
    }
    match (site, deps, cal) {
        (Some(s), Some(d), Some(c)) if diags.is_empty() => Ok((s, d, c)),
        _ => Err(Invalid(diags)),
    }
}

/// Reads one source file, naming it on failure.
pub fn read_source(dir: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let display = display_path(dir, path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile {
                display,
                stem,
                text,
            }),
            Err(_) => Err(Diagnostic::new(
                display,
                0,
                "",
                "the file is not UTF-8 text; save it as UTF-8",
            )),
        },
        Err(e) => Err(Diagnostic::new(display, 0, "", format!("cannot read: {e}"))),
    }
}

/// Parses one source file, hashes its bytes and finds its internal links.
pub fn parse_source(file: &SourceFile) -> Result<Box<Parsed>, Vec<Diagnostic>> {
    let (disclosure, links) = parse_disclosure_with_links(&file.display, &file.stem, &file.text)?;
    let links = internal_only(links);
    Ok(Box::new(Parsed {
        disclosure,
        hash: Sha256::digest(file.text.as_bytes()).into(),
        links,
    }))
}

/// Loads and validates the whole content folder. `progress` is called once per file parsed.
pub fn load(dir: &Path, progress: &(dyn Fn() + Sync)) -> Result<Content> {
    validate(dir, parse_all(dir, progress)?)
}

/// A file's parse, or what is wrong with it.
pub type ParseResult = Result<Box<Parsed>, Vec<Diagnostic>>;

/// The content folder read and each file parsed on its own, not yet judged as a whole.
pub struct Parses {
    /// `site.toml`, `departments.toml`, `calendar.toml` and the files `intake export` writes.
    pub config: Result<(SiteConfig, Departments, Calendar), Invalid>,
    /// Every Markdown file's parse, in any order.
    pub files: Vec<ParseResult>,
}

/// Reads and parses every file of the content folder, in parallel. `progress` is called once
/// per file parsed.
pub fn parse_all(dir: &Path, progress: &(dyn Fn() + Sync)) -> Result<Parses> {
    let config = load_config(dir);
    let files = markdown_files(dir)?;
    let files = files
        .par_iter()
        .map(|path| {
            let r = read_source(dir, path)
                .map_err(|d| vec![d])
                .and_then(|f| parse_source(&f));
            progress();
            r
        })
        .collect();
    Ok(Parses { config, files })
}

/// The one validation step of `site-gen build` and `site-gen check`: puts the parsed files and
/// the site-wide configuration together and runs the cross-file checks (duplicate ids,
/// departments, internal links). Every problem found, in the files or across them, comes back
/// at once as [`Invalid`]; the disclosures come back sorted by id.
pub fn validate(dir: &Path, parses: Parses) -> Result<Content> {
    let Parses {
        config,
        files: parsed,
    } = parses;
    let mut diags = Vec::new();
    let mut docs = Vec::with_capacity(parsed.len());
    for r in parsed {
        match r {
            Ok(x) => docs.push(x),
            Err(d) => diags.extend(d),
        }
    }
    let config = match config {
        Ok(c) => Some(c),
        Err(Invalid(d)) => {
            diags.extend(d);
            None
        }
    };
    docs.sort_by(|a, b| {
        let (a, b) = (&a.disclosure, &b.disclosure);
        a.id.cmp(&b.id).then_with(|| a.source.cmp(&b.source))
    });
    // Taken apart on both cores: 100,000 parses moved out of their boxes.
    let (docs, (hashes, links)): (Vec<Disclosure>, (Vec<_>, Vec<_>)) = docs
        .into_par_iter()
        .map(|p| {
            let p = *p;
            (p.disclosure, (p.hash, p.links))
        })
        .unzip();
    if let Some((_, departments, _)) = &config {
        diags.extend(validate_site(&docs, &links, departments));
    }
    match config {
        Some((site, departments, calendar)) if diags.is_empty() => Ok(Content {
            dir: dir.to_path_buf(),
            site,
            departments,
            calendar,
            docs,
            hashes,
            links,
        }),
        _ => {
            diags.sort();
            diags.dedup();
            Err(Invalid(diags).into())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The files `intake export` writes into `content/`, checked here when the content is loaded

/// The file in `content/` that `intake export` appends the audit chain's head to.
pub const AUDIT_ANCHORS_FILE: &str = "audit-anchors.json";
#[derive(Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditAnchors {
    anchors: Vec<AuditAnchor>,
}

#[derive(Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct AuditAnchor {
    seq: u64,
    hash: String,
    at: String,
}

/// Reads and checks `content/audit-anchors.json`: each anchor a later event than the one before,
/// with a SHA-256 hash in hex.
pub fn parse_audit_anchors(
    display: &str,
    text: &str,
) -> Result<AuditAnchors, disclosure::Diagnostic> {
    let anchors: AuditAnchors = serde_json::from_str(text).map_err(|e| {
        disclosure::Diagnostic::new(
            display,
            e.line(),
            "",
            format!("not an audit anchors file ({e}); it is written by `intake export`"),
        )
    })?;
    let mut last = 0;
    for (i, a) in anchors.anchors.iter().enumerate() {
        let field = format!("anchors[{}]", i + 1);
        let problem = if a.seq <= last {
            Some(format!(
                "seq {} does not follow {last}: anchors only ever move forward",
                a.seq
            ))
        } else if a.hash.len() != 64 || !a.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            Some("hash must be 64 hexadecimal characters (SHA-256)".to_string())
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(disclosure::Diagnostic::new(display, 0, field, message));
        }
        last = a.seq;
    }
    Ok(anchors)
}

/// The file in `content/` that `intake export` writes the anonymous handling statistics to.
pub const STATISTICS_FILE: &str = "complaint-statistics.json";

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statistics {
    pub generated: chrono::NaiveDate,
    pub min_cell: i64,
    pub rows: Vec<Row>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub department: String,
    pub quarter: String,
    pub received: Option<i64>,
    pub concluded: Option<i64>,
    pub on_time: Option<i64>,
    pub overdue: Option<i64>,
    pub median_working_days: Option<f64>,
}

/// Reads and checks the statistics; `departments` are the ids the site knows.
pub fn parse_statistics(
    display: &str,
    text: &str,
    departments: &[&str],
) -> Result<Statistics, Diagnostic> {
    let stats: Statistics = serde_json::from_str(text).map_err(|e| {
        Diagnostic::new(
            display,
            e.line(),
            "",
            format!("not a statistics file ({e}); it is written by `intake export`"),
        )
    })?;
    let min = stats.min_cell.max(3);
    for (i, r) in stats.rows.iter().enumerate() {
        let field = |name: &str| format!("rows[{}].{name}", i + 1);
        if !departments.contains(&r.department.as_str()) {
            return Err(Diagnostic::new(
                display,
                0,
                field("department"),
                format!("unknown department \"{}\"", r.department),
            ));
        }
        let q = r.quarter.split_once("-Q");
        if !q.is_some_and(|(y, q)| {
            y.len() == 4
                && y.bytes().all(|b| b.is_ascii_digit())
                && matches!(q, "1" | "2" | "3" | "4")
        }) {
            return Err(Diagnostic::new(
                display,
                0,
                field("quarter"),
                format!("\"{}\" is not a quarter such as 2026-Q3", r.quarter),
            ));
        }
        for (name, v) in [
            ("received", r.received),
            ("concluded", r.concluded),
            ("on_time", r.on_time),
            ("overdue", r.overdue),
        ] {
            if let Some(n) = v.filter(|n| *n < 0 || (*n > 0 && *n < min)) {
                return Err(Diagnostic::new(
                    display,
                    0,
                    field(name),
                    format!("{n}: a count below {min} could point at a submitter; it is published as null (少于{min}件)"),
                ));
            }
        }
    }
    Ok(stats)
}
