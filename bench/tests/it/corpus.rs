//! `gen-corpus` writes a content folder the product accepts, the same bytes for the same seed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace's demo content, whose site-wide files the generator copies.
pub(crate) fn demo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

fn gen_corpus(out: &Path, seed: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_gen-corpus"))
        .args(["--n", "600", "--seed", seed, "--site"])
        .arg(demo_content())
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// Every file below `dir` with its bytes, by relative path.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

#[test]
fn a_generated_corpus_builds_and_regenerates_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a/content"), tmp.path().join("b/content"));
    gen_corpus(&a, "7");
    gen_corpus(&b, "7");
    assert_eq!(snapshot(&a), snapshot(&b), "same seed and N, same corpus");

    let out = tmp.path().join("public");
    let summary = site_gen::build::build(&site_gen::build::Options {
        content: a.clone(),
        out: out.clone(),
        index: Some(tmp.path().join("index")),
        today: "2026-11-26".parse().unwrap(),
        clean: false,
        progress: false,
        signals: None,
    })
    .unwrap();
    assert_eq!(summary.disclosures, 600, "{summary}");
    assert!(summary.pages > 500, "{summary}");
    assert_eq!(site_gen::build::verify(&out).unwrap(), Vec::<String>::new());
}

#[test]
fn a_missing_site_folder_is_named_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("content");
    let output = Command::new(env!("CARGO_BIN_EXE_gen-corpus"))
        .args(["--n", "10", "--site"])
        .arg(tmp.path().join("no-such-site"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no-such-site/site.toml"),
        "the error names the file: {stderr}"
    );
    assert!(!out.exists(), "nothing written");
}
