//! The HTML results page `/search`, in the site's theme: the search form with its filters,
//! the card of the company a query names, facet counts as links, highlighted hits linking to the
//! companies they are about, pagination, and a no-results page that helps.
//! No JavaScript: every control is a link or a GET form.

use disclosure::{Category, Departments, Kind, SiteConfig, Stage};
use maud::{html, Markup, PreEscaped};
use themes::{Meta, Nav};

use crate::engine::Outcome;
use crate::facets::FACET_FIELDS;
use crate::query::{SearchParams, Sort, MAX_NAME_CHARS, MAX_PAGE, MAX_QUERY_CHARS, PER_PAGE};
use crate::{CompanyCard, Found};

/// Everything the page needs besides the outcome.
pub struct PageContext<'a> {
    pub site: &'a SiteConfig,
    pub departments: &'a Departments,
}

fn facet_label<'a>(ctx: &'a PageContext<'a>, field: &str, value: &'a str) -> &'a str {
    match field {
        "kind" => Kind::from_key(value).map_or(value, |k| k.label()),
        "category" => Category::from_key(value).map_or(value, |c| c.label()),
        "stage" => Stage::from_key(value).map_or(value, |s| s.label()),
        "buyer" | "agency" => value,
        _ => Departments::name(ctx.departments, value),
    }
}

fn facet_title(field: &str) -> &'static str {
    match field {
        "kind" => "信息类别",
        "category" => "交易类别",
        "stage" => "交易环节",
        "buyer" => "采购人（招标人）",
        "agency" => "代理机构",
        _ => "监督部门",
    }
}

/// The search form, filled in with `p` (empty on an error page).
fn form(ctx: &PageContext, p: &SearchParams) -> Markup {
    let selected_dep = p.department.as_deref().unwrap_or("");
    html! {
        form #search-form.search-big role="search" aria-label="全文检索" action="/search" method="get" {
            label for="search-q" { "检索词" }
            div.row {
                input #search-q type="search" name="q" value=(p.q) maxlength=(MAX_QUERY_CHARS)
                    placeholder="公司名称、项目名称、项目编号、信用代码、处罚文号…";
                button type="submit" { "搜索" }
            }
            p.hint { "多个词用空格分开，包含全部词的结果排在前面。可输入名称的一部分，如“鹰城建设”。" }
        }
        // Outside the big search form (whose styles are for one large box), tied to it by the
        // `form` attribute: one GET submits the words and the filters together.
        details.filters open[p.has_filters() || p.sort != Sort::Relevance] {
                summary { "筛选与排序" }
                p {
                    label for="f-kind" { "信息类别 " }
                    select #f-kind name="kind" form="search-form" {
                        option value="" { "全部" }
                        @for k in Kind::ALL {
                            option value=(k.key()) selected[p.kind == Some(*k)] { (k.label()) }
                        }
                    }
                }
                p {
                    label for="f-category" { "交易类别 " }
                    select #f-category name="category" form="search-form" {
                        option value="" { "全部" }
                        @for c in Category::ALL {
                            option value=(c.key()) selected[p.category == Some(*c)] { (c.label()) }
                        }
                    }
                }
                p {
                    label for="f-stage" { "交易环节 " }
                    select #f-stage name="stage" form="search-form" {
                        option value="" { "全部" }
                        @for s in Stage::ALL {
                            option value=(s.key()) selected[p.stage == Some(*s)] { (s.label()) }
                        }
                    }
                }
                p {
                    label for="f-department" { "监督部门 " }
                    select #f-department name="department" form="search-form" {
                        option value="" { "全部" }
                        @for d in ctx.departments.all() {
                            option value=(d.id) selected[selected_dep == d.id] { (d.name) }
                        }
                    }
                }
                p {
                    label for="f-buyer" { "采购人（招标人） " }
                    input #f-buyer type="text" name="buyer" form="search-form" maxlength=(MAX_NAME_CHARS)
                        value=[p.buyer.as_deref()] placeholder="名称或统一社会信用代码";
                }
                p {
                    label for="f-agency" { "代理机构 " }
                    input #f-agency type="text" name="agency" form="search-form" maxlength=(MAX_NAME_CHARS)
                        value=[p.agency.as_deref()] placeholder="名称或统一社会信用代码";
                }
                p {
                    label for="f-from" { "发布日期 从 " }
                    input #f-from type="date" name="from" form="search-form" value=[p.from.map(|d| d.to_string())];
                    label for="f-to" { " 至 " }
                    input #f-to type="date" name="to" form="search-form" value=[p.to.map(|d| d.to_string())];
                }
                p {
                    label for="f-sort" { "排序 " }
                    select #f-sort name="sort" form="search-form" {
                        option value="relevance" selected[p.sort == Sort::Relevance] { "按相关度" }
                        option value="date" selected[p.sort == Sort::Date] { "按发布日期（新的在前）" }
                    }
                }
                p { button type="submit" form="search-form" { "应用筛选" } }
        }
    }
}

