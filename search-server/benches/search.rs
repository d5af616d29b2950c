//! The search benchmark (issue item 8): index a generated corpus, then measure the real server
//! over HTTP (one client: p50/p99; 16 clients: QPS) on a fixed query mix, and the same mix on
//! SQLite FTS5 with its `trigram` tokenizer over the same documents, in the same run.
//!
//! ```text
//! cargo run --release -p bench --bin gen-corpus -- --n 100000 --out /tmp/corpus
//! cargo bench -p search-server --bench search -- --content /tmp/corpus
//!     [--requests 3000] [--seconds 10] [--clients 16] [--work DIR] [--no-fts]
//!     [--keep-index] [--engine-only SECONDS [--group NAME] [--dump FILE]]
//! ```
//!
//! `--keep-index` reuses the index of an earlier run in `--work DIR` (same corpus) instead of
//! writing it again; `--engine-only S` runs the mix in process on the engine alone (no HTTP) for
//! S seconds (only the group NAME with `--group`), prints each group's mean, and stops: a loop
//! to profile; `--dump FILE` writes every answer (hits, snippets, totals, facets) to compare two
//! builds of the engine.
//!
//! The mix is drawn deterministically from the corpus: company names whole and in part,
//! two-character words, project and credit codes whole and in part, several words, several words
//! with a place and a trade (`新华区 道路 改造`: thousands of documents hold each word), the same
//! with a word no document holds with the others (so partial matches fill the page), each with
//! and without filters. Each group's p50 and p99 are printed, and what its queries find. FTS5 gets
//! the same words: `MATCH` with quoted phrases for words of three characters or more,
//! `LIKE '%w%'` for shorter ones (trigrams cannot match two characters), ranked by bm25 with a
//! `COUNT(*)` for the total, like the search API's total; it has no partial matching, so it
//! answers the last group with nothing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use disclosure::model::Details;
use disclosure::search::plain_text;
use disclosure::Disclosure;
use search_server::engine::Engine;
use search_server::{app, AppState, Options};
use site_gen::index::IndexWriter;
use site_gen::log::PublicationLog;
use site_gen::site::Site;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

struct Args {
    content: PathBuf,
    work: Option<PathBuf>,
    requests: usize,
    seconds: u64,
    clients: usize,
    fts: bool,
    keep_index: bool,
    engine_only: Option<u64>,
    group: Option<String>,
    dump: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        content: PathBuf::new(),
        work: None,
        requests: 3000,
        seconds: 10,
        clients: 16,
        fts: true,
        keep_index: false,
        engine_only: None,
        group: None,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--content" => a.content = value().into(),
            "--work" => a.work = Some(value().into()),
            "--requests" => a.requests = value().parse().expect("--requests N"),
            "--seconds" => a.seconds = value().parse().expect("--seconds N"),
            "--clients" => a.clients = value().parse().expect("--clients N"),
            "--no-fts" => a.fts = false,
            "--keep-index" => a.keep_index = true,
            "--engine-only" => a.engine_only = Some(value().parse().expect("--engine-only S")),
            "--group" => a.group = Some(value()),
            "--dump" => a.dump = Some(value().into()),
            "--bench" => {}
            other => panic!("unknown argument {other}; see the module documentation"),
        }
    }
    assert!(
        !a.content.as_os_str().is_empty(),
        "usage: cargo bench -p search-server --bench search -- --content DIR (a gen-corpus folder)"
    );
    a
}

/// One query of the mix: the words, the filters (an encoded query-string suffix), its group.
#[derive(Clone, Debug)]
struct MixQuery {
    q: String,
    kind: Option<&'static str>,
    category: Option<&'static str>,
    from: Option<&'static str>,
    group: &'static str,
}

impl MixQuery {
    fn url(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("q", &self.q);
        if let Some(k) = self.kind {
            s.append_pair("kind", k);
        }
        if let Some(c) = self.category {
            s.append_pair("category", c);
        }
        if let Some(f) = self.from {
            s.append_pair("from", f);
        }
        format!("/api/search?{}", s.finish())
    }
}

