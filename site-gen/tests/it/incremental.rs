//! A rebuild after one file changed redoes only what it touches, and its output is
//! byte-identical to a clean build of the same content.

use crate::support::*;
use std::path::Path;

use site_gen::build::{build, cache_path};

#[test]
fn incremental_equals_clean() {
    let (tmp, content) = demo_copy();
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

#[test]
fn a_published_file_deleted_by_hand_is_written_again() {
    // The next build keeps a site-wide page made from the same inputs without rendering it, but
    // only while the file is still there: one deleted from the published folder comes back,
    // with nothing in the content changed.
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let today = day("2026-11-26");
    build_at(&content, &out, today).unwrap();
    let lost = [
        "notices/page/2/index.html",
        "departments/index.html",
        "feeds/all.xml",
        "sitemap.xml",
        "data/disclosures.json",
    ];
    let before: Vec<Vec<u8>> = lost
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect();
    for f in lost {
        std::fs::remove_file(out.join(f)).unwrap();
    }
    let s = build_at(&content, &out, today).unwrap();
    assert!(s.incremental && s.parsed == 0, "{s}");
    for (f, bytes) in lost.iter().zip(before) {
        let again = std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{f} is not back: {e}"));
        assert!(again == bytes, "{f} came back with other bytes");
    }
}

#[test]
fn the_content_folder_named_another_way_is_not_parsed_again() {
    // An editor builds with `--content content`, a service with the absolute path, a script
    // through a link: the same files, and the next build parses none of them again.
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let today = day("2026-11-26");
    let first = build_at(&content, &out, today).unwrap();
    assert!(!first.incremental && first.parsed > 20, "{first}");

    let link = tmp.path().join("content-link");
    std::os::unix::fs::symlink(&content, &link).unwrap();
    let dotted = tmp.path().join(".").join("content");
    for other in [link, dotted] {
        let s = build_at(&other, &out, today).unwrap();
        assert!(
            s.incremental && s.parsed == 0 && s.written == 0,
            "{}: {s}",
            other.display()
        );
    }

    // And a change through the other name is seen: that one file is parsed again.
    let about = content.join("pages/about.md");
    let text = std::fs::read_to_string(&about).unwrap();
    std::fs::write(&about, text.replacen("title = \"", "title = \"（修订）", 1)).unwrap();
    let s = build_at(&tmp.path().join("content-link"), &out, today).unwrap();
    assert!(s.incremental && s.parsed == 1 && s.log_entries == 1, "{s}");
    assert!(std::fs::read_to_string(out.join("about/index.html"))
        .unwrap()
        .contains("（修订）"));
}

/// Every kind of change an editor makes, one after another, each rebuilt incrementally and
/// compared with a clean build: the pages kept from the previous build (list pages, department
/// pages, the cached parses without their bodies) must be exactly what a clean build writes.
#[test]
fn every_kind_of_change_rebuilds_like_a_clean_build() {
    let (tmp, content) = demo_copy();
    let inc = tmp.path().join("public");
    build_at(&content, &inc, day("2026-11-26")).unwrap();
    let tender = content.join("notices/2026-cg-031-tender.md");
    let credit = content.join("credit/black-2026-hengtong.md");

    // Only the body: the page, the feeds' excerpt and the log change; no list shows the body.
    std::fs::write(
        &tender,
        std::fs::read_to_string(&tender).unwrap() + "\n补充：开标地点不变。\n",
    )
    .unwrap();
    let s = step(&content, &inc, "body edit");
    assert_eq!((s.parsed, s.log_entries), (1, 1), "{s}");

    // An older date moves the notice down the lists, across pages.
    edit(
        &tender,
        "date = 2026-05-18T10:00:00",
        "date = 2025-02-03T10:00:00",
    );
    step(&content, &inc, "date moved");

    // From the black list to the red list: the credit lists and their counts change.
    edit(&credit, "list = \"black\"", "list = \"red\"");
    step(&content, &inc, "credit list changed");

    // A new file, then the same disclosure moved to another file name.
    let copy = content.join("notices/2026-cg-031-tender-copy.md");
    let text = std::fs::read_to_string(&tender).unwrap();
    std::fs::write(
        &copy,
        text.replacen("+++\n", "+++\nid = \"cg-031-again\"\n", 1),
    )
    .unwrap();
    let s = step(&content, &inc, "file added");
    assert!(inc.join("notices/cg-031-again/index.html").exists(), "{s}");
    let moved = content.join("notices/2026-cg-031-again.md");
    std::fs::rename(&copy, &moved).unwrap();
    step(&content, &inc, "file renamed");

    // A file removed: its page, its JSON and every mention in lists and feeds go.
    std::fs::remove_file(&moved).unwrap();
    let s = step(&content, &inc, "file removed");
    assert!(s.removed >= 2, "{s}");
    assert!(!inc.join("notices/cg-031-again/index.html").exists());

    // Into a project of its own, then gone: the new project's page comes and goes with it.
    edit(
        &tender,
        "project = \"PDSCG-2026-031\"",
        "project = \"PDSCG-2026-999\"",
    );
    step(&content, &inc, "moved to another project");
    assert!(inc.join("projects/PDSCG-2026-999/index.html").exists());
    std::fs::remove_file(&tender).unwrap();
    step(&content, &inc, "project gone");
    assert!(!inc.join("projects/PDSCG-2026-999/index.html").exists());

    // Saved again unchanged: parsed again, and nothing written.
    let text = std::fs::read_to_string(&credit).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&credit, text).unwrap();
    let s = step(&content, &inc, "touched");
    assert_eq!((s.parsed, s.written, s.log_entries), (1, 0, 0), "{s}");
}