/// The card of the company a query names whole: its name linking to its page, its code and
/// earlier names, its trades and its current credit standing.
fn company_card(card: &CompanyCard) -> Markup {
    let c = &card.company;
    let url = disclosure::routes::company(&c.code);
    let earlier: Vec<&str> = c
        .names
        .iter()
        .map(String::as_str)
        .filter(|n| *n != c.name)
        .collect();
    html! {
        section.company-card aria-labelledby="company-card-title" {
            h2 #company-card-title { a href=(url) { (c.name) } }
            dl.fields {
                div { dt { "统一社会信用代码" } dd.code { (c.code) } }
                @if !earlier.is_empty() {
                    div { dt { "曾用名称" } dd { (earlier.join("、")) } }
                }
                div { dt { "投标 / 中标" } dd { (c.bids) " 次 / " (c.wins) " 次，中标合计 " (c.won_amount) " 元" } }
                div {
                    dt { "现行信用记录" }
                    dd {
                        @if !card.credit.black.is_empty() { span.badge.badge-black { "黑名单 " (card.credit.black.len()) } " " }
                        @if !card.credit.red.is_empty() { span.badge.badge-red { "红名单 " (card.credit.red.len()) } " " }
                        @if !card.credit.penalties.is_empty() { span.badge { "行政处罚 " (card.credit.penalties.len()) } " " }
                        @if card.credit.black.is_empty() && card.credit.red.is_empty() && card.credit.penalties.is_empty() { "无" }
                        " " a href={ "/credit?code=" (c.code) } { "信用查询" }
                    }
                }
            }
            p { a href=(url) { "查看该主体的全部交易和信用记录" } }
        }
    }
}

