//! The second relevance suite (`tests/real_samples.toml`): judged queries over the real published
//! documents in `../shared/real-samples/`, indexed beside the demo site (so that the demo's
//! documents compete with them). The samples are read at run time and converted to content files
//! by the same conversion as `site-gen`'s real-samples test (its `samples.rs`, included here); none of their text is in the repository.
//! Where the folder is absent the suite says so and checks nothing.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::support::*;

#[path = "../../../site-gen/tests/it/samples.rs"]
mod samples;
use samples::{read_sample, samples, to_content};

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
        let (rel, text, _) = to_content(&read_sample(path));
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