/// The cache keeps no bodies, so it is used only with the index it was built with: an index
/// deleted (and left empty by a build that then failed) is written whole by the next build.
#[test]
fn an_index_that_is_not_the_cached_one_is_written_whole() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let opts = options(&content, &out, day("2026-11-26"));
    let index = opts.index.clone().unwrap();
    let docs = |dir: &Path| {
        let index = tantivy::Index::open_in_dir(dir).unwrap();
        index.reader().unwrap().searcher().num_docs()
    };
    build(&opts).unwrap();
    let all = docs(&index);
    assert!(all > 100);

    std::fs::remove_dir_all(&index).unwrap();
    let bad = content.join("notices/broken.md");
    std::fs::write(&bad, "+++\nkind = \"notice\"\n+++\n").unwrap();
    assert!(build(&opts).is_err());
    std::fs::remove_file(&bad).unwrap();
    let tender = content.join("notices/2026-cg-031-tender.md");
    edit(&tender, "## 一、", "## 一、（更正）");

    let s = build(&opts).unwrap();
    assert!(!s.incremental, "{s}");
    assert_eq!(docs(&index), all);
    let s = build(&opts).unwrap();
    assert!(s.incremental, "the next build uses the cache again: {s}");
}

/// Adds a correction to the demo's tender notice's body.
fn correct_the_tender(content: &Path) {
    edit(
        &content.join("notices/2026-cg-031-tender.md"),
        "## 一、",
        "## 一、（更正）",
    );
}

/// Replaces the file at `path` with a folder that holds a file: a build cannot replace it.
fn put_a_folder_in_place_of(path: &Path) {
    std::fs::remove_file(path).unwrap();
    std::fs::create_dir(path).unwrap();
    std::fs::write(path.join("in-the-way"), "x").unwrap();
}

/// The disclosures' JSON files are written on a thread of their own, and the search index is fed
/// on another while the site is written: a file that cannot be written must still fail the build
/// with its name, and leave the index as the last good build committed it.
#[test]
fn a_file_that_cannot_be_written_fails_the_build_and_commits_no_index() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let opts = options(&content, &out, day("2026-11-26"));
    let index = opts.index.clone().unwrap();
    build(&opts).unwrap();
    let committed = site_gen::index::meta_hash(&index).expect("an index");

    // The tender's JSON file becomes a folder that holds a file: it cannot be replaced.
    correct_the_tender(&content);
    let json = out.join("data/disclosures/2026-cg-031-tender.json");
    put_a_folder_in_place_of(&json);
    let e = format!("{:#}", build(&opts).unwrap_err());
    assert!(e.contains("2026-cg-031-tender.json"), "{e}");
    assert_eq!(
        site_gen::index::meta_hash(&index),
        Some(committed),
        "the failed build committed the index"
    );

    // Out of the way, the next build publishes the change.
    std::fs::remove_dir_all(&json).unwrap();
    build(&opts).unwrap();
    let page = std::fs::read_to_string(out.join("notices/2026-cg-031-tender/index.html")).unwrap();
    assert!(page.contains("（更正）"));
    assert!(std::fs::read_to_string(&json).unwrap().contains("（更正）"));
    assert_ne!(site_gen::index::meta_hash(&index), Some(committed));
}

