//! The handlers of the signed-in staff pages: the case list, the case page (every view is an
//! audit event), attachment downloads (authorized staff only, always as a download), and the
//! workflow actions (through [`super::workflow::perform`]).
//!
//! Each handler reaches a case only through [`super::access::load_case`] and gets forms only
//! through [`Posted`] (session + CSRF), so scoping and CSRF have one place each.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::audit::{self, Action};
use crate::cases;
use crate::AppState;

use super::access::{self, Act};
use super::error::{finish, StaffError, StaffResult};
use super::pages::{self, CaseView};
use super::queries::{self, StatusFilter};
use super::session::{Posted, Session};
use super::workflow::{self, Input};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    page: Option<i64>,
}

pub async fn case_list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Response {
    let result = async {
        let filter = StatusFilter::from_key(&q.status)
            .ok_or(StaffError::Invalid("未知的状态筛选条件。".into()))?;
        let page = q.page.unwrap_or(1).max(1) - 1;
        let scope = access::scope(&state, &session.staff);
        let today = state.clock.today();
        let listing = queries::list(&state.db, &scope, filter, today, page).await?;
        let all = scope == access::Scope::All;
        let markup = pages::list(&state, &session, filter, &listing, page, all);
        Ok(Html(markup.into_string()).into_response())
    }
    .await;
    finish(&state, result)
}

pub async fn case_page(
    State(state): State<AppState>,
    session: Session,
    Path(number): Path<String>,
) -> Response {
    let result = async {
        let (case, access) = access::load_case(&state, &session.staff, &number, Act::View).await?;
        // The view is on record before anything is shown.
        let mut tx = state.db.begin().await?;
        let note = if case.kind == crate::tracking::CaseKind::Report && !case.is_anonymous() {
            if access.show_identity {
                "查阅（含举报人身份信息）"
            } else {
                "查阅（举报人身份信息未显示）"
            }
        } else {
            "查阅"
        };
        audit::append(
            &mut tx,
            Some(case.id),
            state.clock.now(),
            &session.staff.username,
            Action::Viewed,
            note,
        )
        .await?;
        tx.commit().await?;

        let extra = queries::extra(&state.db, case.id).await?;
        let attachments = cases::attachments(&state.db, case.id).await?;
        let events = audit::for_case(&state.db, case.id).await?;
        let may_download = access::authorize(&state, &session.staff, &case, Act::Download).is_ok();
        let actions = Act::CHANGES
            .into_iter()
            .filter(|act| access::authorize(&state, &session.staff, &case, *act).is_ok())
            .filter(|act| workflow::check(&case, *act).is_ok())
            .collect();
        let view = CaseView {
            case: &case,
            extra: &extra,
            access,
            attachments: &attachments,
            may_download,
            events: &events,
            actions,
            today: state.clock.today(),
        };
        Ok(Html(pages::case(&state, &session, &view).into_string()).into_response())
    }
    .await;
    finish(&state, result)
}

pub async fn attachment(
    State(state): State<AppState>,
    session: Session,
    Path((number, id)): Path<(String, i64)>,
) -> Response {
    let result = async {
        let (case, _) = access::load_case(&state, &session.staff, &number, Act::Download).await?;
        let file = cases::attachments(&state.db, case.id)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(StaffError::NotFound)?;
        // Stored paths are written by intake itself; refuse anything that could leave the folder.
        let relative = std::path::Path::new(&file.stored_path);
        if relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(StaffError::internal(format!(
                "attachment {} has an unsafe stored path",
                file.id
            )));
        }
        let bytes = tokio::fs::read(state.attachments_dir.join(relative))
            .await
            .map_err(|e| StaffError::internal(format!("attachment {}: {e}", file.id)))?;
        let mut tx = state.db.begin().await?;
        audit::append(
            &mut tx,
            Some(case.id),
            state.clock.now(),
            &session.staff.username,
            Action::AttachmentViewed,
            &file.file_name,
        )
        .await?;
        tx.commit().await?;
        let mut response = bytes.into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&file.content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        h.insert(
            header::CONTENT_DISPOSITION,
            content_disposition(&file.file_name),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        Ok(response)
    }
    .await;
    finish(&state, result)
}

/// `attachment` with the name in RFC 5987 form (UTF-8, percent-encoded) and an ASCII fallback.
fn content_disposition(name: &str) -> HeaderValue {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let ext = std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| e.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"attachment{ext}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

/// Every field any action form has; each action reads its own.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

fn input_for(act: Act, f: ActionForm) -> Option<Input> {
    Some(match act {
        Act::Accept => Input::Accept { note: f.note },
        Act::Reject => Input::Reject { reason: f.reason },
        Act::Transfer => Input::Transfer {
            to: f.to,
            reason: f.reason,
        },
        Act::RequestMaterial => Input::RequestMaterial { what: f.what },
        Act::MaterialReceived => Input::MaterialReceived { note: f.note },
        Act::Conclude => Input::Conclude {
            outcome: f.outcome,
            decision: f.decision,
        },
        Act::Publish => Input::Publish {
            title: f.title,
            outcome: f.outcome,
            text: f.text,
        },
        Act::View | Act::Download => return None,
    })
}

pub async fn action(
    State(state): State<AppState>,
    Path((number, action)): Path<(String, String)>,
    posted: Posted<ActionForm>,
) -> Response {
    let result: StaffResult<Response> = async {
        let act = Act::CHANGES
            .into_iter()
            .find(|a| a.path() == action)
            .ok_or(StaffError::NotFound)?;
        let input = input_for(act, posted.form).ok_or(StaffError::NotFound)?;
        workflow::perform(&state, &posted.session, &number, input).await?;
        let canonical = number
            .parse::<crate::tracking::TrackingNumber>()
            .map(|n| n.to_string())
            .unwrap_or(number);
        // After a transfer the case may no longer be this department's to see.
        let to = if act == Act::Transfer {
            "/staff/".to_string()
        } else {
            format!("/staff/cases/{canonical}")
        };
        Ok(Redirect::to(&to).into_response())
    }
    .await;
    finish(&state, result)
}
