//! The supervision signals (智慧监管) for signed-in staff: `/staff/signals/` (the list, by kind
//! and severity), `/staff/signals/<id>` (one signal's evidence card) and
//! `/staff/signals/companies/<code>/` (a company's signals).
//!
//! site-gen computes the signals and writes them beside the site (`signals.json` and a card
//! fragment per signal, `cards/<id>.html`); this module only reads that folder
//! ([`crate::Settings::signals`]), again whenever the file changes, and shows each member of staff
//! what [`super::access::authorize_signal`] allows: the committee office every signal, a
//! department those about its projects. Nothing here decides who may see what.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use disclosure::signals::{kind_label, severity_label, KINDS, RISK_HINT, SEVERITIES};
use disclosure::Category;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::AppState;

use super::access;
use super::error::{finish, StaffError, StaffResult};
use super::pages;
use super::session::Session;

/// `signals.json` as site-gen writes it (SPEC's fields, and the extra ones the pages use).
#[derive(Debug, Clone, Deserialize)]
pub struct SignalsFile {
    pub generated: NaiveDate,
    pub signals: Vec<Signal>,
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Signal {
    pub id: String,
    pub kind: String,
    #[serde(default)]
    pub severity: String,
    pub companies: Vec<String>,
    #[serde(default)]
    pub names: Vec<String>,
    pub projects: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub value: f64,
    pub threshold: f64,
    pub explanation: String,
    pub basis: String,
}

impl Signal {
    fn categories(&self) -> Vec<Category> {
        self.categories
            .iter()
            .filter_map(|c| Category::from_key(c))
            .collect()
    }

    fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.companies
            .iter()
            .position(|c| c == code)
            .and_then(|i| self.names.get(i))
            .map_or(code, String::as_str)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Warning {
    pub kind: String,
    pub explanation: String,
}

/// The signals folder and the last `signals.json` read from it, kept until the file changes.
pub struct Source {
    pub dir: PathBuf,
    last: Mutex<Option<(SystemTime, u64, Arc<SignalsFile>)>>,
}

impl Source {
    pub fn new(dir: PathBuf) -> Source {
        Source {
            dir,
            last: Mutex::new(None),
        }
    }

    /// The current signals; `None` when the build has not written any (yet).
    pub fn read(&self) -> StaffResult<Option<Arc<SignalsFile>>> {
        let path = self.dir.join("signals.json");
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StaffError::internal(format!("{}: {e}", path.display()))),
        };
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((t, n, file)) = last.as_ref() {
            if (*t, *n) == stamp {
                return Ok(Some(file.clone()));
            }
        }
        let text = std::fs::read(&path)
            .map_err(|e| StaffError::internal(format!("{}: {e}", path.display())))?;
        let file: SignalsFile = serde_json::from_slice(&text)
            .map_err(|e| StaffError::internal(format!("{}: {e}", path.display())))?;
        let file = Arc::new(file);
        *last = Some((stamp.0, stamp.1, file.clone()));
        Ok(Some(file))
    }

    /// A signal's evidence card as site-gen rendered it (escaped by maud there).
    fn card(&self, id: &str) -> StaffResult<String> {
        if !disclosure::routes::is_url_safe(id) {
            return Err(StaffError::NotFound);
        }
        let path = self.dir.join("cards").join(format!("{id}.html"));
        std::fs::read_to_string(&path)
            .map_err(|e| StaffError::internal(format!("{}: {e}", path.display())))
    }
}

fn visible<'a>(
    state: &AppState,
    session: &Session,
    file: &'a SignalsFile,
) -> impl Iterator<Item = &'a Signal> {
    let (state, staff) = (state.clone(), session.staff.clone());
    file.signals.iter().filter(move |s| {
        access::authorize_signal(&state, &staff, &s.projects, &s.categories()).is_ok()
    })
}

fn none_yet() -> Markup {
    html! { p.note { "尚未生成风险提示：运行 site-gen build 后在此显示。" } }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    severity: String,
    page: Option<usize>,
}

const PAGE_SIZE: usize = 100;

