//! A case's life on the staff side: the pages, the clock stopping for material, every step on
//! the audit trail and mailed to the submitter in the same transaction, the reporter-identity
//! rule, overdue flags and the escalation, and `intake export` checked by the site's parser.

use chrono::Duration;
use disclosure::Details;
use intake::staff::access::Act;
use intake::staff::workflow::Input;
use intake::tracking::CaseKind;
use reqwest::StatusCode;

use crate::staff_harness::{accept, conclude, date, CaseSpec, Harness};

#[tokio::test]
async fn a_complaint_from_receipt_to_publication() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let mut s = h.sign_in("zjj.li").await;
    let number = h
        .case(CaseSpec {
            attachment: true,
            ..CaseSpec::complaint("zjj")
        })
        .await;
    let page = s.get(&format!("/staff/cases/{number}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for shown in [
        number.as_str(),
        "河南测试建设有限公司",
        "13812345678",
        "complainant@bidder.example",
        "招标文件设置了排斥潜在投标人的资格条件。",
        "证据 材料.pdf",
        "2026-11-05", // accept within 3 working days of Monday 2 November
        "action=\"/staff/cases/",
    ] {
        assert!(html.contains(shown), "case page lacks {shown}");
    }
    assert!(!html.contains("<script"));

    // Ask for material on Tuesday 3 November: the clock stops…
    // (A day later the session has timed out: sign in again.)
    h.clock.set_date(date("2026-11-03"));
    s = h.sign_in("zjj.li").await;
    let r = s.act(&number, Act::RequestMaterial, "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = s
        .get(&format!("/staff/cases/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("暂停计时"));
    // …and runs again a week later: the deadline (Thursday 5 November) moves by the five
    // working days it stood still, 4 to 10 November.
    h.clock.set_date(date("2026-11-10"));
    s = h.sign_in("zjj.li").await;
    assert_eq!(
        s.act(&number, Act::MaterialReceived, "").await.status(),
        StatusCode::SEE_OTHER
    );
    let case = intake::cases::find_by_number(&h.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.accept_deadline, Some(date("2026-11-12")));
    assert_eq!(case.paused_days_total, 5);

    assert_eq!(
        s.act(&number, Act::Accept, "").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        s.act(&number, Act::Conclude, "").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        s.act(&number, Act::Publish, "").await.status(),
        StatusCode::SEE_OTHER
    );
    let html = s
        .get(&format!("/staff/cases/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("不成立（驳回）"), "the outcome is shown");
    assert!(html.contains("处理结果已公开"));

    // Every step is an audit event, views included, by whom it was done; the chain holds.
    let events = h.events(&number).await;
    let actions: Vec<&str> = events.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "viewed",
            "material_requested",
            "viewed",
            "material_received",
            "accepted",
            "concluded",
            "published",
            "viewed"
        ]
    );
    assert!(events[1..].iter().all(|(actor, _)| actor == "zjj.li"));
    assert!(intake::audit::verify(&h.state.db)
        .await
        .unwrap()
        .is_intact());

    // The department on arrival, then the submitter on each of the five changes.
    let mail = h.outbox(&number).await;
    assert_eq!(mail[0].0, "zjj@test.example");
    assert_eq!(mail.len(), 6, "{mail:?}");
    assert!(mail[1..]
        .iter()
        .all(|(to, subject)| to == "complainant@bidder.example" && subject.contains(&number)));

    // The attachment is served as a download, and the download is on record.
    let link = crate::staff_harness::attachment_link(&html, &number).unwrap();
    let r = s.get(&link).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(
        h.events(&number).await.last().unwrap().1,
        "attachment_viewed"
    );
}

#[tokio::test]
async fn transfer_moves_the_case_and_tells_the_new_department() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    let number = h.case(CaseSpec::complaint("zjj")).await;
    let zjj = h.sign_in("zjj").await;
    let r = zjj.act(&number, Act::Transfer, "czj").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/");
    assert_eq!(h.status(&number).await, ("received".into(), "czj".into()));
    // The old department no longer sees it; the new one does and may handle it.
    assert_eq!(
        zjj.act(&number, Act::View, "").await.status(),
        StatusCode::NOT_FOUND
    );
    let czj = h.sign_in("czj").await;
    let html = czj
        .get(&format!("/staff/cases/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("由住房城乡建设局转至财政局：应由该部门办理"));
    let recipients: Vec<String> = h
        .outbox(&number)
        .await
        .into_iter()
        .map(|(to, _)| to)
        .collect();
    assert_eq!(
        recipients,
        [
            "zjj@test.example",
            "complainant@bidder.example",
            "czj@test.example"
        ]
    );
}

/// A reporter's identity is shown only to the department handling the report; the committee
/// office sees the report but not who made it, until it handles the report itself.
#[tokio::test]
async fn reporter_identity_only_for_the_handling_department() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    let number = h
        .case(CaseSpec {
            kind: CaseKind::Report,
            department: "zjj",
            name: Some("王举报"),
            phone: Some("13900001111"),
            email: Some("whistle@mail.example"),
            attachment: true,
        })
        .await;
    let identity = ["王举报", "13900001111", "whistle@mail.example"];
    let zjj = h.sign_in("zjj").await;
    let office = h.sign_in("gongguan").await;

    let html = zjj
        .get(&format!("/staff/cases/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        identity.iter().all(|i| html.contains(i)),
        "the handling department sees the reporter"
    );
    let html = office
        .get(&format!("/staff/cases/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&number) && html.contains("举报人身份信息仅向承办部门显示"));
    assert!(
        identity.iter().all(|i| !html.contains(i)),
        "the office does not"
    );
    // Nor may it download the report's attachments, which may name the reporter.
    let r = office
        .get(&format!("/staff/cases/{number}/attachments/1"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The views are on record, saying whether the identity was shown.
    let notes: Vec<String> = {
        let case = intake::cases::find_by_number(&h.state.db, &number)
            .await
            .unwrap()
            .unwrap();
        intake::audit::for_case(&h.state.db, case.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "viewed")
            .map(|e| format!("{} {}", e.actor, e.note))
            .collect()
    };
    assert_eq!(
        notes,
        [
            "zjj 查阅（含举报人身份信息）",
            "gongguan 查阅（举报人身份信息未显示）"
        ]
    );

    // The office takes the report over: now it handles it, and sees who made it.
    assert_eq!(
        office
            .act(&number, Act::Transfer, "gongguan")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let html = office
        .get(&format!("/staff/cases/{number}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(identity.iter().all(|i| html.contains(i)));
    assert_eq!(
        zjj.act(&number, Act::View, "").await.status(),
        StatusCode::NOT_FOUND
    );
    // An anonymous report says so.
    let anonymous = h
        .case(CaseSpec {
            kind: CaseKind::Report,
            department: "zjj",
            name: None,
            phone: None,
            email: None,
            attachment: false,
        })
        .await;
    let html = zjj
        .get(&format!("/staff/cases/{anonymous}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("匿名举报"));
}

#[tokio::test]
async fn overdue_cases_are_flagged_first_and_escalated_once() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    let late = h.case(CaseSpec::complaint("zjj")).await; // accept by Thursday 5 November
    h.clock.set_date(date("2026-11-04"));
    let fresh = h.case(CaseSpec::complaint("zjj")).await; // accept by Monday 9 November
    h.clock.set_date(date("2026-11-06"));
    let zjj = h.sign_in("zjj").await;
    let html = zjj.get("/staff/").await.text().await.unwrap();
    let (at_late, at_fresh) = (html.find(&late).unwrap(), html.find(&fresh).unwrap());
    assert!(at_late < at_fresh, "the overdue case is listed first");
    assert_eq!(html.matches("逾期</strong>").count(), 1);
    assert!(html[at_late..at_fresh].contains("逾期") && html[at_late..].contains("2026-11-05"));
    let overdue_only = zjj
        .get("/staff/?status=overdue")
        .await
        .text()
        .await
        .unwrap();
    assert!(overdue_only.contains(&late) && !overdue_only.contains(&fresh));

    assert_eq!(intake::cases::escalate_overdue(&h.state).await.unwrap(), 1);
    assert_eq!(
        intake::cases::escalate_overdue(&h.state).await.unwrap(),
        0,
        "once"
    );
    let mail: Vec<String> = h
        .outbox(&late)
        .await
        .into_iter()
        .map(|(to, _)| to)
        .collect();
    assert_eq!(
        mail,
        [
            "zjj@test.example",
            "gongguan@test.example",
            "zjj@test.example"
        ]
    );
    // The office sees it flagged too.
    let office = h.sign_in("gongguan").await;
    let html = office
        .get(&format!("/staff/cases/{late}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("逾期"));
    assert!(html.contains("已超期，已报公管办督办"));
}

#[tokio::test]
async fn export_writes_parsable_results_without_personal_data() {
    let h = Harness::start().await;
    h.add_staff("zjj.li", "zjj").await;
    let mut s = h.sign_in("zjj.li").await;
    let first = h.case_ready_for("zjj", Act::Publish).await;
    let second = h.case_ready_for("zjj", Act::Publish).await;
    let unpublished = h.case_ready_for("zjj", Act::Publish).await;

    // Text naming the complainant, their phone or email, or a citizen id is refused.
    for bad in [
        "投诉人河南测试建设有限公司的投诉不成立。",
        "联系电话 138-1234-5678。",
        "邮箱 COMPLAINANT@bidder.example",
        "身份证号 11010519491231002X",
    ] {
        let r = s
            .post(
                &format!("/staff/cases/{first}/publish"),
                &[
                    ("title", "处理决定"),
                    ("outcome", "驳回投诉"),
                    ("text", bad),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert!(
        !intake::cases::find_by_number(&h.state.db, &first)
            .await
            .unwrap()
            .unwrap()
            .published
    );
    assert_eq!(
        s.act(&first, Act::Publish, "").await.status(),
        StatusCode::SEE_OTHER
    );
    h.clock.advance(Duration::days(1));
    s = h.sign_in("zjj.li").await;
    assert_eq!(
        s.act(&second, Act::Publish, "").await.status(),
        StatusCode::SEE_OTHER
    );

    let out = h.path().join("complaint-results");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("hand-written.md"), "left alone").unwrap();
    let report = intake::staff::export::export_report(&h.state, &out)
        .await
        .unwrap();
    assert_eq!((report.written, report.unchanged), (2, 0));
    for number in [&first, &second] {
        let stem = intake::staff::export::file_stem(number);
        let text = std::fs::read_to_string(out.join(format!("{stem}.md"))).unwrap();
        let d = disclosure::parse::parse_disclosure(
            &format!("content/complaint-results/{stem}.md"),
            &stem,
            &text,
        )
        .unwrap_or_else(|e| panic!("{text}\n{e:?}"));
        assert_eq!(d.id, stem);
        assert_eq!(d.title, "关于某工程评标结果投诉的处理决定");
        assert_eq!(d.department.as_deref(), Some("zjj"));
        match d.details {
            Details::ComplaintResult(r) => {
                assert_eq!(&r.case_no, number);
                assert_eq!(r.outcome, "驳回投诉");
                assert_eq!(r.decision_date, date("2026-11-02"));
            }
            other => panic!("{other:?}"),
        }
        for personal in [
            "河南测试建设有限公司",
            "13812345678",
            "complainant@bidder.example",
            "招标文件设置了",
        ] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
    let second_text = std::fs::read_to_string(
        out.join(format!("{}.md", intake::staff::export::file_stem(&second))),
    )
    .unwrap();
    assert!(second_text.contains("date = 2026-11-03"), "{second_text}");
    assert!(!out
        .join(format!(
            "{}.md",
            intake::staff::export::file_stem(&unpublished)
        ))
        .exists());
    assert_eq!(
        std::fs::read_to_string(out.join("hand-written.md")).unwrap(),
        "left alone"
    );

    // Idempotent: nothing changes, nothing is written; a revision rewrites only its file.
    let report = intake::staff::export::export_report(&h.state, &out)
        .await
        .unwrap();
    assert_eq!((report.written, report.unchanged), (0, 2));
    h.clock.advance(Duration::days(1));
    s = h.sign_in("zjj.li").await;
    let r = s
        .post(
            &format!("/staff/cases/{first}/publish"),
            &[
                ("title", "关于某工程评标结果投诉的处理决定"),
                ("outcome", "驳回投诉"),
                ("text", "修订后的公开文本。"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let report = intake::staff::export::export_report(&h.state, &out)
        .await
        .unwrap();
    assert_eq!((report.written, report.unchanged), (1, 1));
    let text = std::fs::read_to_string(
        out.join(format!("{}.md", intake::staff::export::file_stem(&first))),
    )
    .unwrap();
    assert!(
        text.contains("updated = 2026-11-04") && text.contains("修订后的公开文本。"),
        "{text}"
    );
    assert_eq!(intake::staff::export(&h.state, &out).await.unwrap(), 0);
}

/// Direct use of the workflow keeps the same rules as the HTTP side (used by the other tests to
/// set cases up).
#[tokio::test]
async fn setup_actions_follow_the_state_machine() {
    let h = Harness::start().await;
    let number = h.case(CaseSpec::complaint("czj")).await;
    h.act("czj", &number, accept()).await;
    h.act("czj", &number, conclude()).await;
    let session = intake::staff::session::Session {
        id: 0,
        csrf: String::new(),
        staff: intake::staff::accounts::StaffMember {
            id: 0,
            username: "x".into(),
            department: "czj".into(),
            created_at: String::new(),
            disabled: false,
        },
    };
    let again = intake::staff::workflow::perform(
        &h.state,
        &session,
        &number,
        Input::Accept {
            note: String::new(),
        },
    )
    .await;
    assert!(matches!(
        again,
        Err(intake::staff::error::StaffError::Conflict(_))
    ));
}
