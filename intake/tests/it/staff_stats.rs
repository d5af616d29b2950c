//! Quarterly statistics on a known set of cases: counts by department, kind and outcome, the
//! on-time rate, the scoping (a department sees its own numbers), and the accessible chart.

use chrono::Duration;
use intake::staff::workflow::Input;
use intake::tracking::CaseKind;
use reqwest::StatusCode;
use serde_json::Value;

use crate::staff_harness::{accept, date, CaseSpec, Harness};

fn conclude(outcome: &str) -> Input {
    Input::Conclude {
        outcome: outcome.into(),
        decision: "已办结。".into(),
    }
}

#[tokio::test]
async fn quarterly_numbers() {
    let h = Harness::start().await;
    h.add_all_staff().await;
    // Third quarter: one complaint to zjj, concluded in the third quarter (counted there only).
    h.clock.set_date(date("2026-09-01"));
    let q3 = h.case(CaseSpec::complaint("zjj")).await;
    h.act("zjj", &q3, accept()).await;
    h.act("zjj", &q3, conclude("upheld")).await;

    // Fourth quarter, from Monday 12 October.
    h.clock.set_date(date("2026-10-12"));
    let on_time = h.case(CaseSpec::complaint("zjj")).await;
    let late = h.case(CaseSpec::complaint("zjj")).await;
    let rejected = h
        .case(CaseSpec {
            kind: CaseKind::Report,
            ..CaseSpec::complaint("zjj")
        })
        .await;
    let suggestion = h
        .case(CaseSpec {
            kind: CaseKind::Suggestion,
            ..CaseSpec::complaint("czj")
        })
        .await;
    let _open = h
        .case(CaseSpec {
            kind: CaseKind::Objection,
            ..CaseSpec::complaint("jtj")
        })
        .await;
    h.act("zjj", &on_time, accept()).await;
    h.act("zjj", &late, accept()).await;
    h.act(
        "zjj",
        &rejected,
        Input::Reject {
            reason: "不属于受理范围".into(),
        },
    )
    .await;
    h.act("czj", &suggestion, accept()).await;
    h.clock.set_date(date("2026-10-20"));
    h.act("zjj", &on_time, conclude("dismissed")).await;
    h.act("czj", &suggestion, conclude("answered")).await;
    // 30 working days after 12 October end on 23 November; conclude in December.
    h.clock.set_date(date("2026-12-01"));
    h.act("zjj", &late, conclude("partly-upheld")).await;
    h.clock.advance(Duration::days(1));

    let office = h.sign_in("gongguan").await;
    let r = office.get("/staff/stats.json?year=2026&quarter=4").await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["scope"], "all");
    assert_eq!(
        (s["from"].as_str(), s["to"].as_str()),
        (Some("2026-10-01"), Some("2026-12-31"))
    );
    let row = |id: &str| {
        s["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["department"] == id)
            .unwrap_or_else(|| panic!("no row for {id}"))
            .clone()
    };
    let zjj = row("zjj");
    assert_eq!(zjj["received"], 3);
    assert_eq!(zjj["concluded"], 2);
    assert_eq!(zjj["concluded_on_time"], 1);
    assert_eq!(zjj["on_time_rate"], 0.5);
    assert_eq!(zjj["rejected"], 1);
    let czj = row("czj");
    assert_eq!(
        (czj["received"].as_i64(), czj["concluded"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(czj["on_time_rate"], 1.0);
    let jtj = row("jtj");
    assert_eq!(
        (jtj["received"].as_i64(), jtj["concluded"].as_i64()),
        (Some(1), Some(0))
    );
    assert!(jtj["on_time_rate"].is_null(), "no rate without conclusions");
    assert_eq!(row("gongguan")["received"], 0);
    assert_eq!(s["by_kind"]["complaint"], 2);
    assert_eq!(s["by_kind"]["report"], 1);
    assert_eq!(s["by_kind"]["suggestion"], 1);
    assert_eq!(s["by_kind"]["objection"], 1);
    assert_eq!(s["by_outcome"]["dismissed"], 1);
    assert_eq!(s["by_outcome"]["partly-upheld"], 1);
    assert_eq!(s["by_outcome"]["answered"], 1);
    assert_eq!(s["by_outcome"]["not-accepted"], 1);
    assert_eq!(
        s["by_outcome"]["upheld"], 0,
        "concluded in the third quarter"
    );
    assert_eq!(s["total"]["received"], 5);
    assert_eq!(s["total"]["concluded"], 3);
    assert_eq!(s["total"]["concluded_on_time"], 2);

    let q3: Value = office
        .get("/staff/stats.json?year=2026&quarter=3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(q3["by_outcome"]["upheld"], 1);
    assert_eq!(q3["total"]["received"], 1);

    // A department sees its own numbers only.
    let czj_staff = h.sign_in("czj").await;
    let mine: Value = czj_staff
        .get("/staff/stats.json?year=2026&quarter=4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["scope"], "czj");
    assert_eq!(mine["by_department"].as_array().unwrap().len(), 1);
    assert_eq!(mine["total"]["received"], 1);
    assert_eq!(mine["by_kind"]["complaint"], 0);

    // The page: an SVG chart with its own title and description, and the same numbers in a table.
    let html = office
        .get("/staff/stats?year=2026&quarter=4")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg"));
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("<title id=\"chart-title\">2026年第4季度各部门收件与办结数量</title>"));
    assert!(html.contains("<desc id=\"chart-desc\">"));
    assert!(html.contains("住房城乡建设局：收件 3 件，办结 2 件"));
    assert!(html.contains("<th scope=\"row\">住房城乡建设局</th><td class=\"num\">3</td><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">50.0%</td><td class=\"num\">1</td>"), "{html}");
    assert!(!html.contains("<script"));
    // Without parameters: the current quarter. Bad parameters: a clear 422.
    assert_eq!(office.get("/staff/stats").await.status(), StatusCode::OK);
    assert_eq!(
        office
            .get("/staff/stats.json?year=2026&quarter=5")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        office.get("/staff/stats.json?year=abc").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
