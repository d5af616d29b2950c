//! The authorization matrix: every department × a case of every department × every action
//! (and the view), over HTTP as a signed-in member of staff. The handling department may do
//! everything; the committee office may view, download and transfer another department's case
//! but not handle it (403); any other department gets 404, as if the case did not exist.

use intake::staff::access::Act;
use reqwest::StatusCode;

use crate::staff_harness::{Harness, DEPARTMENTS};

const OFFICE: &str = "gongguan";

fn expected(viewer: &str, owner: &str, act: Act) -> StatusCode {
    if viewer == owner {
        return match act {
            Act::View | Act::Download => StatusCode::OK,
            _ => StatusCode::SEE_OTHER,
        };
    }
    if viewer != OFFICE {
        return StatusCode::NOT_FOUND;
    }
    match act {
        Act::View | Act::Download => StatusCode::OK,
        Act::Transfer => StatusCode::SEE_OTHER,
        _ => StatusCode::FORBIDDEN,
    }
}

#[tokio::test]
async fn every_department_case_and_action() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    let mut clients = Vec::new();
    for d in DEPARTMENTS {
        clients.push((d, h.sign_in(d).await));
    }
    let mut checked = 0;
    for (viewer, client) in &clients {
        for owner in DEPARTMENTS {
            for act in Act::ALL {
                // A fresh case per cell, in the state where the action is allowed, so that the
                // only thing that can refuse it is authorization.
                let number = h.case_ready_for(owner, act).await;
                let before = h.snapshot(&number).await;
                // Transfer to a department that is neither the owner nor the viewer.
                let target = DEPARTMENTS
                    .iter()
                    .find(|d| **d != owner && *d != viewer)
                    .unwrap();
                let response = client.act(&number, act, target).await;
                let want = expected(viewer, owner, act);
                assert_eq!(
                    response.status(),
                    want,
                    "{viewer} doing {act:?} to a case of {owner}"
                );
                let body_headers = response.headers().clone();
                let body = response.text().await.unwrap();
                let after = h.snapshot(&number).await;
                if want == StatusCode::SEE_OTHER {
                    let location = body_headers["location"].to_str().unwrap();
                    assert!(location.starts_with("/staff/"), "{location}");
                    assert!(!location.starts_with("/staff/login"), "{location}");
                }
                match want {
                    StatusCode::SEE_OTHER => {
                        assert_ne!(before, after, "{viewer} {act:?} {owner}: nothing changed")
                    }
                    StatusCode::NOT_FOUND => {
                        assert_eq!(before, after);
                        // Nothing of the case leaks into the 404 page.
                        assert!(!body.contains(&number), "{viewer} {act:?} {owner}");
                        assert!(!body.contains("河南测试建设有限公司"));
                    }
                    StatusCode::FORBIDDEN => {
                        assert_eq!(before, after);
                        assert!(body.contains("只有承办部门可以办理"), "{body}");
                    }
                    _ => {}
                }
                if act == Act::Download && want == StatusCode::OK {
                    assert_eq!(
                        body_headers["content-disposition"].to_str().unwrap(),
                        "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''%E8%AF%81%E6%8D%AE%20%E6%9D%90%E6%96%99.pdf"
                    );
                    assert_eq!(body_headers["x-content-type-options"], "nosniff");
                    assert_eq!(body_headers["content-type"], "application/pdf");
                    assert!(body.starts_with("%PDF-"));
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 4 * 9);
}

/// The list shows a department its own cases, the committee office all of them.
#[tokio::test]
async fn lists_are_scoped() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    let mut numbers = Vec::new();
    for d in DEPARTMENTS {
        numbers.push((
            d,
            h.case(crate::staff_harness::CaseSpec::complaint(d)).await,
        ));
    }
    for viewer in DEPARTMENTS {
        let html = h
            .sign_in(viewer)
            .await
            .get("/staff/")
            .await
            .text()
            .await
            .unwrap();
        for (owner, number) in &numbers {
            assert_eq!(
                html.contains(number.as_str()),
                viewer == OFFICE || viewer == *owner,
                "{viewer}'s list and the case of {owner}"
            );
        }
    }
}

/// Valid forms on a case in the wrong state: 409 with a message naming the state, nothing changed.
#[tokio::test]
async fn invalid_transitions_are_409() {
    let h = Harness::start().await;
    h.add_staff("zjj", "zjj").await;
    let zjj = h.sign_in("zjj").await;
    let received = h.case_ready_for("zjj", Act::Accept).await;
    for act in [Act::MaterialReceived, Act::Conclude, Act::Publish] {
        let r = zjj.act(&received, act, "czj").await;
        assert_eq!(
            r.status(),
            StatusCode::CONFLICT,
            "{act:?} on a received case"
        );
        let body = r.text().await.unwrap();
        assert!(body.contains("已接收，待受理"), "{body}");
    }
    let accepted = h.case_ready_for("zjj", Act::Conclude).await;
    for act in [
        Act::Accept,
        Act::Reject,
        Act::Transfer,
        Act::MaterialReceived,
        Act::Publish,
    ] {
        let r = zjj.act(&accepted, act, "czj").await;
        assert_eq!(
            r.status(),
            StatusCode::CONFLICT,
            "{act:?} on an accepted case"
        );
    }
    let waiting = h.case_ready_for("zjj", Act::MaterialReceived).await;
    for act in [
        Act::Accept,
        Act::Reject,
        Act::Transfer,
        Act::RequestMaterial,
        Act::Conclude,
        Act::Publish,
    ] {
        let r = zjj.act(&waiting, act, "czj").await;
        assert_eq!(
            r.status(),
            StatusCode::CONFLICT,
            "{act:?} on a waiting case"
        );
    }
    let concluded = h.case_ready_for("zjj", Act::Publish).await;
    for act in [
        Act::Accept,
        Act::Reject,
        Act::Transfer,
        Act::RequestMaterial,
        Act::MaterialReceived,
        Act::Conclude,
    ] {
        let r = zjj.act(&concluded, act, "czj").await;
        assert_eq!(
            r.status(),
            StatusCode::CONFLICT,
            "{act:?} on a concluded case"
        );
    }
    assert_eq!(h.status(&received).await.0, "received");
    assert_eq!(h.status(&accepted).await.0, "accepted");
    assert_eq!(h.status(&waiting).await.0, "waiting");
    assert_eq!(h.status(&concluded).await.0, "concluded");
    // Required fields: 422, nothing changed.
    for (act, field) in [
        ("reject", "reason"),
        ("transfer", "reason"),
        ("request-material", "what"),
    ] {
        let r = zjj
            .post(
                &format!("/staff/cases/{received}/{act}"),
                &[(field, "  "), ("to", "czj")],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{act} without {field}"
        );
    }
    let r = zjj
        .post(
            &format!("/staff/cases/{accepted}/conclude"),
            &[("outcome", "dismissed")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = zjj
        .post(
            &format!("/staff/cases/{received}/transfer"),
            &[("to", "zjj"), ("reason", "x")],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "transfer to itself"
    );
    assert_eq!(h.status(&received).await, ("received".into(), "zjj".into()));
    // Unknown actions and malformed numbers are simply not there.
    let r = zjj
        .post(&format!("/staff/cases/{received}/delete"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let unknown = intake::tracking::TrackingNumber::new(
        intake::tracking::CaseKind::Complaint,
        crate::staff_harness::date("2026-11-02"),
        999_999,
    )
    .unwrap();
    for number in [unknown.to_string(), "not-a-number".to_string()] {
        let r = zjj.get(&format!("/staff/cases/{number}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{number}");
    }
}
