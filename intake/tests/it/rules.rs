//! One table of rules per kind and category: a 政府采购 objection (质疑) is cited and counted by
//! 政府采购法 第五十二条、第五十三条 and 财政部令第94号 (7 working days), not by
//! 《招标投标法实施条例》 (3 calendar days), on the receipt, `/track`, the API and the staff page.

use crate::support::*;

/// The fixture's procurement project (supervised by 住建局).
const PROCUREMENT: &str = "PDSCG-2026-002";
const BASIS: &str = "《中华人民共和国政府采购法》第五十二条、第五十三条；《政府采购质疑和投诉办法》（财政部令第94号）第十条、第十三条";

#[tokio::test]
async fn a_procurement_objection_is_cited_and_counted_by_the_procurement_rules() {
    let app = TestApp::start().await;
    // Monday 28 September 2026; National Day 1–7 October, Saturday 10 October a working day:
    // 7 working days are 29, 30 September, 8, 9, 10, 12 and 13 October. The tendering rule
    // (3 calendar days, then the next working day) would give 8 October.
    let r = app
        .client
        .post(app.url("/submit"))
        .form(&[
            ("kind", "objection"),
            ("title", "采购文件设置倾向性参数"),
            ("content", "采购需求中的技术参数指向特定品牌。"),
            ("project", PROCUREMENT),
            ("name", "测试医疗设备有限公司"),
            ("phone", "0375-7654321"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let receipt = r.text().await.unwrap();
    assert!(
        receipt.contains("<dd id=\"deadline\">2026-10-13</dd>"),
        "{receipt}"
    );
    assert!(
        receipt.contains(BASIS),
        "the receipt cites the procurement rules"
    );
    assert!(receipt.contains("政府采购质疑：收到之日起7个工作日内作出答复"));
    assert!(
        !receipt.contains("招标投标法实施条例》第"),
        "no tendering rule cited"
    );
    let number = between(&receipt, "id=\"tracking-number\">", "<");
    let key = between(&receipt, "id=\"access-key\">", "<");

    let t: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/track?number={number}&key={key}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["deadline"], "2026-10-13", "{t}");
    assert_eq!(t["deadline_basis"], BASIS);
    let page = app
        .client
        .get(app.url(&format!("/track?number={number}&key={key}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<dd id=\"deadline\">2026-10-13</dd>"),
        "{page}"
    );
    assert!(page.contains(BASIS));

    let case = intake::cases::find_by_number(&app.state.db, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.rule, "objection-procurement");

    // The same over JSON, and a construction objection keeps the tendering rule.
    let (status, v) = app
        .submit_json(serde_json::json!({
            "kind": "objection", "title": "评标结果异议", "content": "第一中标候选人业绩造假。",
            "project": PROJECT, "name": "测试建设有限公司", "phone": "0375-1234567",
        }))
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["deadline"], "2026-10-08", "{v}");
    assert!(v["deadline_basis"]
        .as_str()
        .unwrap()
        .starts_with("《中华人民共和国招标投标法实施条例》第二十二条"));

    // Staff see the same rule on the case page.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    intake::staff::add_account(
        &app.state,
        "zjj-rules",
        "zjj",
        "correct horse battery staple",
    )
    .await
    .unwrap();
    let r = client
        .post(app.url("/staff/login"))
        .form(&[
            ("username", "zjj-rules"),
            ("password", "correct horse battery staple"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let staff = client
        .get(app.url(&format!("/staff/cases/{number}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(staff.contains(BASIS), "{staff}");
    assert!(staff.contains("2026-10-13"));

    // The whole table is on the form.
    let form = app
        .client
        .get(app.url("/submit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains(BASIS));
    assert!(form.contains("《中华人民共和国招标投标法实施条例》第六十条至第六十二条"));
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {text}"))
        + start.len();
    text[from..from + text[from..].find(end).unwrap()].to_string()
}
