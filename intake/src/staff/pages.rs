//! The staff pages as HTML: sign-in, the case list, the case page with its action forms, in the
//! site's theme (zh-CN, `noindex`, no JavaScript, labels on every field). Everything shown is
//! escaped by maud; nothing here decides who may see what — the handlers pass in what
//! [`super::access`] allowed.

use chrono::NaiveDate;
use maud::{html, Markup};

use crate::audit::{Action, Event};
use crate::cases::{Attachment, Case, Status};
use crate::clock::display_stamp;
use crate::AppState;

use super::access::{Access, Act};
use super::queries::{Extra, ListPage, StatusFilter, PAGE_SIZE};
use super::session::{Session, CSRF_FIELD};
use super::workflow::{outcome_label, OUTCOMES};

/// A staff page in the site's shell, kept out of search engines.
pub fn page(state: &AppState, title: &str, main: Markup) -> Markup {
    crate::public::shell(state, title, themes::Nav::Other, main)
}

fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(session.csrf); }
}

/// The bar on top of every signed-in page: where to go, who is signed in, sign-out.
pub fn staff_bar(state: &AppState, session: &Session) -> Markup {
    html! {
        nav.staff-bar aria-label="工作平台" {
            ul.chips {
                li { a href="/staff/" { "案件列表" } }
                li { a href="/staff/?status=overdue" { "逾期案件" } }
                li { a href="/staff/stats" { "统计" } }
                li { a href="/staff/signals/" { "风险提示" } }
            }
            form method="post" action="/staff/logout" {
                (csrf(session))
                span.note { "已登录：" (session.staff.username) "（" (state.content.departments.short(&session.staff.department)) "）" }
                " "
                button type="submit" { "退出登录" }
            }
        }
    }
}

/// The sign-in page; `message` is an error or a notice shown above the form.
pub fn login(
    state: &AppState,
    message: Option<&str>,
    username: &str,
    next: Option<&str>,
) -> Markup {
    let main = html! {
        h1 { "工作人员登录" }
        p.lede { "投诉举报办理工作平台，仅供行政监督部门和公管办工作人员使用。" }
        @if let Some(m) = message {
            p.flag role="alert" { (m) }
        }
        form.form method="post" action="/staff/login" {
            @if let Some(next) = next { input type="hidden" name="next" value=(next); }
            p.field {
                label for="username" { "用户名" }
                input #username type="text" name="username" value=(username) required
                    autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64";
            }
            p.field {
                label for="password" { "密码" }
                input #password type="password" name="password" required
                    autocomplete="current-password" maxlength="256";
            }
            p { button type="submit" { "登录" } }
        }
        p.note { "多次输入错误后需等待一段时间才能再次尝试。忘记密码请联系系统管理员。" }
    };
    page(state, "工作人员登录", main)
}

fn due_cell(due: Option<NaiveDate>, overdue: bool, status: Status) -> Markup {
    html! {
        @if overdue {
            strong.badge.badge-warn { "逾期" }
            " "
        }
        @match (due, status) {
            (Some(d), _) => time datetime=(d) { (d) },
            (None, Status::Waiting) => span.muted { "暂停计时" },
            (None, _) => span.muted { "—" },
        }
    }
}

