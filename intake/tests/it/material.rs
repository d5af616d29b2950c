//! More material, online: when staff ask for more material the clock stops; the submitter
//! sends it on `/track` (number + key) with text and attachments, which is recorded as an event,
//! restarts the clock and mails the department — over HTTP, end to end.

use intake::audit::Action;

use crate::submit::pdf_bytes;
use crate::support::*;

fn material(number: &str, key: &str, text: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("number", number.to_string())
        .text("key", key.to_string())
        .text("content", text.to_string())
}

async fn track_page(app: &TestApp, number: &str, key: &str) -> String {
    app.client
        .get(app.url(&format!("/track?number={number}&key={key}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_submitter_sends_the_material_on_track_and_the_clock_runs_again() {
    let app = TestApp::with(Options {
        smtp: false,
        ..Options::default()
    })
    .await;
    // Monday 28 September: the acceptance deadline is 3 working days later, 8 October
    // (after National Day).
    let (number, key) = app.complaint(Some("bidder@example.com")).await;
    let before = intake::cases::find_by_number(&app.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.accept_deadline, Some("2026-10-08".parse().unwrap()));
    assert!(
        !track_page(&app, &number, &key)
            .await
            .contains("/track/material"),
        "no form while nothing is asked"
    );
    let r = app
        .client
        .post(app.url("/track/material"))
        .multipart(material(&number, &key, "补充说明"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "nothing was asked for");

    // Staff ask on Tuesday 29 September; the clock stops.
    app.clock.set_date("2026-09-29".parse().unwrap());
    app.act(
        &number,
        Action::MaterialRequested,
        "请补充评标报告复印件",
        |c, s| c.pause(s.clock.today()),
    )
    .await;
    let page = track_page(&app, &number, &key).await;
    assert!(page.contains("action=\"/track/material\""), "{page}");

    // Refused: a wrong key (looks like an unknown number), another site, no text, a bad file.
    let r = app
        .client
        .post(app.url("/track/material"))
        .multipart(material(&number, "wrong-key", "补充说明"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .client
        .post(app.url("/track/material"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .multipart(material(&number, &key, "补充说明"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a form posted from another site");
    let r = app
        .client
        .post(app.url("/track/material"))
        .multipart(material(&number, &key, "  "))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .post(app.url("/track/material"))
        .multipart(
            material(&number, &key, "补充说明").part(
                "attachments",
                reqwest::multipart::Part::bytes(b"MZ\x90\x00 not a document".to_vec())
                    .file_name("setup.exe"),
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("类型不支持"));
    let tmp = app.dir.path().join("data/attachments/tmp");
    let left = std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "a refused file leaves nothing behind");
    let waiting = intake::cases::find_by_number(&app.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        waiting.status,
        intake::cases::Status::Waiting,
        "refusals change nothing"
    );

    // Sent on Friday 9 October: the clock stood still for the working days after 29 September
    // up to 9 October (30 September, 8 and 9 October): 3 days.
    app.clock.set_date("2026-10-09".parse().unwrap());
    let r = app
        .client
        .post(app.url("/track/material"))
        .multipart(material(&number, &key, "附评标报告复印件一份。").part(
            "attachments",
            reqwest::multipart::Part::bytes(pdf_bytes(2000)).file_name("评标报告.pdf"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("已收到补充材料"),
        "the timeline shows it: {page}"
    );
    assert!(
        !page.contains("action=\"/track/material\""),
        "the form is gone"
    );

    let after = intake::cases::find_by_number(&app.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.status,
        intake::cases::Status::Received,
        "the clock runs again"
    );
    // 8 October moved by 3 working days: 9, 10 (make-up Saturday), 12 October.
    assert_eq!(after.accept_deadline, Some("2026-10-12".parse().unwrap()));
    let files = intake::cases::attachments(&app.state.db, after.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "评标报告.pdf");
    let events = intake::audit::for_case(&app.state.db, after.id)
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("public", "material_received")
    );
    assert!(last.note.contains("附评标报告复印件一份"), "{}", last.note);

    use sqlx::Row;
    let mails: Vec<(String, String)> =
        sqlx::query("SELECT recipient, subject FROM outbox WHERE case_id = $1 ORDER BY id")
            .bind(after.id)
            .fetch_all(app.state.db.reader())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("recipient"), r.get("subject")))
            .collect();
    assert!(
        mails
            .iter()
            .any(|(to, subject)| to == ZJJ_EMAIL && subject.contains("补充材料")),
        "the department is told: {mails:?}"
    );

    // Once received, a second sending is refused.
    let r = app
        .client
        .post(app.url("/track/material"))
        .multipart(material(&number, &key, "再补充"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}
