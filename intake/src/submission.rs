//! What the public sends, and the rules it must meet before it becomes a case. The same rules
//! serve the form and the JSON API; each broken rule is a message in Chinese under the field's
//! name, so the form shows it next to the field and the API answers `422 {"errors":{…}}`.
//!
//! - every kind: a title and a content;
//! - 投诉 complaint: a real name and at least one contact (phone or email), as the law requires;
//! - 异议 objection: the project it objects to, which must be a published project;
//! - 举报 report: may be anonymous;
//! - 建议 suggestion: nothing more.

use std::str::FromStr;

use disclosure::Category;
use serde::Deserialize;

use crate::cases::NewCase;
use crate::config::Limits;
use crate::content::ContentData;
use crate::error::FieldErrors;
use crate::text::{self, Lines};
use crate::tracking::CaseKind;

/// The fields as typed (form) or sent (JSON). Everything optional here: missing fields are
/// reported by [`validate`], not by the parser.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub content: Option<String>,
    pub project: Option<String>,
    pub category: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Input {
    /// Sets a field by its form name; false for an unknown name.
    pub fn set(&mut self, field: &str, value: String) -> bool {
        let slot = match field {
            "kind" => &mut self.kind,
            "title" => &mut self.title,
            "content" => &mut self.content,
            "project" => &mut self.project,
            "category" => &mut self.category,
            "name" => &mut self.name,
            "phone" => &mut self.phone,
            "email" => &mut self.email,
            _ => return false,
        };
        *slot = Some(value);
        true
    }

    /// Every field with its form name.
    pub fn fields(&self) -> [(&'static str, Option<&str>); 8] {
        [
            ("kind", self.kind.as_deref()),
            ("title", self.title.as_deref()),
            ("content", self.content.as_deref()),
            ("project", self.project.as_deref()),
            ("category", self.category.as_deref()),
            ("name", self.name.as_deref()),
            ("phone", self.phone.as_deref()),
            ("email", self.email.as_deref()),
        ]
    }
}

fn present(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

fn valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
}

fn valid_project_code(s: &str) -> bool {
    s.chars().count() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

/// Checks every rule; all broken rules are reported at once.
pub fn validate(
    input: &Input,
    limits: &Limits,
    content: &ContentData,
) -> Result<NewCase, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut err = |field: &str, message: String| {
        errors.entry(field.to_string()).or_insert(message);
    };
    // Characters first, so that a NUL or an escape sequence is the field's one message. Only
    // the content is multi-line.
    for (field, value) in input.fields() {
        let lines = if field == "content" {
            Lines::Multi
        } else {
            Lines::Single
        };
        if let Some(Err(why)) = value.map(|v| text::check(v, lines)) {
            err(field, why.to_string());
        }
    }

    let kind = match present(&input.kind) {
        None => {
            err("kind", "请选择类型：投诉、异议、举报或建议".into());
            None
        }
        Some(k) => {
            let kind = CaseKind::from_key(&k);
            if kind.is_none() {
                err("kind", "类型无效，应为 complaint（投诉）、objection（异议）、report（举报）或 suggestion（建议）".into());
            }
            kind
        }
    };
    let title = present(&input.title);
    match &title {
        None => err("title", "请填写标题".into()),
        Some(t) if too_long(t, limits.max_title_chars) => err(
            "title",
            format!("标题不能超过 {} 个字", limits.max_title_chars),
        ),
        _ => {}
    }
    let text = present(&input.content);
    match &text {
        None => err("content", "请填写具体内容".into()),
        Some(t) if too_long(t, limits.max_content_chars) => err(
            "content",
            format!("具体内容不能超过 {} 个字", limits.max_content_chars),
        ),
        _ => {}
    }
    let project = present(&input.project);
    if let Some(p) = &project {
        if !valid_project_code(p) {
            err(
                "project",
                "项目编号格式不正确（字母、数字和连字符，最多 64 个字符）".into(),
            );
        }
    }
    let category = present(&input.category);
    let category_value = match &category {
        None => None,
        Some(c) => {
            let v = Category::from_key(c);
            if v.is_none() {
                err("category", "类别无效".into());
            }
            v
        }
    };
    let name = present(&input.name);
    if let Some(n) = &name {
        if too_long(n, 100) {
            err("name", "姓名或单位名称不能超过 100 个字".into());
        }
    }
    let phone = present(&input.phone);
    if let Some(p) = &phone {
        if !valid_phone(p) {
            err("phone", "联系电话格式不正确".into());
        }
    }
    let email = present(&input.email);
    if let Some(e) = &email {
        if too_long(e, 254) || lettre::Address::from_str(e).is_err() {
            err("email", "电子邮箱格式不正确".into());
        }
    }

    match kind {
        Some(CaseKind::Complaint) => {
            if name.is_none() {
                err("name", "投诉须提供真实姓名或单位名称".into());
            }
            if phone.is_none() && email.is_none() {
                err("phone", "投诉须提供联系电话或电子邮箱（至少一项）".into());
            }
        }
        Some(CaseKind::Objection) => match &project {
            None => err("project", "异议须填写所涉项目编号".into()),
            Some(p) if valid_project_code(p) && !content.projects.contains_key(p) => err(
                "project",
                "未找到该项目编号，请核对交易公告上的项目编号".into(),
            ),
            _ => {}
        },
        Some(CaseKind::Report) | Some(CaseKind::Suggestion) | None => {}
    }

    match (kind, title, text) {
        (Some(kind), Some(title), Some(text)) if errors.is_empty() => Ok(NewCase {
            kind,
            title,
            content: text,
            project,
            category: category_value,
            name,
            phone,
            email,
        }),
        _ => Err(errors),
    }
}
