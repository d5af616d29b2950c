//! Shared test plumbing: content folders on disk, indexes built the way `site-gen build` builds
//! them, and the real server on 127.0.0.1:0.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use search_server::engine::Engine;
use search_server::{app, AppState, Options};
use serde_json::Value;
use site_gen::index::IndexWriter;
use site_gen::log::PublicationLog;
use site_gen::site::Site;

/// The date the tests judge publicity and credit validity on.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// The demo site of the repository.
pub fn demo_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// Indexes every public disclosure of `content` into `index` (a clean build's index step).
pub fn build_index(content: &Path, index: &Path, today: NaiveDate) -> usize {
    let content = site_gen::content::load(content, &|| {}).expect("content loads");
    let log = PublicationLog::default();
    let site = Site::new(&content, today, &log);
    let mut writer = IndexWriter::open(index).expect("index opens");
    writer.clear();
    writer.upsert(&site, &site.public).expect("upsert");
    writer.commit().expect("commit").docs as usize
}

/// The demo content's index, built once per test run.
pub fn demo_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        build_index(&demo_content(), dir.path(), today());
        dir
    })
    .path()
}

pub const SITE_TOML: &str = "name = \"测试市公共资源交易信息公开网\"\nbase_url = \"https://ggzy.test.example\"\norganisation = \"测试市公管办\"\n[footer]\nsite_code = \"1\"\nicp = \"ICP 2\"\npolice = \"公安 3\"\ncontact = \"电话 4\"\n";
pub const DEPARTMENTS_TOML: &str = "[[department]]\nid = \"gongguan\"\nname = \"测试市公共资源交易管理委员会办公室\"\nshort = \"公管办\"\nemail = \"g@test.example\"\ncategories = [\"other\"]\nfallback = true\n\n[[department]]\nid = \"zjj\"\nname = \"平顶山市住房和城乡建设局\"\nshort = \"住建局\"\nemail = \"z@test.example\"\ncategories = [\"construction\"]\n\n[[department]]\nid = \"czj\"\nname = \"平顶山市财政局\"\nshort = \"财政局\"\nemail = \"c@test.example\"\ncategories = [\"procurement\"]\n";
pub const CALENDAR_TOML: &str = "[[year]]\nyear = 2026\nholidays = [2026-01-01]\n";

/// A content folder with the site files and these `(file stem, source)` disclosures.
pub fn write_content(dir: &Path, docs: &[(&str, String)]) {
    std::fs::write(dir.join("site.toml"), SITE_TOML).unwrap();
    std::fs::write(dir.join("departments.toml"), DEPARTMENTS_TOML).unwrap();
    std::fs::write(dir.join("calendar.toml"), CALENDAR_TOML).unwrap();
    for (stem, text) in docs {
        std::fs::write(dir.join(format!("{stem}.md")), text).unwrap();
    }
}

/// A running server: its base URL and an HTTP client.
pub struct Server {
    pub base: String,
    pub client: reqwest::Client,
    #[allow(dead_code)]
    pub state: AppState,
}

impl Server {
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base, path_and_query)
    }

    pub async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(self.url(path_and_query))
            .send()
            .await
            .unwrap()
    }

    /// `/api/search?q=…` (plus `extra`, already encoded) as JSON; panics unless 200.
    pub async fn search(&self, q: &str, extra: &str) -> Value {
        let url = format!("/api/search?q={}{extra}", encode(q));
        let r = self.get(&url).await;
        assert_eq!(r.status(), 200, "{url}");
        r.json().await.unwrap()
    }

    /// The ids of the hits of the first page.
    pub async fn ids(&self, q: &str, extra: &str) -> Vec<String> {
        ids(&self.search(q, extra).await)
    }
}

pub fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Starts the real service over `index` with the site files of `content` on 127.0.0.1:0.
pub async fn serve(index: &Path, content: &Path, options: Options) -> Server {
    let state = AppState::open(index, content, options).expect("state opens");
    let state = state.with_today(Arc::new(today));
    serve_state(state).await
}

pub async fn serve_state(state: AppState) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        state,
    }
}

/// Options without the rate limit, for suites that send many requests.
pub fn unlimited() -> Options {
    Options {
        rate_limit: None,
        ..Options::default()
    }
}

/// The demo site served without a rate limit.
pub async fn demo_server() -> Server {
    serve(demo_index(), &demo_content(), unlimited()).await
}

#[allow(dead_code)]
pub fn engine(index: &Path) -> Engine {
    Engine::open(index).unwrap()
}
