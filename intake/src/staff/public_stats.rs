//! The anonymous handling statistics that `intake export` writes into the content folder for the
//! public page `/complaint-results/statistics/` (the seed's 投诉举报案件定期统计分析, fed back to the
//! public).
//!
//! Per department (handling the case now) and quarter:
//! - received: cases received in the quarter;
//! - concluded (办结): cases concluded in the quarter, and of those concluded on time (on or
//!   before the decision deadline running then);
//! - overdue: cases concluded late in the quarter, and cases still open (not waiting for material)
//!   whose deadline passed in the quarter;
//! - median working days from receipt to conclusion (`calendar.toml`), over the cases concluded.
//!
//! Nothing in it may identify a submitter: no case number, text, kind or date finer than the
//! quarter leaves, a count of 1 or 2 is published as `null` ("fewer than 3", [`MIN_CELL`]), and a
//! median only over at least 3 cases. site-gen refuses a file that breaks these rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use crate::clock::{local_date, parse_stamp};
use crate::AppState;

use super::stats::Quarter;

/// The file in the content folder.
pub const FILE: &str = "complaint-statistics.json";
/// The smallest count published; smaller non-zero counts are `null`.
pub const MIN_CELL: i64 = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicStats {
    pub generated: NaiveDate,
    pub min_cell: i64,
    pub rows: Vec<PublicRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicRow {
    pub department: String,
    /// `2026-Q3`.
    pub quarter: String,
    pub received: Option<i64>,
    pub concluded: Option<i64>,
    pub on_time: Option<i64>,
    pub overdue: Option<i64>,
    pub median_working_days: Option<f64>,
}

#[derive(Default)]
struct Tally {
    received: i64,
    concluded: i64,
    on_time: i64,
    overdue: i64,
    days: Vec<u32>,
}

fn cell(n: i64) -> Option<i64> {
    (n == 0 || n >= MIN_CELL).then_some(n)
}

fn median(days: &mut [u32]) -> Option<f64> {
    if (days.len() as i64) < MIN_CELL {
        return None;
    }
    days.sort_unstable();
    let n = days.len();
    Some(if n % 2 == 1 {
        f64::from(days[n / 2])
    } else {
        (f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0
    })
}

fn key(q: Quarter) -> String {
    format!("{}-Q{}", q.year, q.quarter)
}

/// The statistics of every quarter with cases, up to `today`.
pub async fn compute(state: &AppState, today: NaiveDate) -> anyhow::Result<PublicStats> {
    let rows = sqlx::query(
        "SELECT department, received_on, status, closed_at, decide_deadline FROM cases",
    )
    .fetch_all(state.db.reader())
    .await?;
    let calendar = &state.content.calendar;
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for row in rows {
        let department: String = row.try_get("department")?;
        let received: String = row.try_get("received_on")?;
        let status: String = row.try_get("status")?;
        let closed: Option<String> = row.try_get("closed_at")?;
        let deadline: Option<String> = row.try_get("decide_deadline")?;
        let Ok(received) = received.parse::<NaiveDate>() else {
            continue;
        };
        let deadline = deadline.and_then(|d| d.parse::<NaiveDate>().ok());
        fn tally<'a>(
            tallies: &'a mut BTreeMap<(String, String), Tally>,
            department: &str,
            q: Quarter,
        ) -> &'a mut Tally {
            tallies.entry((department.to_string(), key(q))).or_default()
        }
        tally(&mut tallies, &department, Quarter::of(received)).received += 1;
        let closed_on = closed.as_deref().and_then(parse_stamp).map(local_date);
        match (status.as_str(), closed_on) {
            ("concluded", Some(on)) => {
                let t = tally(&mut tallies, &department, Quarter::of(on));
                t.concluded += 1;
                if deadline.is_some_and(|d| on <= d) {
                    t.on_time += 1;
                } else {
                    t.overdue += 1;
                }
                // Working days only where the calendar knows the holidays.
                if let Ok(days) = calendar.working_days_between(received, on) {
                    t.days.push(days);
                }
            }
            ("received" | "accepted", _) => {
                if let Some(d) = deadline.filter(|d| *d < today) {
                    tally(&mut tallies, &department, Quarter::of(d)).overdue += 1;
                }
            }
            _ => {}
        }
    }
    let order: Vec<&str> = state
        .content
        .departments
        .all()
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    let mut rows: Vec<PublicRow> = tallies
        .into_iter()
        .map(|((department, quarter), mut t)| PublicRow {
            department,
            quarter,
            received: cell(t.received),
            concluded: cell(t.concluded),
            on_time: cell(t.on_time),
            overdue: cell(t.overdue),
            median_working_days: median(&mut t.days),
        })
        .collect();
    rows.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.quarter.clone()),
            order
                .iter()
                .position(|d| *d == r.department)
                .unwrap_or(usize::MAX),
        )
    });
    Ok(PublicStats {
        generated: today,
        min_cell: MIN_CELL,
        rows,
    })
}

/// Writes the statistics to `content/complaint-statistics.json` (beside, then renamed).
pub async fn write(
    state: &AppState,
    content: &Path,
    today: NaiveDate,
) -> anyhow::Result<(PathBuf, PublicStats)> {
    let stats = compute(state, today).await?;
    let path = content.join(FILE);
    let mut json = serde_json::to_string_pretty(&stats)?;
    json.push('\n');
    let tmp = content.join(format!(".{FILE}.tmp"));
    std::fs::write(&tmp, json).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok((path, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_withheld() {
        assert_eq!(cell(0), Some(0));
        assert_eq!(cell(1), None);
        assert_eq!(cell(2), None);
        assert_eq!(cell(3), Some(3));
        assert_eq!(median(&mut [4, 1]), None);
        assert_eq!(median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(median(&mut [9, 1, 4, 6]), Some(5.0));
    }
}
