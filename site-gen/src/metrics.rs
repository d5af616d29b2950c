//! A build's figures for monitoring: whether it published, how long it took (and each phase),
//! what the site holds after it (pages, feeds, files, disclosures, withdrawn penalties, signals)
//! and what it wrote and removed.
//!
//! `site-gen` is a command, not a server, so `site-gen build --metrics-file PATH` writes them in
//! the Prometheus text format for node_exporter's textfile collector ([`write_textfile`],
//! atomically: the collector never reads half a file). The one-port server keeps a
//! [`BuildMetrics`] of its own and shows the last build's figures on its `/metrics`.

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::build::Summary;

type Seconds = Gauge<f64, AtomicU64>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabel {
    phase: &'static str,
}

/// The gauges of the last build. Clones share their values.
#[derive(Clone, Debug, Default)]
pub struct BuildMetrics {
    success: Gauge,
    duration: Seconds,
    finished: Seconds,
    last_success: Seconds,
    incremental: Gauge,
    disclosures: Gauge,
    pages: Gauge,
    feeds: Gauge,
    files: Gauge,
    written: Gauge,
    removed: Gauge,
    withdrawn: Gauge,
    signals: Gauge,
    phases: Family<PhaseLabel, Seconds>,
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn unix_seconds(at: SystemTime) -> f64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl BuildMetrics {
    /// Records a build that ended at `now`: its summary, or that it failed after `seconds`
    /// (the figures of the last good build stay, as the published site does).
    pub fn record(&self, outcome: Result<&Summary, f64>, now: SystemTime) {
        self.finished.set(unix_seconds(now));
        let summary = match outcome {
            Ok(s) => s,
            Err(seconds) => {
                self.success.set(0);
                self.duration.set(seconds);
                return;
            }
        };
        self.success.set(1);
        self.duration.set(summary.seconds);
        self.last_success.set(unix_seconds(now));
        self.incremental.set(i64::from(summary.incremental));
        self.disclosures.set(count(summary.disclosures));
        self.pages.set(count(summary.pages));
        self.feeds.set(count(summary.feeds));
        self.files.set(count(summary.files));
        self.written.set(count(summary.written));
        self.removed.set(count(summary.removed));
        self.withdrawn.set(count(summary.withdrawn));
        self.signals.set(count(summary.signals));
        self.phases.clear();
        for (phase, seconds) in &summary.phases {
            self.phases
                .get_or_create(&PhaseLabel { phase })
                .set(*seconds);
        }
    }

    /// Registers the outcome gauges (success, duration, when) and, with `figures`, what the
    /// site holds (left out of a textfile after a failed build: the build did not count them).
    pub fn register(&self, registry: &mut Registry, figures: bool) {
        registry.register(
            "sitegen_build_success",
            "1 when the last build published the site, 0 when it failed (the previous site stays published)",
            self.success.clone(),
        );
        registry.register(
            "sitegen_build_duration_seconds",
            "Wall time of the last build",
            self.duration.clone(),
        );
        registry.register(
            "sitegen_build_finished_timestamp_seconds",
            "When the last build ended, seconds since the Unix epoch",
            self.finished.clone(),
        );
        if !figures {
            return;
        }
        let gauges: [(&str, &str, &Gauge); 9] = [
            (
                "sitegen_build_incremental",
                "1 when the last good build was incremental, 0 when clean",
                &self.incremental,
            ),
            (
                "sitegen_disclosures",
                "Disclosures in the content after the last good build",
                &self.disclosures,
            ),
            (
                "sitegen_pages",
                "HTML pages on the site after the last good build",
                &self.pages,
            ),
            (
                "sitegen_feeds",
                "RSS feeds on the site after the last good build",
                &self.feeds,
            ),
            (
                "sitegen_files",
                "Files in the published site after the last good build",
                &self.files,
            ),
            (
                "sitegen_files_written",
                "Files whose bytes the last good build wrote",
                &self.written,
            ),
            (
                "sitegen_files_removed",
                "Files the last good build removed",
                &self.removed,
            ),
            (
                "sitegen_penalties_withdrawn",
                "Penalties past their publicity, left off the site",
                &self.withdrawn,
            ),
            (
                "sitegen_signals",
                "Supervision signals written for staff",
                &self.signals,
            ),
        ];
        for (name, help, gauge) in gauges {
            registry.register(name, help, gauge.clone());
        }
        registry.register(
            "sitegen_build_last_success_timestamp_seconds",
            "When the last good build ended, seconds since the Unix epoch",
            self.last_success.clone(),
        );
        registry.register(
            "sitegen_build_phase_seconds",
            "Wall time of each phase of the last good build",
            self.phases.clone(),
        );
    }
}

/// The figures of one build in the Prometheus text format: all of them after a good build, the
/// outcome only after a failed one.
pub fn textfile(outcome: Result<&Summary, f64>, now: SystemTime) -> String {
    let metrics = BuildMetrics::default();
    metrics.record(outcome, now);
    let mut registry = Registry::default();
    metrics.register(&mut registry, outcome.is_ok());
    let mut text = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)
        .expect("encoding into a String does not fail");
    text
}

/// Writes `text` to `path` atomically: into a hidden temporary file beside it (node_exporter
/// reads only `*.prom`), then renamed over it.
pub fn write_textfile(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site-gen.prom".to_string());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, text).and_then(|()| {
        std::fs::File::open(&temporary)?.sync_all()?;
        std::fs::rename(&temporary, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}
