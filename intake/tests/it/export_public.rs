//! What `intake export` gives the public besides the results: the project each result concerns,
//! and handling statistics in which no case can be singled out.

use intake::staff::access::Act;

use crate::staff_harness::{CaseSpec, Harness};

#[tokio::test]
async fn export_names_the_project_and_writes_statistics_without_small_counts() {
    let h = Harness::start().await;
    let mut concluded = Vec::new();
    for _ in 0..4 {
        concluded.push(h.case_ready_for("zjj", Act::Publish).await);
    }
    // One case alone in its department and quarter: its count must not be published.
    let lone = h.case(CaseSpec::complaint("czj")).await;

    // The first result concerns a project; publishing it exports the project with it.
    sqlx::query("UPDATE cases SET project = 'PDSZJ-2026-0012' WHERE tracking_number = $1")
        .bind(&concluded[0])
        .execute(h.state.db.reader())
        .await
        .unwrap();
    h.act(
        "zjj",
        &concluded[0],
        intake::staff::workflow::Input::Publish {
            title: "关于某工程评标结果投诉的处理决定".into(),
            outcome: "驳回投诉".into(),
            text: "经查，投诉事项缺乏事实依据。".into(),
        },
    )
    .await;
    let out = h.path().join("content/complaint-results");
    intake::staff::export::export_report(&h.state, &out)
        .await
        .unwrap();
    let stem = intake::staff::export::file_stem(&concluded[0]);
    let text = std::fs::read_to_string(out.join(format!("{stem}.md"))).unwrap();
    assert!(text.contains("project = \"PDSZJ-2026-0012\"\n"), "{text}");
    let d = disclosure::parse::parse_disclosure("content/x.md", &stem, &text).unwrap();
    match d.details {
        disclosure::Details::ComplaintResult(r) => {
            assert_eq!(r.project.as_deref(), Some("PDSZJ-2026-0012"))
        }
        other => panic!("{other:?}"),
    }

    let content = h.path().join("content");
    let today = intake::clock::local_date(h.state.clock.now());
    let (path, stats) = intake::staff::public_stats::write(&h.state, &content, today)
        .await
        .unwrap();
    assert_eq!(path, content.join("complaint-statistics.json"));
    let zjj = stats.rows.iter().find(|r| r.department == "zjj").unwrap();
    assert_eq!((zjj.received, zjj.concluded), (Some(4), Some(4)));
    let czj = stats.rows.iter().find(|r| r.department == "czj").unwrap();
    assert_eq!(czj.received, None, "a count of 1 is withheld");
    let json = std::fs::read_to_string(&path).unwrap();
    for secret in concluded.iter().chain([&lone]) {
        assert!(!json.contains(secret.as_str()), "{secret} in {json}");
    }
    for personal in [
        "河南测试建设有限公司",
        "13812345678",
        "complainant@bidder.example",
    ] {
        assert!(!json.contains(personal), "{personal} in {json}");
    }
    assert!(json.contains("\"min_cell\": 3"), "{json}");
}
