//! Refused uploads leave nothing behind: no `attachments/tmp/*.part` file after a refused type,
//! an empty file, a file too big, several large wrong files at once, a later field failing, a
//! database error, a client gone mid-upload, a request timed out, or a kill -9 of the real
//! binary followed by a restart; and a wrong type is refused on its first bytes, before
//! anything of it is written.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::binary::Setup;
use crate::submit::pdf_bytes;
use crate::support::{eventually, write_content, Options, TestApp};

const BOUNDARY: &str = "XyZzYboundary";

/// The files in `attachments/tmp/`.
fn parts(attachments: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(attachments.join("tmp"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Stored files outside `tmp/`.
fn stored(attachments: &Path) -> usize {
    walkdir::WalkDir::new(attachments)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            !e.path()
                .strip_prefix(attachments)
                .unwrap()
                .starts_with("tmp")
        })
        .count()
}

fn fields() -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("kind", "report")
        .text("title", "围标")
        .text("content", "多家投标人标书雷同。")
}

fn file(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes).file_name(name.to_string())
}

/// Text, `n` bytes: no accepted type.
fn text_bytes(n: usize) -> Vec<u8> {
    b"just some text, not a document. "
        .iter()
        .copied()
        .cycle()
        .take(n)
        .collect()
}

async fn post(app: &TestApp, form: reqwest::multipart::Form) -> reqwest::StatusCode {
    app.client
        .post(app.url("/submit"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status()
}

/// Opens a multipart upload of one file by hand, sends the file's first `first` bytes of a
/// promised `promised`, and returns the connection without finishing it.
async fn start_upload(addr: &str, head: &[u8], promised: usize) -> TcpStream {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nreport\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    let length = body.len() + promised;
    body.extend_from_slice(head);
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "POST /submit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; \
             boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    s.write_all(&body).await.unwrap();
    s.flush().await.unwrap();
    s
}

#[tokio::test]
async fn refused_uploads_leave_no_temporary_file() {
    let app = TestApp::with(Options {
        extra_config: "[limits]\nmax_attachment_bytes = 4194304\n".into(),
        ..Options::default()
    })
    .await;
    let dir = app.state.attachments_dir.to_path_buf();
    let exe = {
        let mut b = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00PE\0\0".to_vec();
        b.resize(3 << 20, 0);
        b
    };
    for (what, form) in [
        (
            "a program",
            fields().part("attachments", file("a.pdf", exe.clone())),
        ),
        (
            "text",
            fields().part("attachments", file("b.pdf", text_bytes(3 << 20))),
        ),
        (
            "an empty file",
            fields().part("attachments", file("c.pdf", Vec::new())),
        ),
        (
            "a file too big",
            fields().part("attachments", file("d.pdf", pdf_bytes(5 << 20))),
        ),
        ("five large wrong files", {
            let mut f = fields();
            for i in 0..5 {
                f = f.part(
                    "attachments",
                    file(&format!("{i}.pdf"), text_bytes(3 << 20)),
                );
            }
            f
        }),
        ("a good file and a bad one", {
            fields()
                .part("attachments", file("good.pdf", pdf_bytes(1 << 20)))
                .part("attachments", file("bad.pdf", text_bytes(1 << 20)))
        }),
        ("a good file and a missing title", {
            reqwest::multipart::Form::new()
                .text("kind", "report")
                .part("attachments", file("good.pdf", pdf_bytes(1 << 20)))
        }),
    ] {
        assert_eq!(post(&app, form).await, 422, "{what}");
        assert_eq!(parts(&dir), Vec::<PathBuf>::new(), "after {what}");
        assert_eq!(stored(&dir), 0, "after {what}");
    }

    // A later field failing: a good file, then a text field over its limit.
    let r = post(
        &app,
        fields()
            .part("attachments", file("good.pdf", pdf_bytes(1 << 20)))
            .text("name", "x".repeat(300 * 1024)),
    )
    .await;
    assert_eq!(r, 413);
    assert_eq!(
        parts(&dir),
        Vec::<PathBuf>::new(),
        "after a later field failed"
    );
    assert_eq!(stored(&dir), 0, "after a later field failed");

    // The database refuses the case: the stored file goes too.
    sqlx::query(
        "CREATE TRIGGER test_refuse BEFORE INSERT ON attachments \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    )
    .execute(app.state.db.reader())
    .await
    .unwrap();
    let r = post(
        &app,
        fields().part("attachments", file("good.pdf", pdf_bytes(1 << 20))),
    )
    .await;
    assert_eq!(r, 500);
    assert_eq!(parts(&dir), Vec::<PathBuf>::new(), "after a database error");
    assert_eq!(stored(&dir), 0, "after a database error");
    sqlx::query("DROP TRIGGER test_refuse")
        .execute(app.state.db.reader())
        .await
        .unwrap();

    // A client that goes away in the middle of a file.
    let addr = app.base.trim_start_matches("http://").to_string();
    let s = start_upload(&addr, &pdf_bytes(1 << 20), 3 << 20).await;
    eventually("the upload to reach the disk", || async {
        parts(&dir).len() == 1
    })
    .await;
    drop(s);
    eventually("the abandoned upload to be removed", || async {
        parts(&dir).is_empty()
    })
    .await;
    assert_eq!(stored(&dir), 0);

    // And what is accepted still is.
    let r = post(
        &app,
        fields().part("attachments", file("good.pdf", pdf_bytes(1 << 20))),
    )
    .await;
    assert_eq!(r, 201);
    assert!(parts(&dir).is_empty());
    assert_eq!(stored(&dir), 1);
}

#[tokio::test]
async fn an_upload_timed_out_leaves_no_temporary_file() {
    let app = TestApp::with(Options {
        extra_config: "[limits]\nrequest_timeout_secs = 1\n".into(),
        ..Options::default()
    })
    .await;
    let dir = app.state.attachments_dir.to_path_buf();
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = start_upload(&addr, &pdf_bytes(256 * 1024), 4 << 20).await;
    eventually("the upload to reach the disk", || async {
        parts(&dir).len() == 1
    })
    .await;
    // Nothing more is sent: the server answers 408 and drops the request.
    let mut buf = vec![0; 4096];
    let n = tokio::time::timeout(
        Duration::from_secs(20),
        tokio::io::AsyncReadExt::read(&mut s, &mut buf),
    )
    .await
    .expect("an answer")
    .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(head.contains("application/json"), "{head}");
    eventually("the timed-out upload to be removed", || async {
        parts(&dir).is_empty()
    })
    .await;
}

#[tokio::test]
async fn a_wrong_type_is_refused_on_its_first_bytes() {
    let app = TestApp::start().await;
    let dir = app.state.attachments_dir.to_path_buf();
    let addr = app.base.trim_start_matches("http://").to_string();
    // A PDF in the middle of its upload is on disk…
    let pdf = start_upload(&addr, &pdf_bytes(512 * 1024), 20 << 20).await;
    eventually("the PDF to reach the disk", || async {
        parts(&dir).len() == 1
    })
    .await;
    // …a program of the same size is not: it was refused on its first bytes.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.resize(512 * 1024, 0x41);
    let program = start_upload(&addr, &exe, 20 << 20).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(parts(&dir).len(), 1, "only the PDF is being written");
    drop(program);
    drop(pdf);
    eventually("both uploads to be gone", || async {
        parts(&dir).is_empty()
    })
    .await;
}

#[tokio::test]
async fn kill_9_mid_upload_then_restart_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        content: write_content(dir.path()),
        db: dir.path().join("data/intake.sqlite3").display().to_string(),
        config: None,
    };
    let attachments = dir.path().join("data/attachments");
    let log = dir.path().join("server.log");
    let mut server = setup.serve(&log, &["--no-rate-limit"]).await;
    let addr = server.addr.to_string();
    let mut uploads = Vec::new();
    for _ in 0..3 {
        uploads.push(start_upload(&addr, &pdf_bytes(1 << 20), 20 << 20).await);
    }
    eventually("three uploads on disk", || async {
        parts(&attachments).len() == 3
    })
    .await;
    server.kill().await;
    drop(uploads);
    assert_eq!(parts(&attachments).len(), 3, "kill -9 leaves the files");
    let server = setup.serve(&log, &["--no-rate-limit"]).await;
    assert_eq!(
        parts(&attachments),
        Vec::<PathBuf>::new(),
        "cleared at start"
    );
    assert!(
        server.log().contains("removed 3 unfinished upload(s)"),
        "{}",
        server.log()
    );
    assert_eq!(stored(&attachments), 0);
}
