//! The mail a change to a case causes, as text: the handling department's notice, the
//! submitter's progress message, the committee office's overdue notice. [`super::write`]
//! decides which is sent; nothing here writes.

use super::{Case, Status};
use crate::audit::Action;
use crate::mail::Outgoing;
use crate::AppState;

/// The message to the handling department: no personal data and no case text, which stay on
/// the staff pages behind sign-in.
pub fn department_mail(state: &AppState, case: &Case) -> Outgoing {
    let recipient = state
        .content
        .departments
        .get(&case.department)
        .unwrap_or_else(|| state.content.departments.fallback())
        .email
        .clone();
    let deadline = case
        .current_deadline()
        .map(|d| format!("{d}（{}）", case.rule_name().basis()))
        .unwrap_or_else(|| "—".into());
    let body = format!(
        "您部门收到一件{kind}，请登录工作平台办理。\n\n受理编号：{number}\n类型：{kind}\n标题：{title}\n\
         项目编号：{project}\n分派理由：{reason}\n接收时间：{received}\n当前期限：{deadline}\n\n{base}/staff/cases/{number}\n",
        kind = case.kind.label(),
        number = case.tracking_number,
        title = case.title,
        project = case.project.as_deref().unwrap_or("—"),
        reason = case.routing_reason,
        received = crate::clock::display_stamp(&case.received_at),
        base = state.content.site.base_url,
    );
    Outgoing {
        case_id: Some(case.id),
        recipient,
        subject: format!(
            "【新{}】{} {}",
            case.kind.label(),
            case.tracking_number,
            case.title_short()
        ),
        body,
    }
}

/// The message to the submitter about a change.
pub fn submitter_mail(
    state: &AppState,
    case: &Case,
    action: Action,
    note: &str,
    email: &str,
) -> Outgoing {
    let deadline = match (case.status, case.current_deadline()) {
        (Status::Waiting, _) => "暂停计时，收到补充材料后恢复".to_string(),
        (_, Some(d)) => d.to_string(),
        (_, None) => "—".to_string(),
    };
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("说明：{note}\n")
    };
    let body = format!(
        "您提交的{kind}（受理编号 {number}）有新的办理进展：{label}。\n{note}当前状态：{status}\n\
         承办部门：{department}\n办理期限：{deadline}\n\n查询办理进度：{base}/track（需输入受理编号和查询密码）\n",
        kind = case.kind.label(),
        number = case.tracking_number,
        label = action.label(),
        status = case.status.label(),
        department = state.content.departments.name(&case.department),
        base = state.content.site.base_url,
    );
    Outgoing {
        case_id: Some(case.id),
        recipient: email.to_string(),
        subject: format!(
            "您的{} {} 办理进展：{}",
            case.kind.label(),
            case.tracking_number,
            action.label()
        ),
        body,
    }
}

/// To the committee office and the handling department (once, if they share an address): the
/// case went past its deadline `case.current_deadline()` without being closed.
pub fn escalation_mails(state: &AppState, case: &Case) -> Vec<Outgoing> {
    let office = state.content.departments.fallback();
    let deadline = case
        .current_deadline()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let department = state.content.departments.name(&case.department);
    let body = format!(
        "{}（{}）已超过办理期限 {deadline}，尚未办结。\n承办部门：{department}\n请督办。\n\n{}/staff/cases/{}\n",
        case.tracking_number,
        case.kind.label(),
        state.content.site.base_url,
        case.tracking_number,
    );
    let subject = format!(
        "【超期督办】{} {}",
        case.tracking_number,
        case.title_short()
    );
    let mut recipients = vec![office.email.clone()];
    if let Some(d) = state.content.departments.get(&case.department) {
        if d.email != office.email {
            recipients.push(d.email.clone());
        }
    }
    recipients
        .into_iter()
        .map(|recipient| Outgoing {
            case_id: Some(case.id),
            recipient,
            subject: subject.clone(),
            body: body.clone(),
        })
        .collect()
}
