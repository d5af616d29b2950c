//! `write-floor` writes exactly the site it is measured against, into a fresh folder only.

use std::path::Path;
use std::process::Command;

use crate::corpus::{demo_content, snapshot};

fn write_floor(content: &Path, like: &Path, out: &Path, threads: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_write-floor"))
        .arg("--read")
        .arg(content)
        .arg("--like")
        .arg(like)
        .arg("--out")
        .arg(out)
        .args(["--threads", threads])
        .output()
        .unwrap()
}

#[test]
fn the_floor_writes_the_built_site_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let public = tmp.path().join("public");
    site_gen::build::build(&site_gen::build::Options {
        content: demo_content(),
        out: public.clone(),
        index: None,
        today: "2026-11-26".parse().unwrap(),
        clean: true,
        progress: false,
        signals: Some(tmp.path().join("signals")),
    })
    .unwrap();
    let site = snapshot(&public);
    assert!(
        site.len() > 400,
        "the demo site has its pages, feeds and JSON"
    );

    for threads in ["2", "1"] {
        let out = tmp.path().join(format!("floor-{threads}"));
        let run = write_floor(&demo_content(), &public, &out, threads);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            stdout.contains(&format!("write {} files", site.len())) && stdout.contains("floor: "),
            "{stdout}"
        );
        assert!(
            snapshot(&out) == site,
            "the copy on {threads} thread(s) differs from the site"
        );
    }

    // Into a folder that is there already, it measures nothing and says why.
    let run = write_floor(&demo_content(), &public, &tmp.path().join("floor-1"), "2");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success() && stderr.contains("floor-1 exists"),
        "{stderr}"
    );
}
