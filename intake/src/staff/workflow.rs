//! The case workflow: which action a case's state allows ([`check`], the state machine), and
//! doing it ([`perform`]): one write transaction reads the case, authorizes the action
//! ([`super::access`]), checks the state, changes the case, appends the audit event and queues
//! the submitter's mail (through the one writer, [`crate::cases::write`]), and commits — all or nothing.
//!
//! ```text
//! received ──accept──▶ accepted ──conclude──▶ concluded ──publish──▶ (published, may be revised)
//!    │  ╲                 │
//!    │   ╲reject──▶ rejected
//!    │ transfer (stays received, another department)
//!    └──────┴── request material ──▶ waiting ──material received──▶ (back where it was)
//! ```
//!
//! A transfer is allowed only before acceptance: once a department accepted a case it is
//! responsible for the decision. The clock keeps running across a transfer (the submission was
//! received by the government on its date); it stops only while waiting for material.

use chrono::NaiveDate;

use crate::audit::Action;
use crate::cases::{self, Case, Change, Status};
use crate::clock::{local_date, stamp};
use crate::AppState;

use super::access::{self, Act};
use super::error::{StaffError, StaffResult};
use super::queries::{self, Extra};
use super::session::Session;

/// The categories a conclusion falls in, for the statistics. `not-accepted` is a rejection's.
pub const OUTCOMES: &[(&str, &str)] = &[
    ("upheld", "成立（已依法处理）"),
    ("partly-upheld", "部分成立"),
    ("dismissed", "不成立（驳回）"),
    ("withdrawn", "撤回（终止处理）"),
    ("answered", "已答复"),
];

pub const NOT_ACCEPTED: (&str, &str) = ("not-accepted", "不予受理");

pub fn outcome_label(key: &str) -> &str {
    OUTCOMES
        .iter()
        .chain(std::iter::once(&NOT_ACCEPTED))
        .find(|(k, _)| *k == key)
        .map(|(_, label)| *label)
        .unwrap_or(key)
}

/// The longest text a staff field takes.
const MAX_TEXT: usize = 20_000;
const MAX_LINE: usize = 200;

/// Whether the case's state allows `act`; the error says why not, in Chinese.
pub fn check(case: &Case, act: Act) -> StaffResult<()> {
    let ok = match act {
        Act::View | Act::Download => true,
        Act::Accept | Act::Reject | Act::Transfer => case.status == Status::Received,
        Act::RequestMaterial => matches!(case.status, Status::Received | Status::Accepted),
        Act::MaterialReceived => case.status == Status::Waiting,
        Act::Conclude => case.status == Status::Accepted,
        Act::Publish => case.status == Status::Concluded,
    };
    if ok {
        return Ok(());
    }
    let needs = match act {
        Act::Accept | Act::Reject | Act::Transfer => "只有“已接收，待受理”的案件可以",
        Act::RequestMaterial => "只有待受理或办理中的案件可以",
        Act::MaterialReceived => "只有“待补充材料”的案件可以",
        Act::Conclude => "只有已受理、办理中的案件可以",
        Act::Publish => "只有已办结的案件可以",
        Act::View | Act::Download => "",
    };
    Err(StaffError::Conflict(format!(
        "{needs}{}；案件 {} 当前状态为“{}”。",
        act.label(),
        case.tracking_number,
        case.status.label()
    )))
}

/// What the member of staff filled in, per action.
#[derive(Debug, Clone)]
pub enum Input {
    Accept {
        note: String,
    },
    Reject {
        reason: String,
    },
    Transfer {
        to: String,
        reason: String,
    },
    RequestMaterial {
        what: String,
    },
    MaterialReceived {
        note: String,
    },
    Conclude {
        outcome: String,
        decision: String,
    },
    Publish {
        title: String,
        outcome: String,
        text: String,
    },
}

impl Input {
    pub fn act(&self) -> Act {
        match self {
            Input::Accept { .. } => Act::Accept,
            Input::Reject { .. } => Act::Reject,
            Input::Transfer { .. } => Act::Transfer,
            Input::RequestMaterial { .. } => Act::RequestMaterial,
            Input::MaterialReceived { .. } => Act::MaterialReceived,
            Input::Conclude { .. } => Act::Conclude,
            Input::Publish { .. } => Act::Publish,
        }
    }
}

/// A required text field: trimmed, not empty, not too long.
fn required(value: &str, field: &str, max: usize) -> StaffResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(StaffError::Invalid(format!("请填写“{field}”。")));
    }
    optional(v, field, max)
}

