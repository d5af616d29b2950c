//! What the staff tests share: a real intake server on 127.0.0.1:0 over a real SQLite file in a
//! temp dir, a small content folder (four departments, the 2026 calendar), a clock the test
//! moves, staff accounts, cases created through the core's data layer, and a signed-in HTTP
//! client (reqwest with a cookie store) that carries its CSRF token.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use intake::attachments::Upload;
use intake::cases::{self, NewCase};
use intake::routing::Route;
use intake::staff::access::Act;
use intake::staff::accounts::StaffMember;
use intake::staff::session::Session;
use intake::staff::workflow::{self, Input};
use intake::tracking::CaseKind;
use intake::{AppState, ManualClock, Settings};
use reqwest::{Client, Response, StatusCode};

pub const PASSWORD: &str = "correct horse battery staple";
/// The committee office (fallback) and three supervising departments.
pub const DEPARTMENTS: [&str; 4] = ["gongguan", "zjj", "czj", "jtj"];

const SITE: &str = r#"name = "测试公共资源交易信息公开网"
base_url = "https://ggzy.test.example"
organisation = "测试市公共资源交易管理委员会办公室"
description = "测试"

[footer]
site_code = "0000000001"
icp = "测ICP备00000000号"
police = "测公网安备 00000000000001号"
contact = "测试"
"#;

const DEPARTMENTS_TOML: &str = r#"[[department]]
id = "gongguan"
name = "测试市公共资源交易管理委员会办公室"
short = "公管办"
email = "gongguan@test.example"
categories = ["other"]
fallback = true

[[department]]
id = "zjj"
name = "测试市住房和城乡建设局"
short = "住房城乡建设局"
email = "zjj@test.example"
categories = ["construction"]

[[department]]
id = "czj"
name = "测试市财政局"
short = "财政局"
email = "czj@test.example"
categories = ["procurement"]

[[department]]
id = "jtj"
name = "测试市交通运输局"
short = "交通运输局"
email = "jtj@test.example"
categories = []
"#;

const CALENDAR: &str = r#"[[year]]
year = 2026
holidays = [2026-01-01, 2026-01-02, 2026-01-03, 2026-10-01, 2026-10-02, 2026-10-03, 2026-10-04, 2026-10-05, 2026-10-06, 2026-10-07]
workdays = [2026-01-04, 2026-10-10]

[[year]]
year = 2027
holidays = [2027-01-01]
workdays = []
"#;

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

pub struct Harness {
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub base: String,
    pub dir: tempfile::TempDir,
}

/// A case as the tests create it.
pub struct CaseSpec<'a> {
    pub kind: CaseKind,
    pub department: &'a str,
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub attachment: bool,
}

impl<'a> CaseSpec<'a> {
    /// A complaint by a company with a contact, in `department`.
    pub fn complaint(department: &'a str) -> CaseSpec<'a> {
        CaseSpec {
            kind: CaseKind::Complaint,
            department,
            name: Some("河南测试建设有限公司"),
            phone: Some("13812345678"),
            email: Some("complainant@bidder.example"),
            attachment: false,
        }
    }
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::with_config("").await
    }

    /// A server whose config file is `trusted_proxies = ["127.0.0.1"]` (so tests can act as
    /// other clients through X-Forwarded-For) plus `extra`.
    pub async fn with_config(extra: &str) -> Harness {
        Harness::build(extra, None).await
    }

