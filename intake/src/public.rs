//! The public side: the submission form (`GET/POST /submit`), the JSON API
//! (`POST /api/submissions`), and tracking (`GET/POST /track`, `GET /api/track`).
//!
//! Pages work without JavaScript, in the site's theme, with labels on every field, errors next
//! to their fields and what the user typed kept. Tracking answers an unknown number and a wrong
//! key identically, in content and, as far as can be, in time (an unknown number is verified
//! against a dummy hash).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use disclosure::Category;
use http_body_util::BodyExt;
use maud::{html, Markup};
use serde::Deserialize;

use crate::attachments::{self, Refused, StoredFile, Upload};
use crate::audit::{Action, Event};
use crate::cases::{self, Case, Receipt, Status};
use crate::error::{Error, FieldErrors};
use crate::security::{self, Limit};
use crate::submission::{self, Input};
use crate::tracking::{self, CaseKind, TrackingNumber};
use crate::{audit, routing, text, AppState};

/// The JSON body of a submission is small: text only.
const JSON_BODY_LIMIT: usize = 256 * 1024;
/// The largest text field accepted in the multipart form.
const TEXT_FIELD_LIMIT: usize = 256 * 1024;

pub fn routes(state: &AppState) -> Router<AppState> {
    let submit_limit = from_fn_with_state((state.clone(), Limit::Submission), security::rate_limit);
    let track_limit = from_fn_with_state((state.clone(), Limit::Tracking), security::rate_limit);
    let max_body = state.config.limits.max_body_bytes();
    Router::new()
        .route(
            "/submit",
            get(submit_page).post(
                submit_form
                    .layer(submit_limit.clone())
                    .layer(DefaultBodyLimit::max(max_body)),
            ),
        )
        .route("/api/submissions", post(submit_json.layer(submit_limit)))
        .route(
            "/track",
            get(track_get.layer(track_limit.clone())).post(track_post.layer(track_limit.clone())),
        )
        .route(
            "/track/material",
            post(
                crate::material::submit
                    .layer(track_limit.clone())
                    .layer(DefaultBodyLimit::max(max_body)),
            ),
        )
        .route("/api/track", get(api_track.layer(track_limit)))
}

/// A page of the public side in the site's shell, kept out of search engines.
pub(crate) fn page(state: &AppState, title: &str, main: Markup) -> Markup {
    shell(state, title, themes::Nav::Intake, main)
}

/// Every intake page's shell, public or staff: the site's theme, never indexed by search
/// engines (a tracking page or a form is nobody's search result).
pub(crate) fn shell(state: &AppState, title: &str, nav: themes::Nav, main: Markup) -> Markup {
    themes::page(
        &state.content.site,
        &themes::Meta {
            title,
            description: "",
            path: "",
            feed: None,
            noindex: true,
        },
        nav,
        main,
    )
}

// ---------------------------------------------------------------------------------------------
// Submission

async fn submit_page(State(state): State<AppState>) -> Html<String> {
    Html(form_page(&state, &Input::default(), &FieldErrors::new()).into_string())
}

fn field_error(errors: &FieldErrors, field: &str) -> Markup {
    html! {
        @if let Some(e) = errors.get(field) {
            p.field-error id={ (field) "-error" } { "错误：" (e) }
        }
    }
}

