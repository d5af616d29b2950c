//! The site's fixed pages: the home page, 404, the feeds page, the open-data page, and the
//! theme's static files.

use disclosure::kind::Stage;
use disclosure::model::CreditList;
use disclosure::{routes, Category, Disclosure, Kind};
use maud::{html, Markup};
use themes::{Meta, Nav};

use super::{breadcrumb, item, page_file};
use crate::output::OutFile;
use crate::site::Site;

/// How many of each kind the home page shows.
const LATEST: usize = 8;

fn latest_panel(site: &Site, kind: Kind, title: &str, more: &str) -> Markup {
    let docs = &site.by_kind[&kind];
    let id = format!("latest-{}", kind.path());
    html! {
        section.panel aria-labelledby=(id) {
            h2 id=(id) { span { (title) } a href=(more) { "更多" span.visually-hidden { (title) } " ›" } }
            @if docs.is_empty() {
                p.empty { "暂无信息。" }
            } @else {
                ul.items { @for d in docs.iter().take(LATEST) { (item(site, d)) } }
            }
        }
    }
}

/// The home page: the search box, links to every list and service, the credit list counts and
/// the latest notices, results and penalties.
pub fn home(site: &Site) -> OutFile {
    let config = &site.content.site;
    let red = site.current_credit(CreditList::Red).len();
    let black = site.current_credit(CreditList::Black).len();
    let count = |k: Kind| site.by_kind[&k].len();
    let main = html! {
        section.hero aria-labelledby="home-title" {
            h1 #home-title { (config.name) }
            @if !config.description.is_empty() { p.lede { (config.description) } }
            form.search-big role="search" aria-label="信息检索" action="/search" method="get" {
                label for="home-q" { "搜索公告、结果、处罚和信用信息" }
                div.row {
                    input #home-q type="search" name="q" maxlength="200" aria-describedby="home-q-hint";
                    button type="submit" { "搜索" }
                }
                p.hint #home-q-hint { "可输入公司名称、项目名称、项目编号或统一社会信用代码。" }
            }
        }
        nav aria-labelledby="quick-title" {
            h2 #quick-title.visually-hidden { "栏目导航" }
            ul.quick {
                li.primary { a href="/submit" { "投诉举报" small { "投诉、异议、举报、建议在线提交" } } }
                li.primary { a href="/track" { "办理进度查询" small { "凭受理编号和查询码查询" } } }
                li { a href="/notices/" { "交易公告" small { (count(Kind::Notice)) " 条" } } }
                li { a href="/results/" { "交易结果" small { (count(Kind::Result)) " 条" } } }
                li { a href="/projects/" { "项目全流程" small { (site.projects.len()) " 个项目" } } }
                li { a href="/penalties/" { "行政处罚" small { "公示期内 " (count(Kind::Penalty)) " 件" } } }
                li { a href="/credit/red/" { "信用红名单" small { (red) " 个主体" } } }
                li { a href="/credit/black/" { "信用黑名单" small { (black) " 个主体" } } }
                li { a href="/credit/history/" { "信用名单历史" small { "到期、修复、撤销" } } }
                li { a href="/inspections/" { "双随机抽查结果" small { (count(Kind::Inspection)) " 条" } } }
                li { a href="/powers/" { "权责清单" small { (count(Kind::Power)) " 项" } } }
                li { a href="/complaint-results/" { "投诉处理结果" small { (count(Kind::ComplaintResult)) " 件" } } }
                li { a href="/departments/" { "监督部门" small { (site.content.departments.all().len()) " 个部门" } } }
                li { a href="/feeds/" { "RSS 订阅" small { "按栏目、类别、部门订阅" } } }
                li { a href="/data/" { "开放数据" small { "JSON 与 OCDS 数据下载" } } }
            }
        }
        section aria-labelledby="credit-title" {
            h2 #credit-title { "信用名单（截至 " (site.today) "）" }
            ul.stats {
                li.red { a href="/credit/red/" { strong { (red) } "红名单主体" } }
                li.black { a href="/credit/black/" { strong { (black) } "黑名单主体" } }
                li { a href="/penalties/" { strong { (count(Kind::Penalty)) } "公示中的行政处罚" } }
                li { a href="/projects/" { strong { (site.projects.values().filter(|p| !p.flags.is_empty()).count()) } "存在问题的项目" } }
            }
        }
        div.panels {
            (latest_panel(site, Kind::Notice, "最新交易公告", "/notices/"))
            (latest_panel(site, Kind::Result, "最新交易结果", "/results/"))
            (latest_panel(site, Kind::Penalty, "最新行政处罚", "/penalties/"))
        }
    };
    let meta = Meta {
        title: "",
        description: &config.description,
        path: "/",
        feed: None,
        noindex: false,
    };
    OutFile::at_url(
        "/",
        themes::page(config, &meta, Nav::Home, main).into_string(),
    )
}

