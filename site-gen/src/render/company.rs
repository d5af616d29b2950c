//! `/companies/<credit code>/`: one page per market entity (市场主体), its JSON beside it at
//! `/data/companies/<credit code>.json`, and `/companies/` listing them by name, by wins and by
//! amount won (three orders, each paginated, so sorting needs no JavaScript).
//!
//! A win while the company was on a black list or inside a penalty that bars it from bidding is
//! flagged with the entry that barred it (一处失信，处处受限); a bid while barred is shown less
//! loudly.

use maud::{html, Markup};
use serde::Serialize;

use disclosure::model::{CreditList, Details};
use disclosure::{routes, Disclosure, Yuan};

use super::{bar_notes, breadcrumb, page_file, page_suffix, pagination, Nav, PageJob};
use crate::companies::{Bar, Company, Role};
use crate::output::{file_for_url, OutFile};
use crate::site::Site;

/// Companies per list page.
const PER_LIST_PAGE: usize = 100;

/// The three orders of `/companies/`: (base URL, title, label of the link).
const ORDERS: [(&str, &str, &str); 3] = [
    ("/companies/", "市场主体（按名称）", "按名称"),
    (
        "/companies/by-wins/",
        "市场主体（按中标次数）",
        "按中标次数",
    ),
    (
        "/companies/by-amount/",
        "市场主体（按中标金额）",
        "按中标金额",
    ),
];

fn yuan(y: Option<Yuan>) -> String {
    y.map_or_else(|| "—".to_string(), |y| y.display())
}

fn company_page<'a>(site: &Site<'a>, c: &Company<'a>) -> OutFile {
    let url = routes::company(c.code);
    let name = c.name();
    let wins: Vec<_> = c.wins().collect();
    let flagged: Vec<_> = wins
        .iter()
        .map(|b| (b, c.bars_on(site, b.result.date)))
        .filter(|(_, bars)| !bars.is_empty())
        .collect();
    let by_year = c.wins_by_year();
    let main = html! {
        (breadcrumb(&[("/companies/", "市场主体")], name))
        h1 { (name) }
        dl.fields {
            div { dt { "统一社会信用代码" } dd.code { (c.code) } }
            @if c.names.len() > 1 {
                div {
                    dt { "曾用名称" }
                    dd {
                        ul {
                            @for (n, first, last) in &c.names {
                                li { (n) "（" (first) " 至 " (last) "）" }
                            }
                        }
                    }
                }
            }
            div { dt { "投标" } dd { (c.bids.len()) " 次" } }
            div { dt { "中标" } dd { (wins.len()) " 次，合计 " (c.won_amount().display()) } }
        }
        @if !flagged.is_empty() {
            section.alert role="alert" {
                h2 { "失信期间中标" }
                p { "以下中标发生在该主体列入失信名单或受禁止投标处罚期间（一处失信，处处受限），请监督部门核查：" }
                ul {
                    @for (b, bars) in &flagged {
                        li {
                            a href=(b.result.url()) { (b.result.title) } "（" (b.result.date) "）："
                            (bar_notes(site, bars))
                        }
                    }
                }
            }
        }
        @if !by_year.is_empty() {
            section {
                h2 { "中标业绩（按年度和类别）" }
                div.table-scroll role="region" aria-label="中标业绩" tabindex="0" {
                    table {
                        thead { tr { th scope="col" { "年度" } th scope="col" { "类别" } th scope="col" { "中标次数" } th scope="col" { "金额" } } }
                        tbody {
                            @for ((year, category), (n, amount)) in &by_year {
                                tr { td { (year) } td { (category.label()) } td { (n) } td { (amount.display()) } }
                            }
                        }
                    }
                }
            }
        }
        @if !c.bids.is_empty() {
            section {
                h2 { "投标记录" }
                ul.items {
                    @for b in &c.bids {
                        @let bars = c.bars_on(site, b.result.date);
                        li.item {
                            a.item-title href=(b.result.url()) { (b.result.title) }
                            p.item-meta {
                                time datetime=(b.result.date) { (b.result.date) }
                                span { "项目 " a href=(routes::project(b.project)) { (b.project) } }
                                span { "报价 " span.amount { (b.bidder.bid.display()) } }
                                @if b.bidder.rank > 0 && !b.bidder.disqualified { span { "排名 " (b.bidder.rank) } }
                                @if b.bidder.won { span.badge.badge-won { "中标" } }
                                @if b.bidder.disqualified { span.badge.badge-bad { "被否决" } }
                            }
                            @if let Some(reason) = &b.bidder.reason {
                                p.item-extra { "否决原因：" (reason) }
                            }
                            @if !bars.is_empty() && !b.bidder.won {
                                p.item-extra {
                                    "投标时处于限制期间："
                                    (bar_notes(site, &bars))
                                }
                            }
                        }
                    }
                }
            }
        }
        (disclosures(site, "行政处罚", &c.penalties))
        (credit_entries(site, c))
        (disclosures(site, "双随机抽查", &c.inspections))
        @if !c.roles.is_empty() {
            section {
                h2 { "作为采购人（招标人）或代理机构的项目" }
                ul {
                    @for (d, role) in &c.roles {
                        li {
                            @if let Some(t) = d.trade() {
                                a href=(routes::project(&t.project)) { code { (t.project) } } " "
                            }
                            a href=(d.url()) { (d.title) }
                            "（" (match role { Role::Buyer => "采购人/招标人", Role::Agency => "代理机构" }) "）"
                        }
                    }
                }
            }
        }
        p { a href=(format!("/data/companies/{}.json", c.code)) { "本页数据（JSON）" } }
    };
    let description = format!(
        "{name}（{}）在本市公共资源交易中的投标、中标、行政处罚、信用和抽查记录",
        c.code
    );
    page_file(site, &url, name, &description, None, Nav::Other, main)
}