fn described_by(errors: &FieldErrors, field: &str, hint: Option<&str>) -> Option<String> {
    let mut ids = Vec::new();
    if let Some(h) = hint {
        ids.push(h.to_string());
    }
    if errors.contains_key(field) {
        ids.push(format!("{field}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn form_page(state: &AppState, input: &Input, errors: &FieldErrors) -> Markup {
    let v = |f: &Option<String>| f.clone().unwrap_or_default();
    let kind = input.kind.as_deref().unwrap_or("");
    let category = input.category.as_deref().unwrap_or("");
    let limits = &state.config.limits;
    let invalid = |f: &str| errors.contains_key(f).then_some("true");
    let main = html! {
        h1 { "投诉、异议、举报和建议" }
        p { "提交后将获得受理编号和查询密码，凭二者可在" a href="/track" { "办理进度查询" } "页面查看办理情况和结果。" }
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" {
                h2 #error-summary-title { "提交未成功，请修改以下 " (errors.len()) " 处：" }
                ul { @for (field, message) in errors { li { a href={ "#" (field) } { (message) } } } }
            }
        }
        form method="post" action="/submit" enctype="multipart/form-data" novalidate {
            fieldset #kind aria-describedby=[described_by(errors, "kind", Some("kind-hint"))] {
                legend { "类型（必选）" }
                p.hint #kind-hint { "投诉须实名并留联系方式；异议须填写项目编号；举报可匿名。" }
                (field_error(errors, "kind"))
                @for k in CaseKind::ALL {
                    div.choice {
                        input type="radio" name="kind" id={ "kind-" (k.key()) } value=(k.key()) checked[kind == k.key()];
                        label for={ "kind-" (k.key()) } { (k.label()) }
                    }
                }
            }
            div.field {
                label for="title" { "标题（必填）" }
                (field_error(errors, "title"))
                input #title type="text" name="title" value=(v(&input.title)) maxlength=(limits.max_title_chars)
                    required aria-invalid=[invalid("title")] aria-describedby=[described_by(errors, "title", None)];
            }
            div.field {
                label for="content" { "具体内容（必填）" }
                p.hint #content-hint { "请写明事实、理由和诉求。" }
                (field_error(errors, "content"))
                textarea #content name="content" rows="10" maxlength=(limits.max_content_chars) required
                    aria-invalid=[invalid("content")] aria-describedby=[described_by(errors, "content", Some("content-hint"))] { (v(&input.content)) }
            }
            div.field {
                label for="project" { "项目编号（异议必填）" }
                p.hint #project-hint { "见交易公告上的项目编号，例如 PDSCG-2026-031。" }
                (field_error(errors, "project"))
                input #project type="text" name="project" value=(v(&input.project)) maxlength="64"
                    aria-invalid=[invalid("project")] aria-describedby=[described_by(errors, "project", Some("project-hint"))];
            }
            div.field {
                label for="category" { "交易类别" }
                (field_error(errors, "category"))
                select #category name="category" aria-invalid=[invalid("category")] aria-describedby=[described_by(errors, "category", None)] {
                    option value="" selected[category.is_empty()] { "（不确定）" }
                    @for c in Category::ALL {
                        option value=(c.key()) selected[category == c.key()] { (c.label()) }
                    }
                }
            }
            fieldset {
                legend { "提交人信息" }
                p.hint { "投诉须填写；举报可不填（匿名）。您的个人信息仅承办部门可见，不会公开。" }
                div.field {
                    label for="name" { "姓名或单位名称" }
                    (field_error(errors, "name"))
                    input #name type="text" name="name" value=(v(&input.name)) maxlength="100" autocomplete="name"
                        aria-invalid=[invalid("name")] aria-describedby=[described_by(errors, "name", None)];
                }
                div.field {
                    label for="phone" { "联系电话" }
                    (field_error(errors, "phone"))
                    input #phone type="tel" name="phone" value=(v(&input.phone)) maxlength="20" autocomplete="tel"
                        aria-invalid=[invalid("phone")] aria-describedby=[described_by(errors, "phone", None)];
                }
                div.field {
                    label for="email" { "电子邮箱（办理进展将发送到此邮箱）" }
                    (field_error(errors, "email"))
                    input #email type="email" name="email" value=(v(&input.email)) maxlength="254" autocomplete="email"
                        aria-invalid=[invalid("email")] aria-describedby=[described_by(errors, "email", None)];
                }
            }
            div.field {
                label for="attachments" { "附件" }
                p.hint #attachments-hint {
                    "最多 " (limits.max_attachments) " 个，每个不超过 " (limits.max_attachment_bytes / (1024 * 1024))
                    " MB；仅限 PDF、JPEG、PNG、DOCX、XLSX、ZIP。"
                    @if !errors.is_empty() { "如需附件，请重新选择。" }
                }
                (field_error(errors, "attachments"))
                input #attachments type="file" name="attachments" multiple
                    accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.zip,application/pdf,image/jpeg,image/png,application/zip"
                    aria-invalid=[invalid("attachments")] aria-describedby=[described_by(errors, "attachments", Some("attachments-hint"))];
            }
            button type="submit" { "提交" }
        }
        (rules_table(state))
    };
    let title = if errors.is_empty() {
        "在线投诉举报"
    } else {
        "提交未成功 - 在线投诉举报"
    };
    page(state, title, main)
}