/// `/404.html`: what a reader sees for a page that does not exist (or no longer does).
pub fn not_found(site: &Site) -> OutFile {
    let main = html! {
        h1 { "页面不存在" }
        p { "您访问的页面不存在，或已下线。行政处罚决定在公示期满后不再公开；信用名单到期后转入" a href="/credit/history/" { "历史记录" } "。" }
        form.search-big role="search" aria-label="站内检索" action="/search" method="get" {
            label for="nf-q" { "试试搜索" }
            div.row {
                input #nf-q type="search" name="q" maxlength="200";
                button type="submit" { "搜索" }
            }
        }
        h2 { "常用栏目" }
        ul {
            li { a href="/" { "首页" } }
            li { a href="/notices/" { "交易公告" } }
            li { a href="/results/" { "交易结果" } }
            li { a href="/projects/" { "项目全流程" } }
            li { a href="/submit" { "投诉举报" } }
        }
    };
    let meta = Meta {
        title: "页面不存在",
        description: "",
        path: "",
        feed: None,
        noindex: true,
    };
    OutFile::at_url(
        "/404.html",
        themes::page(&site.content.site, &meta, Nav::Other, main).into_string(),
    )
}

/// `/feeds/`: every RSS feed of the site.
pub fn feeds_index(site: &Site) -> OutFile {
    const KINDS: &[(&str, &str, &str)] = &[
        ("/feeds/all.xml", "全部信息", "本站发布的所有信息"),
        (
            "/feeds/notices.xml",
            "交易公告",
            "招标、采购、出让、转让公告及变更",
        ),
        (
            "/feeds/results.xml",
            "交易结果",
            "中标候选人、中标（成交）结果、合同",
        ),
        ("/feeds/penalties.xml", "行政处罚", "公示期内的行政处罚决定"),
        (
            "/feeds/credit.xml",
            "信用名单",
            "红名单、黑名单的列入与变化",
        ),
    ];
    let base = &site.content.site.base_url;
    let row = |href: &str, name: &str, what: &str| {
        html! {
            li.item {
                a.item-title href=(href) { (name) }
                p.item-extra { (what) }
                p.item-meta { code.url { (base) (href) } }
            }
        }
    };
    let table = |id: &str, title: &str, rows: Markup| {
        html! {
            section aria-labelledby=(id) {
                h2 id=(id) { (title) }
                ul.items { (rows) }
            }
        }
    };
    let main = html! {
        (breadcrumb(&[], "RSS 订阅"))
        h1 { "RSS 订阅" }
        p.lede {
            "把下列订阅地址添加到 RSS 阅读器，有新信息发布时即可收到。"
            "检索结果也可订阅：" code { "/search.rss?q=关键词" } "。"
        }
        (table("feeds-kind", "按栏目", html! { @for (href, name, what) in KINDS { (row(href, name, what)) } }))
        (table("feeds-category", "按交易类别", html! {
            @for c in Category::ALL { (row(&routes::category_feed(*c), c.label(), &format!("{}类交易公告和结果", c.label()))) }
        }))
        (table("feeds-department", "按监督部门", html! {
            @for dep in site.content.departments.all() {
                (row(&routes::department_feed(&dep.id), &dep.short, &format!("{}发布的全部信息", dep.name)))
            }
        }))
    };
    page_file(
        site,
        "/feeds/",
        "RSS 订阅",
        "按栏目、交易类别和监督部门订阅本站信息",
        None,
        Nav::Other,
        main,
    )
}

