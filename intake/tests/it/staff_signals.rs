//! The supervision signals at /staff/signals/: only signed-in staff, the committee office all of
//! them, a department those about its projects (routed as a complaint about them would be), the
//! company view, and a page saying so when the build has written none.
//!
//! The folder is written here in the shape `site-gen build --signals` writes (site-gen's own
//! test checks that shape); intake only reads it.

use reqwest::StatusCode;
use serde_json::json;

use crate::staff_harness::{Harness, DEPARTMENTS};

const COVER: &str = "91410400MA0000013X";

/// Four signals: a construction tender (住建局), a procurement tender (财政局), a company bidding
/// in both (both departments), and a tender in a category only the office supervises.
fn write_signals(h: &Harness) {
    let dir = h.dir.path().join("signals");
    std::fs::create_dir_all(dir.join("cards")).unwrap();
    let signal = |id: &str,
                  kind: &str,
                  companies: &[&str],
                  projects: &[&str],
                  categories: &[&str]| {
        json!({
            "id": id, "kind": kind, "severity": disclosure::signals::severity(kind),
            "companies": companies, "names": companies.iter().map(|c| format!("名称{c}")).collect::<Vec<_>>(),
            "projects": projects, "categories": categories, "results": [],
            "value": 1.0, "threshold": 0.0,
            "explanation": format!("说明{id}"), "basis": "《招标投标法实施条例》第三十九条"
        })
    };
    let file = json!({
        "generated": "2026-11-02",
        "signals": [
            signal("identical_bids-ZJ-1", "identical_bids", &["91410400MA0000021K", "91410400MA0000030J"], &["ZJ-1"], &["construction"]),
            signal("single_bidder-CG-1", "single_bidder", &["91410400MA0000048W"], &["CG-1"], &["procurement"]),
            signal("cover_bidder-ZJ-2", "cover_bidder", &[COVER], &["ZJ-2", "CG-2"], &["construction", "procurement"]),
            signal("listed_winner-QT-1", "listed_winner", &["91410400MA0000056Q"], &["QT-1"], &["other"]),
        ],
        "warnings": [{"kind": "single_bidder", "count": 1, "of": 4, "share": 0.25, "threshold": 0.1,
                      "explanation": "“只有一家投标”涉及 1 个招标项目，占全部 4 个的 25.0%，超过 10.0%"}]
    });
    std::fs::write(dir.join("signals.json"), file.to_string()).unwrap();
    for s in file["signals"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        std::fs::write(
            dir.join("cards").join(format!("{id}.html")),
            format!("<article class=\"signal-card\"><h1>卡片{id}</h1><p>风险提示，供监督部门核查，不作为违法认定依据。</p></article>"),
        )
        .unwrap();
    }
}

#[tokio::test]
async fn signals_are_for_signed_in_staff_scoped_by_department() {
    let h = Harness::start().await;
    h.add_all_staff().await;

    // Before any build: a page that says so, not an error.
    let office = h.sign_in("gongguan").await;
    let r = office.get("/staff/signals/").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("尚未生成风险提示"));

    write_signals(&h);

    // Signed out: off to the sign-in page, for the list, a card and a company.
    for path in [
        "/staff/signals/",
        "/staff/signals/identical_bids-ZJ-1",
        &format!("/staff/signals/companies/{COVER}/"),
    ] {
        let r = h.client().get(h.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        let to = r.headers()["location"].to_str().unwrap();
        assert!(to.starts_with("/staff/login"), "{path} → {to}");
    }

    // Who sees which signal: (viewer, signal ids shown).
    let all = [
        "identical_bids-ZJ-1",
        "single_bidder-CG-1",
        "cover_bidder-ZJ-2",
        "listed_winner-QT-1",
    ];
    let sees = |viewer: &str, id: &str| match viewer {
        "gongguan" => true,
        "zjj" => matches!(id, "identical_bids-ZJ-1" | "cover_bidder-ZJ-2"),
        "czj" => matches!(id, "single_bidder-CG-1" | "cover_bidder-ZJ-2"),
        _ => false,
    };
    for viewer in DEPARTMENTS {
        let staff = h.sign_in(viewer).await;
        let list = staff.get("/staff/signals/").await;
        assert_eq!(list.status(), StatusCode::OK, "{viewer}");
        let list = list.text().await.unwrap();
        assert!(list.contains("不作为违法认定依据"), "{viewer}");
        for id in all {
            assert_eq!(
                list.contains(&format!("href=\"/staff/signals/{id}\"")),
                sees(viewer, id),
                "{viewer}'s list and {id}"
            );
            let card = staff.get(&format!("/staff/signals/{id}")).await;
            if sees(viewer, id) {
                assert_eq!(card.status(), StatusCode::OK, "{viewer} {id}");
                let card = card.text().await.unwrap();
                assert!(card.contains(&format!("卡片{id}")), "{viewer} {id}");
                assert!(card.contains("退出登录"), "in the staff shell");
            } else {
                assert_eq!(card.status(), StatusCode::NOT_FOUND, "{viewer} {id}");
                let card = card.text().await.unwrap();
                assert!(!card.contains(&format!("卡片{id}")), "{viewer} {id}");
            }
        }
        // The company view: the cover bidder's signal, for those who may see it.
        let company = staff
            .get(&format!("/staff/signals/companies/{COVER}/"))
            .await;
        let expected = if sees(viewer, "cover_bidder-ZJ-2") {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(company.status(), expected, "{viewer}");
        if expected == StatusCode::OK {
            let page = company.text().await.unwrap();
            assert!(page.contains(&format!("名称{COVER}")), "{page}");
            assert!(page.contains("href=\"/staff/signals/cover_bidder-ZJ-2\""));
            assert!(page.contains(&format!("href=\"/companies/{COVER}/\"")));
        }
    }

    // By kind and by severity; the warning of too many is on the list.
    let list = office
        .get("/staff/signals/?kind=single_bidder")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("href=\"/staff/signals/single_bidder-CG-1\""));
    assert!(!list.contains("href=\"/staff/signals/identical_bids-ZJ-1\""));
    assert!(list.contains("提示过多") && list.contains("超过 10.0%"));
    let high = office
        .get("/staff/signals/?severity=high")
        .await
        .text()
        .await
        .unwrap();
    assert!(high.contains("href=\"/staff/signals/identical_bids-ZJ-1\""));
    assert!(high.contains("href=\"/staff/signals/listed_winner-QT-1\""));
    assert!(!high.contains("href=\"/staff/signals/single_bidder-CG-1\""));
    assert_eq!(
        office.get("/staff/signals/?kind=nonsense").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // No such signal, a path that is not an id.
    assert_eq!(
        office.get("/staff/signals/no-such-signal").await.status(),
        StatusCode::NOT_FOUND
    );
}
