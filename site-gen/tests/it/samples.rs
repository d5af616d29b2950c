//! The real published documents in `../shared/real-samples/`, read at run time and turned into
//! content files as an operator would convert them: the header gives kind, title and date; the body
//! is kept word for word, each line a paragraph, with Markdown's punctuation escaped so the page
//! shows exactly the published text. Nothing of them is copied into the repository.
//!
//! One conversion for every suite that uses the samples: site-gen's build test includes this file
//! as a module, and search-server's relevance suite includes it by path.

use std::path::{Path, PathBuf};

pub fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/real-samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "real samples: {} is absent (it exists in the workplace and in CI); this test checks nothing here",
            dir.display()
        );
        None
    }
}

pub struct Sample {
    pub stem: String,
    pub kind: String,
    pub title: String,
    pub date: String,
    pub source: String,
    pub body: String,
}

pub fn read_sample(path: &Path) -> Sample {
    let text = std::fs::read_to_string(path).unwrap();
    let (header, body) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{}: no `---` after the header", path.display()));
    let field = |name: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("{}: no `{name}:` in the header", path.display()))
    };
    Sample {
        stem: path.file_stem().unwrap().to_string_lossy().into_owned(),
        kind: field("kind"),
        title: field("title"),
        date: field("date"),
        source: field("source"),
        body: body.to_string(),
    }
}

/// A body line as Markdown that renders to exactly its text.
fn escape_markdown(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The project code a document names (项目编号 / 招标编号 / 采购编号), else one made from its file.
fn project_code(sample: &Sample) -> String {
    for label in ["项目编号", "招标编号", "采购编号", "标段编号", "项目代码"] {
        for (at, _) in sample.body.match_indices(label) {
            let rest = &sample.body[at + label.len()..];
            let rest = rest.trim_start_matches([':', '：', ' ', '\t']);
            let code: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if code.len() >= 4 {
                return code;
            }
        }
    }
    format!("RS-{}", sample.stem)
}

/// The sample as a content file: (relative path, text, its page's path in the output).
pub fn to_content(sample: &Sample) -> (String, String, String) {
    let (kind, stage, folder) = match sample.kind.as_str() {
        "notice" => ("notice", "tender", "notices"),
        "candidates" => ("result", "candidates", "results"),
        "result" => ("result", "award", "results"),
        other => panic!("{}: unknown sample kind {other}", sample.stem),
    };
    let (category, department) = if sample.source.contains("yichang") {
        ("construction", "zjj")
    } else {
        ("procurement", "czj")
    };
    let id = format!("rs-{}", sample.stem);
    let title = toml::Value::String(sample.title.clone()).to_string();
    let body = sample
        .body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(escape_markdown)
        .collect::<Vec<_>>()
        .join("\n\n");
    let text = format!(
        "+++\nkind = \"{kind}\"\ntitle = {title}\ndate = {}\nid = \"{id}\"\ndepartment = \"{department}\"\ncategory = \"{category}\"\nproject = \"{}\"\nstage = \"{stage}\"\n+++\n{body}\n",
        sample.date,
        project_code(sample),
    );
    (
        format!("{folder}/real-samples/{id}.md"),
        text,
        format!("{folder}/{id}/index.html"),
    )
}