/// `/sitemap/`: the footer's 网站地图, every section of the site and its sub-lists, for readers
/// (`/sitemap.xml` is for search engines).
pub fn sitemap_page(site: &Site) -> OutFile {
    let link = |href: String, name: String| html! { li { a href=(href) { (name) } } };
    let trade = |kind: Kind| {
        let base = format!("/{}/", kind.path());
        html! {
            li {
                a href=(base) { (kind.label()) }
                ul {
                    @for c in Category::ALL { (link(format!("{base}category/{}/", c.key()), c.label().to_string())) }
                    @for st in Stage::ALL { (link(format!("{base}stage/{}/", st.key()), st.label().to_string())) }
                }
            }
        }
    };
    let pages: Vec<&Disclosure> = site.by_kind[&Kind::Page].clone();
    let main = html! {
        (breadcrumb(&[], "网站地图"))
        h1 { "网站地图" }
        p.lede { "本站各栏目及其分类列表。" }
        section aria-labelledby="map-trade" {
            h2 #map-trade { "交易信息" }
            ul.sitemap {
                (trade(Kind::Notice))
                (trade(Kind::Result))
                li {
                    "按交易类别（公告与结果）"
                    ul { @for c in Category::ALL { (link(super::category_list_url(*c), format!("{}交易公告与结果", c.label()))) } }
                }
                (link("/projects/".into(), "项目全流程".into()))
                (link("/companies/".into(), "市场主体".into()))
            }
        }
        section aria-labelledby="map-supervision" {
            h2 #map-supervision { "监督信息" }
            ul.sitemap {
                (link("/penalties/".into(), "行政处罚".into()))
                li {
                    a href="/credit/black/" { "信用名单" }
                    ul {
                        (link("/credit/red/".into(), "信用红名单".into()))
                        (link("/credit/black/".into(), "信用黑名单".into()))
                        (link("/credit/history/".into(), "信用名单历史记录".into()))
                    }
                }
                (link("/inspections/".into(), "双随机抽查结果".into()))
                (link("/powers/".into(), "权责清单".into()))
                li {
                    a href="/complaint-results/" { "投诉处理结果" }
                    @if site.content.dir.join(crate::content::STATISTICS_FILE).exists() {
                        ul { (link(super::statistics::URL.into(), "投诉举报办理情况统计".into())) }
                    }
                }
                li {
                    a href="/departments/" { "监督部门" }
                    ul { @for dep in site.content.departments.all() { (link(routes::department(&dep.id), dep.name.clone())) } }
                }
            }
        }
        section aria-labelledby="map-services" {
            h2 #map-services { "服务" }
            ul.sitemap {
                (link("/search".into(), "全文检索".into()))
                (link("/submit".into(), "投诉举报".into()))
                (link("/track".into(), "办理进度查询".into()))
                (link("/feeds/".into(), "RSS 订阅".into()))
                (link("/data/".into(), "开放数据".into()))
                @for d in &pages { (link(d.url(), d.title.clone())) }
            }
        }
    };
    page_file(
        site,
        SITEMAP_PAGE,
        "网站地图",
        "本站各栏目及其分类列表",
        None,
        Nav::Other,
        main,
    )
}

/// The address of the 网站地图 page.
pub const SITEMAP_PAGE: &str = "/sitemap/";

