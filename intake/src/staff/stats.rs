//! Quarterly statistics: `/staff/stats?year=2026&quarter=4` (HTML, with a server-rendered SVG
//! bar chart and tables of the same numbers) and `/staff/stats.json` (the same numbers).
//!
//! Definitions, per department (the department handling the case now):
//! - received: cases received in the quarter (by local date);
//! - concluded (办结): cases concluded in the quarter; on time: concluded on or before the
//!   decision deadline running at the time (pauses for material already added to it);
//!   on-time rate = concluded on time / concluded (none when nothing was concluded);
//! - rejected (不予受理): cases not accepted in the quarter.
//!
//! By kind counts the cases received; by outcome, the decisions taken in the quarter (a
//! conclusion's category, or `not-accepted`). The committee office sees every department; any
//! other department its own numbers only ([`super::access::scope`]).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Json, Response};
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

use crate::tracking::CaseKind;
use crate::AppState;

use super::access::{self, Scope};
use super::error::{finish, StaffError, StaffResult};
use super::pages;
use super::queries;
use super::session::Session;
use super::workflow::{outcome_label, NOT_ACCEPTED, OUTCOMES};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub quarter: u32,
}

impl Quarter {
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            quarter: date.month0() / 3 + 1,
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.quarter - 1) * 3 + 1, 1).expect("valid quarter")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("not the first day ever")
    }

    pub fn next(self) -> Quarter {
        if self.quarter == 4 {
            Quarter {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Quarter {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }

    pub fn previous(self) -> Quarter {
        if self.quarter == 1 {
            Quarter {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Quarter {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }

    pub fn label(self) -> String {
        format!("{}年第{}季度", self.year, self.quarter)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DepartmentStats {
    pub department: String,
    pub name: String,
    pub received: i64,
    pub concluded: i64,
    pub concluded_on_time: i64,
    /// concluded_on_time / concluded; `null` when nothing was concluded.
    pub on_time_rate: Option<f64>,
    pub rejected: i64,
}

impl DepartmentStats {
    fn finish(&mut self) {
        self.on_time_rate =
            (self.concluded > 0).then(|| self.concluded_on_time as f64 / self.concluded as f64);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub year: i32,
    pub quarter: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `all`, or the one department these numbers cover.
    pub scope: String,
    pub by_department: Vec<DepartmentStats>,
    /// Cases received, per kind (`complaint`, `objection`, `report`, `suggestion`).
    pub by_kind: BTreeMap<String, i64>,
    /// Decisions taken, per outcome (the conclusion categories and `not-accepted`).
    pub by_outcome: BTreeMap<String, i64>,
    pub total: DepartmentStats,
}

/// The statistics of `quarter` within `scope`.
pub async fn compute(state: &AppState, scope: &Scope, quarter: Quarter) -> StaffResult<Stats> {
    let (from, to) = (quarter.first_day(), quarter.last_day());
    let counts = queries::quarter_counts(&state.db, scope, from, to).await?;
    let departments = &state.content.departments;
    let mut rows: Vec<DepartmentStats> = departments
        .all()
        .iter()
        .filter(|d| scope.department().is_none_or(|only| only == d.id))
        .map(|d| DepartmentStats {
            department: d.id.clone(),
            name: d.short.clone(),
            ..DepartmentStats::default()
        })
        .collect();
    fn row<'a>(rows: &'a mut Vec<DepartmentStats>, id: &str) -> &'a mut DepartmentStats {
        if let Some(i) = rows.iter().position(|r| r.department == id) {
            return &mut rows[i];
        }
        rows.push(DepartmentStats {
            department: id.to_string(),
            name: id.to_string(),
            ..DepartmentStats::default()
        });
        rows.last_mut().expect("just pushed")
    }
    let mut by_kind: BTreeMap<String, i64> = CaseKind::ALL
        .iter()
        .map(|k| (k.key().to_string(), 0))
        .collect();
    let mut by_outcome: BTreeMap<String, i64> = OUTCOMES
        .iter()
        .chain(std::iter::once(&NOT_ACCEPTED))
        .map(|(k, _)| (k.to_string(), 0))
        .collect();
    for (department, kind, n) in &counts.received {
        row(&mut rows, department).received += n;
        *by_kind.entry(kind.clone()).or_default() += n;
    }
    for c in &counts.closed {
        let r = row(&mut rows, &c.department);
        if c.status == "concluded" {
            r.concluded += c.count;
            r.concluded_on_time += c.on_time;
        } else {
            r.rejected += c.count;
        }
        let outcome = c.outcome.clone().unwrap_or_else(|| {
            if c.status == "rejected" {
                NOT_ACCEPTED.0.to_string()
            } else {
                "unknown".to_string()
            }
        });
        *by_outcome.entry(outcome).or_default() += c.count;
    }
    let mut total = DepartmentStats {
        department: "total".into(),
        name: "合计".into(),
        ..DepartmentStats::default()
    };
    for r in &mut rows {
        r.finish();
        total.received += r.received;
        total.concluded += r.concluded;
        total.concluded_on_time += r.concluded_on_time;
        total.rejected += r.rejected;
    }
    total.finish();
    Ok(Stats {
        year: quarter.year,
        quarter: quarter.quarter,
        from,
        to,
        scope: scope.department().unwrap_or("all").to_string(),
        by_department: rows,
        by_kind,
        by_outcome,
        total,
    })
}

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    year: Option<String>,
    quarter: Option<String>,
}

fn quarter_from(state: &AppState, q: &StatsQuery) -> StaffResult<Quarter> {
    let current = Quarter::of(state.clock.today());
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => current.year,
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| StaffError::Invalid("年份应为 2000 至 2100 之间的数字。".into()))?,
    };
    let quarter = match q
        .quarter
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => current.quarter,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=4).contains(n))
            .ok_or_else(|| StaffError::Invalid("季度应为 1、2、3 或 4。".into()))?,
    };
    Ok(Quarter { year, quarter })
}

