//! Mail: the department's message on arrival over real SMTP (loopback), the submitter's on a
//! change, the committee office's when a case goes overdue; the file outbox by default; a
//! stable Message-ID stored in the outbox row.

use intake::cases;
use sqlx::Row;

use crate::support::{eventually, Options, TestApp, OFFICE_EMAIL, ZJJ_EMAIL};

#[tokio::test]
async fn department_submitter_and_committee_office_are_mailed() {
    let app = TestApp::start().await;
    let smtp = app.smtp.as_ref().unwrap();
    let (number, _) = app.complaint(Some("submitter@test.example.com")).await;

    let mail = smtp.wait_for(ZJJ_EMAIL, &number).await;
    assert_eq!(mail.from, "noreply@test.example.gov.cn");
    let body = mail.body();
    assert!(
        body.contains("受理编号：") && body.contains(&number),
        "{body}"
    );
    assert!(
        !body.contains("测试建设有限公司"),
        "no personal data in the department's mail"
    );
    let row = sqlx::query("SELECT message_id, sent_at FROM outbox WHERE recipient = $1")
        .bind(ZJJ_EMAIL)
        .fetch_one(app.state.db.reader())
        .await
        .unwrap();
    let message_id: String = row.get("message_id");
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some(message_id.as_str())
    );
    let db = app.state.db.clone();
    eventually("the outbox row marked sent", || {
        let db = db.clone();
        async move { intake::mail::counts(&db).await.unwrap().pending == 0 }
    })
    .await;

    // A status change mails the submitter.
    let state = &app.state;
    app.accept(&number).await;
    state.mailer.wake.notify_one();
    let mail = smtp.wait_for("submitter@test.example.com", &number).await;
    assert!(mail.body().contains("已受理"), "{}", mail.body());

    // Past the decision deadline the overdue check escalates, once.
    let deadline = cases::find_by_number(&state.db, &number)
        .await
        .unwrap()
        .unwrap()
        .decide_deadline
        .unwrap();
    app.clock.set_date(deadline);
    assert_eq!(
        intake::cases::escalate_overdue(state).await.unwrap(),
        0,
        "not overdue on the day"
    );
    app.clock.set_date(deadline.succ_opt().unwrap());
    assert_eq!(intake::cases::escalate_overdue(state).await.unwrap(), 1);
    assert_eq!(
        intake::cases::escalate_overdue(state).await.unwrap(),
        0,
        "escalated once"
    );
    let mail = smtp.wait_for(OFFICE_EMAIL, &number).await;
    assert!(mail.body().contains("已超过办理期限"), "{}", mail.body());
    let events = intake::audit::for_case(
        &state.db,
        cases::find_by_number(&state.db, &number)
            .await
            .unwrap()
            .unwrap()
            .id,
    )
    .await
    .unwrap();
    assert_eq!(events.last().unwrap().action, "overdue");
    assert_eq!(events.last().unwrap().actor, "system");
}

#[tokio::test]
async fn without_smtp_mail_goes_to_the_outbox_folder() {
    let app = TestApp::with(Options {
        smtp: false,
        ..Options::default()
    })
    .await;
    let (number, _) = app.complaint(None).await;
    let folder = app.dir.path().join("data/outbox");
    let message_id: String = sqlx::query("SELECT message_id FROM outbox")
        .fetch_one(app.state.db.reader())
        .await
        .unwrap()
        .get(0);
    let found = || {
        std::fs::read_dir(&folder)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .any(|t| t.contains(&message_id))
            })
            .unwrap_or(false)
    };
    eventually("an .eml file with the Message-ID", || async { found() }).await;
    assert!(number.starts_with("TS-"));
}

/// A clock that moves on a minute each time it is read: a transport so slow that each message
/// takes a minute.
struct SlowTransportClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl intake::clock::Clock for SlowTransportClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let mut t = self.0.lock().unwrap();
        *t += chrono::Duration::minutes(1);
        *t
    }
}

/// A sender that stops at half its claim (300 s) because the transport is slow gives the rest
/// of its claim back at once: another instance takes those messages on its next pass instead of
/// waiting for the claim to run out, and each message is still sent once.
#[tokio::test]
async fn a_sender_that_stops_half_way_gives_back_what_it_did_not_send() {
    let dir = tempfile::tempdir().unwrap();
    let db = intake::db::Db::connect(&dir.path().join("intake.sqlite3").display().to_string())
        .await
        .unwrap();
    let config = intake::config::Config::parse("intake.toml", "").unwrap();
    let outbox = dir.path().join("outbox");
    let a = intake::mail::Mailer::from_config(&config, outbox.clone()).unwrap();
    let b = intake::mail::Mailer::from_config(&config, outbox.clone()).unwrap();
    let start = "2026-12-01T01:00:00Z".parse().unwrap();
    let mut tx = db.begin().await.unwrap();
    for i in 0..5 {
        let mail = intake::mail::Outgoing {
            case_id: None,
            recipient: format!("dept{i}@test.example.gov.cn"),
            subject: format!("第 {i} 封"),
            body: "正文".into(),
        };
        intake::mail::enqueue(&mut tx, &a, start, &mail)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let clock = SlowTransportClock(std::sync::Mutex::new(start));
    let sent_by_a = intake::mail::send_pending(&db, &a, &clock).await.unwrap();
    assert!(
        (1..5).contains(&sent_by_a),
        "A stops short of its claim's end: {sent_by_a}"
    );
    // Well inside A's claim (which would hold until start + 300 s), B takes the rest.
    let now = *clock.0.lock().unwrap();
    assert!(now < start + chrono::Duration::seconds(300));
    let taken = intake::mail::claim(&db, &b, now).await.unwrap();
    assert_eq!(taken.len(), 5 - sent_by_a, "the rest was given back");
    let rows: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT sent_at, claimed_by FROM outbox ORDER BY id")
            .fetch_all(db.reader())
            .await
            .unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.0.is_some()).count(),
        sent_by_a,
        "{rows:?}"
    );
}