    /// As [`Harness::with_config`], on the database `db` (a `postgres://` URL) instead of a
    /// SQLite file in the temp dir.
    pub async fn build(extra: &str, db: Option<String>) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(content.join("site.toml"), SITE).unwrap();
        std::fs::write(content.join("departments.toml"), DEPARTMENTS_TOML).unwrap();
        std::fs::write(content.join("calendar.toml"), CALENDAR).unwrap();
        let config = dir.path().join("intake.toml");
        std::fs::write(
            &config,
            format!(
                "trusted_proxies = [\"127.0.0.1\"]\n{extra}\n[storage]\nattachments_dir = {:?}\n\
                 [mail]\noutbox_dir = {:?}\n",
                dir.path().join("attachments"),
                dir.path().join("outbox"),
            ),
        )
        .unwrap();
        let settings = Settings {
            content,
            db: db.unwrap_or_else(|| dir.path().join("intake.sqlite3").display().to_string()),
            config: Some(config),
            rate_limit: true,
            signals: Some(dir.path().join("signals")),
        };
        // Monday 2 November 2026, 09:00 in China.
        let clock = Arc::new(ManualClock::at_date(date("2026-11-02")));
        let state = AppState::with_clock(&settings, clock.clone())
            .await
            .expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = intake::app(state.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Harness {
            state,
            clock,
            base,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn add_staff(&self, username: &str, department: &str) -> StaffMember {
        intake::staff::add_account(&self.state, username, department, PASSWORD)
            .await
            .expect("add staff")
    }

    /// One account per department, named after it (`gongguan`, `zjj`, …).
    pub async fn add_all_staff(&self) {
        for d in DEPARTMENTS {
            self.add_staff(d, d).await;
        }
    }

    /// Receives a case through the core's data layer; returns its tracking number.
    pub async fn case(&self, spec: CaseSpec<'_>) -> String {
        let mut files = Vec::new();
        if spec.attachment {
            let mut upload = Upload::start(&self.state.attachments_dir, "证据 材料.pdf", 1 << 20)
                .await
                .expect("upload");
            upload
                .write(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
                .await
                .expect("write");
            files.push(upload.finish().await.expect("finish"));
        }
        let new = NewCase {
            kind: spec.kind,
            title: format!("关于{}的{}", spec.department, spec.kind.label()),
            content: "招标文件设置了排斥潜在投标人的资格条件。\n请依法处理。".into(),
            project: None,
            category: None,
            name: spec.name.map(str::to_string),
            phone: spec.phone.map(str::to_string),
            email: spec.email.map(str::to_string),
        };
        let route = Route {
            department: spec.department.to_string(),
            reason: "测试分派".into(),
            category: None,
        };
        cases::receive(&self.state, new, route, files)
            .await
            .expect("receive")
            .tracking_number
    }

    /// Does an action as a member of `department` through the workflow (not over HTTP), to put
    /// a case into the state a test needs.
    pub async fn act(&self, department: &str, number: &str, input: Input) {
        let session = Session {
            id: 0,
            csrf: String::new(),
            staff: StaffMember {
                id: 0,
                username: format!("setup-{department}"),
                department: department.to_string(),
                created_at: String::new(),
                disabled: false,
            },
        };
        workflow::perform(&self.state, &session, number, input)
            .await
            .expect("setup action");
    }

    /// A case of `department` in the state where `act` is allowed.
    pub async fn case_ready_for(&self, department: &str, act: Act) -> String {
        let number = self
            .case(CaseSpec {
                attachment: act == Act::Download,
                ..CaseSpec::complaint(department)
            })
            .await;
        match act {
            Act::MaterialReceived => {
                self.act(department, &number, request_material()).await;
            }
            Act::Conclude => {
                self.act(department, &number, accept()).await;
            }
            Act::Publish => {
                self.act(department, &number, accept()).await;
                self.act(department, &number, conclude()).await;
            }
            _ => {}
        }
        number
    }

    /// A client without a session.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in `username` (password [`PASSWORD`]) from the client address `ip`.
    pub async fn sign_in_from(&self, username: &str, ip: &str) -> StaffClient {
        let client = self.client();
        let r = client
            .post(self.url("/staff/login"))
            .header("x-forwarded-for", ip)
            .form(&[("username", username), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {username}");
        let mut staff = StaffClient {
            client,
            base: self.base.clone(),
            csrf: String::new(),
        };
        let page = staff.get("/staff/").await;
        assert_eq!(page.status(), StatusCode::OK);
        staff.csrf = csrf_of(&page.text().await.unwrap()).expect("csrf token on the list page");
        staff
    }

    pub async fn sign_in(&self, username: &str) -> StaffClient {
        self.sign_in_from(username, "192.0.2.10").await
    }

    /// The outbox rows of a case: (recipient, subject).
    pub async fn outbox(&self, number: &str) -> Vec<(String, String)> {
        use sqlx::Row;
        sqlx::query(
            "SELECT o.recipient, o.subject FROM outbox o JOIN cases c ON c.id = o.case_id \
             WHERE c.tracking_number = $1 ORDER BY o.id",
        )
        .bind(number)
        .fetch_all(self.state.db.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("recipient"), r.get("subject")))
        .collect()
    }

    /// The audit actions of a case, oldest first.
    pub async fn events(&self, number: &str) -> Vec<(String, String)> {
        let case = cases::find_by_number(&self.state.db, number)
            .await
            .unwrap()
            .expect("case");
        intake::audit::for_case(&self.state.db, case.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.actor, e.action))
            .collect()
    }

    pub async fn status(&self, number: &str) -> (String, String) {
        let case = cases::find_by_number(&self.state.db, number)
            .await
            .unwrap()
            .expect("case");
        (case.status.key().to_string(), case.department)
    }

    /// Status, department and whether published: what an action changes.
    pub async fn snapshot(&self, number: &str) -> (String, String, bool) {
        let case = cases::find_by_number(&self.state.db, number)
            .await
            .unwrap()
            .expect("case");
        (
            case.status.key().to_string(),
            case.department,
            case.published,
        )
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].chars().take_while(|c| *c != '"').collect())
}

/// A signed-in member of staff.
pub struct StaffClient {
    pub client: Client,
    pub base: String,
    pub csrf: String,
}

impl StaffClient {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Posts a form with this session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &self.csrf));
        self.post_raw(path, &form).await
    }

    /// Posts exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Does `act` on a case with valid form contents.
    pub async fn act(&self, number: &str, act: Act, transfer_to: &str) -> Response {
        let path = format!("/staff/cases/{number}/{}", act.path());
        match act {
            Act::View => self.get(&format!("/staff/cases/{number}")).await,
            Act::Download => {
                let page = self.get(&format!("/staff/cases/{number}")).await;
                if page.status() != StatusCode::OK {
                    return page;
                }
                let html = page.text().await.unwrap();
                let link = attachment_link(&html, number)
                    .unwrap_or_else(|| format!("/staff/cases/{number}/attachments/1"));
                self.get(&link).await
            }
            Act::Accept => self.post(&path, &[("note", "符合受理条件")]).await,
            Act::Reject => {
                self.post(&path, &[("reason", "不属于本部门职责范围")])
                    .await
            }
            Act::Transfer => {
                self.post(&path, &[("to", transfer_to), ("reason", "应由该部门办理")])
                    .await
            }
            Act::RequestMaterial => self.post(&path, &[("what", "请补充投标文件扫描件")]).await,
            Act::MaterialReceived => self.post(&path, &[("note", "已收到")]).await,
            Act::Conclude => {
                self.post(
                    &path,
                    &[
                        ("outcome", "dismissed"),
                        ("decision", "经调查，投诉事项缺乏事实依据，驳回投诉。"),
                    ],
                )
                .await
            }
            Act::Publish => {
                self.post(
                    &path,
                    &[
                        ("title", "关于某工程评标结果投诉的处理决定"),
                        ("outcome", "驳回投诉"),
                        (
                            "text",
                            "**处理决定：** 经调查，投诉事项缺乏事实依据，驳回投诉。",
                        ),
                    ],
                )
                .await
            }
        }
    }
}

/// The first attachment link of a case page.
pub fn attachment_link(html: &str, number: &str) -> Option<String> {
    let prefix = format!("/staff/cases/{number}/attachments/");
    let at = html.find(&prefix)?;
    Some(html[at..].chars().take_while(|c| *c != '"').collect())
}

pub fn accept() -> Input {
    Input::Accept {
        note: String::new(),
    }
}

pub fn request_material() -> Input {
    Input::RequestMaterial {
        what: "请补充材料".into(),
    }
}

pub fn conclude() -> Input {
    Input::Conclude {
        outcome: "dismissed".into(),
        decision: "驳回投诉。".into(),
    }
}
