//! A search replica needs only a copy of the index folder: site name, footer and departments come
//! with it (SPEC); and replicas synced with `deploy/sync-index.sh` switch to a new build without
//! a failed request.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::*;

#[tokio::test]
async fn a_copy_of_the_index_folder_alone_serves_search() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    site_gen::build::build(&site_gen::build::Options {
        content: demo_content(),
        out: tmp.path().join("public"),
        index: Some(index.clone()),
        today: today(),
        clean: true,
        progress: false,
        signals: None,
    })
    .expect("the demo site builds");
    let replica = tmp.path().join("replica");
    std::fs::create_dir_all(&replica).unwrap();
    for entry in std::fs::read_dir(&index).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), replica.join(entry.file_name())).unwrap();
        }
    }
    let server = serve(&replica, &tmp.path().join("no-content-here"), unlimited()).await;
    let page = server
        .get("/search?q=%E9%B9%B0%E5%9F%8E%E5%BB%BA%E8%AE%BE")
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("平顶山市公共资源交易信息公开网"),
        "the site's name from the carried site.toml"
    );
    let api = server.search("鹰城建设", "&department=zjj").await;
    assert!(api["total"].as_u64().unwrap() > 0, "{api}");
}

/// Two replicas, each a real `search-server` process over its own copy of the index folder,
/// answer a client querying both throughout while two new builds are copied to them with
/// `deploy/sync-index.sh` (docs/deploy.md): an incremental build that adds a disclosure (one new
/// segment), then a clean build that adds another (every segment replaced, the old ones deleted
/// from the replicas). Every request must be answered 200 with a valid body, and both replicas
/// must find each new disclosure within a few seconds of the sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_switch_to_a_synced_build_without_a_failed_request() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    copy_tree(&demo_content(), &content);
    let (public, index) = (tmp.path().join("public"), tmp.path().join("index"));
    let build = move |content: &Path, clean: bool| {
        site_gen::build::build(&site_gen::build::Options {
            content: content.to_path_buf(),
            out: public.clone(),
            index: Some(index.clone()),
            today: today(),
            clean,
            progress: false,
            signals: None,
        })
        .expect("the site builds")
    };
    build(&content, true);
    let source = tmp.path().join("index");
    let replicas = [tmp.path().join("replica-1"), tmp.path().join("replica-2")];
    sync(&source, &replicas).await;

    let servers = [
        Replica::start(&replicas[0]).await,
        Replica::start(&replicas[1]).await,
    ];
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut clients = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        // Four clients per replica: a company name, several words and a credit code that every
        // build holds, and the words of the disclosures the builds add.
        for q in ["鹰城建设", "副本同步", "道路 改造", "91410400MABC50KMCT"] {
            clients.push(tokio::spawn(query_until(
                i,
                server.base.clone(),
                q,
                stop.clone(),
                tally.clone(),
            )));
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut figures = Vec::new();
    for (round, (id, clean)) in [("replica-sync-1", false), ("replica-sync-2", true)]
        .into_iter()
        .enumerate()
    {
        std::fs::write(
            content.join(format!("notices/{id}.md")),
            format!(
                "+++\nkind = \"notice\"\ntitle = \"副本同步第{n}号验证工程施工招标公告\"\ndate = 2026-11-20\n\
                 department = \"zjj\"\ncategory = \"construction\"\nproject = \"PDSZJ-2026-990{n}\"\n\
                 stage = \"tender\"\n+++\n副本同步验证工程，第{n}号。\n",
                n = round + 1
            ),
        )
        .unwrap();
        let c = content.clone();
        let b = build.clone();
        tokio::task::spawn_blocking(move || b(&c, clean))
            .await
            .unwrap();
        let started = Instant::now();
        let syncing = tokio::spawn(sync(source.clone(), replicas.clone()));
        let mut found = [None, None];
        while found.iter().any(Option::is_none) {
            for (i, server) in servers.iter().enumerate() {
                if found[i].is_none() && server.finds("副本同步", id).await {
                    found[i] = Some(started.elapsed());
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "round {round}: {id} not found on every replica: {found:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        syncing.await.unwrap();
        figures.push((id, clean, found, started.elapsed()));
        // After the sync, each replica holds exactly the source's files (the old segments gone).
        for replica in &replicas {
            assert_eq!(
                index_files(replica),
                index_files(&source),
                "{}",
                replica.display()
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    for (id, clean, found, sync_took) in &figures {
        eprintln!(
            "replica switch: {id} ({} build) found after {:?} on replica 1, {:?} on replica 2; sync took {sync_took:?}",
            if *clean { "clean" } else { "incremental" },
            found[0].unwrap(),
            found[1].unwrap(),
        );
    }
    eprintln!(
        "replica switch: {} requests, {} failed",
        tally.requests,
        tally.failures.len()
    );
    assert!(tally.failures.is_empty(), "{:?}", tally.failures);
    assert!(
        tally.requests > 100,
        "queried during the syncs: {}",
        tally.requests
    );
    for (i, server) in servers.iter().enumerate() {
        for (id, _, found, _) in &figures {
            assert!(
                found[i].unwrap() < Duration::from_secs(5),
                "replica {i} took {:?} for {id}",
                found[i]
            );
        }
        // A replica restarted now opens its copy as it is: complete.
        let v = server.search("副本同步").await;
        assert_eq!(v["total"], 2, "{v}");
    }
    for replica in &replicas {
        let engine = search_server::engine::Engine::open(replica).unwrap();
        assert_eq!(engine.num_docs(), engine_docs(&source));
    }
}

fn engine_docs(index: &Path) -> u64 {
    search_server::engine::Engine::open(index)
        .unwrap()
        .num_docs()
}

/// What a client saw: how many requests, and each one that failed.
#[derive(Default)]
struct Tally {
    requests: usize,
    failures: Vec<String>,
}

/// Queries replica `i` for `q` until `stop`; every answer must be a 200 with a search body.
async fn query_until(
    i: usize,
    base: String,
    q: &'static str,
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
) {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/search?q={}", encode(q));
    while !stop.load(Ordering::Relaxed) {
        let failure = match client.get(&url).send().await {
            Err(e) => Some(format!("replica {i}, {q}: {e}")),
            Ok(r) => {
                let status = r.status();
                match r.json::<serde_json::Value>().await {
                    Ok(v) if status == 200 && v["hits"].is_array() && v["total"].is_u64() => None,
                    Ok(v) => Some(format!("replica {i}, {q}: {status} {v}")),
                    Err(e) => Some(format!("replica {i}, {q}: {status}, body: {e}")),
                }
            }
        };
        let mut t = tally.lock().unwrap();
        t.requests += 1;
        t.failures.extend(failure);
    }
}

/// `deploy/sync-index.sh --grace 1 SOURCE REPLICA...`, as the deploy guide runs it.
async fn sync(source: impl AsRef<Path>, replicas: impl AsRef<[PathBuf]>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/sync-index.sh");
    let out = tokio::process::Command::new("bash")
        .arg(&script)
        .args(["--grace", "1"])
        .arg(source.as_ref())
        .args(replicas.as_ref())
        .output()
        .await
        .expect("bash runs deploy/sync-index.sh");
    assert!(
        out.status.success(),
        "sync-index.sh failed (is rsync installed? scripts/test.sh installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The index files of a folder (its own lock files left out), with their sizes.
fn index_files(dir: &Path) -> Vec<(String, u64)> {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().len())
        })
        .filter(|(name, _)| !name.starts_with(".tantivy-"))
        .collect();
    files.sort();
    files
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A real `search-server` process over one replica's folder, on a loopback port the system
/// chose (bound, released, passed on), answering its health check before it is used.
struct Replica {
    base: String,
    client: reqwest::Client,
    _child: tokio::process::Child,
}

impl Replica {
    async fn start(index: &Path) -> Replica {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_search-server"))
            .arg("--index")
            .arg(index)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--no-rate-limit"])
            .arg("--content")
            .arg(index.join("no-content-here"))
            .env("RUST_LOG", "info,tantivy=warn")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("search-server starts");
        // Read its log, so that it never blocks on a full pipe, and pass on warnings and errors
        // (tantivy's reload errors among them).
        for out in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            tokio::spawn(async move {
                let mut lines = BufReader::new(out).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line.contains("WARN") || line.contains("ERROR") {
                        eprintln!("search-server: {line}");
                    }
                }
            });
        }
        let replica = Replica {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            _child: child,
        };
        let started = Instant::now();
        loop {
            let health = replica
                .client
                .get(format!("{}/healthz", replica.base))
                .send()
                .await;
            if health.is_ok_and(|r| r.status() == 200) {
                return replica;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "search-server over {} did not answer /healthz within a minute",
                index.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn search(&self, q: &str) -> serde_json::Value {
        let r = self
            .client
            .get(format!("{}/api/search?q={}", self.base, encode(q)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn finds(&self, q: &str, id: &str) -> bool {
        ids(&self.search(q).await).iter().any(|i| i == id)
    }
}
