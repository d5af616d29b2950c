//! More material, online: while staff wait for the submitter's material (the clock is stopped,
//! status `waiting`), `/track` (number + key) shows a form that takes it — text and attachments
//! under the same limits as `/submit` — and `POST /track/material` stores the files with the
//! case, records the event (`material_received`, actor `public`), restarts the clock
//! ([`Case::resume`]) and mails the department, all in one transaction.
//!
//! Forged requests: the form carries the case's number and secret key, which another site does
//! not know (the key is the token), and a browser that says the request came from another site
//! (`Sec-Fetch-Site`, `Origin`, `Referer`: `staff::session::same_origin`) is refused with `403`.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};

use crate::audit::Action;
use crate::cases::{self, Case, Change, Status};
use crate::clock::{local_date, stamp};
use crate::error::{Error, FieldErrors};
use crate::mail::Outgoing;
use crate::public::{self, FormInput, PendingFiles, TrackQuery};
use crate::text::{self, Lines};
use crate::AppState;

#[derive(Debug, Default)]
struct MaterialInput {
    number: Option<String>,
    key: Option<String>,
    content: Option<String>,
}

impl FormInput for MaterialInput {
    fn set_field(&mut self, name: &str, value: String) -> bool {
        let slot = match name {
            "number" => &mut self.number,
            "key" => &mut self.key,
            "content" => &mut self.content,
            _ => return false,
        };
        *slot = Some(value);
        true
    }

    fn knows(name: &str) -> bool {
        matches!(name, "number" | "key" | "content")
    }
}

/// The form on `/track` while the case waits for material.
pub fn form(state: &AppState, case: &Case, key: &str) -> Markup {
    let limits = &state.config.limits;
    html! {
        section #material aria-labelledby="material-title" {
            h2 #material-title { "在线补充材料" }
            p { "承办部门正在等待您补充材料，办理期限暂停计算；提交后恢复计时，并通知承办部门。" }
            form method="post" action="/track/material" enctype="multipart/form-data" {
                input type="hidden" name="number" value=(case.tracking_number);
                input type="hidden" name="key" value=(key);
                div.field {
                    label for="material-content" { "补充说明" }
                    textarea #material-content name="content" rows="6" required
                        maxlength=(limits.max_content_chars) {}
                }
                div.field {
                    label for="material-attachments" { "附件" }
                    p.hint #material-attachments-hint {
                        "最多 " (limits.max_attachments) " 个，每个不超过 " (limits.max_attachment_bytes / (1024 * 1024))
                        " MB；仅限 PDF、JPEG、PNG、DOCX、XLSX、ZIP。"
                    }
                    input #material-attachments type="file" name="attachments" multiple
                        aria-describedby="material-attachments-hint"
                        accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.zip,application/pdf,image/jpeg,image/png,application/zip";
                }
                button type="submit" { "提交补充材料" }
            }
        }
    }
}

fn refused(state: &AppState, status: StatusCode, message: &str) -> Response {
    let main = html! {
        h1 { "补充材料未提交" }
        p.field-error role="alert" { (message) }
        p { a href="/track" { "返回办理进度查询" } }
    };
    (
        status,
        Html(public::page(state, "补充材料未提交", main).into_string()),
    )
        .into_response()
}

