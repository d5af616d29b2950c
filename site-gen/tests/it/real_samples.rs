//! The real published documents in `../shared/real-samples/` build as published (converted by
//! [`crate::samples`]).

use std::path::PathBuf;

use crate::samples::{read_sample, samples, to_content, Sample};
use crate::support::{build_at, day, demo_copy};

#[test]
fn every_real_sample_builds_as_published() {
    let Some(dir) = samples() else { return };
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
    let samples: Vec<Sample> = paths.iter().map(|p| read_sample(p)).collect();

    let (tmp, content) = demo_copy();
    let mut pages = Vec::new();
    for sample in &samples {
        let (rel, text, page) = to_content(sample);
        let path = content.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        pages.push((sample, page));
    }
    let out = tmp.path().join("public");
    if let Err(e) = build_at(&content, &out, day("2026-12-04")) {
        panic!("the real samples do not build:\n{e:#}");
    }
    for (sample, page) in &pages {
        let html = std::fs::read_to_string(out.join(page))
            .unwrap_or_else(|e| panic!("{}: no page {page}: {e}", sample.stem));
        // The published text is on the page: its masked ids intact, and the award's panel, which
        // the law requires to be published (财政部令第87号 第六十九条).
        for line in sample.body.lines().map(str::trim) {
            for needle in ["******", "磋商小组成员", "评审小组成员"] {
                if line.contains(needle) {
                    assert!(
                        html.contains(needle),
                        "{}: the page lacks {needle} from the line {line:?}",
                        sample.stem
                    );
                }
            }
        }
    }
    println!("real samples: {} documents built", pages.len());
    // Their procurement records join the open data: still valid OCDS.
    if let Some(n) = crate::open_data::assert_valid_ocds(&out) {
        println!("real samples: the OCDS package with them ({n} releases) validates");
    }
}

#[test]
fn a_panel_on_candidates_from_a_real_award_is_still_refused() {
    let Some(dir) = samples() else { return };
    // The same real award, published too early (at the candidates stage), names its panel before
    // the result is determined (招标投标法 第三十七条).
    let Some(sample) = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| read_sample(&e.unwrap().path()))
        .find(|s| s.kind == "result" && s.body.contains("磋商小组成员"))
    else {
        panic!("no real award names its panel any more; choose another test");
    };
    let early = Sample {
        kind: "candidates".to_string(),
        ..sample
    };
    let (tmp, content) = demo_copy();
    let (rel, text, _) = to_content(&early);
    let path = content.join(&rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let e = build_at(&content, &tmp.path().join("public"), day("2026-12-04")).unwrap_err();
    let e = format!("{e:#}");
    assert!(
        e.contains(&format!("content/{rel}:")) && e.contains("introduces the evaluation panel"),
        "{e}"
    );
}