/// The one table of rules ([`crate::rules::TABLE`]): kind, categories, periods, basis.
fn rules_table(state: &AppState) -> Markup {
    html! {
        h2 #rules { "办理时限和依据" }
        p.hint { "期限按 calendar.toml 所列的工作日和节假日计算；补充材料期间暂停计时。" }
        div.table-scroll {
            table.rules {
                caption.visually-hidden { "各类事项的办理时限和依据" }
                thead { tr { th scope="col" { "事项" } th scope="col" { "交易类别" } th scope="col" { "办理时限" } th scope="col" { "依据" } } }
                tbody {
                    @for (kind, categories, rule) in crate::rules::TABLE {
                        tr {
                            td { (kind.label()) "（" (rule.label()) "）" }
                            td { (categories.label()) }
                            td { (rule.describe(&state.config.deadlines)) }
                            td { (rule.basis()) }
                        }
                    }
                }
            }
        }
    }
}

fn receipt_page(state: &AppState, r: &Receipt) -> Markup {
    let main = html! {
        h1 { "提交成功" }
        div.receipt role="status" {
            p { "受理编号：" strong #tracking-number { (r.tracking_number) } }
            p { "查询密码：" strong #access-key { (r.access_key) } }
            p.warning { "请立即记下受理编号和查询密码。查询密码只显示这一次，本平台不保存其明文，遗失后无法找回。" }
        }
        dl {
            dt { "承办部门" } dd #department { (r.department) }
            dt { "分派理由" } dd { (r.routing_reason) }
            dt { "办理期限" } dd #deadline {
                @if let Some(d) = &r.deadline { (d) }
                @else if let Some(why) = &r.deadline_pending { "待定（" (why) "，确定后将通知并在查询页显示）" }
                @else { "—" }
            }
            dt { "办理时限" } dd #deadline-rule { (r.deadline_rule) }
            dt { "依据" } dd #deadline-basis { (r.deadline_basis) }
        }
        p { a href="/track" { "查询办理进度" } }
    };
    page(state, "提交成功", main)
}

pub(crate) fn multipart_error(e: axum::extract::multipart::MultipartError) -> Refused {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refused::BodyTooLarge
    } else {
        tracing::debug!("multipart: {e}");
        Refused::Broken
    }
}

/// Files stored for a submission whose case is not written yet: removed when dropped unless
/// handed over, so that a submission ending any other way (a refused field, an error, a
/// request timed out) leaves no file behind.
pub(crate) struct PendingFiles {
    pub(crate) dir: std::path::PathBuf,
    pub(crate) files: Vec<StoredFile>,
}

impl PendingFiles {
    /// Hands the files to the case's writer: from here on the case refers to them, or
    /// [`attachments::discard`] removes them when the case could not be written.
    pub(crate) fn hand_over(mut self) -> Vec<StoredFile> {
        std::mem::take(&mut self.files)
    }
}

impl Drop for PendingFiles {
    fn drop(&mut self) {
        for f in &self.files {
            let _ = std::fs::remove_file(self.dir.join(&f.stored_path));
        }
    }
}