fn disclosures(_site: &Site, title: &str, docs: &[&Disclosure]) -> Markup {
    html! {
        @if !docs.is_empty() {
            section {
                h2 { (title) }
                ul {
                    @for d in docs {
                        li { a href=(d.url()) { (d.title) } "（" (d.date) "）" }
                    }
                }
            }
        }
    }
}

fn credit_entries(site: &Site, c: &Company) -> Markup {
    let current =
        |d: &Disclosure| matches!(&d.details, Details::Credit(e) if e.is_current(site.today));
    let (now, past): (Vec<&Disclosure>, Vec<&Disclosure>) =
        c.credit.iter().copied().partition(|d| current(d));
    let list = |d: &Disclosure| match &d.details {
        Details::Credit(e) if e.list == CreditList::Red => "红名单",
        _ => "黑名单",
    };
    html! {
        @if !c.credit.is_empty() {
            section {
                h2 { "信用记录" }
                @if !now.is_empty() {
                    h3 { "现行" }
                    ul { @for d in &now { li { span.badge { (list(d)) } " " a href=(d.url()) { (d.title) } } } }
                }
                @if !past.is_empty() {
                    h3 { "历史" }
                    ul { @for d in &past { li { span.badge { (list(d)) } " " a href=(d.url()) { (d.title) } } } }
                }
            }
        }
    }
}

#[derive(Serialize)]
struct CompanyJson<'a> {
    credit_code: &'a str,
    name: &'a str,
    names: Vec<NameJson<'a>>,
    bids: Vec<BidJson<'a>>,
    wins: usize,
    won_amount: String,
    flagged_wins: Vec<FlagJson>,
    penalties: Vec<String>,
    credit: Vec<String>,
    /// The credit entries in force on the build date (the page's 现行), as `/api/credit` gives.
    current_credit: Vec<String>,
    inspections: Vec<String>,
    roles: Vec<RoleJson>,
}

#[derive(Serialize)]
struct NameJson<'a> {
    name: &'a str,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
}

