//! The audit trail: `intake audit verify` names an edited, a removed and a reordered event,
//! edited directly with SQL (after dropping the append-only triggers, as an intruder would).

use std::process::Command;

use crate::support::TestApp;

fn verify_cli(app: &TestApp) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_intake"))
        .arg("--content")
        .arg(&app.content)
        .arg("--db")
        .arg(app.dir.path().join("data/intake.sqlite3"))
        .args(["audit", "verify"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

async fn sql(app: &TestApp, statement: &'static str) {
    sqlx::query(statement)
        .execute(app.state.db.reader())
        .await
        .unwrap();
}

#[tokio::test]
async fn edited_removed_and_reordered_events_are_named() {
    let app = TestApp::start().await;
    let state = &app.state;
    for _ in 0..3 {
        let (number, _) = app.complaint(None).await;
        app.accept(&number).await;
    }
    let report = intake::audit::verify(&state.db).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.events, 6);
    let (ok, out) = verify_cli(&app);
    assert!(ok, "{out}");
    assert!(out.contains("audit trail intact: 6 events"), "{out}");

    // The database itself refuses edits.
    let refused = sqlx::query("UPDATE events SET note = 'x' WHERE seq = 2")
        .execute(state.db.reader())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");

    sql(&app, "DROP TRIGGER events_no_update").await;
    sql(&app, "DROP TRIGGER events_no_delete").await;
    sql(
        &app,
        "UPDATE events SET actor = 'someone-else' WHERE seq = 2",
    )
    .await;
    sql(&app, "DELETE FROM events WHERE seq = 4").await;
    // Swap events 5 and 6.
    sql(&app, "UPDATE events SET seq = 1000 WHERE seq = 5").await;
    sql(&app, "UPDATE events SET seq = 5 WHERE seq = 6").await;
    sql(&app, "UPDATE events SET seq = 6 WHERE seq = 1000").await;

    let report = intake::audit::verify(&state.db).await.unwrap();
    let text = report.problems.join("\n");
    assert!(text.contains("event 2 (accepted by someone-else"), "{text}");
    assert!(text.contains("edited"), "{text}");
    assert!(text.contains("event 4 is missing (removed)"), "{text}");
    assert!(
        text.contains("event 5 ") && text.contains("event 6 "),
        "{text}"
    );
    let (ok, out) = verify_cli(&app);
    assert!(!ok, "{out}");
    assert!(out.contains("event 4 is missing"), "{out}");
    assert!(out.contains("audit trail broken"), "{out}");

    // Removing the last event is noticed through the chain head.
    let app = TestApp::start().await;
    app.complaint(None).await;
    app.complaint(None).await;
    sql(&app, "DROP TRIGGER events_no_delete").await;
    sql(&app, "DELETE FROM events WHERE seq = 2").await;
    let report = intake::audit::verify(&app.state.db).await.unwrap();
    assert_eq!(
        report.problems[0],
        "event 2, the last one, is missing (removed)"
    );
    // The second case's only event went with it: its row is not accounted for.
    assert!(
        report.problems[1].contains("has no audit event"),
        "{:?}",
        report.problems
    );
}

fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_intake"))
        .arg("--content")
        .arg(&app.content)
        .arg("--db")
        .arg(app.dir.path().join("data/intake.sqlite3"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[tokio::test]
async fn a_case_row_changed_outside_the_service_is_caught() {
    let app = TestApp::start().await;
    let (number, _) = app.complaint(None).await;
    app.accept(&number).await;
    let (other, _) = app.complaint(None).await;
    assert!(intake::audit::verify(&app.state.db)
        .await
        .unwrap()
        .is_intact());

    // A database owner concludes one case and moves the other's deadline, without an event.
    sqlx::query(
        "UPDATE cases SET status = 'concluded', decision = '投诉不成立' WHERE tracking_number = $1",
    )
    .bind(&number)
    .execute(app.state.db.reader())
    .await
    .unwrap();
    sqlx::query("UPDATE cases SET decide_deadline = '2099-01-01' WHERE tracking_number = $1")
        .bind(&other)
        .execute(app.state.db.reader())
        .await
        .unwrap();
    let (ok, out) = verify_cli(&app);
    assert!(!ok, "{out}");
    for n in [&number, &other] {
        assert!(
            out.contains(&format!("case {n} was changed outside the service")),
            "{n}: {out}"
        );
    }
}

/// Rewrites the whole chain from `from_seq` on with recomputed hashes, as an intruder who knows
/// the hash would, and moves the chain head.
async fn recompute_chain(app: &TestApp) {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT seq, case_id, at, actor, action, note, case_state FROM events ORDER BY seq",
    )
    .fetch_all(app.state.db.reader())
    .await
    .unwrap();
    let mut prev = intake::audit::GENESIS.to_string();
    for row in rows {
        let seq: i64 = row.get("seq");
        let hash = intake::audit::event_hash(
            &prev,
            seq,
            row.get("case_id"),
            &row.get::<String, _>("at"),
            &row.get::<String, _>("actor"),
            &row.get::<String, _>("action"),
            &row.get::<String, _>("note"),
            &row.get::<String, _>("case_state"),
        );
        sqlx::query("UPDATE events SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(app.state.db.reader())
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE chain_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(app.state.db.reader())
        .await
        .unwrap();
}

#[tokio::test]
async fn rewrites_behind_the_published_anchors_are_caught() {
    // (a) The last event deleted and the chain head moved back onto the one before.
    let app = TestApp::start().await;
    let (number, _) = app.complaint(None).await;
    app.complaint(None).await;
    app.accept(&number).await;
    let out_dir = app.dir.path().join("export");
    let (ok, out) = cli(&app, &["export", "--out", out_dir.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("anchored the audit chain at event 3"), "{out}");
    let anchors = app.content.join("audit-anchors.json");
    let published = std::fs::read_to_string(&anchors).unwrap();
    assert!(published.contains("\"seq\": 3"), "{published}");
    let (ok, out) = verify_cli(&app);
    assert!(ok && out.contains("1 published anchor(s) matched"), "{out}");

    sql(&app, "DROP TRIGGER events_no_update").await;
    sql(&app, "DROP TRIGGER events_no_delete").await;
    sql(&app, "DELETE FROM events WHERE seq = 3").await;
    sql(
        &app,
        "UPDATE chain_head SET seq = 2, hash = (SELECT hash FROM events WHERE seq = 2) WHERE id = 1",
    )
    .await;
    // The accepted case back to how its remaining events leave it, so only the anchor can tell.
    sql(
        &app,
        "UPDATE cases SET status = 'received', accepted_on = NULL",
    )
    .await;
    recompute_chain(&app).await;
    let chain_alone = intake::audit::verify(&app.state.db).await.unwrap();
    let (ok, out) = verify_cli(&app);
    assert!(!ok, "{out}");
    assert!(
        out.contains("event 3 is missing but") && out.contains("the chain was cut back"),
        "chain alone: {:?}\n{out}",
        chain_alone.problems
    );

    // (b) Triggers dropped, an event edited and every hash recomputed: the chain alone is
    // consistent, the anchor is not. A published copy of the anchors is checked the same way.
    let app = TestApp::start().await;
    let (number, _) = app.complaint(None).await;
    app.accept(&number).await;
    let out_dir = app.dir.path().join("export");
    assert!(cli(&app, &["export", "--out", out_dir.to_str().unwrap()]).0);
    let copy = app.dir.path().join("published-anchors.json");
    std::fs::copy(app.content.join("audit-anchors.json"), &copy).unwrap();
    sql(&app, "DROP TRIGGER events_no_update").await;
    sql(&app, "UPDATE events SET note = '已依法转交' WHERE seq = 1").await;
    recompute_chain(&app).await;
    let chain_alone = intake::audit::verify(&app.state.db).await.unwrap();
    assert!(chain_alone.is_intact(), "{:?}", chain_alone.problems);
    std::fs::remove_file(app.content.join("audit-anchors.json")).unwrap();
    let (ok, out) = cli(
        &app,
        &["audit", "verify", "--anchors", copy.to_str().unwrap()],
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("event 2 does not match the anchor") && out.contains("published-anchors.json"),
        "{out}"
    );
}
