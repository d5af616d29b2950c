//! What can go wrong in a request, and what the client is told: a fixed, clear message and a
//! status. Details of internal failures go to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A request the service refuses; the message is shown to the user as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadRequest {
    #[error("请输入检索词")]
    Empty,
    #[error("检索词过长：最多 200 个字")]
    QueryTooLong,
    #[error("请求参数过长")]
    TooLong,
    #[error("检索词过多：最多 10 个词")]
    TooManyWords,
    #[error("页码无效：请使用 1 到 100 之间的页码")]
    Page,
    #[error("参数 {0} 的值无效")]
    Field(&'static str),
    #[error("起始日期不能晚于结束日期")]
    DateRange,
    #[error("请提供 code（统一社会信用代码）或 name（名称）之一")]
    CreditQuery,
    #[error(
        "统一社会信用代码格式有误：应为 18 位数字或大写字母（不含 I、O、Z、S、V），且校验位正确"
    )]
    CreditCode,
}

/// Every failure of a search request.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    BadRequest(#[from] BadRequest),
    /// The engine failed: a damaged or vanished index. Logged with details; the client sees a
    /// fixed message.
    #[error("search engine failure: {0}")]
    Engine(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Engine(e.to_string())
    }
}

impl SearchError {
    pub fn status(&self) -> StatusCode {
        match self {
            SearchError::BadRequest(_) => StatusCode::BAD_REQUEST,
            SearchError::Engine(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The message the client sees.
    pub fn public_message(&self) -> String {
        match self {
            SearchError::BadRequest(b) => b.to_string(),
            SearchError::Engine(e) => {
                tracing::error!("{e}");
                "检索服务暂时不可用，请稍后再试".to_string()
            }
        }
    }
}

/// JSON errors for the APIs: `{"error": "…"}`.
impl IntoResponse for SearchError {
    fn into_response(self) -> Response {
        let status = self.status();
        (
            status,
            Json(serde_json::json!({ "error": self.public_message() })),
        )
            .into_response()
    }
}