/// Receives one file of the form. A refusal is a field error; only a storage error ends the
/// reading.
async fn read_file(
    state: &AppState,
    field: &mut axum::extract::multipart::Field<'_>,
    file_name: &str,
) -> Result<Result<StoredFile, Refused>, Refused> {
    let limits = &state.config.limits;
    let mut upload = Upload::start(
        &state.attachments_dir,
        file_name,
        limits.max_attachment_bytes,
    )
    .await?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => match upload.write(&chunk).await {
                Ok(()) => {}
                Err(Refused::Io(e)) => return Err(Refused::Io(e)),
                // The rest of the file is skipped unread by the next field; nothing of it is
                // written.
                Err(refused) => return Ok(Err(refused)),
            },
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e)),
        }
    }
    match upload.finish().await {
        Ok(f) => Ok(Ok(f)),
        Err(Refused::Io(e)) => Err(Refused::Io(e)),
        Err(refused) => Ok(Err(refused)),
    }
}

/// Reads the form: text fields into `input`, files streamed to disk. Refusals of single files
/// and text that is not UTF-8 are collected as field errors; a broken or oversized request
/// ends the reading. After a refused file the others are skipped (the submission fails
/// anyway), so a request of several large wrong files writes nothing.
/// The text fields a multipart form fills ([`read_form`]).
pub(crate) trait FormInput {
    /// Sets a known field; `false` for a name the form does not have.
    fn set_field(&mut self, name: &str, value: String) -> bool;
    fn knows(name: &str) -> bool;
}

impl FormInput for Input {
    fn set_field(&mut self, name: &str, value: String) -> bool {
        self.set(name, value)
    }

    fn knows(name: &str) -> bool {
        Input::default().set(name, String::new())
    }
}

pub(crate) async fn read_form<I: FormInput>(
    state: &AppState,
    multipart: &mut Multipart,
    input: &mut I,
    files: &mut PendingFiles,
    errors: &mut FieldErrors,
) -> Result<(), Refused> {
    let limits = &state.config.limits;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            if file_name.is_empty() || errors.contains_key("attachments") {
                continue; // the empty file input of a form sent without a file
            }
            if files.files.len() >= limits.max_attachments {
                errors.insert(
                    "attachments".into(),
                    Refused::TooMany(limits.max_attachments).to_string(),
                );
                continue;
            }
            match read_file(state, &mut field, &file_name).await? {
                Ok(f) => files.files.push(f),
                Err(refused) => {
                    errors.insert("attachments".into(), refused.to_string());
                }
            }
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                text.extend_from_slice(&chunk);
                if text.len() > TEXT_FIELD_LIMIT {
                    return Err(Refused::BodyTooLarge);
                }
            }
            // Unknown fields are ignored: the form is ours, and a browser may add its own.
            match text::utf8(&text) {
                Ok(t) => {
                    input.set_field(&name, t.to_string());
                }
                Err(why) if I::knows(&name) => {
                    errors.insert(name, why.to_string());
                }
                Err(_) => {}
            }
        }
    }
    Ok(())
}

/// The essence of a `Content-Type` (`multipart/form-data`), lower case, and whether its
/// parameters are only a UTF-8 charset (or none).
fn content_type(headers: &HeaderMap) -> (String, bool) {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return (String::new(), true);
    };
    let value = value.to_str().unwrap_or("");
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let utf8_only = parts.all(|p| {
        let p = p.trim().to_ascii_lowercase().replace('"', "");
        p.is_empty() || p == "charset=utf-8"
    });
    (essence, utf8_only)
}

/// The largest urlencoded form accepted (text only).
const URLENCODED_LIMIT: usize = 1024 * 1024;

/// Reads a body of at most `limit` bytes; a declared or actual length over it is `413`.
async fn read_body(request: Request, limit: usize) -> Result<Bytes, Error> {
    let too_large = Error::BodyTooLarge {
        limit_kib: limit / 1024,
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large);
    }
    match http_body_util::Limited::new(request.into_body(), limit)
        .collect()
        .await
    {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large),
        Err(e) => {
            tracing::debug!("reading a body: {e}");
            Err(Error::Malformed("请求体未完整接收"))
        }
    }
}

