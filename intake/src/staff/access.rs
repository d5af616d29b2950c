//! Department scoping, in one place: [`authorize`] decides what a member of staff may do to a
//! case, [`scope`] which cases a list or a statistic covers. Every staff handler reaches a case
//! only through [`load_case`] / [`load_case_in`], which call [`authorize`].
//!
//! The rules:
//! - A case belongs to one department at a time (`cases.department`, changed only by a transfer).
//! - The handling department may see the case and do everything the case's state allows.
//! - The committee office (the fallback department in `departments.toml`, 公管办) supervises:
//!   it sees every case and may transfer any of them (to take it over or send it where it
//!   belongs); the handling steps (accept, reject, ask for material, conclude, publish) stay with
//!   the handling department, so the office gets 403 for them on another department's case.
//! - Any other department gets 404 for a case that is not its own, so it cannot even learn that
//!   the tracking number exists.
//! - A reporter's identity (name, phone, email of a 举报) is shown only to the department handling
//!   the case, the committee office included only when it handles it; and since attachments of a
//!   report may name the reporter, only the handling department may download them. A complainant
//!   (投诉) or objector (异议) must be identified by law and is shown to the office too.
//! - Supervision signals ([`authorize_signal`]): the committee office sees every signal; a
//!   department sees the signals about its projects — each of the signal's projects goes where
//!   [`crate::routing::route`] sends a complaint about it (its supervising department, else its
//!   category's), so a company-level signal (陪标, 标王, 抱团) reaches every department
//!   supervising one of the tenders behind it. Any other signal is answered as not found, and
//!   left out of lists.

use crate::cases::{self, Case};
use crate::db::Tx;
use crate::tracking::{CaseKind, TrackingNumber};
use crate::AppState;

use super::accounts::StaffMember;
use super::error::{StaffError, StaffResult};

/// What a member of staff does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    View,
    /// Download an attachment.
    Download,
    Accept,
    Reject,
    Transfer,
    RequestMaterial,
    MaterialReceived,
    Conclude,
    Publish,
}

impl Act {
    pub const ALL: [Act; 9] = [
        Act::View,
        Act::Download,
        Act::Accept,
        Act::Reject,
        Act::Transfer,
        Act::RequestMaterial,
        Act::MaterialReceived,
        Act::Conclude,
        Act::Publish,
    ];

    /// The actions that change a case (each a form on the case page).
    pub const CHANGES: [Act; 7] = [
        Act::Accept,
        Act::Reject,
        Act::Transfer,
        Act::RequestMaterial,
        Act::MaterialReceived,
        Act::Conclude,
        Act::Publish,
    ];

    /// The last segment of the action's URL, `/staff/cases/<number>/<path>`.
    pub fn path(self) -> &'static str {
        match self {
            Act::View => "",
            Act::Download => "attachments",
            Act::Accept => "accept",
            Act::Reject => "reject",
            Act::Transfer => "transfer",
            Act::RequestMaterial => "request-material",
            Act::MaterialReceived => "material-received",
            Act::Conclude => "conclude",
            Act::Publish => "publish",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Act::View => "查阅",
            Act::Download => "下载附件",
            Act::Accept => "受理",
            Act::Reject => "不予受理",
            Act::Transfer => "转办",
            Act::RequestMaterial => "要求补正材料",
            Act::MaterialReceived => "收到补正材料",
            Act::Conclude => "办结",
            Act::Publish => "公开处理结果",
        }
    }
}

/// Which cases a list or a statistic covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The committee office: every case.
    All,
    /// A department: its own cases.
    Department(String),
}

impl Scope {
    /// The department filter for a query (`None`: all).
    pub fn department(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::Department(d) => Some(d),
        }
    }
}

/// What the member of staff may see of a case they are allowed to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Their department handles the case.
    pub handling: bool,
    /// The submitter's name, phone and email may be shown.
    pub show_identity: bool,
}

pub fn is_office(state: &AppState, staff: &StaffMember) -> bool {
    staff.department == state.content.departments.fallback().id
}

pub fn scope(state: &AppState, staff: &StaffMember) -> Scope {
    if is_office(state, staff) {
        Scope::All
    } else {
        Scope::Department(staff.department.clone())
    }
}

/// The one authorization decision: may `staff` do `act` to `case`?
pub fn authorize(
    state: &AppState,
    staff: &StaffMember,
    case: &Case,
    act: Act,
) -> StaffResult<Access> {
    let handling = staff.department == case.department;
    let office = is_office(state, staff);
    if !handling && !office {
        return Err(StaffError::OtherDepartment);
    }
    let is_report = case.kind == CaseKind::Report;
    let access = Access {
        handling,
        show_identity: handling || !is_report,
    };
    if handling {
        return Ok(access);
    }
    match act {
        Act::View | Act::Transfer => Ok(access),
        Act::Download if !is_report => Ok(access),
        Act::Download => Err(StaffError::Forbidden(
            "举报件的附件可能包含举报人信息，仅承办部门可以下载。",
        )),
        _ => Err(StaffError::Forbidden(
            "此案件由其他部门承办，只有承办部门可以办理；公管办可以查阅、转办和督办。",
        )),
    }
}

/// The departments a supervision signal is about: where each of its projects is routed, by the
/// project's supervising department, else by the signal's categories (a project intake's
/// content does not know yet, e.g. one published after it started).
pub fn signal_departments(
    state: &AppState,
    projects: &[String],
    categories: &[disclosure::Category],
) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for p in projects {
        if state.content.projects.contains_key(p) {
            out.insert(crate::routing::route(&state.content, Some(p), None).department);
        } else {
            for c in categories {
                out.insert(crate::routing::route(&state.content, None, Some(*c)).department);
            }
        }
    }
    if out.is_empty() {
        for c in categories {
            out.insert(crate::routing::route(&state.content, None, Some(*c)).department);
        }
    }
    out
}

/// The one decision for supervision signals: may `staff` see a signal about `projects` in
/// `categories`? The office: always; a department: when it is one of the signal's departments.
pub fn authorize_signal(
    state: &AppState,
    staff: &StaffMember,
    projects: &[String],
    categories: &[disclosure::Category],
) -> StaffResult<()> {
    if is_office(state, staff)
        || signal_departments(state, projects, categories).contains(&staff.department)
    {
        Ok(())
    } else {
        Err(StaffError::SignalElsewhere)
    }
}

/// The canonical tracking number from a URL segment, or 404.
fn canonical(number: &str) -> StaffResult<String> {
    number
        .parse::<TrackingNumber>()
        .map(|n| n.to_string())
        .map_err(|_| StaffError::NotFound)
}

/// Reads a case for `act`, authorized.
pub async fn load_case(
    state: &AppState,
    staff: &StaffMember,
    number: &str,
    act: Act,
) -> StaffResult<(Case, Access)> {
    let number = canonical(number)?;
    let case = cases::find_by_number(&state.db, &number)
        .await?
        .ok_or(StaffError::NotFound)?;
    let access = authorize(state, staff, &case, act)?;
    Ok((case, access))
}

/// Reads a case for `act` inside a write transaction (to change it), authorized.
pub async fn load_case_in(
    tx: &mut Tx,
    state: &AppState,
    staff: &StaffMember,
    number: &str,
    act: Act,
) -> StaffResult<(Case, Access)> {
    let number = canonical(number)?;
    let case = cases::find_by_number_in(tx, &number)
        .await?
        .ok_or(StaffError::NotFound)?;
    let access = authorize(state, staff, &case, act)?;
    Ok((case, access))
}