/// `GET /staff/signals/`: the signals the member of staff may see, by kind and severity.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Response {
    let result = (|| -> StaffResult<Response> {
        if !q.kind.is_empty() && !KINDS.contains(&q.kind.as_str()) {
            return Err(StaffError::Invalid("未知的风险提示类型。".into()));
        }
        if !q.severity.is_empty() && !SEVERITIES.contains(&q.severity.as_str()) {
            return Err(StaffError::Invalid("未知的风险等级。".into()));
        }
        let file = match &state.signals {
            Some(source) => source.read()?,
            None => None,
        };
        let main = match &file {
            None => html! { h1 { "智慧监管风险提示" } (none_yet()) },
            Some(file) => {
                let mine: Vec<&Signal> = visible(&state, &session, file).collect();
                let shown: Vec<&Signal> = mine
                    .iter()
                    .copied()
                    .filter(|s| q.kind.is_empty() || s.kind == q.kind)
                    .filter(|s| q.severity.is_empty() || s.severity == q.severity)
                    .collect();
                let page_no = q.page.unwrap_or(1).max(1);
                let pages_total = shown.len().div_ceil(PAGE_SIZE).max(1);
                let on_page: Vec<&Signal> = shown
                    .iter()
                    .copied()
                    .skip((page_no - 1) * PAGE_SIZE)
                    .take(PAGE_SIZE)
                    .collect();
                list_main(
                    &state,
                    &session,
                    file,
                    &mine,
                    &shown,
                    &on_page,
                    &q,
                    page_no,
                    pages_total,
                )
            }
        };
        Ok(Html(
            pages::page(
                &state,
                "智慧监管风险提示",
                html! { (pages::staff_bar(&state, &session)) (main) },
            )
            .into_string(),
        )
        .into_response())
    })();
    finish(&state, result)
}

