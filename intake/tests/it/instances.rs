//! Two `intake` processes on one PostgreSQL database, as behind a proxy (issue 14 §1), when
//! `INTAKE_TEST_POSTGRES_URL` names a server (`scripts/test.sh` starts one): clients submit to
//! both, one instance is killed with SIGKILL mid-stream, and afterwards every acknowledged case
//! is there once, the day's numbers run without a gap, every queued mail went out once with its
//! Message-ID, the audit chain is intact, and a staff session made on one instance works on the
//! other.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::{Connection, Row};
use tokio::process::{Child, Command};

use crate::staff_postgres::fresh_database;
use crate::support::demo_content;

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Starts the real `intake` binary on `addr` and waits until it answers `/submit`.
async fn start(db: &str, config: &Path, addr: SocketAddr, log: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake"))
        .arg("--content")
        .arg(demo_content())
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--no-rate-limit")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("http://{addr}/submit")).await {
            if r.status().is_success() {
                return child;
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "intake exited during start-up ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "intake did not start on {addr}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Submits from one client to `addr` until `stop` or the server goes away; records the
/// acknowledged tracking numbers.
async fn submitter(
    addr: SocketAddr,
    client: usize,
    stop: Instant,
    acked: Arc<Mutex<Vec<String>>>,
) -> usize {
    let http = reqwest::Client::new();
    let mut n = 0;
    while Instant::now() < stop {
        let body = serde_json::json!({
            "kind": if n % 3 == 0 { "report" } else { "suggestion" },
            "title": format!("客户端 {client} 第 {n} 件"),
            "content": "两个实例共用一个数据库时的受理测试。",
            "category": "construction",
            "email": format!("c{client}@test.example.com"),
        });
        let Ok(r) = http
            .post(format!("http://{addr}/api/submissions"))
            .json(&body)
            .send()
            .await
        else {
            break; // the instance was killed
        };
        if r.status().as_u16() == 201 {
            if let Ok(v) = r.json::<serde_json::Value>().await {
                let number = v["tracking_number"].as_str().unwrap().to_string();
                acked.lock().unwrap().push(number);
            }
        }
        n += 1;
    }
    n
}

/// Every Message-ID in the `.eml` files of `dir`, with how many files carry it.
fn message_ids_written(dir: &Path) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "eml") {
            let text = std::fs::read_to_string(&path).unwrap();
            // A file the killed instance was writing may be cut short before its headers: that
            // message was never marked sent and goes out again from the survivor.
            let Some(id) = text.lines().find_map(|l| l.strip_prefix("Message-ID: ")) else {
                *ids.entry(String::new()).or_insert(0) += 1;
                continue;
            };
            *ids.entry(id.trim().to_string()).or_insert(0) += 1;
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_postgresql_and_survive_a_kill() {
    let Ok(url) = std::env::var("INTAKE_TEST_POSTGRES_URL") else {
        eprintln!("INTAKE_TEST_POSTGRES_URL is not set: two-instance PostgreSQL test not run");
        return;
    };
    let db_url = fresh_database(&url).await;
    let tmp = tempfile::tempdir().unwrap();
    let mail_dir = tmp.path().join("mail");
    let config = tmp.path().join("intake.toml");
    // One mail folder for both, as one SMTP relay would be; short polls and claims so that the
    // killed instance's claimed messages are sent by the other within the test.
    std::fs::write(
        &config,
        format!(
            "[mail]\noutbox_dir = {:?}\npoll_secs = 1\nclaim_secs = 3\noverdue_check_secs = 1\n",
            mail_dir.display().to_string()
        ),
    )
    .unwrap();
    let (addr_a, addr_b) = (free_addr(), free_addr());
    let mut a = start(&db_url, &config, addr_a, &tmp.path().join("a.log")).await;
    let b = start(&db_url, &config, addr_b, &tmp.path().join("b.log")).await;

    // 16 clients, half on each instance, for three seconds; A is killed after one.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Instant::now() + Duration::from_secs(3);
    let mut clients = Vec::new();
    for c in 0..16 {
        let addr = if c % 2 == 0 { addr_a } else { addr_b };
        clients.push(tokio::spawn(submitter(addr, c, stop, acked.clone())));
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    a.start_kill().unwrap(); // SIGKILL
    a.wait().await.unwrap();
    let mut attempts = 0;
    for c in clients {
        attempts += c.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    eprintln!("{attempts} submissions sent, {} acknowledged", acked.len());
    assert!(acked.len() > 50, "both instances took submissions");

    // Every acknowledged case once; the day's numbers unique and without a gap.
    let mut db = sqlx::AnyConnection::connect(&db_url).await.unwrap();
    let numbers: Vec<String> = sqlx::query("SELECT tracking_number FROM cases")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let stored: BTreeSet<&str> = numbers.iter().map(String::as_str).collect();
    assert_eq!(stored.len(), numbers.len(), "tracking numbers are unique");
    let missing: Vec<&String> = acked
        .iter()
        .filter(|n| !stored.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not stored: {missing:?}"
    );
    let mut by_day: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for n in &numbers {
        let parts: Vec<&str> = n.split('-').collect();
        by_day
            .entry(parts[1])
            .or_default()
            .push(parts[2].parse().unwrap());
    }
    for (day, mut seqs) in by_day {
        seqs.sort();
        let expected: Vec<u32> = (1..=seqs.len() as u32).collect();
        assert_eq!(seqs, expected, "{day}: numbers run from 1 without a gap");
    }

    // Every queued mail goes out, once: the survivor sends what the killed one had claimed
    // once the claim runs out.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending: i64 = sqlx::query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get(0);
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} mails still unsent a minute after the kill"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let queued: BTreeSet<String> = sqlx::query("SELECT message_id FROM outbox")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut written = message_ids_written(&mail_dir);
    let cut_short = written.remove("").unwrap_or(0);
    assert!(
        cut_short <= 1,
        "{cut_short} mail files cut short: only the kill may cut one"
    );
    let unsent: Vec<&String> = queued
        .iter()
        .filter(|id| !written.contains_key(*id))
        .collect();
    assert!(
        unsent.is_empty(),
        "marked sent but never written: {unsent:?}"
    );
    let twice: Vec<(&String, &usize)> = written.iter().filter(|(_, n)| **n > 1).collect();
    // The one message the killed instance may have handed to the transport without living to
    // mark it sent goes out again with the same Message-ID; nothing else may.
    assert!(
        twice.len() <= 1,
        "{} of {} messages were sent more than once: {:?}",
        twice.len(),
        queued.len(),
        &twice[..twice.len().min(5)]
    );
    eprintln!(
        "{} messages queued, {} written, {} twice (the kill window)",
        queued.len(),
        written.values().sum::<usize>(),
        twice.len()
    );

    // The audit chain is one unbroken chain, and every case has its events.
    let settings = intake::Settings {
        content: demo_content(),
        db: db_url.clone(),
        config: Some(config.clone()),
        rate_limit: false,
        signals: None,
    };
    let state = intake::AppState::from_settings(&settings).await.unwrap();
    let verification = intake::audit::verify(&state.db).await.unwrap();
    assert!(verification.is_intact(), "{:?}", verification.problems);
    assert!(verification.events as usize >= numbers.len());

    // A staff session made on one instance works on the other (sessions live in the database).
    intake::staff::add_account(
        &state,
        "gongguan",
        "gongguan",
        "correct horse battery staple",
    )
    .await
    .unwrap();
    let mut a = start(&db_url, &config, addr_a, &tmp.path().join("a2.log")).await;
    let staff = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = staff
        .post(format!("http://{addr_b}/staff/login"))
        .form(&[
            ("username", "gongguan"),
            ("password", "correct horse battery staple"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "signed in on B");
    let page = staff
        .get(format!("http://{addr_a}/staff/"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200, "the session works on A");
    // A case acknowledged by B opens on A (the committee office sees every department's).
    let page = staff
        .get(format!(
            "http://{addr_a}/staff/cases/{}",
            acked[acked.len() - 1]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status().as_u16(),
        200,
        "a case filed through B opens on A"
    );

    a.start_kill().unwrap();
    drop(b);
    state.db.close().await;
}
