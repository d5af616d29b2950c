//! `intake backup --out FILE`: a consistent copy taken from the real binary while the real
//! server takes submissions; the service started on the restored copy finds every case
//! acknowledged before the backup began, with its audit chain intact. The copy never
//! overwrites a file and leaves no half-written one; PostgreSQL is pointed to pg_dump.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::binary::Setup;
use crate::support::write_content;

#[derive(Clone)]
struct Ack {
    number: String,
    key: String,
    at: Instant,
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_acknowledged_case() {
    let dir = tempfile::tempdir().unwrap();
    let content = write_content(dir.path());
    let live = Setup {
        content: content.clone(),
        db: dir.path().join("live/intake.sqlite3").display().to_string(),
        config: None,
    };
    let server = live
        .serve(&dir.path().join("live.log"), &["--no-rate-limit"])
        .await;

    let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (acks, stop, addr) = (acks.clone(), stop.clone(), server.addr);
        clients.push(tokio::spawn(async move {
            let mut conn = bench::loadtest::Conn::connect(addr).await.unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let body = bench::loadtest::sample_submission(c, n);
                n += 1;
                let (status, body) = conn.post_json("/api/submissions", &body).await.unwrap();
                assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
                let at = Instant::now();
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                acks.lock().unwrap().push(Ack {
                    number: v["tracking_number"].as_str().unwrap().into(),
                    key: v["access_key"].as_str().unwrap().into(),
                    at,
                });
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let backup_dir = dir.path().join("backups");
    std::fs::create_dir_all(&backup_dir).unwrap();
    let out = backup_dir.join("intake-2026-11-02.sqlite3");
    let out_arg = out.display().to_string();
    let started = Instant::now();
    let (ok, _, err) = live.run(&["backup", "--out", &out_arg], "").await;
    let finished = Instant::now();
    assert!(ok, "{err}");
    assert!(err.contains("backed up to"), "{err}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let acks = acks.lock().unwrap().clone();
    let before: Vec<&Ack> = acks.iter().filter(|a| a.at < started).collect();
    let during = acks
        .iter()
        .filter(|a| a.at >= started && a.at <= finished)
        .count();
    assert!(before.len() >= 10, "{} acknowledged before", before.len());
    assert!(
        during > 0,
        "no submission was acknowledged while the backup ran"
    );

    // Only the copy is in the folder: nothing half-written beside it.
    let names: Vec<String> = std::fs::read_dir(&backup_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["intake-2026-11-02.sqlite3"]);

    // A second backup to the same name is refused and leaves the first as it was.
    let digest = |p: &std::path::Path| hex::encode(Sha256::digest(std::fs::read(p).unwrap()));
    let first = digest(&out);
    let (ok, _, err) = live.run(&["backup", "--out", &out_arg], "").await;
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(digest(&out), first);
    drop(server);

    // Restore: the service on the copy has every case acknowledged before the backup began.
    let restored_dir = dir.path().join("restored");
    std::fs::create_dir_all(&restored_dir).unwrap();
    std::fs::copy(&out, restored_dir.join("intake.sqlite3")).unwrap();
    let restored = Setup {
        content,
        db: restored_dir.join("intake.sqlite3").display().to_string(),
        config: None,
    };
    let server = restored
        .serve(&dir.path().join("restored.log"), &["--no-rate-limit"])
        .await;
    let client = reqwest::Client::new();
    for a in &before {
        let r = client
            .get(server.url(&format!("/api/track?number={}&key={}", a.number, a.key)))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "{} missing from the restored copy",
            a.number
        );
    }
    let (ok, out, err) = restored.run(&["audit", "verify"], "").await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("audit trail intact"), "{out}");
    eprintln!(
        "backup under load: {} acknowledged before, {during} during; all {} found after restore",
        before.len(),
        before.len()
    );
}

#[tokio::test]
async fn postgres_is_pointed_to_pg_dump() {
    let Ok(url) = std::env::var("INTAKE_TEST_POSTGRES_URL") else {
        eprintln!("INTAKE_TEST_POSTGRES_URL not set: skipping the PostgreSQL backup check");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        content: write_content(dir.path()),
        db: url,
        config: None,
    };
    let out = dir.path().join("intake.dump");
    let (ok, _, err) = setup
        .run(&["backup", "--out", &out.display().to_string()], "")
        .await;
    assert!(!ok);
    assert!(err.contains("pg_dump --format=custom"), "{err}");
    assert!(!out.exists());
}
