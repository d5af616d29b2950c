//! A case's life has one writer (`intake::cases::write`): every change saves the case, appends
//! its audit event and queues its mail in one transaction. Shown here for the overdue
//! escalation, which used to write its own SQL, event and mail. (That no other module can save
//! a case is a compile-time property: the row writer is private to `cases::lifecycle`.)

use intake::cases;
use sqlx::Row;

use crate::support::{Options, TestApp, OFFICE_EMAIL, ZJJ_EMAIL};

async fn escalation_mail(app: &TestApp, case_id: i64) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT recipient FROM outbox WHERE case_id = $1 AND subject LIKE '【超期督办】%' \
         ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(app.state.db.reader())
    .await
    .unwrap();
    rows.iter().map(|r| r.get("recipient")).collect()
}

#[tokio::test]
async fn the_overdue_escalation_writes_case_event_and_mail_together_or_not_at_all() {
    let app = TestApp::with(Options {
        smtp: false,
        ..Options::default()
    })
    .await;
    let state = &app.state;
    let (number, _) = app.complaint(Some("submitter@test.example.com")).await;
    app.accept(&number).await;
    let case = cases::find_by_number(&state.db, &number)
        .await
        .unwrap()
        .unwrap();
    let deadline = case.decide_deadline.unwrap();
    app.clock.set_date(deadline.succ_opt().unwrap());
    let events_before = intake::audit::for_case(&state.db, case.id)
        .await
        .unwrap()
        .len();

    // The outbox refuses the escalation's mail: the case is not flagged and no event is left.
    sqlx::query(
        "CREATE TRIGGER refuse_escalation_mail BEFORE INSERT ON outbox \
         WHEN NEW.subject LIKE '【超期督办】%' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(state.db.reader())
    .await
    .unwrap();
    assert!(cases::escalate_overdue(state).await.is_err());
    let after = cases::find_by_number(&state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.overdue_escalated_at, None, "case change rolled back");
    let events = intake::audit::for_case(&state.db, case.id).await.unwrap();
    assert_eq!(events.len(), events_before, "no event without its mail");
    assert!(escalation_mail(&app, case.id).await.is_empty());

    // With the outbox accepting again, all three come together, once.
    sqlx::query("DROP TRIGGER refuse_escalation_mail")
        .execute(state.db.reader())
        .await
        .unwrap();
    assert_eq!(cases::escalate_overdue(state).await.unwrap(), 1);
    assert_eq!(cases::escalate_overdue(state).await.unwrap(), 0);
    let after = cases::find_by_number(&state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert!(after.overdue_escalated_at.is_some(), "case flagged");
    assert_eq!(after.status, case.status, "status unchanged");
    let events = intake::audit::for_case(&state.db, case.id).await.unwrap();
    assert_eq!(events.len(), events_before + 1);
    let event = events.last().unwrap();
    assert_eq!(
        (event.action.as_str(), event.actor.as_str()),
        ("overdue", "system")
    );
    assert!(
        event.note.contains(&format!("期限 {deadline} 已过")) && event.note.contains("承办部门"),
        "{}",
        event.note
    );
    assert!(
        !event.case_state.is_empty(),
        "the event digests the saved case row"
    );
    assert_eq!(
        escalation_mail(&app, case.id).await,
        [OFFICE_EMAIL, ZJJ_EMAIL],
        "the committee office and the department"
    );
    let report = intake::audit::verify(&state.db).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
}
