//! `write-floor`: the least any static-site generator pays on this machine to read a corpus and
//! write a given site, with no parsing and no rendering in between.
//!
//! ```text
//! write-floor --read CONTENT --like BUILT_SITE --out FRESH_DIR [--threads N]
//! ```
//!
//! It loads every file of `BUILT_SITE` into memory (untimed), then, timed, on `N` threads (the
//! cores by default): reads every file of `CONTENT`, then writes every file of `BUILT_SITE` with
//! its bytes under `FRESH_DIR`, making each folder when its first file needs it. It prints the
//! wall time of each of the two steps and the process's user and system CPU. `bench/site.sh` runs it against site-gen's and Hugo's output,
//! so a build's time can be read as this floor plus the generator's own work.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{bail, Context};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

struct Args {
    read: PathBuf,
    like: PathBuf,
    out: PathBuf,
    threads: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let (mut read, mut like, mut out) = (None, None, None);
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--read" => read = Some(PathBuf::from(value("--read")?)),
            "--like" => like = Some(PathBuf::from(value("--like")?)),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--threads" => threads = value("--threads")?.parse().context("--threads")?,
            "-h" | "--help" => {
                println!("usage: write-floor --read CONTENT --like BUILT_SITE --out FRESH_DIR [--threads N]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(Args {
        read: read.context("--read CONTENT is required")?,
        like: like.context("--like BUILT_SITE is required")?,
        out: out.context("--out FRESH_DIR is required")?,
        threads: threads.max(1),
    })
}

fn run() -> anyhow::Result<()> {
    let args = parse_args()?;
    if args.out.exists() {
        bail!(
            "{} exists: the floor is measured on a fresh folder, as a clean build writes one",
            args.out.display()
        );
    }
    let inputs = files_under(&args.read)?;
    let (folders, files) = site_under(&args.like)?;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "write-floor: read {} files of {}, make {} folders and write {} files ({} MiB) like {}, on {} threads",
        inputs.len(),
        args.read.display(),
        folders,
        files.len(),
        bytes >> 20,
        args.like.display(),
        args.threads
    );
    rustix::fs::sync();

    let cpu0 = cpu_seconds()?;
    let start = Instant::now();
    let read_bytes = AtomicUsize::new(0); // what a generator would parse
    on_threads(args.threads, inputs.len(), |i| {
        let b = std::fs::read(&inputs[i])
            .with_context(|| format!("cannot read {}", inputs[i].display()))?;
        read_bytes.fetch_add(b.len(), Ordering::Relaxed);
        Ok(())
    })?;
    let read = start.elapsed();

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    // A folder is made when the first file that goes in it finds it missing, as a generator that
    // renders in path order would: the two threads then rarely wait on the same parent folder.
    on_threads(args.threads, files.len(), |i| {
        let (path, bytes) = &files[i];
        let target = args.out.join(path);
        let mut f = match std::fs::File::create(&target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let dir = target.parent().expect("a file has a folder");
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                std::fs::File::create(&target)
            }
            other => other,
        }
        .with_context(|| format!("cannot create {}", target.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", target.display()))
    })?;
    let wall = start.elapsed();
    let (user, sys) = {
        let (u1, s1) = cpu_seconds()?;
        (u1 - cpu0.0, s1 - cpu0.1)
    };
    println!(
        "floor: {:.2} s wall (read {} MiB in {:.2} s, folders and files {:.2} s), {:.2} s user, {:.2} s sys",
        wall.as_secs_f64(),
        read_bytes.into_inner() >> 20,
        read.as_secs_f64(),
        (wall - read).as_secs_f64(),
        user,
        sys
    );
    Ok(())
}

/// Runs `job(i)` for every `i < n` on `threads` threads, in chunks taken in order, so that the
/// files of one folder are mostly written by one thread, as a generator would.
fn on_threads(
    threads: usize,
    n: usize,
    job: impl Fn(usize) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<()> {
    const CHUNK: usize = 64;
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| loop {
                    let from = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if from >= n {
                        return Ok(());
                    }
                    (from..(from + CHUNK).min(n)).try_for_each(&job)?;
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("a worker panicked"))
    })
}

/// Every file under `root`, in path order.
fn files_under(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A built site's files: each one's path in it and its bytes.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// How many folders a built site has, and its files.
fn site_under(root: &Path) -> anyhow::Result<(usize, Files)> {
    let files = files_under(root)?;
    let mut folders = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let rel = path
            .strip_prefix(root)
            .expect("under its root")
            .to_path_buf();
        let mut parent = rel.parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            if !folders.insert(p.to_path_buf()) {
                break;
            }
            parent = p.parent();
        }
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        out.push((rel, bytes));
    }
    Ok((folders.len(), out))
}

/// The user and system CPU seconds of this process so far, all threads (`/proc/self/stat`).
fn cpu_seconds() -> anyhow::Result<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The fields after the command's closing parenthesis; utime and stime are the 14th and 15th.
    let rest = &stat[stat
        .rfind(')')
        .context("/proc/self/stat without a command")?
        + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = rustix::param::clock_ticks_per_second() as f64;
    let field = |i: usize| -> anyhow::Result<f64> { Ok(fields[i - 3].parse::<f64>()? / ticks) };
    Ok((field(14)?, field(15)?))
}
