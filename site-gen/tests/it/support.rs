//! Building fixture sites in temp folders.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use site_gen::build::{build, Options, Summary};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn demo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("test dates are valid")
}

/// Copies every file below `from` into `to`, creating folders; later copies overwrite.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if rel != Path::new("expected.txt") {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the repository's demo content, as `content` inside a fresh temp dir.
pub fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    copy_tree(&demo_content(), &content);
    (tmp, content)
}

/// A content folder named `content` inside a fresh temp dir, made of the base fixture plus
/// the given overlays.
pub fn content_with(overlays: &[&Path]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    copy_tree(&fixtures().join("base"), &content);
    for o in overlays {
        copy_tree(o, &content);
    }
    (tmp, content)
}

pub fn options(content: &Path, out: &Path, today: NaiveDate) -> Options {
    Options {
        content: content.to_path_buf(),
        out: out.to_path_buf(),
        index: Some(out.with_file_name(format!(
            "{}-index",
            out.file_name().unwrap().to_string_lossy()
        ))),
        today,
        clean: false,
        progress: false,
        signals: None,
    }
}

pub fn build_at(content: &Path, out: &Path, today: NaiveDate) -> anyhow::Result<Summary> {
    build(&options(content, out, today))
}

/// Every file below `dir` with its bytes, by relative path.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Builds `content` incrementally into `inc` and, from a copy of `inc` as it was before (so that
/// both read the same publication log), cleanly into a second folder; the two must be the same
/// byte for byte. Returns the incremental build's summary.
pub fn step(content: &Path, inc: &Path, what: &str) -> Summary {
    let today = day("2026-11-26");
    let before = tempfile::tempdir().unwrap();
    let clean = before.path().join("public");
    copy_tree(inc, &clean);
    let s = build_at(content, inc, today).unwrap();
    assert!(s.incremental, "{what}: {s}");
    assert_eq!(
        site_gen::build::verify(inc).unwrap(),
        Vec::<String>::new(),
        "{what}: every file the incremental build left matches the list of published files"
    );
    let mut opts = options(content, &clean, today);
    opts.clean = true;
    build(&opts).unwrap();
    let (a, b) = (snapshot(inc), snapshot(&clean));
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{what}: file sets differ: {only_a:?} vs {only_b:?}"
    );
    let differing: Vec<_> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(
        differing.is_empty(),
        "{what}: incremental and clean builds differ in {differing:?}"
    );
    s
}

pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// A penalty of the base fixture's winner (测试建设工程有限公司, `91350100M000100Y43`) decided on
/// 2026-03-01 and published on 2026-03-02 by zjj, saying `text`, public until `public_until`.
pub fn penalty(text: &str, public_until: &str) -> String {
    format!(
        r#"+++
kind = "penalty"
title = "测试建设工程有限公司行政处罚决定"
date = 2026-03-02
department = "zjj"
decision_no = "测建罚〔2026〕1号"
subject = "测试建设工程有限公司"
subject_credit_code = "91350100M000100Y43"
violation = "串通投标"
basis = "《中华人民共和国招标投标法》第五十三条"
penalty = "{text}"
decision_date = 2026-03-01
public_until = {public_until}
+++
"#
    )
}

/// Writes into the base fixture's `content` a [`penalty`] that bars the award's only bidder (won
/// on 2026-04-20) for a year from 2026-03-01 (`penalties/p1-ban.md`, public until 2027-06-30),
/// and returns its path.
pub fn a_year_barred(content: &Path) -> PathBuf {
    let path = content.join("penalties/p1-ban.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let ban = "罚款人民币伍万元，禁止参加依法必须进行招标的项目投标一年";
    std::fs::write(&path, penalty(ban, "2027-06-30")).unwrap();
    path
}

/// Every file below `dir` with its modification time: what a build wrote again.
pub fn stamps(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let modified = e.metadata().unwrap().modified().unwrap();
            (e.path().display().to_string(), modified)
        })
        .collect()
}
