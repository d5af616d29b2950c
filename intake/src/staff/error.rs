//! What goes wrong on the staff side, as a member of staff sees it: a page in the site's theme
//! with a clear message in Chinese and the right status (a forged form is 403, a case of another
//! department 404, an action the case's state does not allow 409, a missing reason 422). The
//! details of server errors go to the log, never to the page.
//!
//! Staff pages answer HTML, the core's [`crate::Error`] answers JSON for the public API; this
//! type wraps the core's error and renders both kinds as a page. Rendering needs the site
//! configuration, so handlers turn an error into a response with [`respond`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use crate::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Core(#[from] crate::Error),
    /// No session: off to the sign-in page.
    #[error("sign-in required")]
    SignInRequired,
    /// The session ran out (idle or absolute timeout): off to the sign-in page, saying so.
    #[error("session expired")]
    SessionExpired,
    /// The CSRF token is missing or wrong, or the request came from another site.
    #[error("csrf check failed: {0}")]
    Csrf(&'static str),
    /// Allowed to see the case, not to do this to it; the message (Chinese) says why.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// No such case.
    #[error("case not found")]
    NotFound,
    /// A case of another department: answered exactly as [`StaffError::NotFound`] (the
    /// department must not learn that it exists), but logged and counted as a refusal.
    #[error("case of another department")]
    OtherDepartment,
    /// A supervision signal about no project of the department: answered as not found, counted
    /// as a refusal like [`StaffError::OtherDepartment`].
    #[error("signal about another department's projects")]
    SignalElsewhere,
    /// The case's state does not allow the action; the message (Chinese) says why.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A form field is missing or wrong; the message (Chinese) names it.
    #[error("invalid form: {0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

pub type StaffResult<T> = Result<T, StaffError>;

impl StaffError {
    pub fn internal(e: impl std::fmt::Display) -> StaffError {
        StaffError::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            StaffError::Core(e) => e.status(),
            StaffError::SignInRequired | StaffError::SessionExpired => StatusCode::SEE_OTHER,
            StaffError::Csrf(_) | StaffError::Forbidden(_) => StatusCode::FORBIDDEN,
            StaffError::NotFound | StaffError::OtherDepartment | StaffError::SignalElsewhere => {
                StatusCode::NOT_FOUND
            }
            StaffError::Conflict(_) => StatusCode::CONFLICT,
            StaffError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StaffError::Db(_) | StaffError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The heading and the message of the error page.
    fn heading_and_message(&self) -> (&'static str, String) {
        match self {
            StaffError::Core(crate::Error::RateLimited { retry_after_secs }) => (
                "请求过于频繁",
                format!("请 {retry_after_secs} 秒后再试。"),
            ),
            StaffError::Core(e) if e.status().is_server_error() => {
                ("服务暂时不可用", "服务暂时不可用，请稍后重试。".into())
            }
            StaffError::Core(e) => ("请求未能完成", e.public_message()),
            StaffError::SignInRequired | StaffError::SessionExpired => ("请先登录", String::new()),
            StaffError::Csrf(_) => (
                "表单校验失败",
                "表单校验失败：页面可能已过期，或请求并非从本系统页面提交。请返回上一页，刷新后重新操作。"
                    .into(),
            ),
            StaffError::Forbidden(why) => ("无权进行此操作", (*why).to_string()),
            StaffError::NotFound | StaffError::OtherDepartment => {
                ("未找到", "未找到该案件，或该案件不由您的部门办理。".into())
            }
            StaffError::SignalElsewhere => (
                "未找到",
                "未找到该风险提示，或其不涉及您部门监督的项目。".into(),
            ),
            StaffError::Conflict(why) => ("无法进行此操作", why.clone()),
            StaffError::Invalid(why) => ("请补充或更正填写内容", why.clone()),
            StaffError::Db(_) | StaffError::Internal(_) => {
                ("服务暂时不可用", "服务暂时不可用，操作未完成，请稍后重试。".into())
            }
        }
    }
}

/// What kind of refusal a response is (attached to it as an extension, so that
/// [`super::refusals::watch`] logs and counts it with the request it answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A case of another department (answered as not found).
    OtherDepartment,
    /// Allowed to see the case, not to do this (the committee office's handling steps, a
    /// report's attachments).
    Forbidden,
    /// A forged or cross-site form.
    Csrf,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::OtherDepartment => "other_department",
            Refusal::Forbidden => "forbidden",
            Refusal::Csrf => "csrf",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Refusal::OtherDepartment => "访问其他部门的案件",
            Refusal::Forbidden => "无权进行的操作",
            Refusal::Csrf => "表单校验失败",
        }
    }

    pub fn from_key(key: &str) -> Option<Refusal> {
        [Refusal::OtherDepartment, Refusal::Forbidden, Refusal::Csrf]
            .into_iter()
            .find(|r| r.key() == key)
    }
}

impl StaffError {
    /// The refusal this error is, if it is one.
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            StaffError::OtherDepartment | StaffError::SignalElsewhere => {
                Some(Refusal::OtherDepartment)
            }
            StaffError::Forbidden(_) => Some(Refusal::Forbidden),
            StaffError::Csrf(_) => Some(Refusal::Csrf),
            _ => None,
        }
    }
}

/// The response for an error: a redirect to the sign-in page, or an error page.
pub fn respond(state: &AppState, error: StaffError) -> Response {
    match &error {
        StaffError::SignInRequired => return Redirect::to("/staff/login").into_response(),
        StaffError::SessionExpired => {
            return Redirect::to("/staff/login?expired=1").into_response()
        }
        _ => {}
    }
    let status = error.status();
    if status.is_server_error() {
        tracing::error!("staff: {error}");
    } else {
        tracing::debug!("staff: {error}");
    }
    let (heading, message) = error.heading_and_message();
    let main = html! {
        section.staff-error aria-labelledby="error-heading" {
            h1 #error-heading { (heading) }
            p role="alert" { (message) }
            p { a href="/staff/" { "返回案件列表" } }
        }
    };
    let page = super::pages::page(state, heading, main);
    let mut response = (status, Html(page.into_string())).into_response();
    if let Some(refusal) = error.refusal() {
        response.extensions_mut().insert(refusal);
    }
    if let StaffError::Core(crate::Error::RateLimited { retry_after_secs }) = error {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after_secs.max(1)),
        );
    }
    response
}

/// Turns a handler's result into its response.
pub fn finish(state: &AppState, result: StaffResult<Response>) -> Response {
    result.unwrap_or_else(|e| respond(state, e))
}