/// `POST /track/material`.
pub async fn submit(State(state): State<AppState>, request: Request) -> Response {
    if crate::staff::session::same_origin(&state, request.headers()).is_err() {
        tracing::info!("material form refused: posted from another site");
        return refused(
            &state,
            StatusCode::FORBIDDEN,
            "请求来源校验失败，请从本站页面提交。",
        );
    }
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Error::UnsupportedMediaType("multipart/form-data（表单）").into_response();
    }
    let mut multipart = match Multipart::from_request(request, &state).await {
        Ok(m) => m,
        Err(_) => {
            return Error::Malformed("表单格式不正确（multipart/form-data 缺少分隔符）")
                .into_response()
        }
    };
    let mut input = MaterialInput::default();
    let mut files = PendingFiles {
        dir: state.attachments_dir.to_path_buf(),
        files: Vec::new(),
    };
    let mut errors = FieldErrors::new();
    match public::read_form(&state, &mut multipart, &mut input, &mut files, &mut errors).await {
        Ok(()) => {}
        Err(crate::attachments::Refused::BodyTooLarge) => return Error::TooLarge.into_response(),
        Err(crate::attachments::Refused::Io(e)) => return Error::Io(e).into_response(),
        Err(e) => {
            errors.entry("attachments".into()).or_insert(e.to_string());
        }
    }
    let (number, key) = (
        input.number.clone().unwrap_or_default(),
        input.key.clone().unwrap_or_default(),
    );
    // The key first: nothing about the case is said to someone without it.
    let case = match public::lookup(&state, number.trim(), key.trim()).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return refused(
                &state,
                StatusCode::NOT_FOUND,
                "未找到：受理编号或查询密码不正确。",
            )
        }
        Err(e) => return e.into_response(),
    };
    let content = input.content.as_deref().map(str::trim).unwrap_or("");
    if content.is_empty() {
        errors.insert("content".into(), "请填写补充说明".into());
    } else if let Err(why) = text::check(content, Lines::Multi) {
        errors.insert("content".into(), why.to_string());
    } else if content.chars().count() > state.config.limits.max_content_chars {
        errors.insert(
            "content".into(),
            format!(
                "补充说明不能超过 {} 个字",
                state.config.limits.max_content_chars
            ),
        );
    }
    if let Some((field, message)) = errors.iter().next() {
        tracing::debug!("material refused: {field}: {message}");
        return refused(&state, StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    if case.status != Status::Waiting {
        return refused(
            &state,
            StatusCode::CONFLICT,
            "本案件当前不需要补充材料（承办部门未要求补充，或已收到）。",
        );
    }
    match store(&state, &case, content, &files).await {
        Ok(true) => {
            files.hand_over();
        }
        Ok(false) => {
            return refused(
                &state,
                StatusCode::CONFLICT,
                "本案件当前不需要补充材料（承办部门未要求补充，或已收到）。",
            )
        }
        Err(e) => return e.into_response(),
    }
    state.mailer.wake.notify_one();
    public::track_page(
        &state,
        TrackQuery {
            number: Some(case.tracking_number.clone()),
            key: Some(key.trim().to_string()),
        },
    )
    .await
}

/// The transaction: the files, the resumed case, its event and the department's mail. `false`
/// when the case no longer waits (staff acted meanwhile).
async fn store(
    state: &AppState,
    case: &Case,
    content: &str,
    files: &PendingFiles,
) -> Result<bool, Error> {
    let now = state.clock.now();
    let today = local_date(now);
    let at = stamp(now);
    let mut tx = state.db.begin().await?;
    let Some(mut case) = cases::get_in(&mut tx, case.id).await? else {
        return Ok(false);
    };
    if case.status != Status::Waiting {
        return Ok(false);
    }
    for f in &files.files {
        sqlx::query(
            "INSERT INTO attachments (case_id, file_name, content_type, size_bytes, sha256, \
             stored_path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(case.id)
        .bind(&f.file_name)
        .bind(f.content_type)
        .bind(f.size as i64)
        .bind(&f.sha256)
        .bind(&f.stored_path)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    case.resume(&state.content.calendar, &state.config.deadlines, today);
    let note = format!(
        "提交人在线补充材料（附件 {} 个）：{content}",
        files.files.len()
    );
    let change = Change::new("public", Action::MaterialReceived, &note).with_mail(department_mail(
        state,
        &case,
        files.files.len(),
    ));
    cases::write(&mut tx, state, &case, change).await?;
    tx.commit().await?;
    Ok(true)
}

/// To the handling department: that material arrived (no case text or personal data; those
/// stay behind sign-in).
fn department_mail(state: &AppState, case: &Case, attachments: usize) -> Outgoing {
    let recipient = state
        .content
        .departments
        .get(&case.department)
        .unwrap_or_else(|| state.content.departments.fallback())
        .email
        .clone();
    let deadline = case
        .current_deadline()
        .map(|d| d.to_string())
        .or_else(|| case.deadline_pending.clone())
        .unwrap_or_else(|| "—".into());
    Outgoing {
        case_id: Some(case.id),
        recipient,
        subject: format!(
            "【补充材料】{} {}",
            case.tracking_number,
            case.title_short()
        ),
        body: format!(
            "提交人已在线补充材料（附件 {attachments} 个），办理期限恢复计算。\n\n受理编号：{}\n当前期限：{deadline}\n\n{}/staff/cases/{}\n",
            case.tracking_number, state.content.site.base_url, case.tracking_number,
        ),
    }
}
