//! Load and crash testing of intake, shared by `intake-bench` and intake's integration tests: a minimal
//! HTTP/1.1 client (keep-alive, JSON POST; no dependency on an HTTP client crate in the
//! library), a throughput run against a server, and the kill -9 loop that starts the real
//! `intake` binary, submits from concurrent clients, kills it at random moments, restarts it,
//! and checks that every acknowledged tracking number is in the database with its outbox row.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::Rng;
use sqlx::Row;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(stream),
        })
    }

    /// Sends a JSON POST and reads the whole response: (status, body).
    pub async fn post_json(&mut self, path: &str, body: &str) -> std::io::Result<(u16, Vec<u8>)> {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        self.read_response().await
    }

    async fn read_response(&mut self) -> std::io::Result<(u16, Vec<u8>)> {
        let bad =
            |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad status line"))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(bad("headers cut short"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse::<usize>().ok();
                } else if name == "transfer-encoding" && value.contains("chunked") {
                    chunked = true;
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16).map_err(|_| bad("bad chunk"))?;
                let mut chunk = vec![0; size + 2];
                self.stream.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.stream.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

/// A submission body for load tests: an anonymous report, routed by category.
pub fn sample_submission(client: usize, n: usize) -> String {
    serde_json::json!({
        "kind": "report",
        "title": format!("负载测试 {client}-{n}"),
        "content": "某项目开标现场存在围标串标迹象，请核查。此为负载测试提交。",
        "category": "construction",
    })
    .to_string()
}

fn tracking_number(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("tracking_number")?.as_str().map(str::to_string)
}

/// What a throughput run measured.
#[derive(Debug, Clone)]
pub struct Throughput {
    pub clients: usize,
    pub seconds: f64,
    pub acknowledged: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Every tracking number acknowledged, to check afterwards.
    pub numbers: Vec<String>,
}

/// Submits from `clients` concurrent connections for `duration`, client `c` to
/// `addrs[c % addrs.len()]` (several instances of one service, as a proxy would spread them).
pub async fn throughput(
    addrs: &[SocketAddr],
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Throughput> {
    let start = Instant::now();
    let until = start + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let addr = addrs[c % addrs.len()];
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut numbers = Vec::new();
            let mut errors = 0usize;
            let mut conn = Conn::connect(addr).await?;
            let mut n = 0;
            while Instant::now() < until {
                let body = sample_submission(c, n);
                n += 1;
                let t = Instant::now();
                match conn.post_json("/api/submissions", &body).await {
                    Ok((201, body)) => {
                        latencies.push(t.elapsed());
                        numbers.extend(tracking_number(&body));
                    }
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        conn = Conn::connect(addr).await?;
                    }
                }
            }
            anyhow::Ok((latencies, numbers, errors))
        }));
    }
    let mut latencies = Vec::new();
    let mut numbers = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, n, e) = t.await??;
        latencies.extend(l);
        numbers.extend(n);
        errors += e;
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1000.0
    };
    Ok(Throughput {
        clients,
        seconds,
        acknowledged: numbers.len(),
        errors,
        per_second: numbers.len() as f64 / seconds,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
        numbers,
    })
}

/// Every tracking number in the database that has at least one outbox row.
pub async fn numbers_with_outbox(db: &intake::Db) -> Result<HashSet<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT DISTINCT c.tracking_number FROM cases c JOIN outbox o ON o.case_id = c.id",
    )
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// The kill -9 loop's settings.
#[derive(Debug, Clone)]
pub struct KillLoop {
    /// The `intake` binary.
    pub exe: PathBuf,
    pub content: PathBuf,
    /// Folder for the SQLite file, its mail outbox and attachments.
    pub dir: PathBuf,
    pub rounds: usize,
    pub clients: usize,
    /// The server is killed after a random time in this range (milliseconds).
    pub kill_after_ms: (u64, u64),
}

#[derive(Debug, Clone, Default)]
pub struct KillReport {
    pub rounds: usize,
    pub acknowledged: usize,
    /// Acknowledged but not in the database, or without their outbox row.
    pub lost: Vec<String>,
    pub restart_ms_max: u128,
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_until_up(addr: SocketAddr, child: &mut tokio::process::Child) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("intake exited during start-up: {status}");
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "intake did not start listening on {addr}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs the loop; fails on the first round whose server does not come back.
pub async fn kill_loop(opts: &KillLoop) -> anyhow::Result<KillReport> {
    let db_file = opts.dir.join("intake.sqlite3");
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut report = KillReport::default();
    for round in 0..opts.rounds {
        let port = free_port()?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        let log = std::fs::File::create(opts.dir.join("server.log"))?;
        let mut child = tokio::process::Command::new(&opts.exe)
            .arg("--content")
            .arg(&opts.content)
            .arg("--db")
            .arg(&db_file)
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--no-rate-limit")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", opts.exe.display()))?;
        wait_until_up(addr, &mut child)
            .await
            .with_context(|| format!("round {round}"))?;
        report.restart_ms_max = report.restart_ms_max.max(started.elapsed().as_millis());
        let mut clients = Vec::new();
        for c in 0..opts.clients {
            let acked = acked.clone();
            clients.push(tokio::spawn(async move {
                let Ok(mut conn) = Conn::connect(addr).await else {
                    return;
                };
                for n in 0.. {
                    match conn
                        .post_json("/api/submissions", &sample_submission(c, n))
                        .await
                    {
                        Ok((201, body)) => {
                            if let Some(number) = tracking_number(&body) {
                                acked.lock().unwrap_or_else(|e| e.into_inner()).push(number);
                            }
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    }
                }
            }));
        }
        let wait = rand::thread_rng().gen_range(opts.kill_after_ms.0..=opts.kill_after_ms.1);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        child.start_kill()?; // SIGKILL
        child.wait().await?;
        for c in clients {
            let _ = c.await;
        }
        report.rounds += 1;
    }
    let acked = acked.lock().unwrap_or_else(|e| e.into_inner()).clone();
    report.acknowledged = acked.len();
    let db = intake::Db::connect(&db_file.display().to_string()).await?;
    let present = numbers_with_outbox(&db).await?;
    db.close().await;
    report.lost = acked.into_iter().filter(|n| !present.contains(n)).collect();
    Ok(report)
}

/// The `intake` binary beside the running executable (for `intake-bench`).
pub fn sibling_exe(name: &str) -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me.parent().context("executable has no folder")?;
    let exe = dir.join(name);
    anyhow::ensure!(
        exe.exists(),
        "{} not found: build it first (cargo build --release -p intake)",
        exe.display()
    );
    Ok(exe)
}

/// Whether a path looks like a content folder.
pub fn is_content_dir(p: &Path) -> bool {
    p.join("departments.toml").exists() && p.join("calendar.toml").exists()
}