pub async fn stats_json(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<StatsQuery>,
) -> Response {
    let result = async {
        let quarter = quarter_from(&state, &q)?;
        let scope = access::scope(&state, &session.staff);
        Ok(Json(compute(&state, &scope, quarter).await?).into_response())
    }
    .await;
    finish(&state, result)
}

pub async fn stats_page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<StatsQuery>,
) -> Response {
    let result = async {
        let quarter = quarter_from(&state, &q)?;
        let scope = access::scope(&state, &session.staff);
        let stats = compute(&state, &scope, quarter).await?;
        Ok(Html(render(&state, &session, quarter, &stats).into_string()).into_response())
    }
    .await;
    finish(&state, result)
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn query(q: Quarter) -> String {
    format!("year={}&quarter={}", q.year, q.quarter)
}

fn render(state: &AppState, session: &Session, quarter: Quarter, s: &Stats) -> Markup {
    let title = format!("{}统计", quarter.label());
    let main = html! {
        (pages::staff_bar(state, session))
        h1 { (title) }
        p.lede {
            (s.from) " 至 " (s.to) "。"
            @if s.scope == "all" { "全部部门。" } @else { "本部门承办的案件。" }
            "按期办结率 = 期限内办结件数 ÷ 办结件数；转办的案件计入现承办部门。"
        }
        nav aria-label="选择季度" {
            form.form method="get" action="/staff/stats" {
                label for="stats-year" { "年份" }
                " "
                input #stats-year type="number" name="year" min="2000" max="2100" value=(quarter.year);
                " "
                label for="stats-quarter" { "季度" }
                " "
                select #stats-quarter name="quarter" {
                    @for n in 1..=4u32 {
                        option value=(n) selected[n == quarter.quarter] { "第" (n) "季度" }
                    }
                }
                " "
                button type="submit" { "查看" }
            }
            p {
                a href={ "/staff/stats?" (query(quarter.previous())) } { "上一季度" }
                " · "
                a href={ "/staff/stats?" (query(quarter.next())) } { "下一季度" }
                " · "
                a href={ "/staff/stats.json?" (query(quarter)) } { "JSON 数据" }
            }
        }
        h2 { "各部门收件与办结" }
        (chart(quarter, s))
        div.table-scroll {
            table {
                caption { (quarter.label()) "各部门办理情况" }
                thead {
                    tr {
                        th scope="col" { "部门" }
                        th.num scope="col" { "收件" }
                        th.num scope="col" { "办结" }
                        th.num scope="col" { "按期办结" }
                        th.num scope="col" { "按期办结率" }
                        th.num scope="col" { "不予受理" }
                    }
                }
                tbody {
                    @for r in s.by_department.iter().chain(std::iter::once(&s.total)) {
                        tr {
                            th scope="row" { (r.name) }
                            td.num { (r.received) }
                            td.num { (r.concluded) }
                            td.num { (r.concluded_on_time) }
                            td.num { (rate(r.on_time_rate)) }
                            td.num { (r.rejected) }
                        }
                    }
                }
            }
        }
        h2 { "按类型（收件）" }
        div.table-scroll {
            table {
                caption.visually-hidden { "按类型统计的收件数" }
                thead { tr { th scope="col" { "类型" } th.num scope="col" { "件数" } } }
                tbody {
                    @for (key, n) in &s.by_kind {
                        tr {
                            th scope="row" { (CaseKind::from_key(key).map(|k| k.label()).unwrap_or(key)) }
                            td.num { (n) }
                        }
                    }
                }
            }
        }
        h2 { "按办理结果（本季度作出的决定）" }
        div.table-scroll {
            table {
                caption.visually-hidden { "按办理结果统计的件数" }
                thead { tr { th scope="col" { "结果" } th.num scope="col" { "件数" } } }
                tbody {
                    @for (key, _) in OUTCOMES.iter().chain(std::iter::once(&NOT_ACCEPTED)) {
                        tr {
                            th scope="row" { (outcome_label(key)) }
                            td.num { (s.by_outcome.get(*key).copied().unwrap_or(0)) }
                        }
                    }
                }
            }
        }
    };
    pages::page(state, &title, main)
}