/// The results page.
pub fn results(ctx: &PageContext, p: &SearchParams, found: &Found) -> Markup {
    let outcome = &found.outcome;
    let title = if p.q.is_empty() {
        "全文检索".to_string()
    } else {
        format!("“{}”的检索结果", p.q)
    };
    let rss = p.link("/search.rss", &[("page", None), ("sort", None)]);
    let pages = outcome.total.div_ceil(PER_PAGE).clamp(1, MAX_PAGE);
    let main = html! {
        h1 { (title) }
        (form(ctx, p))
        @if let Some(card) = &found.card { (company_card(card)) }
        @if outcome.total == 0 {
            (no_results(p))
        } @else {
            p.page-status role="status" {
                "共找到 " strong { (outcome.total) @if outcome.capped { "+" } } " 条结果"
                @if p.page > 1 { "，第 " (p.page) " 页" }
                "（用时 " (format!("{:.1}", outcome.took_ms)) " 毫秒）· "
                @if p.sort == Sort::Relevance {
                    "按相关度排序 · " a href=(p.link("/search", &[("sort", Some("date")), ("page", None)])) { "改为按日期排序" }
                } @else {
                    "按日期排序 · " a href=(p.link("/search", &[("sort", None), ("page", None)])) { "改为按相关度排序" }
                }
                " · " a href=(rss) { "订阅此检索（RSS）" }
            }
            @if outcome.partial && outcome.full_total == 0 {
                p.note { "没有同时包含全部检索词的信息，以下是部分相符的结果。" }
            } @else if outcome.partial {
                p.note { "标有“部分相符”的结果只包含部分检索词，排在完全相符的结果之后。" }
            }
            (facets(ctx, p, outcome))
            @if outcome.hits.is_empty() {
                p.empty { "这一页没有结果。" a href=(p.link("/search", &[("page", None)])) { "回到第一页" } }
            }
            ol.items start=((p.page - 1) * PER_PAGE + 1) {
                @for hit in &outcome.hits {
                    li.item {
                        a.item-title href=(hit.url) { (PreEscaped(&hit.title_html)) }
                        p.item-meta {
                            span.badge { (hit.kind.label()) }
                            @if hit.partial { span.badge { "部分相符" } }
                            time datetime=(hit.date) { (hit.date) }
                            @if let Some(dep) = &hit.department { span { (Departments::short(ctx.departments, dep)) } }
                        }
                        @if !hit.snippet_html.is_empty() {
                            p.item-extra { (PreEscaped(&hit.snippet_html)) }
                        }
                        @let about: Vec<(&str, &str)> = crate::hit_companies(hit, &found.companies).collect();
                        @if !about.is_empty() {
                            p.item-companies {
                                "相关主体："
                                @for (i, (code, name)) in about.iter().enumerate() {
                                    @if i > 0 { "、" }
                                    a href=(disclosure::routes::company(code)) { (name) }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(p, pages, outcome.total))
        }
    };
    let meta = Meta {
        title: &title,
        description: "全文检索交易公告、交易结果、行政处罚、信用名单等全部公开信息",
        path: "",
        feed: Some((&rss, "此检索的 RSS 订阅")),
        noindex: true,
    };
    themes::page(ctx.site, &meta, Nav::Search, main)
}

fn facets(ctx: &PageContext, p: &SearchParams, outcome: &Outcome) -> Markup {
    let current = |field: &str| -> Option<String> {
        match field {
            "kind" => p.kind.map(|k| k.key().to_string()),
            "category" => p.category.map(|c| c.key().to_string()),
            "stage" => p.stage.map(|s| s.key().to_string()),
            "buyer" => p.buyer.clone(),
            "agency" => p.agency.clone(),
            _ => p.department.clone(),
        }
    };
    html! {
        nav.filters aria-label="按类别筛选结果" {
            @for (i, field) in FACET_FIELDS.iter().enumerate() {
                @let counts = outcome.facets.shown(i);
                @if !counts.is_empty() {
                    h2 { (facet_title(field)) }
                    ul.chips {
                        @let selected = current(field);
                        li { a href=(p.link("/search", &[(field, None), ("page", None)])) aria-current=[selected.is_none().then_some("page")] { "全部" } }
                        @for (value, n) in counts {
                            li {
                                a href=(p.link("/search", &[(field, Some(value)), ("page", None)]))
                                    aria-current=[(selected.as_deref() == Some(value)).then_some("page")] {
                                    (facet_label(ctx, field, value)) " " span.count { (n) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn pagination(p: &SearchParams, pages: usize, total: usize) -> Markup {
    let n = p.page;
    let link = |i: usize| {
        let page = i.to_string();
        p.link("/search", &[("page", (i > 1).then_some(page.as_str()))])
    };
    let mut numbers = Vec::new();
    let mut last = 0;
    for i in 1..=pages {
        if i == 1 || i == pages || i.abs_diff(n) <= 2 {
            if i > last + 1 {
                numbers.push(None);
            }
            numbers.push(Some(i));
            last = i;
        }
    }
    html! {
        @if pages > 1 {
            nav.pagination aria-label="分页" {
                ul {
                    @if n > 1 { li { a href=(link(n - 1)) rel="prev" { "‹ 上一页" } } }
                    @for i in numbers {
                        @match i {
                            Some(i) if i == n => li { span.current aria-current="page" { (i) } }
                            Some(i) => li { a href=(link(i)) aria-label={ "第 " (i) " 页" } { (i) } }
                            None => li.gap aria-hidden="true" { "…" }
                        }
                    }
                    @if n < pages { li { a href=(link(n + 1)) rel="next" { "下一页 ›" } } }
                }
                p.page-status {
                    "第 " (n) " / " (pages) " 页"
                    @if total > MAX_PAGE * PER_PAGE { "（只显示前 " (pages) " 页，请添加检索词或筛选条件缩小范围）" }
                }
            }
        }
    }
}

fn no_results(p: &SearchParams) -> Markup {
    html! {
        div.empty role="status" {
            h2 { "没有找到与“" (p.q) "”相符的信息" }
            p { "可以试试：" }
            ul {
                @if p.has_filters() {
                    li { a href=(p.link("/search", &[("kind", None), ("category", None), ("stage", None), ("department", None), ("buyer", None), ("agency", None), ("from", None), ("to", None), ("page", None)])) { "去掉筛选条件再搜索" } }
                }
                @if p.words.len() > 1 {
                    li { "减少检索词：结果须同时包含每一个词" }
                }
                li { "用更短的词，例如公司名称中的几个字（“鹰城建设”）、项目编号的后几位" }
                li { "检查错别字；统一社会信用代码为 18 位" }
            }
            p { "或者浏览：" }
            ul.chips {
                li { a href="/notices/" { "交易公告" } }
                li { a href="/results/" { "交易结果" } }
                li { a href="/penalties/" { "行政处罚" } }
                li { a href="/credit/black/" { "黑名单" } }
                li { a href="/credit/red/" { "红名单" } }
                li { a href="/projects/" { "项目全流程" } }
            }
        }
    }
}

/// A page for a refused request: the message and the form to try again.
pub fn error(ctx: &PageContext, p: &SearchParams, message: &str) -> Markup {
    let main = html! {
        h1 { "全文检索" }
        p.note role="alert" { (message) }
        (form(ctx, p))
    };
    let meta = Meta {
        title: "全文检索",
        description: "",
        path: "",
        feed: None,
        noindex: true,
    };
    themes::page(ctx.site, &meta, Nav::Search, main)
}

/// `/search` without words: the form, and what can be searched.
pub fn search_home(ctx: &PageContext, p: &SearchParams) -> Markup {
    let main = html! {
        h1 { "全文检索" }
        (form(ctx, p))
        p { "可检索交易公告、交易结果、行政处罚、信用名单、权责清单、抽查结果和投诉处理结果：公司名称（或其中几个字）、项目名称、项目编号、统一社会信用代码、处罚文号。" }
        p { a href="/credit" { "按统一社会信用代码或名称查询信用记录" } }
    };
    let meta = Meta {
        title: "全文检索",
        description: "全文检索交易公告、交易结果、行政处罚、信用名单等全部公开信息",
        path: "",
        feed: None,
        noindex: true,
    };
    themes::page(ctx.site, &meta, Nav::Search, main)
}

/// `/credit`: the look-up form, and the subject's current standing when one was asked about.
pub fn credit(
    ctx: &PageContext,
    code: &str,
    name: &str,
    report: Option<(&crate::companies::CreditReport, chrono::NaiveDate)>,
    message: Option<&str>,
) -> Markup {
    use disclosure::model::Details;
    let entries = |title: &str, docs: &[disclosure::Disclosure]| {
        html! {
            h2 { (title) " " span.count { (docs.len()) } }
            @if docs.is_empty() {
                p { "无" }
            } @else {
                ul.items {
                    @for d in docs {
                        li.item {
                            a.item-title href=(d.url()) { (d.title) }
                            p.item-meta {
                                time datetime=(d.date) { (d.date) }
                                @match &d.details {
                                    Details::Credit(c) => { span { "有效期 " (c.from) " 至 " (c.until) } span { (c.reason) } }
                                    Details::Penalty(p) => { span { (p.decision_no) } span { (p.violation) } }
                                    _ => {}
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let main = html! {
        h1 { "信用查询" }
        form.search-big role="search" aria-label="信用查询" action="/credit" method="get" {
            p {
                label for="credit-code" { "统一社会信用代码 " }
                input #credit-code type="text" name="code" value=(code) maxlength="100" autocomplete="off";
            }
            p {
                label for="credit-name" { "或 名称 " }
                input #credit-name type="text" name="name" value=(name) maxlength="100";
            }
            p { button type="submit" { "查询" } }
        }
        @if let Some(message) = message {
            p.note role="alert" { (message) }
        }
        @if let Some((report, today)) = report {
            p.page-status role="status" { "截至 " (today) " 的信用记录（只列现行的红黑名单和仍在公示期内的行政处罚）" }
            @if !report.companies.is_empty() {
                h2 { "查到的市场主体" }
                ul {
                    @for c in &report.companies {
                        li {
                            a href=(disclosure::routes::company(&c.code)) { (c.name) }
                            " " code { (c.code) }
                            @let earlier: Vec<&str> = c.names.iter().map(String::as_str).filter(|n| *n != c.name).collect();
                            @if !earlier.is_empty() { " （曾用名称：" (earlier.join("、")) "）" }
                        }
                    }
                }
            }
            (entries("黑名单", &report.black))
            (entries("红名单", &report.red))
            (entries("行政处罚", &report.penalties))
        }
    };
    let meta = Meta {
        title: "信用查询",
        description: "按统一社会信用代码或名称查询市场主体现行的红黑名单和行政处罚",
        path: "",
        feed: None,
        noindex: true,
    };
    themes::page(ctx.site, &meta, Nav::Search, main)
}
