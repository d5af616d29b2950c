//! The real published documents in `../shared/real-samples/` build as published. They are read at
//! run time and turned into content files here, as an operator would convert them: their header
//! gives kind, title and date; the body is kept word for word, each line a paragraph, with Markdown's
//! punctuation escaped so the page shows exactly the published text. Nothing of them is copied
//! into the repository.

use std::path::{Path, PathBuf};

use crate::support::{build_at, day, demo_copy};

fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/real-samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "real samples: {} is absent (it exists in the workplace and in CI); these tests check nothing here",
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

/// The sample as a content file: (relative path, text, its page's path in the output).
fn to_content(sample: &Sample) -> (String, String, String) {
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
    (
        format!("{folder}/real-samples/{id}.md"),
        text,
        format!("{folder}/{id}/index.html"),
    )
}

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