/// A one-line field: line breaks and runs of white space become one space.
fn one_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn optional(value: &str, field: &str, max: usize) -> StaffResult<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(StaffError::Invalid(format!(
            "“{field}”不能超过 {max} 个字。"
        )));
    }
    Ok(v.to_string())
}

/// Does `input` to the case `number` on behalf of `session`'s member of staff.
pub async fn perform(
    state: &AppState,
    session: &Session,
    number: &str,
    input: Input,
) -> StaffResult<()> {
    let act = input.act();
    let staff = &session.staff;
    let now = state.clock.now();
    let today: NaiveDate = local_date(now);
    let cal = &state.content.calendar;
    let rules = &state.config.deadlines;
    let departments = &state.content.departments;

    let mut tx = state.db.begin().await?;
    let (mut case, _) = access::load_case_in(&mut tx, state, staff, number, act).await?;
    check(&case, act)?;
    let mut extra = queries::extra_in(&mut tx, case.id).await?;

    let (action, note) = match input {
        Input::Accept { note } => {
            let note = optional(&note, "受理意见", MAX_TEXT)?;
            case.accept(cal, rules, today);
            (Action::Accepted, note)
        }
        Input::Reject { reason } => {
            let reason = required(&reason, "不予受理理由", MAX_TEXT)?;
            close(&mut case, &mut extra, Status::Rejected, &reason, now);
            extra.outcome = Some(NOT_ACCEPTED.0.to_string());
            (Action::Rejected, reason)
        }
        Input::Transfer { to, reason } => {
            let reason = required(&reason, "转办理由", MAX_TEXT)?;
            let target = departments
                .get(to.trim())
                .ok_or_else(|| StaffError::Invalid("请选择转入部门。".into()))?;
            if target.id == case.department {
                return Err(StaffError::Invalid(
                    "转入部门与当前承办部门相同，请选择其他部门。".into(),
                ));
            }
            let from = departments
                .get(&case.department)
                .map(|d| d.short.clone())
                .unwrap_or_else(|| case.department.clone());
            let note = format!("由{from}转至{}：{reason}", target.short);
            case.department = target.id.clone();
            case.routing_reason = note.clone();
            (Action::Transferred, note)
        }
        Input::RequestMaterial { what } => {
            let what = required(&what, "需补正的材料", MAX_TEXT)?;
            case.pause(today);
            (Action::MaterialRequested, what)
        }
        Input::MaterialReceived { note } => {
            let note = optional(&note, "说明", MAX_TEXT)?;
            case.resume(cal, rules, today);
            (Action::MaterialReceived, note)
        }
        Input::Conclude { outcome, decision } => {
            let decision = required(&decision, "处理决定", MAX_TEXT)?;
            let outcome = OUTCOMES
                .iter()
                .find(|(k, _)| *k == outcome.trim())
                .ok_or_else(|| StaffError::Invalid("请选择办理结果类别。".into()))?;
            close(&mut case, &mut extra, Status::Concluded, &decision, now);
            extra.outcome = Some(outcome.0.to_string());
            (Action::Concluded, format!("{}。{decision}", outcome.1))
        }
        Input::Publish {
            title,
            outcome,
            text,
        } => {
            let title = required(&one_line(&title), "公开标题", MAX_LINE)?;
            let outcome = required(&one_line(&outcome), "处理结果摘要", MAX_LINE)?;
            let text = required(&text, "公开文本", MAX_TEXT)?;
            if case.published {
                extra.published_updated_on = Some(today);
            } else {
                case.published_at = Some(stamp(now));
            }
            case.published = true;
            case.published_decision = Some(text);
            extra.published_title = Some(title);
            extra.published_outcome = Some(outcome);
            // The page it will become must pass the site's own checks, personal data first.
            super::export::check_publishable(&case, &extra)?;
            (Action::Published, String::new())
        }
    };

    // The staff's own columns (not covered by the audit chain), then the case through the one
    // writer: saved, its event appended, its mail queued.
    queries::save_extra(&mut tx, case.id, &extra).await?;
    let change = Change::new(&staff.username, action, &note);
    cases::write(&mut tx, state, &case, change).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(())
}

fn close(
    case: &mut Case,
    extra: &mut Extra,
    status: Status,
    decision: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    case.status = status;
    case.decision = Some(decision.to_string());
    case.closed_at = Some(stamp(now));
    extra.closed_on = Some(local_date(now));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(outcome_label("dismissed"), "不成立（驳回）");
        assert_eq!(outcome_label("not-accepted"), "不予受理");
        assert_eq!(outcome_label("other"), "other");
    }
}
