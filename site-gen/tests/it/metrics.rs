//! `site-gen build --metrics-file PATH` as node_exporter's textfile collector reads it: the
//! build's figures in the Prometheus text format, the same as its summary line, written
//! atomically (no temporary file left beside it), and after a failed build a file that says so
//! and claims no figures; the logs as JSON lines with `--log-format json`.

use std::path::Path;
use std::process::Command;

use telemetry::read::{samples, sum};

use crate::support::{content_with, fixtures};

fn site_gen(args: &[&str], dir: &Path) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn value(text: &str, name: &str) -> f64 {
    sum(text, name, &[]).unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

/// The number before `word` in the summary line (`built 12 pages, 9 feeds, …`).
fn figure(summary: &str, word: &str) -> f64 {
    let words: Vec<&str> = summary
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .collect();
    let at = words.iter().position(|w| *w == word).expect(word);
    words[at - 1].parse().unwrap()
}

fn assert_json_lines(stderr: &str) {
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(v["level"].is_string(), "{line}");
    }
}

#[test]
fn build_writes_its_figures_for_the_textfile_collector_and_says_when_it_failed() {
    let (tmp, _content) = content_with(&[]);
    let textfile = tmp.path().join("textfile");
    std::fs::create_dir_all(&textfile).unwrap();
    let args = [
        "--log-format",
        "json",
        "build",
        "--today",
        "2026-11-26",
        "--clean",
        "--metrics-file",
        "textfile/site-gen.prom",
    ];
    let (code, stdout, stderr) = site_gen(&args, tmp.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_json_lines(&stderr);
    let text = std::fs::read_to_string(textfile.join("site-gen.prom")).unwrap();
    assert_eq!(value(&text, "sitegen_build_success"), 1.0);
    assert_eq!(value(&text, "sitegen_build_incremental"), 0.0);
    assert!(value(&text, "sitegen_build_duration_seconds") > 0.0);
    for (name, word) in [
        ("sitegen_pages", "pages"),
        ("sitegen_feeds", "feeds"),
        ("sitegen_files", "files"),
        ("sitegen_disclosures", "disclosures"),
    ] {
        assert_eq!(
            value(&text, name),
            figure(&stdout, word),
            "{name}: {stdout}"
        );
    }
    assert!(value(&text, "sitegen_pages") > 0.0);
    assert!(
        sum(&text, "sitegen_build_phase_seconds", &[("phase", "load")]).is_some(),
        "{text}"
    );
    // The text format: every sample is a gauge with its HELP and TYPE, and nothing else.
    for name in samples(&text).into_iter().map(|s| s.name) {
        assert!(
            text.contains(&format!("# TYPE {name} gauge\n")),
            "{name}: {text}"
        );
        assert!(text.contains(&format!("# HELP {name} ")), "{name}");
    }
    assert!(
        !text.contains("# EOF"),
        "the Prometheus format, not OpenMetrics"
    );
    let started = value(&text, "sitegen_build_finished_timestamp_seconds");

    // The same content with a broken file: nothing is published, and the file says so.
    crate::support::copy_tree(
        &fixtures().join("bad/unknown-department"),
        &tmp.path().join("content"),
    );
    let (code, _, stderr) = site_gen(&args, tmp.path());
    assert_eq!(code, 1, "{stderr}");
    // The failure itself is a JSON line.
    assert_json_lines(&stderr);
    assert!(stderr.contains("unknown department"), "{stderr}");
    let text = std::fs::read_to_string(textfile.join("site-gen.prom")).unwrap();
    assert_eq!(value(&text, "sitegen_build_success"), 0.0);
    assert!(value(&text, "sitegen_build_finished_timestamp_seconds") >= started);
    assert!(
        sum(&text, "sitegen_pages", &[]).is_none(),
        "a failed build claims no figures: {text}"
    );
    // Written atomically: only the file itself is in the collector's folder.
    let names: Vec<String> = std::fs::read_dir(&textfile)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["site-gen.prom"]);
}