#[derive(Serialize)]
struct BidJson<'a> {
    project: &'a str,
    result: String,
    date: chrono::NaiveDate,
    bid: String,
    rank: u32,
    won: bool,
    disqualified: bool,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct FlagJson {
    result: String,
    barred_by: Vec<String>,
    /// Bars by penalties past their publicity: counted, not named (their pages are gone).
    #[serde(skip_serializing_if = "is_zero")]
    withdrawn_penalties: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct RoleJson {
    role: &'static str,
    disclosure: String,
}

fn company_json<'a>(site: &Site<'a>, c: &Company<'a>) -> OutFile {
    let base = &site.content.site.base_url;
    let abs = |d: &Disclosure| format!("{base}{}", d.url());
    let json = CompanyJson {
        credit_code: c.code,
        name: c.name(),
        names: c
            .names
            .iter()
            .map(|(name, first, last)| NameJson {
                name,
                first: *first,
                last: *last,
            })
            .collect(),
        bids: c
            .bids
            .iter()
            .map(|b| BidJson {
                project: b.project,
                result: abs(b.result),
                date: b.result.date,
                bid: b.bidder.bid.decimal(),
                rank: b.bidder.rank,
                won: b.bidder.won,
                disqualified: b.bidder.disqualified,
                reason: b.bidder.reason.as_deref(),
            })
            .collect(),
        wins: c.wins().count(),
        won_amount: c.won_amount().decimal(),
        flagged_wins: c
            .wins()
            .filter_map(|b| {
                let bars = c.bars_on(site, b.result.date);
                let (named, withdrawn): (Vec<&Bar>, Vec<&Bar>) =
                    bars.iter().partition(|bar| bar.by.is_public(site.today));
                (!bars.is_empty()).then(|| FlagJson {
                    result: abs(b.result),
                    barred_by: named.iter().map(|bar| abs(bar.by)).collect(),
                    withdrawn_penalties: withdrawn.len(),
                })
            })
            .collect(),
        penalties: c.penalties.iter().map(|d| abs(d)).collect(),
        credit: c.credit.iter().map(|d| abs(d)).collect(),
        current_credit: c
            .credit
            .iter()
            .filter(|d| matches!(&d.details, Details::Credit(e) if e.is_current(site.today)))
            .map(|d| abs(d))
            .collect(),
        inspections: c.inspections.iter().map(|d| abs(d)).collect(),
        roles: c
            .roles
            .iter()
            .map(|(d, role)| RoleJson {
                role: match role {
                    Role::Buyer => "buyer",
                    Role::Agency => "agency",
                },
                disclosure: abs(d),
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&json).expect("company JSON serialises");
    bytes.push(b'\n');
    OutFile {
        path: file_for_url(&company_json_url(c.code)),
        bytes,
    }
}

/// Every company of the site, with what `/companies/` shows of each and its three orders.
pub struct Companies<'a> {
    /// By credit code.
    all: Vec<Company<'a>>,
    /// Per company: its name, bids, wins and amount won, as the list pages show them.
    rows: Vec<Row<'a>>,
    /// Indexes into `all`, by name, by wins and by amount (the orders of [`ORDERS`]).
    orders: [Vec<usize>; 3],
}

#[derive(Hash)]
struct Row<'a> {
    code: &'a str,
    name: &'a str,
    bids: usize,
    wins: usize,
    amount: Yuan,
}

impl<'a> Companies<'a> {
    /// Every company, by credit code.
    pub fn all(&self) -> &[Company<'a>] {
        &self.all
    }

    /// Gathers the site's companies. Uses no thread pool: a build gathers them on a thread of
    /// its own while the pool renders ([`crate::build`]), and a pool thread may wait for them.
    pub fn new(site: &Site<'a>) -> Companies<'a> {
        let all: Vec<Company<'a>> = crate::companies::companies(site).into_values().collect();
        let rows: Vec<Row<'a>> = all
            .iter()
            .map(|c| Row {
                code: c.code,
                name: c.name(),
                bids: c.bids.len(),
                wins: c.wins().count(),
                amount: c.won_amount(),
            })
            .collect();
        let order = |by: &dyn Fn(&Row, &Row) -> std::cmp::Ordering| {
            let mut order: Vec<usize> = (0..all.len()).collect();
            order.sort_by(|&a, &b| by(&rows[a], &rows[b]).then(rows[a].code.cmp(rows[b].code)));
            order
        };
        let by_name = order(&|a, b| a.name.cmp(b.name));
        let by_wins = order(&|a, b| b.wins.cmp(&a.wins));
        let by_amount = order(&|a, b| b.amount.cmp(&a.amount));
        Companies {
            all,
            rows,
            orders: [by_name, by_wins, by_amount],
        }
    }
}

/// A hash of everything a company's page and JSON are made from, besides the configuration
/// and build date (the build cache is keyed on those): each disclosure it gathers (bids' tables,
/// penalties, credit entries, inspections, buyer and agency roles) and each that may bar it
/// (a penalty past its publicity included), by id and source hash ([`Site::source_key`]). The
/// page shows nothing of them but what their sources say.
fn company_inputs(site: &Site, c: &Company) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::cache::InputsHasher::default();
    c.code.hash(&mut h);
    let mut part = |name: &str, docs: &mut dyn Iterator<Item = &Disclosure>| {
        name.hash(&mut h);
        for d in docs {
            site.source_key(d).hash(&mut h);
        }
    };
    part("bids", &mut c.bids.iter().map(|b| b.result));
    part("penalties", &mut c.penalties.iter().copied());
    part("credit", &mut c.credit.iter().copied());
    part("inspections", &mut c.inspections.iter().copied());
    part(
        "buyer",
        &mut c.roles.iter().filter(|r| r.1 == Role::Buyer).map(|r| r.0),
    );
    part(
        "agency",
        &mut c.roles.iter().filter(|r| r.1 == Role::Agency).map(|r| r.0),
    );
    part(
        "restrictions",
        &mut site.restrictions.get(c.code).into_iter().flatten().copied(),
    );
    h.finish()
}

