//! The operator's configuration file (TOML, `--config FILE`): SMTP, mail sender, limits, trusted
//! proxies, deadline rules, storage folders and the cost of the access-key hash.
//!
//! Parsing is strict (`deny_unknown_fields`): a misspelt key is an error naming the file, not a
//! setting silently ignored. Every section has defaults, so no file at all is a valid setup for a
//! demo (mail goes to a folder, SQLite beside it).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Send mail through this SMTP server; without it mail is written to `mail.outbox_dir`.
    pub smtp: Option<Smtp>,
    #[serde(default)]
    pub mail: Mail,
    #[serde(default)]
    pub limits: Limits,
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed. Nobody else's is.
    #[serde(default)]
    pub trusted_proxies: Vec<IpAddr>,
    #[serde(default)]
    pub deadlines: DeadlineRules,
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub access_key: AccessKeyHash,
    #[serde(default)]
    pub staff: Staff,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// STARTTLS is required unless turned off here (only for a test server on loopback).
    #[serde(default = "yes")]
    pub starttls: bool,
    pub username: Option<String>,
    /// Name of the environment variable holding the password; the file never holds it.
    pub password_env: Option<String>,
    #[serde(default = "default_smtp_timeout")]
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    /// The From address of every message.
    #[serde(default = "default_from")]
    pub from: String,
    /// Domain used in Message-IDs.
    #[serde(default = "default_domain")]
    pub message_id_domain: String,
    /// Folder for the file transport (default: `outbox/` beside the SQLite file).
    pub outbox_dir: Option<PathBuf>,
    /// Seconds between sender passes over the outbox.
    #[serde(default = "default_poll")]
    pub poll_secs: u64,
    /// Seconds to wait before retrying a failed message (doubled each attempt, capped at 1 hour).
    #[serde(default = "default_retry")]
    pub retry_secs: u64,
    /// Seconds between overdue checks.
    #[serde(default = "default_overdue_check")]
    pub overdue_check_secs: u64,
    /// Seconds a sender's claim on outbox rows holds: after an instance died while sending,
    /// another sends its claimed messages once this has passed (default 300).
    #[serde(default = "default_claim")]
    pub claim_secs: u64,
}

impl Default for Mail {
    fn default() -> Mail {
        Mail {
            from: default_from(),
            message_id_domain: default_domain(),
            outbox_dir: None,
            poll_secs: default_poll(),
            retry_secs: default_retry(),
            overdue_check_secs: default_overdue_check(),
            claim_secs: default_claim(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Submissions per client: sustained per minute, and the burst allowed.
    pub submissions_per_minute: u32,
    pub submissions_burst: u32,
    /// Tracking look-ups per client.
    pub track_per_minute: u32,
    pub track_burst: u32,
    /// Sign-in attempts per client (the staff side also throttles per user name).
    pub sign_in_per_minute: u32,
    pub sign_in_burst: u32,
    /// Whole-request timeout; uploads of 100 MB need time on a slow line.
    pub request_timeout_secs: u64,
    pub max_attachments: usize,
    pub max_attachment_bytes: usize,
    pub max_title_chars: usize,
    pub max_content_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            submissions_per_minute: 6,
            submissions_burst: 10,
            track_per_minute: 30,
            track_burst: 20,
            sign_in_per_minute: 10,
            sign_in_burst: 5,
            request_timeout_secs: 300,
            max_attachments: 5,
            max_attachment_bytes: 20 * 1024 * 1024,
            max_title_chars: 200,
            max_content_chars: 20_000,
        }
    }
}

impl Limits {
    /// The largest request body accepted: every attachment at its maximum, plus the form fields.
    pub fn max_body_bytes(&self) -> usize {
        self.max_attachments * self.max_attachment_bytes + 1024 * 1024
    }
}

/// How long a period is: working days (from `calendar.toml`) or calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub days: u32,
    #[serde(default)]
    pub unit: DayUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayUnit {
    #[default]
    Working,
    Calendar,
}

/// Where the decision period starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    Receipt,
    Acceptance,
}

/// One statutory rule: decide on acceptance within `accept` (if the law sets such a step), decide
/// the case within `decide`, counted from receipt or from acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub accept: Option<Period>,
    pub decide: Period,
    pub decide_from: Start,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRules {
    /// 招标投标法实施条例 第六十一条: decide on acceptance within 3 working days of receipt;
    /// decide within 30 working days of acceptance. Applies to complaints in every category but
    /// procurement (land, mining, assets and other trades by reference).
    #[serde(default = "tendering")]
    pub complaint_tendering: Rule,
    /// 政府采购质疑和投诉办法 (财政部令第94号) 第二十一条、第二十六条: review within 5 working days of
    /// receipt; decide within 30 working days of receipt.
    #[serde(default = "procurement")]
    pub complaint_procurement: Rule,
    /// 招标投标法实施条例 第二十二条、第四十四条、第五十四条: answer an objection within 3 days
    /// (calendar days) of receipt. Also, by reference, objections in land, mining, assets and
    /// other trades.
    #[serde(default = "objection")]
    pub objection: Rule,
    /// 政府采购法 第五十三条, 财政部令第94号 第十三条: answer a 质疑 within 7 working days of
    /// receipt.
    #[serde(default = "objection_procurement")]
    pub objection_procurement: Rule,
    /// Local policy (no statute sets one): decide on acceptance within 5 working days, conclude
    /// within 30 working days of acceptance, the same pace as a complaint.
    #[serde(default = "report")]
    pub report: Rule,
    /// Local policy: answer within 15 working days of receipt.
    #[serde(default = "suggestion")]
    pub suggestion: Rule,
}