/// The search index is committed on a thread of its own while the cache is written, and the
/// cache's manifest names the committed index: a commit that fails must fail the build with the
/// index's name and leave no cache that claims it, so that the next build, once the index can
/// be written, makes the site and the index whole again.
#[test]
fn a_failed_index_commit_fails_the_build_and_the_next_one_is_whole() {
    let (tmp, content) = demo_copy();
    let out = tmp.path().join("public");
    let opts = options(&content, &out, day("2026-11-26"));
    let index = opts.index.clone().unwrap();
    build(&opts).unwrap();

    // The configuration the commit copies beside the index cannot be replaced.
    correct_the_tender(&content);
    let carried = index.join("site.toml");
    put_a_folder_in_place_of(&carried);
    let e = format!("{:#}", build(&opts).unwrap_err());
    assert!(
        e.contains("cannot update the search index") && e.contains(&index.display().to_string()),
        "{e}"
    );

    std::fs::remove_dir_all(&carried).unwrap();
    let s = build(&opts).unwrap();
    assert!(
        !s.incremental,
        "the cache of the failed build was used: {s}"
    );
    assert_eq!(
        std::fs::read(&carried).unwrap(),
        std::fs::read(content.join("site.toml")).unwrap()
    );
    let page = std::fs::read_to_string(out.join("notices/2026-cg-031-tender/index.html")).unwrap();
    assert!(page.contains("（更正）"));
    let s = build(&opts).unwrap();
    assert!(s.incremental && s.parsed == 0, "{s}");
}

/// Company pages are kept from the previous build unless what they are made from changed: each
/// change that touches a company — a bidder's name, a penalty, a credit entry, a result added and
/// removed — rebuilt incrementally must be byte-identical to a clean build, company pages, their
/// JSON and `/companies/` included.
#[test]
fn company_pages_rebuild_like_a_clean_build() {
    let (tmp, content) = demo_copy();
    let inc = tmp.path().join("public");
    build_at(&content, &inc, day("2026-11-26")).unwrap();
    let page = |code: &str| inc.join(format!("companies/{code}/index.html"));
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();

    // A bidder's name: its page and the list by name change.
    edit(
        &content.join("results/2026-zj-0041-award.md"),
        "name = \"平顶山市昊宇市政工程有限公司\"",
        "name = \"平顶山市昊宇市政集团有限公司\"",
    );
    step(&content, &inc, "a bidder renamed");
    assert!(read(&page("91410400MAY0FGL679")).contains("平顶山市昊宇市政集团有限公司"));
    assert!(read(&inc.join("companies/index.html")).contains("平顶山市昊宇市政集团有限公司"));

    // The penalty no longer bars: the flag names the black-list entry only.
    edit(
        &content.join("penalties/pjf-2026-21.md"),
        "，取消一年内参加依法必须进行招标的项目的投标资格",
        "",
    );
    step(&content, &inc, "a penalty without its ban");
    let result = inc.join("results/2026-zj-0041-award/index.html");
    assert!(read(&result).contains("/credit/black-2026-huiding/"));
    assert!(!read(&result).contains("/penalties/pjf-2026-21/"));

    // The black-list entry revoked: nothing bars the win any more.
    edit(
        &content.join("credit/black-2026-huiding.md"),
        "status = \"active\"",
        "status = \"revoked\"",
    );
    step(&content, &inc, "a credit entry revoked");
    assert!(!read(&result).contains("失信主体中标"));
    assert!(!read(&page("91410400MA1YR1W4YN")).contains("失信期间中标"));

    // A result with a new company, then gone again.
    let added = content.join("results/2026-zj-9999-award.md");
    std::fs::write(
        &added,
        r#"+++
kind = "result"
title = "新华区测试道路工程施工中标结果公告"
date = 2026-10-09
department = "zjj"
category = "construction"
project = "PDSZJ-2026-9999"
stage = "award"
amount = 1000000.00

[[bidders]]
name = "测试建设工程有限公司"
credit_code = "91350100M000100Y43"
bid = 1000000.00
rank = 1
won = true
+++
"#,
    )
    .unwrap();
    step(&content, &inc, "a result added");
    assert!(read(&page("91350100M000100Y43")).contains("PDSZJ-2026-9999"));
    std::fs::remove_file(&added).unwrap();
    step(&content, &inc, "a result removed");
    assert!(!page("91350100M000100Y43").exists());
    assert!(!inc.join("data/companies/91350100M000100Y43.json").exists());
}

