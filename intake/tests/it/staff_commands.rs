//! The operator's account commands through the real binary (`intake staff disable|enable|
//! reset-password NAME`) against a running server on the same database, and the server's log
//! of refused staff requests.

use reqwest::StatusCode;
use sqlx::Row;

use crate::binary::Setup;
use crate::staff_harness::{Harness, PASSWORD};
use crate::support::{write_content, PROJECT};

const NEW_PASSWORD: &str = "a new and longer passphrase";

fn setup_of(h: &Harness) -> Setup {
    Setup {
        content: h.path().join("content"),
        db: h.path().join("intake.sqlite3").display().to_string(),
        config: Some(h.path().join("intake.toml")),
    }
}

async fn sign_in_status(h: &Harness, ip: &str, password: &str) -> (StatusCode, String) {
    let r = h
        .client()
        .post(h.url("/staff/login"))
        .header("x-forwarded-for", ip)
        .form(&[("username", "zjj.li"), ("password", password)])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn actions(h: &Harness) -> Vec<String> {
    sqlx::query("SELECT action FROM events WHERE case_id IS NULL ORDER BY seq")
        .fetch_all(h.state.db.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("action"))
        .collect()
}

#[tokio::test]
async fn disable_enable_and_reset_password_through_the_binary() {
    let h = Harness::start().await;
    let cli = setup_of(&h);
    let (ok, _, err) = cli
        .run(
            &[
                "staff",
                "add",
                "--username",
                "zjj.li",
                "--department",
                "zjj",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await;
    assert!(ok, "{err}");
    let session = h.sign_in_from("zjj.li", "192.0.2.1").await;

    // Disable: the live session ends at once, and signing in fails like a wrong password.
    let (ok, _, err) = cli.run(&["staff", "disable", "zjj.li"], "").await;
    assert!(ok, "{err}");
    assert!(
        err.contains("disabled zjj.li (zjj); ended 1 live session(s)"),
        "{err}"
    );
    let r = session.get("/staff/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/staff/login");
    let (status, disabled_page) = sign_in_status(&h, "192.0.2.2", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, wrong_page) = sign_in_status(&h, "192.0.2.3", "not the password").await;
    assert_eq!(
        disabled_page, wrong_page,
        "a disabled account tells nothing"
    );
    let (ok, out, _) = cli.run(&["staff", "list"], "").await;
    assert!(ok);
    assert!(
        out.lines()
            .any(|l| l.starts_with("zjj.li\tzjj\t") && l.ends_with("\tdisabled")),
        "{out}"
    );
    let (ok, _, err) = cli.run(&["staff", "disable", "ZJJ.Li"], "").await;
    assert!(ok, "{err}");
    assert!(err.contains("zjj.li is already disabled"), "{err}");

    // Enable: signing in works again.
    let (ok, _, err) = cli.run(&["staff", "enable", "zjj.li"], "").await;
    assert!(ok, "{err}");
    assert!(err.contains("enabled zjj.li (zjj)"), "{err}");
    let session = h.sign_in_from("zjj.li", "192.0.2.4").await;

    // Reset the password: checked like `staff add`, sessions end, only the new one works.
    let (ok, _, err) = cli
        .run(&["staff", "reset-password", "zjj.li"], "short\n")
        .await;
    assert!(!ok);
    assert!(err.contains("password too short"), "{err}");
    assert_eq!(session.get("/staff/").await.status(), StatusCode::OK);
    let (ok, _, err) = cli
        .run(
            &["staff", "reset-password", "zjj.li"],
            &format!("{NEW_PASSWORD}\n"),
        )
        .await;
    assert!(ok, "{err}");
    assert!(err.contains("ended 1 live session(s)"), "{err}");
    assert_eq!(session.get("/staff/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        sign_in_status(&h, "192.0.2.5", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_status(&h, "192.0.2.6", NEW_PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );

    // An unknown name is an error that says so.
    for command in ["disable", "enable", "reset-password"] {
        let (ok, _, err) = cli
            .run(&["staff", command, "nobody"], &format!("{NEW_PASSWORD}\n"))
            .await;
        assert!(!ok, "{command}");
        assert!(err.contains("no account \"nobody\""), "{command}: {err}");
    }

    // Each change is on the audit trail, which is intact.
    let done: Vec<String> = actions(&h)
        .await
        .into_iter()
        .filter(|a| a.starts_with("staff_") || a == "password_reset")
        .collect();
    assert_eq!(
        done,
        [
            "staff_added",
            "staff_disabled",
            "staff_enabled",
            "password_reset"
        ]
    );
    let (ok, out, err) = cli.run(&["audit", "verify"], "").await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("audit trail intact"), "{out}");
}

#[tokio::test]
async fn the_server_logs_refused_requests_without_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        content: write_content(dir.path()),
        db: dir.path().join("intake.sqlite3").display().to_string(),
        config: None,
    };
    let server = setup
        .serve(&dir.path().join("server.log"), &["--no-rate-limit"])
        .await;
    let (ok, _, err) = setup
        .run(
            &[
                "staff",
                "add",
                "--username",
                "czj.wang",
                "--department",
                "czj",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await;
    assert!(ok, "{err}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // A complaint about the housing bureau's project, by a named company.
    let r = client
        .post(server.url("/api/submissions"))
        .json(&serde_json::json!({
            "kind": "complaint", "title": "评标不公", "content": "评标委员会未按招标文件评审。",
            "project": PROJECT, "name": "李四测试工程有限公司", "phone": "13912345678",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let number = r.json::<serde_json::Value>().await.unwrap()["tracking_number"]
        .as_str()
        .unwrap()
        .to_string();
    let r = client
        .post(server.url("/staff/login"))
        .form(&[("username", "czj.wang"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for _ in 0..5 {
        let r = client
            .get(server.url(&format!("/staff/cases/{number}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let log = server.log();
    let refused: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("staff request refused"))
        .collect();
    assert_eq!(refused.len(), 5, "{log}");
    for line in &refused {
        assert!(line.contains("WARN"), "{line}");
        assert!(line.contains("other_department"), "{line}");
        assert!(line.contains("department=czj"), "{line}");
        assert!(line.contains(&number), "{line}");
    }
    for personal in ["李四测试工程有限公司", "13912345678", "czj.wang"] {
        assert!(!log.contains(personal), "{personal} in the log: {log}");
    }
    assert!(
        log.contains("repeated refused staff requests recorded"),
        "{log}"
    );
    let db = intake::Db::connect(&setup.db).await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM events WHERE action = 'refusals_repeated'")
        .fetch_one(db.reader())
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 1);
}
