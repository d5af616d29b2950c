//! A rebuild after one file changed redoes only what it touches, and its output is
//! byte-identical to a clean build of the same content.

use crate::support::*;
use site_gen::build::{build, cache_path};

#[test]
fn incremental_equals_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    copy_tree(&demo_content(), &content);
    let today = day("2026-11-26");

    // Both sites start from the same first build, so their publication logs agree.
    let inc = tmp.path().join("inc");
    let first = build_at(&content, &inc, today).unwrap();
    assert!(!first.incremental);
    let clean = tmp.path().join("clean");
    copy_tree(&inc, &clean);

    // Change one result: its title, and a bid.
    let result = walkdir::WalkDir::new(content.join("results"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .find(|e| {
            std::fs::read_to_string(e.path())
                .unwrap()
                .contains("stage = \"award\"")
        })
        .expect("the demo has an award")
        .into_path();
    let text = std::fs::read_to_string(&result).unwrap();
    let changed = text.replacen("title = \"", "title = \"（更正）", 1);
    std::fs::write(&result, changed).unwrap();

    let second = build_at(&content, &inc, today).unwrap();
    assert!(second.incremental, "{second}");
    assert_eq!(
        second.parsed, 1,
        "only the changed file is parsed again: {second}"
    );
    assert_eq!(second.log_entries, 1, "{second}");

    let mut opts = options(&content, &clean, today);
    opts.clean = true;
    let full = build(&opts).unwrap();
    assert!(!full.incremental);
    let (a, b) = (snapshot(&inc), snapshot(&clean));
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "file sets differ: {only_a:?} vs {only_b:?}"
    );
    let differing: Vec<_> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(
        differing.is_empty(),
        "incremental and clean builds differ in {differing:?}"
    );
    assert!(cache_path(&inc).exists());
}

#[test]
fn deleting_a_file_removes_its_pages() {
    let (tmp, content) = content_with(&[]);
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-11-26")).unwrap();
    assert!(out.join("pages").exists() || out.join("about/index.html").exists());
    std::fs::remove_file(content.join("pages/about.md")).unwrap();
    let s = build_at(&content, &out, day("2026-11-26")).unwrap();
    assert!(s.incremental && s.removed >= 1, "{s}");
    assert!(!out.join("about/index.html").exists());
    assert!(!out.join("data/disclosures/about.json").exists());
    let log = std::fs::read_to_string(out.join("data/log.json")).unwrap();
    assert!(log.contains("\"id\":\"about\"") && log.contains("\"event\":\"withdrawn\""));
}
