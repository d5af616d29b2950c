//! The real `intake` binary logging JSON lines at debug level through a whole run — a
//! complaint submitted, tracked on the API and the page, mail to a transport that refuses it,
//! a member of staff signing in (once with a wrong password), accepting and concluding the case
//! — and nothing of the submitter in any line: not the name, phone, email, complaint text or
//! access key, nor the staff password.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::binary::{free_port, Setup};
use crate::staff_harness::csrf_of;
use crate::support::write_content;

const NAME: &str = "欧阳诺曼";
const PHONE: &str = "13987650213";
const EMAIL: &str = "ouyang.nuoman.7731@bidder.example";
const CONTENT: &str = "开标现场记录与录像不一致，独特标记甲乙丙丁戊。";
const PASSWORD: &str = "log test passphrase 4471";

/// What must never be in a log line, beside the access key.
const PERSONAL: [&str; 5] = [NAME, PHONE, EMAIL, "ouyang.nuoman", "独特标记甲乙丙丁戊"];

async fn wait_for(log: &std::path::Path, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "no {needle:?} in the log:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn json_logs_of_a_full_intake_run_hold_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let content = write_content(dir.path());
    let config = dir.path().join("intake.toml");
    // Mail to an SMTP port nothing listens on: each send fails and is logged as a warning.
    std::fs::write(
        &config,
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nstarttls = false\ntimeout_secs = 2\n\n\
             [mail]\npoll_secs = 1\nretry_secs = 1\n\n[storage]\nattachments_dir = {:?}\n",
            free_port(),
            dir.path().join("attachments").display().to_string()
        ),
    )
    .unwrap();
    let setup = Setup {
        content,
        db: dir.path().join("intake.sqlite3").display().to_string(),
        config: Some(config),
    };
    let (ok, _, err) = setup
        .run(
            &[
                "staff",
                "add",
                "--username",
                "zjj.wang",
                "--department",
                "zjj",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await;
    assert!(ok, "{err}");

    let log = dir.path().join("stderr.log");
    let out = dir.path().join("stdout.log");
    let mut server = setup
        .serve_logged(
            &log,
            &["--log-format", "json", "--no-rate-limit"],
            "debug",
            Stdio::from(std::fs::File::create(&out).unwrap()),
        )
        .await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // The submitter: a complaint with a name, phone and email; then tracking it twice.
    let r = client
        .post(server.url("/api/submissions"))
        .json(&serde_json::json!({
            "kind": "complaint", "title": "对开标过程的投诉", "content": CONTENT,
            "project": crate::support::PROJECT, "name": NAME, "phone": PHONE, "email": EMAIL,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    let number = v["tracking_number"].as_str().unwrap().to_string();
    let key = v["access_key"].as_str().unwrap().to_string();
    let r = client
        .get(server.url(&format!("/api/track?number={number}&key={key}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .post(server.url("/track"))
        .form(&[("number", number.as_str()), ("key", key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A bad submission that names the person again: refused, and still not logged.
    let r = client
        .post(server.url("/api/submissions"))
        .json(&serde_json::json!({"kind": "complaint", "title": "", "content": CONTENT, "name": NAME, "email": EMAIL}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // Staff: a wrong password, then signing in, accepting and concluding the case.
    let r = client
        .post(server.url("/staff/login"))
        .form(&[
            ("username", "zjj.wang"),
            ("password", "wrong password 0000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .post(server.url("/staff/login"))
        .form(&[("username", "zjj.wang"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = client
        .get(server.url(&format!("/staff/cases/{number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(NAME), "staff see the submitter");
    let csrf = csrf_of(&html).expect("a csrf token");
    for (action, fields) in [
        ("accept", vec![("note", "符合受理条件")]),
        (
            "conclude",
            vec![
                ("outcome", "dismissed"),
                ("decision", "经调查，投诉事项缺乏事实依据，驳回投诉。"),
            ],
        ),
    ] {
        let mut form = fields.clone();
        form.push(("csrf", &csrf));
        let r = client
            .post(server.url(&format!("/staff/cases/{number}/{action}")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{action}");
    }

    // The sender has tried the submitter's mail and failed (a logged warning).
    wait_for(&log, "mail failed").await;
    server.kill().await;

    let stderr = std::fs::read_to_string(&log).unwrap();
    let stdout = std::fs::read_to_string(&out).unwrap();
    let mut routes = Vec::new();
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
        if v["target"] == "access" {
            routes.push(format!("{} {} {}", v["method"], v["route"], v["status"]));
        }
    }
    for expected in [
        "\"POST\" \"/api/submissions\" 201",
        "\"POST\" \"/api/submissions\" 422",
        "\"GET\" \"/api/track\" 200",
        "\"POST\" \"/track\" 200",
        "\"POST\" \"/staff/login\" 401",
        "\"GET\" \"/staff/cases/{number}\" 200",
        "\"POST\" \"/staff/cases/{number}/{action}\" 303",
    ] {
        assert!(
            routes.iter().any(|r| r == expected),
            "no request line {expected} in {routes:#?}"
        );
    }
    let whole = format!("{stderr}\n{stdout}");
    for secret in PERSONAL.iter().copied().chain([key.as_str(), PASSWORD]) {
        assert!(
            !whole.contains(secret),
            "{secret:?} is in the log:\n{}",
            whole
                .lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // Nor a query string or the tracking number in a path: request lines name routes.
    assert!(!whole.contains("key="), "a query string is in the log");
}

/// A transport's error may echo the recipient (`550 5.1.1 <name@example.org>: unknown user`):
/// the log gets it without the address.
#[test]
fn a_failed_mail_is_logged_without_addresses() {
    let error = "permanent error (550): 5.1.1 <ouyang.nuoman.7731@bidder.example>: Recipient \
                 address rejected; to ouyang.nuoman.7731@bidder.example";
    let logged = intake::mail::without_addresses(error);
    assert!(!logged.contains("ouyang.nuoman"), "{logged}");
    assert!(logged.contains("permanent error (550)") && logged.contains("<address>"));
}

/// A server that cannot start says why in a JSON line too, so a collector reads one format.
#[tokio::test]
async fn a_failed_start_is_a_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        content: dir.path().join("no-such-content"),
        db: dir.path().join("intake.sqlite3").display().to_string(),
        config: None,
    };
    let (ok, _, err) = setup.run(&["--log-format", "json", "serve"], "").await;
    assert!(!ok);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|v| v["level"] == "ERROR" && v["message"].as_str().unwrap().contains("content")),
        "{err}"
    );
}
