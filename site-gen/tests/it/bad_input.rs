//! One fixture folder per kind of bad input; the error text must name the file, the line, the
//! field and say what would be right. A failed build publishes nothing.

use crate::support::*;

fn build_error(case: &str) -> String {
    let (tmp, content) = content_with(&[&fixtures().join("bad").join(case)]);
    let out = tmp.path().join("public");
    let err = build_at(&content, &out, day("2026-11-26")).expect_err(case);
    assert!(
        !out.exists(),
        "{case}: a failed build must not publish anything"
    );
    format!("{err:#}")
}

#[test]
fn every_bad_input_gets_a_clear_error() {
    let cases = std::fs::read_dir(fixtures().join("bad")).unwrap();
    let mut checked = 0;
    for case in cases {
        let case = case.unwrap().file_name().into_string().unwrap();
        let expected =
            std::fs::read_to_string(fixtures().join("bad").join(&case).join("expected.txt"))
                .unwrap();
        let message = build_error(&case);
        for line in expected.lines().filter(|l| !l.is_empty()) {
            assert!(
                message.contains(line),
                "{case}: expected\n  {line}\nin\n{message}"
            );
        }
        assert!(
            message.contains("nothing was published"),
            "{case}: {message}"
        );
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} bad-input fixtures");
}

#[test]
fn all_errors_are_reported_at_once() {
    let bad = fixtures().join("bad");
    let cases = [
        "unknown-field",
        "credit-code",
        "citizen-id",
        "unknown-department",
    ];
    // Each case writes its own file name into a different folder, except two that both write
    // `notices/x.md`; rename one of them so they coexist.
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    copy_tree(&fixtures().join("base"), &content);
    for (i, case) in cases.iter().enumerate() {
        let staged = tmp.path().join(format!("case{i}"));
        copy_tree(&bad.join(case), &staged);
        for entry in walkdir::WalkDir::new(&staged)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
        {
            let rel = entry.path().strip_prefix(&staged).unwrap();
            let renamed = rel.with_file_name(format!("x{i}.md"));
            std::fs::create_dir_all(content.join(&renamed).parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), content.join(&renamed)).unwrap();
        }
    }
    let err = format!(
        "{:#}",
        build_at(&content, &tmp.path().join("public"), day("2026-11-26")).unwrap_err()
    );
    for needle in [
        "x0.md:9: projcet_manager",
        "x1.md:12: bidders[1].credit_code",
        "x2.md:6: body: contains 1101**********002X, an unmasked citizen id",
        "x3.md:5: department: unknown department",
    ] {
        assert!(err.contains(needle), "missing {needle} in\n{err}");
    }
    assert!(err.contains("4 problems found"), "{err}");
}

#[test]
fn a_failed_build_leaves_the_published_site_untouched() {
    let (tmp, content) = content_with(&[]);
    let out = tmp.path().join("public");
    build_at(&content, &out, day("2026-11-26")).unwrap();
    let before = snapshot(&out);
    copy_tree(&fixtures().join("bad/unknown-department"), &content);
    build_at(&content, &out, day("2026-11-26")).unwrap_err();
    let mut opts = options(&content, &out, day("2026-11-26"));
    opts.clean = true;
    site_gen::build::build(&opts).unwrap_err();
    assert_eq!(
        snapshot(&out),
        before,
        "the published site changed after failed builds"
    );
}

#[test]
fn a_declared_public_number_is_published_and_named_in_the_summary_and_the_log() {
    let (tmp, content) = content_with(&[]);
    // A treasury account the author declares lawful, written in a way no wording rule lets
    // through (no 专户 or payee before it).
    std::fs::create_dir_all(content.join("penalties")).unwrap();
    std::fs::write(
        content.join("penalties/fine.md"),
        "+++\nkind = \"penalty\"\ntitle = \"行政处罚决定书\"\ndate = 2026-04-20\ndepartment = \"zjj\"\ndecision_no = \"平建罚〔2026〕7号\"\nsubject = \"某某建设有限公司\"\nsubject_credit_code = \"91350100M000100Y43\"\nviolation = \"提供虚假业绩\"\nbasis = \"《招标投标法》第五十四条\"\npenalty = \"罚款\"\ndecision_date = 2026-04-01\npublic_until = 2029-04-01\n\n[[public_numbers]]\nvalue = \"6228 4800 1234 5678 903\"\nreason = \"国库集中收付账户，依法公开\"\n+++\n罚款缴入 6228480012345678903。\n",
    )
    .unwrap();
    let out = tmp.path().join("public");
    let summary = build_at(&content, &out, day("2026-11-26")).expect("a declared number builds");
    assert_eq!(
        summary.public_numbers,
        ["content/penalties/fine.md: 6228***********8903：国库集中收付账户，依法公开"]
    );
    assert!(
        summary
            .to_string()
            .contains("1 numbers published as declared lawful ([[public_numbers]]):\n  content/penalties/fine.md: 6228"),
        "{summary}"
    );
    let log = std::fs::read_to_string(out.join("data/log.json")).unwrap();
    assert!(
        log.contains("\"public_numbers\":[\"6228***********8903：国库集中收付账户，依法公开\"]"),
        "{log}"
    );
    let page = std::fs::read_to_string(out.join("penalties/fine/index.html")).unwrap();
    assert!(page.contains("6228480012345678903"));
}