const BLUE: &str = "#0b4f9c";
const RED: &str = "#a61b1b";

/// A horizontal bar chart: per department, cases received and concluded. The SVG carries its
/// own title and description (read by screen readers); the table below has the same numbers.
fn chart(quarter: Quarter, s: &Stats) -> Markup {
    // 420 wide: legible when a phone scales it down, not huge on a desktop.
    let label_w = 112.0;
    let bar_w = 260.0;
    let row_h = 44.0;
    let top = 36.0;
    let width = label_w + bar_w + 48.0;
    let height = top + row_h * s.by_department.len() as f64 + 8.0;
    let max = s
        .by_department
        .iter()
        .map(|r| r.received.max(r.concluded))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = |n: i64| (n as f64 / max * bar_w).max(if n > 0 { 2.0 } else { 0.0 });
    let desc = s
        .by_department
        .iter()
        .map(|r| {
            format!(
                "{}：收件 {} 件，办结 {} 件",
                r.name, r.received, r.concluded
            )
        })
        .collect::<Vec<_>>()
        .join("；");
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img"
            aria-labelledby="chart-title chart-desc"
            width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } {
            title #chart-title { (quarter.label()) "各部门收件与办结数量" }
            desc #chart-desc { (desc) "。" }
            rect x="0" y="6" width="14" height="14" fill=(BLUE) {}
            text x="20" y="18" font-size="13" fill="#1f1f1f" { "收件" }
            rect x="70" y="6" width="14" height="14" fill=(RED) {}
            text x="90" y="18" font-size="13" fill="#1f1f1f" { "办结" }
            @for (i, r) in s.by_department.iter().enumerate() {
                @let y = top + row_h * i as f64;
                text x=(label_w - 8.0) y=(y + 22.0) font-size="13" text-anchor="end" fill="#1f1f1f" { (r.name) }
                rect x=(label_w) y=(y + 2.0) width=(scale(r.received)) height="16" fill=(BLUE) {}
                text x=(label_w + scale(r.received) + 4.0) y=(y + 15.0) font-size="12" fill="#1f1f1f" { (r.received) }
                rect x=(label_w) y=(y + 20.0) width=(scale(r.concluded)) height="16" fill=(RED) {}
                text x=(label_w + scale(r.concluded) + 4.0) y=(y + 33.0) font-size="12" fill="#1f1f1f" { (r.concluded) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters() {
        let q = Quarter::of("2026-11-05".parse().unwrap());
        assert_eq!(
            q,
            Quarter {
                year: 2026,
                quarter: 4
            }
        );
        assert_eq!(q.first_day().to_string(), "2026-10-01");
        assert_eq!(q.last_day().to_string(), "2026-12-31");
        assert_eq!(
            q.next(),
            Quarter {
                year: 2027,
                quarter: 1
            }
        );
        assert_eq!(
            Quarter {
                year: 2026,
                quarter: 1
            }
            .previous()
            .last_day()
            .to_string(),
            "2025-12-31"
        );
    }
}
