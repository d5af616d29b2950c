//! Test support: a fixture content folder, the real server on 127.0.0.1:0 over a real SQLite
//! file in a temp dir (or PostgreSQL), a tiny SMTP server on loopback that captures mail, and a
//! decoder for the captured messages.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use intake::{AppState, ManualClock, Settings};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

pub const ZJJ_EMAIL: &str = "zjj@test.example.gov.cn";
pub const CZJ_EMAIL: &str = "czj@test.example.gov.cn";
pub const OFFICE_EMAIL: &str = "gongguan@test.example.gov.cn";
/// A construction project supervised by 住建局.
pub const PROJECT: &str = "PDSJS-2026-001";

/// Writes a small content folder: site, three departments, the 2026 calendar (National Day and
/// the make-up Saturday 10 October), two projects and one broken disclosure (skipped).
pub fn write_content(root: &Path) -> PathBuf {
    let c = root.join("content");
    std::fs::create_dir_all(c.join("notices")).unwrap();
    std::fs::write(
        c.join("site.toml"),
        "name = \"测试公共资源交易网\"\nbase_url = \"https://ggzy.test.example.gov.cn\"\n\
         organisation = \"测试市公管办\"\n[footer]\nsite_code = \"0000000000\"\nicp = \"ICP-0\"\n\
         police = \"公网安备-0\"\ncontact = \"电话 0000\"\n",
    )
    .unwrap();
    std::fs::write(
        c.join("departments.toml"),
        format!(
            "[[department]]\nid = \"gongguan\"\nname = \"测试市公共资源交易管理委员会办公室\"\nshort = \"公管办\"\n\
             email = \"{OFFICE_EMAIL}\"\ncategories = [\"other\"]\nfallback = true\n\n\
             [[department]]\nid = \"zjj\"\nname = \"测试市住房和城乡建设局\"\nshort = \"住建局\"\n\
             email = \"{ZJJ_EMAIL}\"\ncategories = [\"construction\"]\n\n\
             [[department]]\nid = \"czj\"\nname = \"测试市财政局\"\nshort = \"财政局\"\n\
             email = \"{CZJ_EMAIL}\"\ncategories = [\"procurement\"]\n"
        ),
    )
    .unwrap();
    std::fs::write(
        c.join("calendar.toml"),
        "[[year]]\nyear = 2026\nholidays = [2026-09-25, 2026-09-26, 2026-09-27, 2026-10-01, 2026-10-02, \
         2026-10-03, 2026-10-04, 2026-10-05, 2026-10-06, 2026-10-07]\nworkdays = [2026-09-20, 2026-10-10]\n",
    )
    .unwrap();
    std::fs::write(
        c.join("notices/js-001-tender.md"),
        format!(
            "+++\nkind = \"notice\"\ntitle = \"测试市第一中学教学楼建设项目招标公告\"\ndate = 2026-08-03\n\
             department = \"zjj\"\ncategory = \"construction\"\nproject = \"{PROJECT}\"\nstage = \"tender\"\n+++\n正文。\n"
        ),
    )
    .unwrap();
    // Supervised by 住建局 although procurement: the project's department wins over the category.
    std::fs::write(
        c.join("notices/cg-002-tender.md"),
        "+++\nkind = \"notice\"\ntitle = \"测试市医院设备采购公告\"\ndate = 2026-08-05\n\
         department = \"zjj\"\ncategory = \"procurement\"\nproject = \"PDSCG-2026-002\"\nstage = \"tender\"\n+++\n正文。\n",
    )
    .unwrap();
    std::fs::write(
        c.join("notices/broken.md"),
        "+++\nkind = \"notice\"\n+++\nno title\n",
    )
    .unwrap();
    c
}

/// The repository's demo content folder.
pub fn demo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// Copies the content folder `from` to `to` (every file, folders created); returns `to`.
pub fn copy_content(from: &Path, to: &Path) -> PathBuf {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    to.to_path_buf()
}

/// 09:00 on Monday 28 September 2026, China time: just before National Day.
pub fn start_date() -> chrono::NaiveDate {
    "2026-09-28".parse().unwrap()
}