/// `POST /submit`: the form, as a browser sends it (multipart, with attachments), or
/// urlencoded (text only).
async fn submit_form(State(state): State<AppState>, request: Request) -> Response {
    let mut input = Input::default();
    let mut files = PendingFiles {
        dir: state.attachments_dir.to_path_buf(),
        files: Vec::new(),
    };
    let mut errors = FieldErrors::new();
    match content_type(request.headers()).0.as_str() {
        "multipart/form-data" => {
            let mut multipart = match Multipart::from_request(request, &state).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::debug!("multipart: {e}");
                    return Error::Malformed("表单格式不正确（multipart/form-data 缺少分隔符）")
                        .into_response();
                }
            };
            let read = read_form(&state, &mut multipart, &mut input, &mut files, &mut errors).await;
            match read {
                Ok(()) => {}
                Err(Refused::BodyTooLarge) => return Error::TooLarge.into_response(),
                Err(Refused::Io(e)) => return Error::Io(e).into_response(),
                Err(e) => {
                    errors.entry("attachments".into()).or_insert(e.to_string());
                }
            }
        }
        "application/x-www-form-urlencoded" => {
            let body = match read_body(request, URLENCODED_LIMIT).await {
                Ok(b) => b,
                Err(e) => return e.into_response(),
            };
            for (name, value) in text::form_fields(&body) {
                match value {
                    Ok(v) => {
                        input.set(&name, v);
                    }
                    Err(why) if Input::default().set(&name, String::new()) => {
                        errors.insert(name, why.to_string());
                    }
                    Err(_) => {}
                }
            }
        }
        _ => {
            return Error::UnsupportedMediaType("multipart/form-data（表单）").into_response();
        }
    }
    let new = match submission::validate(&input, &state.config.limits, &state.content) {
        Ok(new) if errors.is_empty() => new,
        Ok(_) => return form_error(&state, &input, &errors),
        Err(mut more) => {
            // A field that could not be read keeps its own message.
            more.extend(errors);
            return form_error(&state, &input, &more);
        }
    };
    let route = routing::route(&state.content, new.project.as_deref(), new.category);
    let files = files.hand_over();
    match cases::receive(&state, new, route, files.clone()).await {
        Ok(receipt) => (
            StatusCode::CREATED,
            Html(receipt_page(&state, &receipt).into_string()),
        )
            .into_response(),
        Err(e) => {
            attachments::discard(&state.attachments_dir, &files).await;
            e.into_response()
        }
    }
}

fn form_error(state: &AppState, input: &Input, errors: &FieldErrors) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(form_page(state, input, errors).into_string()),
    )
        .into_response()
}