/// The next build patches the list of published files the previous one left; a list changed
/// since by hand is not patched (it would carry the edit on), the build is a clean one and the
/// list says again what was published.
#[test]
fn a_list_of_published_files_changed_by_hand_is_made_whole_again() {
    let (tmp, content) = demo_copy();
    let today = day("2026-11-26");
    let out = tmp.path().join("public");
    build_at(&content, &out, today).unwrap();
    let list = out.join(site_gen::files::FILES_PATH);
    let text = std::fs::read_to_string(&list).unwrap();
    assert!(text.contains("\"assets/favicon.svg\":"), "{text}");
    let edited = text.replace("\"assets/favicon.svg\":", "\"assets/favicon.svg.x\":");
    std::fs::write(&list, edited).unwrap();

    // One notice's body changes.
    let notice = walkdir::WalkDir::new(content.join("notices"))
        .into_iter()
        .map(Result::unwrap)
        .find(|e| e.file_type().is_file())
        .unwrap()
        .into_path();
    let mut body = std::fs::read_to_string(&notice).unwrap();
    body.push_str("\n补充说明。\n");
    std::fs::write(&notice, body).unwrap();

    let second = build_at(&content, &out, today).unwrap();
    assert!(!second.incremental, "{second}");
    let problems = site_gen::build::verify(&out).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let after = std::fs::read_to_string(&list).unwrap();
    assert!(after.contains("\"assets/favicon.svg\":"), "{after}");
    assert!(!after.contains("favicon.svg.x"), "{after}");
}

/// A result shows of its winner's penalties only their title, date and ban (its barred-winner
/// flag): a penalty reworded with the same ban renders its own page and its subject's again, not
/// the results the subject won nor their projects, whose bodies would have to be read again.
#[test]
fn a_penalty_reworded_with_the_same_ban_leaves_the_results_its_subject_won_alone() {
    let (tmp, content) = content_with(&[]);
    let penalty = a_year_barred(&content);
    // Fifty newer notices: the award is in no feed the penalty is in (a feed made again quotes
    // each item's body, read again from its source).
    let tender = std::fs::read_to_string(content.join("notices/p1-tender.md")).unwrap();
    for n in 0..50 {
        let notice = content.join(format!("notices/later-{n}.md"));
        let date = day("2026-06-02") + chrono::Days::new(n);
        let text = tender
            .replace("date = 2026-03-02", &format!("date = {date}"))
            .replace("CS-2026-001", &format!("CS-2026-{:03}", 100 + n));
        std::fs::write(&notice, text).unwrap();
    }
    let inc = tmp.path().join("public");
    build_at(&content, &inc, day("2026-11-26")).unwrap();
    let won = inc.join("results/p1-award/index.html");
    let flagged = || {
        std::fs::read_to_string(&won)
            .unwrap()
            .contains("/penalties/p1-ban/")
    };
    assert!(flagged(), "the win is flagged by the penalty");

    edit(
        &penalty,
        "violation = \"串通投标\"",
        "violation = \"与其他投标人串通投标\"",
    );
    step(&content, &inc, "a penalty reworded");
    assert!(flagged());
    // What the flag shows of it: its title, and when its ban ends.
    edit(&penalty, "title = \"", "title = \"（更正）");
    step(&content, &inc, "a penalty retitled");
    edit(&penalty, "投标一年", "投标六个月");
    step(&content, &inc, "a penalty's ban shortened");
    assert!(std::fs::read_to_string(&won)
        .unwrap()
        .contains("2026-08-31"));

    // The result's body changed behind the cache's back: the same size and modification time,
    // so the cache takes its parse as it was, and a build that read it again would find the
    // file changed during the build. Reworded again, the penalty gets its pages, and no more.
    let result = content.join("results/p1-award.md");
    let modified = std::fs::metadata(&result).unwrap().modified().unwrap();
    edit(&result, "见[招标公告]", "看[招标公告]");
    let file = std::fs::File::options().write(true).open(&result).unwrap();
    file.set_modified(modified).unwrap();
    drop(file);
    edit(&penalty, "与其他投标人串通投标", "与其他投标人相互串通投标");
    let s = build_at(&content, &inc, day("2026-11-26"))
        .unwrap_or_else(|e| panic!("the results the subject won were read again: {e:#}"));
    assert!(s.incremental && s.parsed == 1, "{s}");
    assert!(flagged());
}
