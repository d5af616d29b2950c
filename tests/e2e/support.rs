//! Starting the real `yangguang serve` on a free loopback port over a copy of the demo content.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub base: String,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `yangguang serve` over a copy of `content/` and waits until it answers.
pub fn start() -> Server {
    start_with(&[])
}

/// As [`start`], with more arguments to `yangguang serve`.
pub fn start_with(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
        &content,
    );
    let port = free_port();
    let p = |name: &str| -> PathBuf { dir.path().join(name) };
    let child = Command::new(env!("CARGO_BIN_EXE_yangguang"))
        .args(["serve", "--quiet", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--content")
        .arg(&content)
        .arg("--out")
        .arg(p("public"))
        .arg("--index")
        .arg(p("index"))
        .arg("--db")
        .arg(p("data/intake.sqlite3"))
        .args(extra)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("yangguang starts");
    let base = format!("http://127.0.0.1:{port}");
    let server = Server { base, dir, child };
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if reqwest::blocking::get(format!("{}/", server.base))
            .is_ok_and(|r| r.status().is_success())
        {
            return server;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("yangguang serve did not answer within 120 s");
}

/// Debian's Chromium, headless, with the flags that work on this machine and a fresh profile.
pub fn chromium(profile: &Path) -> Command {
    let mut c = Command::new(std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into()));
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}
