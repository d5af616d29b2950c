//! The one error type of the intake server, and the one shape every error of the public side
//! answers in. The client gets a fixed, clear message in Chinese and the right status; the
//! details (SQL, SMTP, I/O) go to the log, never to the client.
//!
//! The shape: `{"error":"<中文说明>"}`, with `"errors":{"<field>":"<中文>"}` when fields are to
//! blame (a body that cannot be read at all is the field `body`), at most [`MAX_LISTED`] of them
//! and `"omitted":N` for the rest, so that a request naming 20,000 unknown keys gets a small
//! answer. [`uniform_errors`] puts what axum and tower answer by themselves (a wrong method, a
//! timeout, a rejection in plain English) into the same shape.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Field name → message in Chinese, as the JSON API and the form show them.
pub type FieldErrors = BTreeMap<String, String>;

/// How many field errors an answer lists; the rest are counted in `omitted`.
pub const MAX_LISTED: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid fields: {} field(s)", .0.len())]
    Invalid(FieldErrors),
    /// The body could not be read as what the route takes; the message (Chinese) says why.
    #[error("malformed body: {0}")]
    Malformed(&'static str),
    #[error("not found")]
    NotFound,
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// A form (with attachments) over its whole-body limit.
    #[error("request body too large")]
    TooLarge,
    /// A text body over its limit, in KiB.
    #[error("request body over {limit_kib} KiB")]
    BodyTooLarge { limit_kib: usize },
    /// The route takes another content type; the message (Chinese) names it.
    #[error("unsupported content type, expected {0}")]
    UnsupportedMediaType(&'static str),
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn internal(e: impl std::fmt::Display) -> Error {
        Error::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Malformed(_) => StatusCode::BAD_REQUEST,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::TooLarge | Error::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Db(_) | Error::Io(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message the client sees (one line; the fields, if any, are listed apart).
    pub fn public_message(&self) -> String {
        match self {
            Error::Invalid(fields) => format!("提交未成功：有 {} 处需要修改", fields.len()),
            Error::Malformed(why) => format!("请求有误：{why}"),
            Error::NotFound => "未找到".into(),
            Error::RateLimited { retry_after_secs } => {
                format!("请求过于频繁，请 {retry_after_secs} 秒后再试")
            }
            Error::TooLarge => "提交的内容过大（附件数量或大小超过上限）".into(),
            Error::BodyTooLarge { limit_kib } => {
                format!("提交的内容过大：请求体不能超过 {limit_kib} KB")
            }
            Error::UnsupportedMediaType(expected) => {
                format!("不支持的内容类型：请以 {expected} 提交")
            }
            Error::Unauthorized => "请先登录".into(),
            Error::Forbidden(_) => "无权进行此操作".into(),
            Error::Db(_) | Error::Io(_) | Error::Internal(_) => {
                "服务暂时不可用，您的提交未被接收，请稍后重试".into()
            }
        }
    }

    /// The fields to blame, if any: a body that cannot be read at all is the field `body`.
    fn fields(&self) -> Option<FieldErrors> {
        let body = |m: String| Some(FieldErrors::from([("body".to_string(), m)]));
        match self {
            Error::Invalid(fields) => Some(fields.clone()),
            Error::Malformed(why) => body((*why).to_string()),
            Error::BodyTooLarge { .. } | Error::UnsupportedMediaType(_) => {
                body(self.public_message())
            }
            _ => None,
        }
    }
}

/// The JSON body of an error: `{"error", "errors"?, "omitted"?}`.
pub fn body(message: &str, fields: Option<&FieldErrors>) -> serde_json::Value {
    let mut body = serde_json::json!({ "error": message });
    if let Some(fields) = fields {
        let listed: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .take(MAX_LISTED)
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        body["errors"] = listed.into();
        if fields.len() > MAX_LISTED {
            body["omitted"] = (fields.len() - MAX_LISTED).into();
        }
    }
    body
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!("{self}");
        } else {
            tracing::debug!("{self}");
        }
        let body = body(&self.public_message(), self.fields().as_ref());
        let mut response = (status, axum::Json(body)).into_response();
        if let Error::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

/// The message for an error status that the framework answered by itself.
fn status_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "请求有误",
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::METHOD_NOT_ALLOWED => "不支持该请求方法",
        StatusCode::REQUEST_TIMEOUT => "请求超时，请重试",
        StatusCode::LENGTH_REQUIRED => "请求缺少长度",
        StatusCode::PAYLOAD_TOO_LARGE => "提交的内容过大",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "不支持的内容类型",
        StatusCode::UNPROCESSABLE_ENTITY => "请求内容有误",
        StatusCode::TOO_MANY_REQUESTS => "请求过于频繁，请稍后再试",
        s if s.is_server_error() => "服务暂时不可用，请稍后重试",
        _ => "请求未能完成",
    }
}

/// Middleware: an error answer of the public side that is neither JSON nor a page (axum's
/// rejections are English plain text, a timeout or a wrong method has no body) gets the JSON
/// shape with a Chinese message; its status and headers (`Allow`, `Retry-After`) stay. Staff
/// pages answer their own error pages and are left alone.
pub async fn uniform_errors(request: Request, next: Next) -> Response {
    let staff = request.uri().path().starts_with("/staff");
    let response = next.run(request).await;
    let status = response.status();
    if staff || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let typed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/html"));
    if typed {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    tracing::debug!("framework answered {status}; sent in the JSON error shape");
    let json = body(status_message(status), None).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(json))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_capped() {
        let fields: FieldErrors = (0..1000)
            .map(|i| (format!("k{i:04}"), "未知字段".to_string()))
            .collect();
        let v = body("x", Some(&fields));
        assert_eq!(v["errors"].as_object().unwrap().len(), MAX_LISTED);
        assert_eq!(v["omitted"], 1000 - MAX_LISTED);
        let few = FieldErrors::from([("title".to_string(), "请填写标题".to_string())]);
        let v = body("x", Some(&few));
        assert!(v.get("omitted").is_none());
        assert_eq!(v["errors"]["title"], "请填写标题");
    }
}