#[derive(Clone)]
pub struct Options {
    pub smtp: bool,
    pub rate_limit: bool,
    /// Put at the start of the generated config file (so top-level keys stay top-level).
    pub extra_config: String,
    /// A PostgreSQL URL instead of the SQLite file.
    pub db: Option<String>,
    /// A content folder to copy instead of the small fixture (e.g. the repository's demo).
    pub content_from: Option<PathBuf>,
    /// Also answer `/metrics` on a second listener ([`TestApp::metrics_base`]).
    pub metrics: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            smtp: true,
            rate_limit: false,
            extra_config: String::new(),
            db: None,
            content_from: None,
            metrics: false,
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub client: reqwest::Client,
    pub smtp: Option<Smtp>,
    pub dir: tempfile::TempDir,
    pub content: PathBuf,
    /// The metrics listener's base URL, with [`Options::metrics`].
    pub metrics_base: Option<String>,
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::with(Options::default()).await
    }

    pub async fn with(opts: Options) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let content = match &opts.content_from {
            Some(from) => copy_content(from, &dir.path().join("content")),
            None => write_content(dir.path()),
        };
        let smtp = if opts.smtp {
            Some(Smtp::start().await)
        } else {
            None
        };
        let mut config = opts.extra_config.clone();
        config.push('\n');
        if let Some(s) = &smtp {
            config.push_str(&format!(
                "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nstarttls = false\n\n",
                s.addr.port()
            ));
        }
        config.push_str(&format!(
            "[mail]\nfrom = \"受理平台 <noreply@test.example.gov.cn>\"\npoll_secs = 1\nretry_secs = 1\n\
             overdue_check_secs = 86400\noutbox_dir = {:?}\n\n[storage]\nattachments_dir = {:?}\n\n",
            dir.path().join("data/outbox").display().to_string(),
            dir.path().join("data/attachments").display().to_string(),
        ));
        let config_path = dir.path().join("intake.toml");
        std::fs::write(&config_path, config).unwrap();
        let clock = Arc::new(ManualClock::at_date(start_date()));
        let settings = Settings {
            content: content.clone(),
            db: opts
                .db
                .clone()
                .unwrap_or_else(|| dir.path().join("data/intake.sqlite3").display().to_string()),
            config: Some(config_path),
            rate_limit: opts.rate_limit,
            signals: None,
        };
        let state = AppState::with_clock(&settings, clock.clone())
            .await
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let metrics_base = if opts.metrics {
            let metrics = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let metrics_base = format!("http://{}", metrics.local_addr().unwrap());
            tokio::spawn(intake::serve_with_metrics(
                state.clone(),
                listener,
                Some(metrics),
            ));
            Some(metrics_base)
        } else {
            tokio::spawn(intake::serve(state.clone(), listener));
            None
        };
        TestApp {
            base,
            state,
            clock,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            smtp,
            dir,
            content,
            metrics_base,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs JSON to /api/submissions; returns status and body.
    pub async fn submit_json(&self, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .client
            .post(self.url("/api/submissions"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Submits a valid complaint about the construction project; returns (number, key).
    pub async fn complaint(&self, email: Option<&str>) -> (String, String) {
        let mut body = serde_json::json!({
            "kind": "complaint",
            "title": "评标委员会未按招标文件评审",
            "content": "第二中标候选人业绩不符合招标文件要求，评标委员会仍予以加分。",
            "project": PROJECT,
            "name": "测试建设有限公司",
            "phone": "0375-1234567",
        });
        if let Some(e) = email {
            body["email"] = e.into();
        }
        let (status, v) = self.submit_json(body).await;
        assert_eq!(status, 201, "{v}");
        (
            v["tracking_number"].as_str().unwrap().to_string(),
            v["access_key"].as_str().unwrap().to_string(),
        )
    }

    /// Does `action` (with `note`) to the case `number` as the housing bureau's officer
    /// `zjj-li` would, through the data layer: `change` moves the case, then the one writer (`cases::write`)
    /// saves it with its audit event and its outbox mail in one transaction.
    pub async fn act(
        &self,
        number: &str,
        action: intake::audit::Action,
        note: &str,
        change: impl FnOnce(&mut intake::cases::Case, &AppState),
    ) {
        use intake::cases;
        let state = &self.state;
        let mut tx = state.db.begin().await.unwrap();
        let mut case = cases::find_by_number_in(&mut tx, number)
            .await
            .unwrap()
            .unwrap();
        change(&mut case, state);
        cases::write(
            &mut tx,
            state,
            &case,
            cases::Change::new("zjj-li", action, note),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    /// Accepts the case `number` ([`TestApp::act`]).
    pub async fn accept(&self, number: &str) {
        self.act(number, intake::audit::Action::Accepted, "", |case, s| {
            case.accept(&s.content.calendar, &s.config.deadlines, s.clock.today())
        })
        .await;
    }
}

/// A captured message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.data
            .split("\r\n\r\n")
            .next()?
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }

    /// The body, decoded from base64 or quoted-printable when so encoded.
    pub fn body(&self) -> String {
        let (_, body) = self.data.split_once("\r\n\r\n").unwrap_or(("", ""));
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        match encoding.as_str() {
            "base64" => String::from_utf8_lossy(&base64_decode(body)).into_owned(),
            "quoted-printable" => String::from_utf8_lossy(&qp_decode(body)).into_owned(),
            _ => body.to_string(),
        }
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let Some(v) = A.iter().position(|&a| a == c) else {
            continue;
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

fn qp_decode(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// A minimal SMTP server on loopback: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS.
pub struct Smtp {
    pub addr: std::net::SocketAddr,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl Smtp {
    pub async fn start() -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(stream, store).await;
                });
            }
        });
        Smtp { addr, mails }
    }

    pub fn all(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until a message to `rcpt` whose data contains `needle` arrives.
    pub async fn wait_for(&self, rcpt: &str, needle: &str) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(m) = self.all().into_iter().find(|m| {
                m.to.iter().any(|t| t == rcpt)
                    && (m.data.contains(needle) || m.body().contains(needle))
            }) {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {rcpt} containing {needle:?}; got {:#?}",
                self.all()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 test ESMTP\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 test\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = cmd[10..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or("")
                .to_string();
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(
                cmd[8..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or("")
                    .to_string(),
            );
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if read.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            store.lock().unwrap().push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            write.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

/// Waits until `f` is true (polling), or fails naming `what`.
pub async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