#[allow(clippy::too_many_arguments)]
fn list_main(
    state: &AppState,
    _session: &Session,
    file: &SignalsFile,
    mine: &[&Signal],
    shown: &[&Signal],
    on_page: &[&Signal],
    q: &ListQuery,
    page_no: usize,
    pages_total: usize,
) -> Markup {
    let link = |kind: &str, severity: &str| {
        let mut params = Vec::new();
        if !kind.is_empty() {
            params.push(format!("kind={kind}"));
        }
        if !severity.is_empty() {
            params.push(format!("severity={severity}"));
        }
        if params.is_empty() {
            "/staff/signals/".to_string()
        } else {
            format!("/staff/signals/?{}", params.join("&"))
        }
    };
    let count_kind = |k: &str| mine.iter().filter(|s| s.kind == k).count();
    let count_severity = |v: &str| mine.iter().filter(|s| s.severity == v).count();
    let scope = if access::is_office(state, &_session.staff) {
        "全部部门"
    } else {
        "本部门监督的项目"
    };
    html! {
        h1 { "智慧监管风险提示" }
        p.flag role="note" { (RISK_HINT) }
        p { "范围：" (scope) "。共 " (mine.len()) " 条，生成于 " (file.generated) "。每条提示说明数值、所对照的同类分布和相关规定；阈值见 site.toml 的 [signals]。" }
        @if !file.warnings.is_empty() {
            section.warnings aria-labelledby="warnings-heading" {
                h2 #warnings-heading { "提示过多" }
                ul { @for w in &file.warnings { li.flag { (w.explanation) } } }
            }
        }
        nav aria-label="按风险等级筛选" {
            ul.chips {
                li { a href=(link(&q.kind, "")) aria-current=[q.severity.is_empty().then_some("page")] { "全部等级" } }
                @for v in SEVERITIES {
                    li { a href=(link(&q.kind, v)) aria-current=[(q.severity == v).then_some("page")] {
                        "风险等级" (severity_label(v)) " " span.count { (count_severity(v)) }
                    } }
                }
            }
        }
        nav aria-label="按类型筛选" {
            ul.chips {
                li { a href=(link("", &q.severity)) aria-current=[q.kind.is_empty().then_some("page")] { "全部类型" } }
                @for k in KINDS {
                    @let n = count_kind(k);
                    @if n > 0 {
                        li { a href=(link(k, &q.severity)) aria-current=[(q.kind == k).then_some("page")] {
                            (kind_label(k)) " " span.count { (n) }
                        } }
                    }
                }
            }
        }
        @if shown.is_empty() {
            p.note { "没有符合条件的风险提示。" }
        } @else {
            table.signals {
                caption { "风险提示（" (shown.len()) " 条）" }
                thead { tr { th scope="col" { "等级" } th scope="col" { "类型" } th scope="col" { "说明" } th scope="col" { "涉及主体" } } }
                tbody {
                    @for s in on_page {
                        tr {
                            td data-label="等级" { (severity_label(&s.severity)) }
                            td data-label="类型" { (kind_label(&s.kind)) }
                            td data-label="说明" { a href=(format!("/staff/signals/{}", s.id)) { (s.explanation) } }
                            td data-label="涉及主体" {
                                @for c in &s.companies {
                                    a href=(format!("/staff/signals/companies/{c}/")) { (s.name_of(c)) }
                                    " "
                                }
                            }
                        }
                    }
                }
            }
            @if pages_total > 1 {
                nav aria-label="分页" {
                    p {
                        "第 " (page_no) " / " (pages_total) " 页 "
                        @if page_no > 1 {
                            a href=(format!("{}{}page={}", link(&q.kind, &q.severity), if q.kind.is_empty() && q.severity.is_empty() { "?" } else { "&" }, page_no - 1)) { "上一页" } " "
                        }
                        @if page_no < pages_total {
                            a href=(format!("{}{}page={}", link(&q.kind, &q.severity), if q.kind.is_empty() && q.severity.is_empty() { "?" } else { "&" }, page_no + 1)) { "下一页" }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /staff/signals/<id>`: one signal's evidence card.
pub async fn signal_page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let result = (|| -> StaffResult<Response> {
        let source = state.signals.as_ref().ok_or(StaffError::NotFound)?;
        let file = source.read()?.ok_or(StaffError::NotFound)?;
        let signal = file
            .signals
            .iter()
            .find(|s| s.id == id)
            .ok_or(StaffError::NotFound)?;
        access::authorize_signal(
            &state,
            &session.staff,
            &signal.projects,
            &signal.categories(),
        )?;
        let card = source.card(&signal.id)?;
        let main = html! {
            (pages::staff_bar(&state, &session))
            (PreEscaped(card))
            p { a href="/staff/signals/" { "全部风险提示" } }
        };
        Ok(Html(pages::page(&state, "风险提示", main).into_string()).into_response())
    })();
    finish(&state, result)
}

/// `GET /staff/signals/companies/<code>/`: the signals naming a company that the member of staff
/// may see; not found when there is none.
pub async fn company_page(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Response {
    let result = (|| -> StaffResult<Response> {
        let source = state.signals.as_ref().ok_or(StaffError::NotFound)?;
        let file = source.read()?.ok_or(StaffError::NotFound)?;
        let about: Vec<&Signal> = file
            .signals
            .iter()
            .filter(|s| s.companies.contains(&code))
            .collect();
        if about.is_empty() {
            return Err(StaffError::NotFound);
        }
        let mine: Vec<&Signal> = about
            .iter()
            .copied()
            .filter(|s| {
                access::authorize_signal(&state, &session.staff, &s.projects, &s.categories())
                    .is_ok()
            })
            .collect();
        if mine.is_empty() {
            return Err(StaffError::SignalElsewhere);
        }
        let name = mine[0].name_of(&code).to_string();
        let main = html! {
            (pages::staff_bar(&state, &session))
            h1 { (name) "的风险提示" }
            p.flag role="note" { (RISK_HINT) }
            p {
                "统一社会信用代码 " code { (code) } " · "
                a href=(disclosure::routes::company(&code)) { "公开的主体页面" }
            }
            ul {
                @for s in &mine {
                    li {
                        "【" (severity_label(&s.severity)) "】" (kind_label(&s.kind)) "："
                        a href=(format!("/staff/signals/{}", s.id)) { (s.explanation) }
                    }
                }
            }
            p { a href="/staff/signals/" { "全部风险提示" } }
        };
        Ok(
            Html(pages::page(&state, &format!("{name}的风险提示"), main).into_string())
                .into_response(),
        )
    })();
    finish(&state, result)
}
