//! The second relevance suite (`tests/real_samples.toml`): judged queries over the real published
//! documents in `../shared/real-samples/`, indexed beside the demo site (so that the demo's
//! documents compete with them). The samples are read at run time and converted to content files
//! the way `site-gen`'s real-samples test converts them; none of their text is in the repository.
//! Where the folder is absent the suite says so and checks nothing.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::support::*;

fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/real-samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "real samples: {} is absent (it exists in the workplace and in CI); this suite checks nothing here",
            dir.display()
        );
        None
    }
}

struct Sample {
    stem: String,
    kind: String,
    title: String,
    date: String,
    source: String,
    body: String,
}

fn read_sample(path: &Path) -> Sample {
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

/// The sample as a content file: (relative path, text).
fn to_content(sample: &Sample) -> (String, String) {
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
    (format!("{folder}/real-samples/{id}.md"), text)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    query: Vec<Judged>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Judged {
    q: String,
    /// Samples (by file stem) that must be in the first ten results.
    #[serde(default)]
    top10: Vec<String>,
    /// The query must have no full match at all (a person would expect nothing).
    #[serde(default)]
    nothing: bool,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

#[tokio::test]
async fn judged_queries_over_the_real_samples() {
    let Some(dir) = samples() else { return };
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/real_samples.toml"
    ))
    .unwrap();
    let suite: Suite = toml::from_str(&text).unwrap();
    assert!(
        suite.query.len() >= 40,
        "at least 40 judged queries: {}",
        suite.query.len()
    );
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "only {} samples in {}",
        paths.len(),
        dir.display()
    );

    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    copy_dir(&demo_content(), &content);
    for path in &paths {
        let (rel, text) = to_content(&read_sample(path));
        let file = content.join(rel);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let index = tmp.path().join("index");
    build_index(&content, &index, today());
    let s = serve(&index, &content, unlimited()).await;

    let mut failures = Vec::new();
    let mut failed = 0;
    for j in &suite.query {
        let before = failures.len();
        let v: Value = s.search(&j.q, "").await;
        let hits = v["hits"].as_array().unwrap();
        let full: Vec<&str> = hits
            .iter()
            .filter(|h| h["partial"] != Value::Bool(true))
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
        for want in &j.top10 {
            let id = format!("rs-{want}");
            if !ids.contains(&id.as_str()) {
                failures.push(format!("{:?}: {id} not in the top 10: {ids:?}", j.q));
            }
        }
        if j.nothing && !full.is_empty() {
            failures.push(format!("{:?}: expected no full match, got {full:?}", j.q));
        }
        if failures.len() > before {
            failed += 1;
        }
    }
    println!(
        "real samples: {} of {} judged queries pass",
        suite.query.len() - failed,
        suite.query.len()
    );
    assert!(
        failures.is_empty(),
        "{failed} of {} judged queries fail:\n{}",
        suite.query.len(),
        failures.join("\n")
    );
}
