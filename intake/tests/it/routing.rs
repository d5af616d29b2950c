//! Cases reach the department supervising the named project: the one of its tender and result
//! disclosures, not the approval notice's issuing department (发展改革委), over the repository's
//! demo content and the real server on loopback.

use crate::support::*;

/// The demo projects whose approval notice is 发展改革委's, and the department of their tender,
/// award and contract disclosures.
const DEMO: &[(&str, &str, &str)] = &[
    ("PDSZJ-2026-0012", "zjj", "住房和城乡建设局"),
    ("PDSJT-2026-0005", "jtj", "交通运输局"),
    ("PDSSL-2026-0009", "slj", "水利局"),
];

#[test]
fn the_demo_projects_map_to_their_tender_and_result_department() {
    let content = intake::ContentData::load(&demo_content()).unwrap();
    for (code, id, _) in DEMO {
        let r = intake::routing::route(&content, Some(code), None);
        assert_eq!(&r.department, id, "{code}: {}", r.reason);
        assert!(!r.reason.contains("发展改革"), "{code}: {}", r.reason);
    }
}

#[tokio::test]
async fn a_complaint_naming_a_demo_project_goes_to_its_supervising_department() {
    let app = TestApp::with(Options {
        content_from: Some(demo_content()),
        ..Options::default()
    })
    .await;
    for (code, id, name) in DEMO {
        let (status, v) = app
            .submit_json(serde_json::json!({
                "kind": "complaint",
                "title": "评标委员会未按招标文件评审",
                "content": "第二中标候选人业绩不符合招标文件要求，评标委员会仍予以加分。",
                "project": code,
                "name": "测试建设有限公司",
                "phone": "0375-1234567",
            }))
            .await;
        assert_eq!(status, 201, "{v}");
        let department = v["department"].as_str().unwrap();
        assert!(department.contains(name), "{code} went to {department}");
        let number = v["tracking_number"].as_str().unwrap();
        let case = intake::cases::find_by_number(&app.state.db, number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&case.department, id, "{code}");
    }
}
