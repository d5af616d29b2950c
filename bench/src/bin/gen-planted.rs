//! `gen-planted`: writes the planted-collusion market (`bench::planted`) and, with
//! `--score`, builds it and prints the supervision signals' precision and recall per kind
//! against what was planted, with the time the signals took.
//!
//! ```text
//! cargo run --release -p bench --bin gen-planted -- --out /tmp/planted/content [--seed 1] [--tenders 600] [--score]
//! ```
//!
//! The truth (which companies or projects are planted per kind) goes to `<out>.truth.json`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use bench::planted::{self, Plan};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut plan = Plan::default();
    let mut out: Option<PathBuf> = None;
    let mut score = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => plan.seed = value("--seed")?.parse().context("--seed")?,
            "--tenders" => plan.tenders = value("--tenders")?.parse().context("--tenders")?,
            "--companies" => {
                plan.companies = value("--companies")?.parse().context("--companies")?
            }
            "--score" => score = true,
            "-h" | "--help" => {
                println!("usage: gen-planted --out DIR [--seed N] [--tenders N] [--companies N] [--score]");
                return Ok(());
            }
            other => bail!("unknown argument {other}"),
        }
    }
    let out = out.context("--out DIR is required")?;
    if out.exists() && std::fs::read_dir(&out)?.next().is_some() {
        bail!("{} is not empty", out.display());
    }
    let truth = planted::write(&out, plan)?;
    println!(
        "wrote {} (seed {}, {} ordinary tenders, {} ordinary companies); truth in {}",
        out.display(),
        plan.seed,
        plan.tenders,
        plan.companies,
        out.with_extension("truth.json").display()
    );
    if !score {
        return Ok(());
    }
    let parent = out.parent().map(PathBuf::from).unwrap_or_default();
    let opts = site_gen::build::Options {
        content: out.clone(),
        out: parent.join("public"),
        index: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
        clean: true,
        progress: false,
        signals: Some(parent.join("signals")),
    };
    let summary = site_gen::build::build(&opts)?;
    println!("{summary}");
    // The signals again, timed on their own.
    let content = site_gen::content::load(&out, &|| {})?;
    let log = site_gen::log::PublicationLog::default();
    let site = site_gen::site::Site::new(&content, opts.today, &log);
    let started = Instant::now();
    let signals = site_gen::signals::compute(&site);
    let took = started.elapsed().as_secs_f64();
    println!(
        "signals: {} in {:.3} s; warnings: {}",
        signals.signals.len(),
        took,
        signals.warnings.len()
    );
    print!("{}", planted::table(&planted::score(&truth, &signals)));
    Ok(())
}