/// The fixed mix, drawn from the corpus with a fixed stride so every run asks the same.
fn mix(docs: &[&Disclosure]) -> Vec<MixQuery> {
    let mut names = Vec::new();
    let mut credit_codes = Vec::new();
    let mut projects = Vec::new();
    for d in docs.iter().step_by(997) {
        if let Details::Result { bidders, trade, .. } = &d.details {
            if let Some(b) = bidders.first() {
                names.push(b.name.clone());
                credit_codes.push(b.credit_code.clone());
            }
            projects.push(trade.project.clone());
        }
    }
    let q = |q: String, group: &'static str| MixQuery {
        q,
        kind: None,
        category: None,
        from: None,
        group,
    };
    let mut out = Vec::new();
    for name in names.iter().take(6) {
        out.push(q(name.clone(), "company name"));
        let chars: Vec<char> = name.chars().collect();
        // The distinctive middle of the name: after the place, before the trade.
        let part: String = chars.iter().skip(3).take(4).collect();
        out.push(q(part, "company part"));
    }
    for w in [
        "工程", "医院", "道路", "采购", "物业", "监理", "供水", "学校",
    ] {
        out.push(q(w.to_string(), "2-char word"));
    }
    for p in projects.iter().take(4) {
        out.push(q(p.clone(), "code"));
        out.push(q(
            p.chars()
                .skip(p.chars().count().saturating_sub(9))
                .collect(),
            "code part",
        ));
    }
    for c in credit_codes.iter().take(4) {
        out.push(q(c[c.len() - 8..].to_string(), "code part"));
    }
    for m in [
        "郏县 供水",
        "鲁山县 道路 施工",
        "宝丰 采购",
        "串通投标 行政处罚",
        "湛河区 学校 工程",
    ] {
        out.push(q(m.to_string(), "multi-word"));
    }
    // The slow kind (issue 9): several words, a place and a trade, each word common. Documents
    // hold them all, so the full matches run to thousands.
    for m in [
        "新华区 道路 改造",
        "卫东区 物业管理 服务",
        "湛河区 实验小学 施工",
        "鲁山县 公路 大修",
        "汝州市 河道 治理",
        "叶县 人民医院 采购",
        "宝丰县 教学楼 维修改造 施工",
        "石龙区 保洁服务 采购 项目",
    ] {
        out.push(q(m.to_string(), "place+trade"));
    }
    // The same with a word no document holds with the others (a trade of another kind, a place
    // it is not bought in), so that few or no documents hold every word and the partial matches
    // (most of the words, or most of a word's bigrams) fill the page.
    for m in [
        "新华区 物业管理 堤防加固",
        "郏县 保洁服务 路面改造",
        "卫东区 道路 改造 医疗设备",
        "叶县 公路 大修 食堂餐饮",
        "舞钢市 河道 治理 物业服务",
        "湛河区 学生公寓 图书 采购",
    ] {
        out.push(q(m.to_string(), "partial"));
    }
    // The same kinds of queries with filters.
    let filtered: Vec<MixQuery> = out
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, m)| {
            let mut m = m.clone();
            match i % 9 {
                0 => m.kind = Some("result"),
                3 => m.category = Some("construction"),
                _ => m.from = Some("2026-01-01"),
            }
            m.group = "with filters";
            m
        })
        .collect();
    out.extend(filtered);
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn folder_size(dir: &Path) -> u64 {
    walk(dir)
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Runs `one` in a loop from `clients` tasks for `seconds`; returns completed calls per second.
async fn throughput<F, Fut>(clients: usize, seconds: u64, n: usize, one: F) -> (f64, usize)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let one = Arc::new(one);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (one, stop, done, failed) = (one.clone(), stop.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = c * 7;
            while !stop.load(Ordering::Relaxed) {
                if one(i % n).await {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    (
        done.load(Ordering::Relaxed) as f64 / secs,
        failed.load(Ordering::Relaxed),
    )
}

/// Runs `one` sequentially up to `requests` times or `seconds`; returns sorted latencies and
/// each group's sorted latencies, in the order of the mix.
async fn latencies<F, Fut>(
    mix: &[MixQuery],
    requests: usize,
    seconds: u64,
    one: F,
) -> (Vec<Duration>, Vec<(&'static str, Vec<Duration>)>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    let mut all = Vec::new();
    let mut by_group: Vec<(&'static str, Vec<Duration>)> = Vec::new();
    let mut i = 0;
    while i < requests && started.elapsed() < Duration::from_secs(seconds) {
        let k = i % mix.len();
        let t = Instant::now();
        let ok = one(k).await;
        let took = t.elapsed();
        assert!(ok, "query failed: {:?}", mix[k]);
        all.push(took);
        match by_group.iter_mut().find(|(g, _)| *g == mix[k].group) {
            Some((_, v)) => v.push(took),
            None => by_group.push((mix[k].group, vec![took])),
        }
        i += 1;
    }
    all.sort();
    for (_, v) in &mut by_group {
        v.sort();
    }
    (all, by_group)
}

/// One line per group: its p50 and p99.
fn print_groups(groups: &[(&'static str, Vec<Duration>)]) {
    for (g, v) in groups {
        println!(
            "    {:<13} {:>4} requests  p50 {:>9}  p99 {:>9}",
            g,
            v.len(),
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99))
        );
    }
}

async fn fts_setup(path: &Path, docs: &[&Disclosure]) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new()
        .max_connections(16)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::query(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, kind UNINDEXED, category UNINDEXED, date UNINDEXED, title, names, codes, body, tokenize = 'trigram')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    for d in docs {
        let names: Vec<&str> = d.subjects().iter().map(|(n, _)| *n).collect();
        let codes = disclosure::search::codes(d).join(" ");
        sqlx::query("INSERT INTO docs (id, kind, category, date, title, names, codes, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(&d.id)
            .bind(d.kind().key())
            .bind(d.trade().map(|t| t.category.key()).unwrap_or(""))
            .bind(d.date.to_string())
            .bind(&d.title)
            .bind(names.join(" "))
            .bind(codes)
            .bind(plain_text(&d.body))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    pool
}

/// The mix query as FTS5 SQL: (top-10 statement, count statement, binds).
fn fts_sql(m: &MixQuery) -> (String, String, Vec<String>) {
    let mut phrases = Vec::new();
    let mut likes = Vec::new();
    for w in m.q.split_whitespace() {
        if w.chars().count() >= 3 {
            phrases.push(format!("\"{}\"", w.replace('"', "\"\"")));
        } else {
            likes.push(format!("%{w}%"));
        }
    }
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    if !phrases.is_empty() {
        conditions.push("docs MATCH ?".to_string());
        binds.push(phrases.join(" AND "));
    }
    for l in likes {
        conditions.push("(title LIKE ? OR names LIKE ? OR body LIKE ?)".to_string());
        binds.extend([l.clone(), l.clone(), l]);
    }
    if let Some(k) = m.kind {
        conditions.push("kind = ?".into());
        binds.push(k.into());
    }
    if let Some(c) = m.category {
        conditions.push("category = ?".into());
        binds.push(c.into());
    }
    if let Some(f) = m.from {
        conditions.push("date >= ?".into());
        binds.push(f.into());
    }
    let wh = conditions.join(" AND ");
    let order = if m.q.split_whitespace().any(|w| w.chars().count() >= 3) {
        "rank"
    } else {
        "date DESC"
    };
    (
        format!("SELECT id, title FROM docs WHERE {wh} ORDER BY {order} LIMIT 10"),
        format!("SELECT COUNT(*) FROM docs WHERE {wh}"),
        binds,
    )
}

async fn fts_query(pool: &SqlitePool, m: &MixQuery) -> bool {
    let (top, count, binds) = fts_sql(m);
    // Only values are bound; the statement text comes from the fixed shapes of `fts_sql`.
    let mut q = sqlx::query(sqlx::AssertSqlSafe(top.clone()));
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(pool).await;
    let mut c = sqlx::query(sqlx::AssertSqlSafe(count.clone()));
    for b in &binds {
        c = c.bind(b);
    }
    let n = c.fetch_one(pool).await.map(|r| r.get::<i64, _>(0));
    rows.is_ok() && n.is_ok()
}

/// The mix in process on the engine alone, round after round for `seconds`: each group's mean.
fn engine_only(
    index_dir: &Path,
    content: &site_gen::content::Content,
    mix: &[MixQuery],
    seconds: u64,
    dump: Option<&Path>,
) {
    let engine = Engine::open(index_dir).unwrap();
    let params: Vec<search_server::query::SearchParams> = mix
        .iter()
        .map(|m| {
            let raw = m.url();
            let raw = raw.split_once('?').unwrap().1;
            search_server::query::SearchParams::parse(raw, &content.departments).unwrap()
        })
        .collect();
    let mut dumped = String::new();
    for (m, p) in mix.iter().zip(&params) {
        let o = engine.search(p).unwrap();
        dumped.push_str(&format!(
            "# {} total {} capped {} full {} facets {:?}\n",
            m.url(),
            o.total,
            o.capped,
            o.full_total,
            o.facets.fields
        ));
        for h in &o.hits {
            dumped.push_str(&format!(
                "{} {} {}\n  {}\n",
                h.id, h.partial, h.title_html, h.snippet_html
            ));
        }
        println!(
            "    {:<13} {:>6.2} ms  total {:>5}{} full {:>5}  {}{}",
            m.group,
            o.took_ms,
            o.total,
            if o.capped { "+" } else { " " },
            o.full_total,
            m.q,
            if m.group == "with filters" {
                format!(" ({})", m.url())
            } else {
                String::new()
            }
        );
    }
    if let Some(path) = dump {
        std::fs::write(path, dumped).unwrap();
    }
    let started = Instant::now();
    let mut by_group: Vec<(&'static str, Duration, Duration, usize)> = Vec::new();
    let mut rounds = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        for (m, p) in mix.iter().zip(&params) {
            let (t, cpu) = (Instant::now(), thread_cpu());
            engine.search(p).unwrap();
            let (took, cpu) = (t.elapsed(), thread_cpu().saturating_sub(cpu));
            match by_group.iter_mut().find(|(g, _, _, _)| *g == m.group) {
                Some((_, d, c, n)) => {
                    *d += took;
                    *c += cpu;
                    *n += 1;
                }
                None => by_group.push((m.group, took, cpu, 1)),
            }
        }
        rounds += 1;
    }
    println!("engine only, in process: {rounds} rounds of the mix (wall time, and CPU time of the thread: other load inflates the first only)");
    let (mut all_cpu, mut all_n) = (Duration::ZERO, 0);
    for (g, d, c, n) in by_group {
        println!(
            "    {:<13} mean {:>9}  CPU {:>9}",
            g,
            ms(d / n as u32),
            ms(c / n as u32)
        );
        all_cpu += c;
        all_n += n;
    }
    if all_n > 0 {
        println!("    whole mix     CPU {:>9}", ms(all_cpu / all_n as u32));
    }
}

/// CPU time this thread has run (Linux: `/proc/thread-self/schedstat`; zero elsewhere).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

fn main() {
    let a = args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(a));
}

async fn run(a: Args) {
    let tmp = tempfile::tempdir().unwrap();
    let work = a.work.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work).unwrap();
    println!("# search benchmark over {}", a.content.display());

    let t = Instant::now();
    let content = site_gen::content::load(&a.content, &|| {}).expect("the corpus loads");
    let load = t.elapsed();
    let log = PublicationLog::default();
    let today = search_server::china_today();
    let site = Site::new(&content, today, &log);
    let docs = &site.public;
    println!(
        "loaded {} disclosures ({} public) in {:.1} s",
        content.docs.len(),
        docs.len(),
        load.as_secs_f64()
    );

    let index_dir = work.join("index");
    if a.keep_index && index_dir.join("meta.json").exists() {
        println!(
            "tantivy index: kept from an earlier run, {:.1} MB",
            folder_size(&index_dir) as f64 / 1e6
        );
    } else {
        let _ = std::fs::remove_dir_all(&index_dir);
        let t = Instant::now();
        let mut writer = IndexWriter::open(&index_dir).unwrap();
        writer.clear();
        writer.upsert(&site, docs).unwrap();
        let stats = writer.commit().unwrap();
        let index_time = t.elapsed();
        println!(
            "tantivy index: {} docs in {:.1} s, {:.1} MB",
            stats.docs,
            index_time.as_secs_f64(),
            folder_size(&index_dir) as f64 / 1e6
        );
    }

    let mix = Arc::new(mix(docs));
    println!("query mix: {} queries", mix.len());

    if let Some(seconds) = a.engine_only {
        let only: Vec<MixQuery> = mix
            .iter()
            .filter(|m| a.group.as_deref().is_none_or(|g| g == m.group))
            .cloned()
            .collect();
        engine_only(&index_dir, &content, &only, seconds, a.dump.as_deref());
        return;
    }

    // The real server over HTTP, without the rate limit (--no-rate-limit).
    let engine = Engine::open(&index_dir).unwrap();
    let options = Options {
        rate_limit: None,
        ..Options::default()
    };
    let state = AppState::new(
        engine,
        content.site.clone(),
        content.departments.clone(),
        options,
        Arc::new(move || today),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let http = {
        let (client, base, mix) = (client.clone(), base.clone(), mix.clone());
        move |k: usize| {
            let url = format!("{base}{}", mix[k].url());
            let client = client.clone();
            async move {
                match client.get(url).send().await {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        }
    };
    // Warm up: every query once, noting what each group's queries find (the full matches, and
    // whether partial ones fill the page).
    let mut found: Vec<(&'static str, Vec<u64>, usize)> = Vec::new();
    for m in mix.iter() {
        let r = client.get(format!("{base}{}", m.url())).send().await;
        let json: serde_json::Value = match r {
            Ok(r) if r.status() == 200 => r.json().await.expect("the API answers JSON"),
            other => panic!("warm-up query failed: {m:?}: {other:?}"),
        };
        let hits = json["hits"].as_array().map_or(&[][..], |h| h.as_slice());
        let full = hits.iter().filter(|h| h["partial"] != true).count() as u64;
        let total = json["total"].as_u64().unwrap_or(0);
        let partial = json["partial"] == true;
        // Full matches: all of the total when no partial hit is shown; else those on the page.
        let full_matches = if partial { full } else { total };
        match found.iter_mut().find(|(g, _, _)| *g == m.group) {
            Some((_, v, p)) => {
                v.push(full_matches);
                *p += usize::from(partial);
            }
            None => found.push((m.group, vec![full_matches], usize::from(partial))),
        }
    }
    for (g, mut v, partial) in found {
        v.sort();
        println!(
            "    {:<13} {:>2} queries, full matches {}–{} (median {}), partial matches shown for {}",
            g,
            v.len(),
            v[0],
            v[v.len() - 1],
            v[v.len() / 2],
            partial
        );
    }
    let (lat, groups) = latencies(&mix, a.requests, 60, &http).await;
    println!(
        "tantivy over HTTP, 1 client: {} requests, p50 {}, p99 {}, max {}",
        lat.len(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().unwrap())
    );
    print_groups(&groups);
    let (qps, failed) = throughput(a.clients, a.seconds, mix.len(), http.clone()).await;
    println!(
        "tantivy over HTTP, {} clients: {:.0} QPS ({} failed)",
        a.clients, qps, failed
    );

    if !a.fts {
        return;
    }
    let db = work.join("fts5.sqlite3");
    let _ = std::fs::remove_file(&db);
    let t = Instant::now();
    let pool = fts_setup(&db, docs).await;
    println!(
        "SQLite FTS5 trigram: {} docs in {:.1} s, {:.1} MB",
        docs.len(),
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );
    let fts = {
        let (pool, mix) = (pool.clone(), mix.clone());
        move |k: usize| {
            let (pool, m) = (pool.clone(), mix[k].clone());
            async move { fts_query(&pool, &m).await }
        }
    };
    let (lat, groups) = latencies(&mix, a.requests, 60, &fts).await;
    println!(
        "FTS5 trigram in process, 1 client: {} queries, p50 {}, p99 {}, max {}",
        lat.len(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(*lat.last().unwrap())
    );
    print_groups(&groups);
    let (fts_qps, failed) = throughput(a.clients, a.seconds, mix.len(), fts).await;
    println!(
        "FTS5 trigram in process, {} clients: {:.1} QPS ({} failed)",
        a.clients, fts_qps, failed
    );
    println!(
        "throughput ratio tantivy/FTS5: {:.1}x",
        qps / fts_qps.max(0.001)
    );
}