impl Default for DeadlineRules {
    fn default() -> DeadlineRules {
        DeadlineRules {
            complaint_tendering: tendering(),
            complaint_procurement: procurement(),
            objection: objection(),
            objection_procurement: objection_procurement(),
            report: report(),
            suggestion: suggestion(),
        }
    }
}

const fn working(days: u32) -> Period {
    Period {
        days,
        unit: DayUnit::Working,
    }
}

fn tendering() -> Rule {
    Rule {
        accept: Some(working(3)),
        decide: working(30),
        decide_from: Start::Acceptance,
    }
}

fn procurement() -> Rule {
    Rule {
        accept: Some(working(5)),
        decide: working(30),
        decide_from: Start::Receipt,
    }
}

fn objection() -> Rule {
    Rule {
        accept: None,
        decide: Period {
            days: 3,
            unit: DayUnit::Calendar,
        },
        decide_from: Start::Receipt,
    }
}

fn objection_procurement() -> Rule {
    Rule {
        accept: None,
        decide: working(7),
        decide_from: Start::Receipt,
    }
}

fn report() -> Rule {
    Rule {
        accept: Some(working(5)),
        decide: working(30),
        decide_from: Start::Acceptance,
    }
}

fn suggestion() -> Rule {
    Rule {
        accept: None,
        decide: working(15),
        decide_from: Start::Receipt,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// Where uploaded files are kept (default: `attachments/` beside the SQLite file). Must be
    /// outside every folder a web server publishes.
    pub attachments_dir: Option<PathBuf>,
}

/// The cost of the argon2id hash of access keys. The key carries 128 random bits, so it is
/// protected by its entropy, not by the hash's cost: guessing one is out of reach at any hash
/// speed. The hash is there so that a copy of the database does not hand out the keys. The
/// default (256 KiB, one pass; about 0.3 ms) keeps a submission cheap enough for well over
/// 1,000 per second on two cores (1 MiB halved the throughput in `intake-bench`). Staff
/// passwords, which are chosen by people, use argon2's full default cost.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessKeyHash {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for AccessKeyHash {
    fn default() -> AccessKeyHash {
        AccessKeyHash {
            memory_kib: 256,
            iterations: 1,
        }
    }
}

/// Staff sessions (used by the staff side).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Staff {
    /// A session ends after this many minutes without a request.
    pub idle_timeout_minutes: u64,
    /// A session ends this many hours after sign-in, whatever happens.
    pub absolute_timeout_hours: u64,
    /// Mark the session cookie `Secure` (turn off only for plain-HTTP tests on loopback).
    pub secure_cookies: bool,
}

impl Default for Staff {
    fn default() -> Staff {
        Staff {
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 8,
            secure_cookies: true,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_smtp_port() -> u16 {
    587
}
fn default_smtp_timeout() -> u64 {
    30
}
fn default_from() -> String {
    "阳光交易投诉受理 <noreply@localhost>".to_string()
}
fn default_domain() -> String {
    "intake.localhost".to_string()
}
fn default_poll() -> u64 {
    2
}
fn default_retry() -> u64 {
    30
}
fn default_claim() -> u64 {
    300
}
fn default_overdue_check() -> u64 {
    600
}

impl Config {
    pub fn parse(file: &str, text: &str) -> anyhow::Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start].matches('\n').count() + 1)
                .unwrap_or(0);
            anyhow::anyhow!("{file}:{line}: {}", e.message().trim())
        })?;
        config.check(file)?;
        Ok(config)
    }

    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Config::parse(&path.display().to_string(), &text)
    }

    fn check(&self, file: &str) -> anyhow::Result<()> {
        let l = &self.limits;
        for (name, v) in [
            ("limits.submissions_per_minute", l.submissions_per_minute),
            ("limits.submissions_burst", l.submissions_burst),
            ("limits.track_per_minute", l.track_per_minute),
            ("limits.track_burst", l.track_burst),
            ("limits.sign_in_per_minute", l.sign_in_per_minute),
            ("limits.sign_in_burst", l.sign_in_burst),
        ] {
            anyhow::ensure!(v > 0, "{file}: {name} must be at least 1");
        }
        anyhow::ensure!(
            self.access_key.memory_kib >= 8 && self.access_key.iterations >= 1,
            "{file}: access_key needs memory_kib >= 8 and iterations >= 1"
        );
        if let Some(smtp) = &self.smtp {
            anyhow::ensure!(
                smtp.username.is_some() == smtp.password_env.is_some(),
                "{file}: smtp.username and smtp.password_env go together"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let e = Config::parse("intake.toml", "[limits]\nsubmissions_per_minit = 3\n").unwrap_err();
        assert!(
            e.to_string().starts_with("intake.toml:2: unknown field"),
            "{e}"
        );
    }

    #[test]
    fn rules_can_be_changed() {
        let c = Config::parse(
            "intake.toml",
            "[deadlines.suggestion]\ndecide = { days = 10 }\ndecide_from = \"receipt\"\n",
        )
        .unwrap();
        assert_eq!(c.deadlines.suggestion.decide, working(10));
        assert_eq!(c.deadlines.objection.decide.unit, DayUnit::Calendar);
    }
}
