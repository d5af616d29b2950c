//! Tamper evidence: `verify` names a page whose bytes changed and any break in the log's chain.

use crate::support::*;
use site_gen::build::verify;

#[test]
fn verify_catches_a_changed_byte_and_a_broken_chain() {
    let (tmp, content) = content_with(&[]);
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-11-26")).unwrap();
    assert_eq!(verify(&out).unwrap(), Vec::<String>::new());

    // One byte of one page.
    let page = out.join("results/p1-award/index.html");
    let mut bytes = std::fs::read(&page).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&page, bytes).unwrap();
    let problems = verify(&out).unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .starts_with("results/p1-award/index.html: the page's bytes no longer match the log"),
        "{problems:?}"
    );

    // An edited log entry breaks the chain at that entry.
    let log_path = out.join("data/log.json");
    let log = std::fs::read_to_string(&log_path)
        .unwrap()
        .replacen("2026-11-26", "2026-11-25", 1);
    std::fs::write(&log_path, log).unwrap();
    let problems = verify(&out).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("entry 1") && p.contains("was edited")),
        "{problems:?}"
    );
}

#[test]
fn a_revision_keeps_its_url_and_is_listed() {
    let (tmp, content) = content_with(&[]);
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-11-20")).unwrap();
    let path = content.join("notices/p1-tender.md");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "date = 2026-03-02",
        "date = 2026-03-02\nupdated = 2026-11-26",
    );
    std::fs::write(&path, text + "\n补充说明：开标时间不变。\n").unwrap();
    let summary = build_at(&content, &out, day("2026-11-26")).unwrap();
    assert_eq!(summary.log_entries, 1, "{summary}");
    let log = std::fs::read_to_string(out.join("data/log.json")).unwrap();
    assert!(log.contains("\"event\":\"revised\""), "{log}");
    let page = std::fs::read_to_string(out.join("notices/p1-tender/index.html")).unwrap();
    assert!(
        page.contains("2026-11-20") && page.contains("2026-11-26"),
        "revision dates missing from the page"
    );
    assert!(page.contains("补充说明"));
    assert_eq!(verify(&out).unwrap(), Vec::<String>::new());
}