/// `/data/`: the open data files and what they hold.
pub fn data_index(site: &Site) -> OutFile {
    let base = &site.content.site.base_url;
    let main = html! {
        (breadcrumb(&[], "开放数据"))
        h1 { "开放数据" }
        p.lede {
            "本站公开的全部信息同时以机器可读格式提供，可自由下载、使用，请注明来源。"
            "数据随网站每次更新同步生成。"
        }
        h2 { "数据文件" }
        ul.items {
            li.item {
                a.item-title.url href="/data/disclosures.json" { "/data/disclosures.json" }
                p.item-meta { span.badge { "JSON" } }
                p.item-extra { "所有公开信息的清单：编号、类型、标题、日期、部门、地址，以及各类型的结构化字段。" }
            }
            li.item {
                code.item-title.url { "/data/disclosures/<编号>.json" }
                p.item-meta { span.badge { "JSON" } }
                p.item-extra {
                    "单条信息的完整数据，含正文。编号即页面地址的最后一段，例如 "
                    code.url { "/results/<编号>/" } " 的数据在 " code.url { "/data/disclosures/<编号>.json" } "。"
                }
            }
            li.item {
                a.item-title.url href="/data/ocds/release-package.json" { "/data/ocds/release-package.json" }
                p.item-meta { span.badge { "OCDS 1.1" } }
                p.item-extra {
                    "交易公告和交易结果按"
                    a href="https://standard.open-contracting.org/1.1/zh/" rel="noopener" { "开放合同数据标准（OCDS）1.1" }
                    "组织的发布包（release package），含全部投标人及报价，包括未中标的投标。"
                }
            }
            li.item {
                a.item-title.url href="/data/log.json" { "/data/log.json" }
                p.item-meta { span.badge { "JSON" } }
                p.item-extra { "发布日志：每条信息被本站收录、收录修订稿、下线时的日期与 SHA-256 指纹，逐条哈希链接，用于核验页面未被篡改。" }
            }
        }
        h2 { "核验页面" }
        p {
            "每个信息页底部的“发布记录”分列发布机关确定的发布日期、更新日期和本站收录日期，以及源文件的 SHA-256 指纹；收录日期与指纹和发布日志中的记录一致。"
            "发布日志的每一条都包含上一条的哈希，任何删改都会破坏链条。"
        }
        h2 { "其他" }
        ul {
            li { a href="/sitemap.xml" { "网站地图（sitemap.xml）" } }
            li { a href="/feeds/" { "RSS 订阅" } }
            li { "完整地址以 " code { (base) } " 开头。" }
        }
    };
    page_file(
        site,
        "/data/",
        "开放数据",
        "公共资源交易信息的 JSON 和 OCDS 开放数据",
        None,
        Nav::Other,
        main,
    )
}

/// The theme's static files, under `/assets/`.
pub fn assets() -> Vec<OutFile> {
    themes::ASSETS
        .iter()
        .map(|(name, bytes)| OutFile {
            path: format!("assets/{name}"),
            bytes: bytes.to_vec(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures::Fixture;
    use scraper::{Html, Selector};

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    /// Landmarks, one h1, a label for every input, no script: true of every fixed page.
    fn check_page(html: &str) -> Html {
        let doc = Html::parse_document(html);
        assert_eq!(doc.select(&sel("h1")).count(), 1, "one h1");
        assert_eq!(doc.select(&sel("main")).count(), 1);
        assert_eq!(doc.select(&sel("header")).count(), 1);
        assert_eq!(doc.select(&sel("footer")).count(), 1);
        assert_eq!(doc.select(&sel("script")).count(), 0);
        for input in doc.select(&sel("input")) {
            let id = input.value().attr("id").expect("inputs have ids");
            assert_eq!(
                doc.select(&sel(&format!("label[for={id}]"))).count(),
                1,
                "{id}"
            );
        }
        for form in doc.select(&sel("form[role=search]")) {
            assert!(
                form.value().attr("aria-label").is_some(),
                "search landmarks are named"
            );
        }
        doc
    }

    #[test]
    fn home_links_every_list_and_service() {
        let fx = Fixture::new();
        let site = fx.site();
        let home = home(&site);
        assert_eq!(home.path, "index.html");
        let doc = check_page(&String::from_utf8(home.bytes).unwrap());
        let hrefs: Vec<&str> = doc
            .select(&sel("main a"))
            .filter_map(|a| a.value().attr("href"))
            .collect();
        for list in routes::LISTS
            .iter()
            .chain(&["/submit", "/track", "/feeds/", "/data/"])
        {
            assert!(hrefs.contains(list), "{list}");
        }
        assert_eq!(
            doc.select(&sel("form[role=search]")).count(),
            1,
            "the home page has one search box"
        );
        let black: String = doc
            .select(&sel(".stats .black strong"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert_eq!(black, "1");
    }

    #[test]
    fn fixed_pages_are_well_formed() {
        let fx = Fixture::new();
        let site = fx.site();
        for file in [
            not_found(&site),
            feeds_index(&site),
            data_index(&site),
            super::super::departments_index(&site),
        ] {
            check_page(&String::from_utf8(file.bytes).unwrap());
        }
        let feeds = String::from_utf8(feeds_index(&site).bytes).unwrap();
        for f in [
            "/feeds/all.xml",
            "/feeds/category/land.xml",
            "/feeds/department/czj.xml",
        ] {
            assert!(feeds.contains(&format!("href=\"{f}\"")), "{f}");
        }
        assert_eq!(not_found(&site).path, "404.html");
        assert!(assets().iter().any(|a| a.path == "assets/style.css"));
    }
}
