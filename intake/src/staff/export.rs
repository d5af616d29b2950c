//! `intake export --out content/complaint-results/`: each published result becomes one Markdown
//! file with TOML front matter of kind `complaint-result` (with the project it concerns), which
//! site-gen builds like any other disclosure. The same command writes the anonymous handling
//! statistics (`public_stats`) and anchors the audit chain (`audit::write_anchor`) in the content
//! folder.
//!
//! No personal data leaves: the file holds only what staff wrote for publication (the public
//! title, the one-line outcome, the published text) and the case's number, department and dates —
//! never the submitter's name, phone or email, nor the case text as submitted. Publishing checks
//! this before it commits ([`check_publishable`]): the file must parse with the site's own parser
//! (which refuses citizen ids, bank cards and mobile numbers) and must not contain the submitter's
//! name, phone or email.
//!
//! Idempotent: a case always gets the same file name (its tracking number without the check
//! character, lower case, as the demo content names them), and a file is rewritten only when its
//! bytes change. Files of other origin in the folder are left alone.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;

use crate::audit::{self, Action};
use crate::cases::Case;
use crate::clock::{local_date, parse_stamp};
use crate::AppState;

use super::error::{StaffError, StaffResult};
use super::queries::{self, Extra};

/// The file stem of a case's result: `TS-20260414-000003-K` → `ts-20260414-000003`.
pub fn file_stem(tracking_number: &str) -> String {
    let mut parts: Vec<&str> = tracking_number.split('-').collect();
    if parts.len() == 4 {
        parts.pop();
    }
    parts.join("-").to_lowercase()
}

/// A TOML basic string, escaped.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The Markdown file of a published result.
pub fn render(case: &Case, extra: &Extra) -> String {
    let published_on = case
        .published_at
        .as_deref()
        .and_then(parse_stamp)
        .map(local_date);
    let decided_on: Option<NaiveDate> = extra.closed_on.or_else(|| {
        case.closed_at
            .as_deref()
            .and_then(parse_stamp)
            .map(local_date)
    });
    let date = published_on.or(decided_on).unwrap_or(case.received_on);
    let mut out = String::from("+++\n");
    out.push_str("kind = \"complaint-result\"\n");
    out.push_str(&format!(
        "title = {}\n",
        toml_str(extra.published_title.as_deref().unwrap_or_default())
    ));
    out.push_str(&format!("date = {date}\n"));
    if let Some(updated) = extra.published_updated_on.filter(|u| *u > date) {
        out.push_str(&format!("updated = {updated}\n"));
    }
    out.push_str(&format!("department = {}\n", toml_str(&case.department)));
    out.push_str(&format!("case_no = {}\n", toml_str(&case.tracking_number)));
    out.push_str(&format!(
        "outcome = {}\n",
        toml_str(extra.published_outcome.as_deref().unwrap_or_default())
    ));
    out.push_str(&format!("decision_date = {}\n", decided_on.unwrap_or(date)));
    // The project complained about, so the site shows the outcome on the project's page; only a
    // code the site can link (the submitter typed it).
    if let Some(project) = case
        .project
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty() && disclosure::routes::is_url_safe(p))
    {
        out.push_str(&format!("project = {}\n", toml_str(project)));
    }
    out.push_str("+++\n");
    let body = case
        .published_decision
        .as_deref()
        .unwrap_or_default()
        .trim();
    out.push_str(&body.replace("\r\n", "\n"));
    out.push('\n');
    out
}

/// The submitter's identifiers a published text must not contain.
fn identifiers(case: &Case) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    if let Some(name) = case.submitter_name.as_deref().map(str::trim) {
        if name.chars().count() >= 2 {
            found.push(("提交人姓名（名称）", name.to_string()));
        }
    }
    if let Some(phone) = case.submitter_phone.as_deref() {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 7 {
            found.push(("提交人电话", digits));
        }
    }
    if let Some(email) = case.submitter_email.as_deref().map(str::trim) {
        if !email.is_empty() {
            found.push(("提交人邮箱", email.to_lowercase()));
        }
    }
    found
}

/// Refuses a result whose file would fail the site's checks or would carry the submitter's
/// identity; the message names what to remove.
pub fn check_publishable(case: &Case, extra: &Extra) -> StaffResult<()> {
    let text = render(case, extra);
    // Judged as a reader reads it (entities resolved, full-width folded, zero-width removed), the
    // same way the site's guard reads it.
    let read = disclosure::guard::Published::of(&text);
    let lower = read.as_str().to_lowercase();
    let digits_only: String = read.as_str().chars().filter(char::is_ascii_digit).collect();
    for (what, value) in identifiers(case) {
        let hit = if what == "提交人电话" {
            digits_only.contains(&value)
        } else {
            lower.contains(&value.to_lowercase())
        };
        if hit {
            return Err(StaffError::Invalid(format!(
                "公开内容中含有{what}，请删除后再公开（公开的处理结果不得包含提交人的个人信息）。"
            )));
        }
    }
    let stem = file_stem(&case.tracking_number);
    disclosure::parse::parse_disclosure(&format!("complaint-results/{stem}.md"), &stem, &text)
        .map_err(|diagnostics| {
            let list = diagnostics
                .iter()
                .map(|d| {
                    if d.field.is_empty() {
                        d.message.clone()
                    } else {
                        format!("{}: {}", d.field, d.message)
                    }
                })
                .collect::<Vec<_>>()
                .join("；");
            StaffError::Invalid(format!("公开内容未通过网站发布检查：{list}"))
        })?;
    Ok(())
}

/// What an export did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Files created or changed.
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
}

/// Writes every published result into `out`; returns how many files were written (new or
/// changed). Records an `exported` audit event when anything was written.
pub async fn export(state: &AppState, out: &Path) -> anyhow::Result<usize> {
    Ok(export_report(state, out).await?.written)
}

/// As [`export`], with the count of files left as they were.
pub async fn export_report(state: &AppState, out: &Path) -> anyhow::Result<ExportReport> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut report = ExportReport::default();
    let mut names = Vec::new();
    for (case, extra) in queries::published(&state.db).await? {
        let stem = file_stem(&case.tracking_number);
        let text = render(&case, &extra);
        // The same check as at publication: a result published before a rule tightened, or
        // edited in the database, must not slip out.
        if let Err(e) = check_publishable(&case, &extra) {
            anyhow::bail!("{}: not exported: {e}", case.tracking_number);
        }
        let path = out.join(format!("{stem}.md"));
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(text.as_bytes()) {
            report.unchanged += 1;
            continue;
        }
        // Write beside, then rename: site-gen never reads half a file.
        let tmp = out.join(format!(".{stem}.md.tmp"));
        std::fs::write(&tmp, text.as_bytes())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        report.written += 1;
        names.push(stem);
    }
    if report.written > 0 {
        let mut tx = state.db.begin().await?;
        audit::append(
            &mut tx,
            None,
            state.clock.now(),
            "system",
            Action::Exported,
            &format!(
                "{} → {}：{}",
                report.written,
                out.display(),
                names.join(", ")
            ),
        )
        .await?;
        tx.commit().await?;
    }
    tracing::info!(
        "export: {} written, {} unchanged, in {}",
        report.written,
        report.unchanged,
        out.display()
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(file_stem("TS-20260414-000003-K"), "ts-20260414-000003");
        for tricky in ["a\"b", "it's", "back\\slash", "'''", "line\nbreak", "+++"] {
            let table: toml::Table = toml::from_str(&format!("x = {}", toml_str(tricky))).unwrap();
            assert_eq!(table["x"].as_str(), Some(tricky));
        }
    }
}
