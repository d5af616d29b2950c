//! Storage that loses nothing: SQLite runs with WAL and synchronous=FULL, and every
//! acknowledged submission survives kill -9 of the real binary under load, with its outbox row.
//! `INTAKE_KILL_ROUNDS` sets the number of kills (default 5; the benchmark runs 100).

use sqlx::Row;

use crate::support::{write_content, TestApp};

#[tokio::test]
async fn sqlite_is_in_wal_mode_with_full_sync() {
    let app = TestApp::start().await;
    let mut conn = app.state.db.reader().acquire().await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    let sync: i64 = sqlx::query("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "FULL");
}

#[tokio::test]
async fn acknowledged_submissions_survive_kill_9() {
    let rounds: usize = std::env::var("INTAKE_KILL_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let content = write_content(dir.path());
    let report = bench::loadtest::kill_loop(&bench::loadtest::KillLoop {
        exe: env!("CARGO_BIN_EXE_intake").into(),
        content,
        dir: dir.path().to_path_buf(),
        rounds,
        clients: 4,
        kill_after_ms: (100, 400),
    })
    .await
    .unwrap();
    assert_eq!(report.rounds, rounds);
    assert!(
        report.acknowledged > 0,
        "the server acknowledged nothing: {report:?}"
    );
    assert!(
        report.lost.is_empty(),
        "lost acknowledged submissions: {:?}",
        report.lost
    );
    // The restarted database is whole: the audit chain verifies.
    let db = intake::Db::connect(&dir.path().join("intake.sqlite3").display().to_string())
        .await
        .unwrap();
    let audit = intake::audit::verify(&db).await.unwrap();
    assert!(audit.is_intact(), "{:?}", audit.problems);
    eprintln!(
        "kill -9: {} rounds, {} acknowledged, none lost",
        report.rounds, report.acknowledged
    );
}

#[tokio::test]
async fn a_database_that_cannot_be_durable_is_refused() {
    // An in-memory SQLite database cannot use WAL: the server must not start on it.
    let err = intake::Db::connect("sqlite::memory:").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("is not durable: journal_mode = memory"),
        "{err}"
    );
}
