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

/// `site-gen verify` on `out`: its exit code and what it printed.
fn verify_cli(out: &std::path::Path) -> (i32, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .arg("verify")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// Not only disclosure pages: a list page and the open data are checked too, and a file that no
/// build published is named.
#[test]
fn verify_checks_every_published_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let mut opts = options(&demo_content(), &out, day("2026-11-26"));
    opts.index = None;
    site_gen::build::build(&opts).unwrap();
    let (code, said) = verify_cli(&out);
    assert_eq!(code, 0, "{said}");
    let pristine = snapshot(&out);

    // An edited list page.
    let list = out.join("notices/index.html");
    let text = std::fs::read_to_string(&list).unwrap();
    std::fs::write(
        &list,
        text.replacen("</main>", "<p>另见：xx.example</p></main>", 1),
    )
    .unwrap();
    let (code, said) = verify_cli(&out);
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("notices/index.html: the file's bytes no longer match"),
        "{said}"
    );
    std::fs::write(&list, &pristine["notices/index.html"]).unwrap();

    // A changed amount in the open data: a disclosure's JSON and the OCDS package; and a
    // changed date in the index of every disclosure.
    for (file, field) in [
        ("data/disclosures/2026-zj-0018-contract.json", "\"amount\":"),
        ("data/ocds/release-package.json", "\"amount\":"),
        ("data/disclosures.json", "\"date\":"),
    ] {
        let path = out.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let at = text
            .find(field)
            .unwrap_or_else(|| panic!("{file} has {field}"))
            + field.len();
        let digit = text[at..].find(|c: char| c.is_ascii_digit()).unwrap() + at;
        let mut changed = text.clone().into_bytes();
        changed[digit] = if changed[digit] == b'9' {
            b'1'
        } else {
            changed[digit] + 1
        };
        std::fs::write(&path, changed).unwrap();
        let (code, said) = verify_cli(&out);
        assert_eq!(code, 1, "{file}: {said}");
        assert!(
            said.contains(&format!("{file}: the file's bytes no longer match")),
            "{said}"
        );
        assert_eq!(said.matches(": the file's bytes").count(), 1, "{said}");
        std::fs::write(&path, &pristine[file]).unwrap();
    }

    // A file slipped in, a feed removed, and the list edited to match both.
    std::fs::write(out.join("notices/extra.html"), "<p>x</p>").unwrap();
    std::fs::remove_file(out.join("feeds/all.xml")).unwrap();
    let (code, said) = verify_cli(&out);
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("notices/extra.html: no build published this file"),
        "{said}"
    );
    assert!(
        said.contains("feeds/all.xml: the file is missing"),
        "{said}"
    );
    let files = std::fs::read_to_string(out.join("data/files.json")).unwrap();
    let edited: String = files
        .lines()
        .filter(|l| !l.starts_with("\"feeds/all.xml\""))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(out.join("data/files.json"), edited + "\n").unwrap();
    let (code, said) = verify_cli(&out);
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("data/files.json: the list of published files no longer matches the log"),
        "{said}"
    );
}