/// Reads a JSON object field by field, so that a wrong field is named. Unknown keys are
/// counted beyond the first [`crate::error::MAX_LISTED`], not collected: the answer stays
/// small however many a request sends.
fn parse_json(body: &[u8]) -> Result<Input, Error> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| Error::Malformed("请求体不是有效的 JSON（须为 UTF-8 编码的 JSON 对象）"))?;
    let serde_json::Value::Object(map) = value else {
        return Err(Error::Invalid(FieldErrors::from([(
            "body".to_string(),
            "请求体应为 JSON 对象".to_string(),
        )])));
    };
    let mut input = Input::default();
    let mut errors = FieldErrors::new();
    for (k, v) in map {
        let known = Input::default().set(&k, String::new());
        let problem = match v {
            _ if !known => Some("未知字段"),
            serde_json::Value::String(s) => {
                input.set(&k, s);
                None
            }
            serde_json::Value::Null => None,
            _ => Some("应为字符串"),
        };
        if let Some(p) = problem {
            errors.insert(k, p.into());
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The one content type `/api/submissions` takes. Anything else — `text/plain`, a form — is
/// what a page on another site can make a visitor's browser send without asking; JSON needs a
/// CORS preflight, which this server never grants.
const JSON_ONLY: &str = "application/json";

/// `POST /api/submissions`.
async fn submit_json(State(state): State<AppState>, request: Request) -> Response {
    let (essence, utf8_only) = content_type(request.headers());
    if essence != JSON_ONLY || !utf8_only {
        return Error::UnsupportedMediaType("application/json（UTF-8）").into_response();
    }
    let body = match read_body(request, JSON_BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let input = match parse_json(&body) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let new = match submission::validate(&input, &state.config.limits, &state.content) {
        Ok(n) => n,
        Err(errors) => return Error::Invalid(errors).into_response(),
    };
    let route = routing::route(&state.content, new.project.as_deref(), new.category);
    match cases::receive(&state, new, route, Vec::new()).await {
        Ok(receipt) => (StatusCode::CREATED, Json(receipt)).into_response(),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tracking

#[derive(Debug, Default, Deserialize)]
pub struct TrackQuery {
    pub number: Option<String>,
    pub key: Option<String>,
}

/// The case if the number exists and the key is right; `None` for anything else, after the
/// same work in both cases.
pub async fn lookup(state: &AppState, number: &str, key: &str) -> Result<Option<Case>, Error> {
    let parsed = number.parse::<TrackingNumber>().ok();
    let case = match parsed {
        Some(n) => cases::find_by_number(&state.db, &n.to_string()).await?,
        None => None,
    };
    let hash = case
        .as_ref()
        .map(|c| c.access_key_hash.clone())
        .unwrap_or_else(|| tracking::dummy_hash(&state.config.access_key).to_string());
    let key = key.to_string();
    let ok = tokio::task::spawn_blocking(move || tracking::verify_key(&key, &hash))
        .await
        .map_err(Error::internal)?;
    Ok(case.filter(|_| ok))
}

fn public_events(events: Vec<Event>) -> Vec<(Event, Action)> {
    events
        .into_iter()
        .filter_map(|e| {
            let a = Action::from_key(&e.action)?;
            a.is_public().then_some((e, a))
        })
        .collect()
}

fn track_form(errors: Option<&str>, number: &str) -> Markup {
    html! {
        form method="post" action="/track" {
            @if let Some(e) = errors { p.field-error role="alert" { (e) } }
            div.field {
                label for="number" { "受理编号" }
                input #number type="text" name="number" value=(number) required autocomplete="off"
                    placeholder="例如 TS-20260301-000001-X";
            }
            div.field {
                label for="key" { "查询密码" }
                input #key type="password" name="key" required autocomplete="off";
            }
            button type="submit" { "查询" }
        }
    }
}

pub(crate) async fn track_page(state: &AppState, q: TrackQuery) -> Response {
    let (number, key) = match (q.number.as_deref(), q.key.as_deref()) {
        (Some(n), Some(k)) if !n.trim().is_empty() && !k.trim().is_empty() => (n.trim(), k.trim()),
        (None, None) => {
            let main = html! { h1 { "办理进度查询" } (track_form(None, "")) };
            return Html(page(state, "办理进度查询", main).into_string()).into_response();
        }
        _ => {
            let main = html! {
                h1 { "办理进度查询" }
                (track_form(Some("请填写受理编号和查询密码"), q.number.as_deref().unwrap_or("")))
            };
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(page(state, "办理进度查询", main).into_string()),
            )
                .into_response();
        }
    };
    let case = match lookup(state, number, key).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let Some(case) = case else {
        let main = html! {
            h1 { "办理进度查询" }
            (track_form(Some("未找到：受理编号或查询密码不正确。"), number))
        };
        return (
            StatusCode::NOT_FOUND,
            Html(page(state, "未找到", main).into_string()),
        )
            .into_response();
    };
    let events = match audit::for_case(&state.db, case.id).await {
        Ok(e) => public_events(e),
        Err(e) => return Error::from(e).into_response(),
    };
    let main = html! {
        h1 { (case.kind.label()) " " (case.tracking_number) }
        dl.case-summary {
            dt { "标题" } dd { (case.title) }
            dt { "状态" } dd #status { (case.status.label()) }
            dt { "承办部门" } dd { (state.content.departments.name(&case.department)) }
            dt { "分派理由" } dd { (case.routing_reason) }
            dt { "办理期限" } dd #deadline { (deadline_text(&case)) }
            dt { "办理时限" } dd #deadline-rule { (rule_text(state, &case)) }
            dt { "依据" } dd #deadline-basis { (case.rule_name().basis()) }
            @if let (true, Some(d)) = (case.status.is_closed(), &case.decision) {
                dt { @if case.status == Status::Rejected { "不予受理理由" } @else { "处理决定" } }
                dd { (d) }
            }
        }
        @if case.status == Status::Waiting {
            (crate::material::form(state, &case, key))
        }
        h2 { "办理过程" }
        table.timeline {
            caption.visually-hidden { "办理过程" }
            thead { tr { th scope="col" { "时间" } th scope="col" { "环节" } th scope="col" { "说明" } } }
            tbody {
                @for (e, a) in &events {
                    tr { td { (crate::clock::display_stamp(&e.at)) } td { (a.label()) } td { (e.note) } }
                }
            }
        }
        p { a href="/track" { "查询其他编号" } }
    };
    Html(page(state, "办理进度", main).into_string()).into_response()
}

fn deadline_text(case: &Case) -> String {
    match (case.status, case.current_deadline()) {
        (Status::Waiting, _) => "暂停计时，收到补充材料后恢复".into(),
        (s, _) if s.is_closed() => "已结束".into(),
        (_, Some(d)) => d.to_string(),
        (_, None) => match case.pending_deadline() {
            Some(why) => format!("待定（{why}，确定后将在此显示）"),
            None => "—".into(),
        },
    }
}

/// The rule of a case in words: "政府采购质疑：收到之日起7个工作日内作出答复".
fn rule_text(state: &AppState, case: &Case) -> String {
    let rule = case.rule_name();
    format!(
        "{}：{}",
        rule.label(),
        rule.describe(&state.config.deadlines)
    )
}

async fn track_get(State(state): State<AppState>, Query(q): Query<TrackQuery>) -> Response {
    track_page(&state, q).await
}

async fn track_post(State(state): State<AppState>, Form(q): Form<TrackQuery>) -> Response {
    track_page(&state, q).await
}

async fn api_track(State(state): State<AppState>, Query(q): Query<TrackQuery>) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": "未找到：受理编号或查询密码不正确" })),
        )
            .into_response()
    };
    let (Some(number), Some(key)) = (q.number.as_deref(), q.key.as_deref()) else {
        return not_found();
    };
    let case = match lookup(&state, number, key).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(),
        Err(e) => return e.into_response(),
    };
    let events = match audit::for_case(&state.db, case.id).await {
        Ok(e) => public_events(e),
        Err(e) => return Error::from(e).into_response(),
    };
    let timeline: Vec<_> = events
        .iter()
        .map(|(e, a)| serde_json::json!({ "at": e.at, "event": a.key(), "label": a.label(), "note": e.note }))
        .collect();
    Json(serde_json::json!({
        "tracking_number": case.tracking_number,
        "kind": case.kind.key(),
        "status": case.status.key(),
        "status_label": case.status.label(),
        "department": state.content.departments.name(&case.department),
        "routing_reason": case.routing_reason,
        "timeline": timeline,
        "deadline": case.current_deadline().map(|d| d.to_string()),
        "deadline_pending": case.pending_deadline(),
        "deadline_rule": rule_text(&state, &case),
        "deadline_basis": case.rule_name().basis(),
        "decision": if case.status.is_closed() { case.decision.clone() } else { None },
    }))
    .into_response()
}
