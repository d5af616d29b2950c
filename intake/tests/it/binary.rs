//! The real `intake` binary, as an operator runs it: the server on a free port with its log
//! captured, and the operator commands with standard input and their output.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

pub fn exe() -> PathBuf {
    env!("CARGO_BIN_EXE_intake").into()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What every invocation shares: the content folder, the database, the config file (if any).
#[derive(Clone)]
pub struct Setup {
    pub content: PathBuf,
    pub db: String,
    pub config: Option<PathBuf>,
}

impl Setup {
    fn args(&self) -> Vec<String> {
        let mut a = vec![
            "--content".to_string(),
            self.content.display().to_string(),
            "--db".to_string(),
            self.db.clone(),
        ];
        if let Some(c) = &self.config {
            a.push("--config".into());
            a.push(c.display().to_string());
        }
        a
    }

    /// Runs `intake <global args> <args>` with `stdin`; returns (success, stdout, stderr).
    pub async fn run(&self, args: &[&str], stdin: &str) -> (bool, String, String) {
        let mut child = tokio::process::Command::new(exe())
            .args(self.args())
            .args(args)
            .env("RUST_LOG", "intake=info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).await.unwrap();
        drop(input);
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("the command finishes")
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Starts the server; it is killed (SIGKILL) when the returned value is dropped.
    pub async fn serve(&self, log: &Path, extra: &[&str]) -> Server {
        self.serve_logged(log, extra, "intake=info", Stdio::null())
            .await
    }

    /// As [`Setup::serve`], with `RUST_LOG` and standard output of the caller's.
    pub async fn serve_logged(
        &self,
        log: &Path,
        extra: &[&str],
        rust_log: &str,
        stdout: Stdio,
    ) -> Server {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let log_file = std::fs::File::create(log).unwrap();
        let mut child = tokio::process::Command::new(exe())
            .args(self.args())
            .arg("--listen")
            .arg(addr.to_string())
            .args(extra)
            .env("RUST_LOG", rust_log)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "intake exited during start-up ({status}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "intake did not start on {addr}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Server {
            addr,
            child,
            log: log.to_path_buf(),
        }
    }
}

pub struct Server {
    pub addr: SocketAddr,
    pub child: tokio::process::Child,
    pub log: PathBuf,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// kill -9, and wait until the process is gone.
    pub async fn kill(&mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
