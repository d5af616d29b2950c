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
        report.problems,
        ["event 2, the last one, is missing (removed)"]
    );
}