/// Every company page, its JSON, and the three orders of `/companies/`, as jobs: the build
/// keeps the previous build's file of each whose inputs are unchanged, so a one-file rebuild
/// renders the pages of the companies that file names (and the list pages whose rows moved).
pub fn company_jobs<'s, 'a: 's>(
    site: &'s Site<'a>,
    companies: &'s Companies<'a>,
) -> Vec<PageJob<'s>> {
    use rayon::prelude::*;
    let mut jobs: Vec<PageJob<'s>> = companies
        .all
        .par_iter()
        .flat_map_iter(|c| {
            let inputs = company_inputs(site, c);
            [
                PageJob {
                    path: file_for_url(&routes::company(c.code)),
                    inputs,
                    render: Box::new(move || company_page(site, c)),
                },
                PageJob {
                    path: file_for_url(&company_json_url(c.code)),
                    inputs,
                    render: Box::new(move || company_json(site, c)),
                },
            ]
        })
        .collect();
    for (order, list) in companies.orders.iter().enumerate() {
        let pages = list.len().div_ceil(PER_LIST_PAGE).max(1);
        for n in 1..=pages {
            use std::hash::{Hash, Hasher};
            let slice = &list
                [((n - 1) * PER_LIST_PAGE).min(list.len())..(n * PER_LIST_PAGE).min(list.len())];
            let mut h = crate::cache::InputsHasher::default();
            (order, n, list.len()).hash(&mut h);
            for &i in slice {
                companies.rows[i].hash(&mut h);
            }
            jobs.push(PageJob {
                path: file_for_url(&routes::list_page(ORDERS[order].0, n)),
                inputs: h.finish(),
                render: Box::new(move || list_page(site, companies, order, n)),
            });
        }
    }
    jobs
}

fn company_json_url(code: &str) -> String {
    format!("/data/companies/{code}.json")
}

/// Page `n` of `/companies/` in the order `order` of [`ORDERS`].
fn list_page(site: &Site, companies: &Companies, order: usize, n: usize) -> OutFile {
    let (base, title, _) = ORDERS[order];
    let list = &companies.orders[order];
    let pages = list.len().div_ceil(PER_LIST_PAGE).max(1);
    let start = (n - 1) * PER_LIST_PAGE;
    let slice = &list[start.min(list.len())..(start + PER_LIST_PAGE).min(list.len())];
    let url = routes::list_page(base, n);
    let main = html! {
        (breadcrumb(&[], "市场主体"))
        h1 { (page_suffix(title, n)) }
        p.lede { "在本站公开信息中以统一社会信用代码出现的企业和单位：投标人、中标人、受处罚和列入信用名单的主体、被抽查单位、采购人和代理机构。" }
        nav.filters aria-label="排序" {
            "排序："
            @for (i, (href, _, label)) in ORDERS.iter().enumerate() {
                @if i == order { strong aria-current="page" { (label) } } @else { a href=(href) { (label) } }
                " "
            }
        }
        div.table-scroll role="region" aria-label="市场主体" tabindex="0" {
            table {
                thead { tr { th scope="col" { "名称" } th scope="col" { "统一社会信用代码" } th scope="col" { "投标" } th scope="col" { "中标" } th scope="col" { "中标金额" } } }
                tbody {
                    @for &i in slice {
                        @let c = &companies.rows[i];
                        tr {
                            td { a href=(routes::company(c.code)) { (c.name) } }
                            td { code { (c.code) } }
                            td { (c.bids) }
                            td { (c.wins) }
                            td { (yuan(Some(c.amount))) }
                        }
                    }
                }
            }
        }
        (pagination(base, n, pages, list.len()))
    };
    page_file(
        site,
        &url,
        title,
        "本市公共资源交易的市场主体名录",
        None,
        Nav::Other,
        main,
    )
}