/// The case list.
pub fn list(
    state: &AppState,
    session: &Session,
    filter: StatusFilter,
    listing: &ListPage,
    page_no: i64,
    all_departments: bool,
) -> Markup {
    let pages = (listing.total + PAGE_SIZE - 1) / PAGE_SIZE;
    let main = html! {
        (staff_bar(state, session))
        h1 { "案件列表" }
        p.lede {
            @if all_departments { "公管办：全部部门的案件。" }
            @else { (state.content.departments.short(&session.staff.department)) "承办的案件。" }
            "逾期案件排在最前。"
        }
        nav.filters aria-label="按状态筛选" {
            ul.chips {
                @for f in StatusFilter::SHOWN {
                    li {
                        a href={ "/staff/?status=" (f.key()) }
                            aria-current=[(f == filter).then_some("page")] { (f.label()) }
                    }
                }
            }
        }
        @if listing.rows.is_empty() {
            p.empty { "没有符合条件的案件。" }
        } @else {
            p.page-status { (filter.label()) "：共 " (listing.total) " 件" }
            ul.items {
                @for r in &listing.rows {
                    li.item {
                        a.item-title href={ "/staff/cases/" (r.tracking_number) } { (r.title) }
                        p.item-meta {
                            @if r.overdue { strong.badge.badge-warn { "逾期" } }
                            @if r.deadline_pending.is_some() && !r.status.is_closed() {
                                strong.badge.badge-warn.deadline-pending title=[r.deadline_pending.as_deref()] { "期限待定" }
                            }
                            span.code { (r.tracking_number) }
                            span { (r.kind.label()) }
                            span { (r.status.label()) }
                            @if all_departments { span { (state.content.departments.short(&r.department)) } }
                            span { "接收 " time datetime=(r.received_on) { (r.received_on) } }
                            span {
                                "期限 "
                                @match (r.due, r.status) {
                                    (Some(d), _) => time datetime=(d) { (d) },
                                    (None, Status::Waiting) => "暂停计时",
                                    (None, _) => "—",
                                }
                            }
                            @if r.published { span.badge { "已公开" } }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pagination aria-label="分页" {
                    ul {
                        @for p in 0..pages {
                            li {
                                @if p == page_no { span.current aria-current="page" { (p + 1) } }
                                @else { a href={ "/staff/?status=" (filter.key()) "&page=" (p + 1) } { (p + 1) } }
                            }
                        }
                    }
                }
            }
        }
    };
    page(state, "案件列表", main)
}

/// Everything the case page shows, gathered by the handler.
pub struct CaseView<'a> {
    pub case: &'a Case,
    pub extra: &'a Extra,
    pub access: Access,
    pub attachments: &'a [Attachment],
    pub may_download: bool,
    pub events: &'a [Event],
    /// The actions this member of staff may take now (authorized and allowed by the state).
    pub actions: Vec<Act>,
    pub today: NaiveDate,
}

fn paragraphs(text: &str) -> Markup {
    html! {
        @for line in text.lines().filter(|l| !l.trim().is_empty()) {
            p { (line) }
        }
    }
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The case page.
pub fn case(state: &AppState, session: &Session, v: &CaseView<'_>) -> Markup {
    let c = v.case;
    let due = c.current_deadline();
    let overdue = c.is_overdue(v.today);
    let title = format!("{} {}", c.kind.label(), c.tracking_number);
    let main = html! {
        (staff_bar(state, session))
        h1 { (title) }
        @if overdue {
            div.flag.flag-missing role="note" {
                p.flag-summary { "逾期：" (c.status.label()) "期限 " (due.map(|d| d.to_string()).unwrap_or_default()) " 已过。" }
            }
        }
        @if let (Some(reason), false) = (&c.deadline_pending, c.status.is_closed()) {
            div.flag.flag-missing.deadline-pending role="note" {
                p.flag-summary { "期限待定：" (reason) "。" }
                p { "请在 calendar.toml 补充该年度节假日安排（国务院办公厅通知）后重启服务，期限将重新计算；在此之前请人工掌握办理期限。" }
            }
        }
        @if !v.access.handling {
            p.flag role="note" { "此案件由" (state.content.departments.short(&c.department)) "承办；公管办可查阅、转办和督办。" }
        }
        h2 { "基本信息" }
        dl.fields {
            div { dt { "受理编号" } dd.code { (c.tracking_number) } }
            div { dt { "类型" } dd { (c.kind.label()) } }
            div { dt { "标题" } dd { (c.title) } }
            div { dt { "状态" } dd { (c.status.label()) @if c.published { "（处理结果已公开）" } } }
            div { dt { "承办部门" } dd { (state.content.departments.short(&c.department)) } }
            div { dt { "分派 / 转办理由" } dd { (c.routing_reason) } }
            div { dt { "项目编号" } dd { (c.project.as_deref().unwrap_or("—")) } }
            div { dt { "类别" } dd { (c.category().map(|k| k.label()).unwrap_or("—")) } }
            div { dt { "接收时间" } dd { (display_stamp(&c.received_at)) } }
            div { dt { "办理时限" } dd.deadline-rule { (c.rule_name().label()) "：" (c.rule_name().describe(&state.config.deadlines)) } }
            div { dt { "期限依据" } dd.deadline-basis { (c.rule_name().basis()) } }
            div { dt { "当前期限" } dd { (due_cell(due, overdue, c.status)) } }
            @if let Some(d) = c.accepted_on { div { dt { "受理日期" } dd { (d) } } }
            @if let Some(d) = v.extra.closed_on { div { dt { "决定日期" } dd { (d) } } }
            @if let Some(o) = &v.extra.outcome { div { dt { "办理结果" } dd { (outcome_label(o)) } } }
            @if let Some(d) = &c.decision {
                div {
                    dt { @if c.status == Status::Rejected { "不予受理理由" } @else { "处理决定" } }
                    dd { (paragraphs(d)) }
                }
            }
        }
        h2 { "提交人" }
        @if !v.access.show_identity {
            p.note { "举报人身份信息仅向承办部门显示。" }
        } @else if c.is_anonymous() {
            p { "匿名" (c.kind.label()) }
        } @else {
            dl.fields {
                div { dt { "姓名（名称）" } dd { (c.submitter_name.as_deref().unwrap_or("—")) } }
                div { dt { "联系电话" } dd { (c.submitter_phone.as_deref().unwrap_or("—")) } }
                div { dt { "电子邮箱" } dd { (c.submitter_email.as_deref().unwrap_or("—")) } }
            }
        }
        h2 { "内容" }
        div.body { (paragraphs(&c.content)) }
        h2 { "附件" }
        @if v.attachments.is_empty() {
            p.muted { "无附件。" }
        } @else if !v.may_download {
            p.note { (v.attachments.len()) " 个附件。举报件的附件可能包含举报人信息，仅承办部门可以下载。" }
        } @else {
            ul {
                @for a in v.attachments {
                    li {
                        a href={ "/staff/cases/" (c.tracking_number) "/attachments/" (a.id) } download {
                            (a.file_name)
                        }
                        " "
                        span.note { (a.content_type) "，" (size(a.size_bytes)) }
                    }
                }
            }
        }
        @if !v.actions.is_empty() {
            h2 { "办理" }
            @for act in &v.actions {
                (action_form(state, session, c, v.extra, *act))
            }
        }
        h2 { "办理记录" }
        p.note { "记录不可修改，包括每一次查阅。" }
        div.table-scroll {
            table {
                caption.visually-hidden { "办理记录" }
                thead { tr { th scope="col" { "时间" } th scope="col" { "操作人" } th scope="col" { "事项" } th scope="col" { "说明" } } }
                tbody {
                    @for e in v.events {
                        tr {
                            td { (display_stamp(&e.at)) }
                            td { (e.actor) }
                            td { (Action::from_key(&e.action).map(|a| a.label()).unwrap_or(e.action.as_str())) }
                            td { (e.note) }
                        }
                    }
                }
            }
        }
    };
    page(state, &title, main)
}

fn textarea(id: &str, name: &str, label: &str, required: bool, value: &str) -> Markup {
    html! {
        p.field {
            label for=(id) { (label) @if required { "（必填）" } }
            textarea id=(id) name=(name) rows="4" cols="32" required[required] maxlength="20000" { (value) }
        }
    }
}

fn action_form(state: &AppState, session: &Session, c: &Case, extra: &Extra, act: Act) -> Markup {
    let id = act.path();
    let action = format!("/staff/cases/{}/{}", c.tracking_number, act.path());
    html! {
        section.action aria-labelledby={ "act-" (id) } {
            h3 id={ "act-" (id) } { (act.label()) }
            form.form method="post" action=(action) {
                (csrf(session))
                @match act {
                    Act::Accept => {
                        (textarea("accept-note", "note", "受理意见", false, ""))
                    }
                    Act::Reject => {
                        (textarea("reject-reason", "reason", "不予受理理由（将告知提交人）", true, ""))
                    }
                    Act::Transfer => {
                        p.field {
                            label for="transfer-to" { "转入部门（必填）" }
                            select #transfer-to name="to" required {
                                option value="" { "请选择" }
                                @for d in state.content.departments.all() {
                                    @if d.id != c.department {
                                        option value=(d.id) { (d.name) }
                                    }
                                }
                            }
                        }
                        (textarea("transfer-reason", "reason", "转办理由（将告知提交人）", true, ""))
                    }
                    Act::RequestMaterial => {
                        p.hint { "提交补正要求后暂停计时，收到材料后恢复。" }
                        (textarea("material-what", "what", "需补正的材料（将告知提交人）", true, ""))
                    }
                    Act::MaterialReceived => {
                        (textarea("material-note", "note", "说明", false, ""))
                    }
                    Act::Conclude => {
                        p.field {
                            label for="conclude-outcome" { "办理结果类别（必填）" }
                            select #conclude-outcome name="outcome" required {
                                option value="" { "请选择" }
                                @for (key, label) in OUTCOMES {
                                    option value=(key) { (label) }
                                }
                            }
                        }
                        (textarea("conclude-decision", "decision", "处理决定（将告知提交人）", true, ""))
                    }
                    Act::Publish => {
                        p.warning role="note" {
                            strong { "注意：" }
                            "以下内容将原文发布在网站上。不得包含投诉人、举报人的姓名、名称、电话、邮箱、身份证号、银行账号等个人信息；"
                            "含有提交人信息或未通过网站发布检查的内容将被拒绝。"
                        }
                        p.field {
                            label for="publish-title" { "公开标题（必填）" }
                            input #publish-title type="text" name="title" required maxlength="200" size="32"
                                value=(extra.published_title.clone().unwrap_or_else(|| format!("关于{}号{}的处理结果", c.tracking_number, c.kind.label())));
                        }
                        p.field {
                            label for="publish-outcome" { "处理结果摘要（必填）" }
                            input #publish-outcome type="text" name="outcome" required maxlength="200" size="32"
                                value=(extra.published_outcome.clone().or_else(|| extra.outcome.as_deref().map(|o| outcome_label(o).to_string())).unwrap_or_default());
                        }
                        (textarea("publish-text", "text", "公开文本（Markdown）", true, c.published_decision.as_deref().unwrap_or("")))
                    }
                    Act::View | Act::Download => {}
                }
                p { button type="submit" { (act.label()) } }
            }
        }
    }
}
