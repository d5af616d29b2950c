//! The page shell every HTML page shares (site-gen's pages, the search results page and the
//! intake pages): `lang="zh-CN"`, skip link, header with the search box, navigation, main
//! landmark, footer with the identifiers from `site.toml`.
//!
//! Other crates call [`page`] so that the whole site looks and behaves as one. The theme's
//! static files (`themes/default/`) are compiled in ([`ASSETS`]) and served under `/assets/`.

use disclosure::SiteConfig;
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// Which top-level section a page belongs to, to mark the current navigation link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nav {
    Home,
    Notices,
    Results,
    Penalties,
    Credit,
    Powers,
    Inspections,
    Projects,
    Departments,
    Search,
    Intake,
    Other,
}

const NAV: &[(Nav, &str, &str)] = &[
    (Nav::Home, "/", "首页"),
    (Nav::Notices, "/notices/", "交易公告"),
    (Nav::Results, "/results/", "交易结果"),
    (Nav::Projects, "/projects/", "项目全流程"),
    (Nav::Penalties, "/penalties/", "行政处罚"),
    (Nav::Credit, "/credit/black/", "信用名单"),
    (Nav::Inspections, "/inspections/", "双随机抽查"),
    (Nav::Powers, "/powers/", "权责清单"),
    (Nav::Departments, "/departments/", "监督部门"),
    (Nav::Intake, "/submit", "投诉举报"),
];

/// What the `<head>` says about a page.
#[derive(Debug, Clone, Default)]
pub struct Meta<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Site path of the page (`/notices/x/`), for the canonical link; empty for none.
    pub path: &'a str,
    /// Site path of an RSS feed to advertise, if any.
    pub feed: Option<(&'a str, &'a str)>,
    /// Whether search engines should leave the page out (intake and staff pages).
    pub noindex: bool,
}

/// A whole HTML document in the site's theme.
///
/// The header carries a search box on every page but the home page, which has its own large one.
/// No page of the theme uses JavaScript: navigation is a plain wrapping list and search a GET form.
pub fn page(site: &SiteConfig, meta: &Meta<'_>, current: Nav, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title {
                    @if !meta.title.is_empty() { (meta.title) " - " }
                    (site.name)
                }
                @if !meta.description.is_empty() { meta name="description" content=(meta.description); }
                @if meta.noindex { meta name="robots" content="noindex"; }
                @if !meta.path.is_empty() { link rel="canonical" href={ (site.base_url) (meta.path) }; }
                meta name="theme-color" content="#a61b1b";
                meta name="color-scheme" content="light";
                link rel="stylesheet" href=(asset_url("style.css"));
                link rel="icon" type="image/svg+xml" href=(asset_url("favicon.svg"));
                link rel="search" type="application/opensearchdescription+xml" title=(site.name) href="/opensearch.xml";
                link rel="alternate" type="application/rss+xml" title="全部信息" href="/feeds/all.xml";
                @if let Some((href, title)) = meta.feed { link rel="alternate" type="application/rss+xml" title=(title) href=(href); }
            }
            body {
                a.skip href="#main" { "跳到主要内容" }
                header.site-header {
                    div.wrap.site-bar {
                        a.site-name href="/" {
                            img.emblem src=(asset_url("favicon.svg")) alt="" width="36" height="36";
                            span { (site.name) }
                        }
                        @if current != Nav::Home {
                            form.search role="search" aria-label="全站搜索" action="/search" method="get" {
                                label.visually-hidden for="site-q" { "全文检索" }
                                input #site-q type="search" name="q" placeholder="公司名称、项目编号、信用代码…" maxlength="200";
                                button type="submit" { "搜索" }
                            }
                        }
                    }
                    nav.site-nav aria-label="主导航" {
                        ul.wrap {
                            @for (nav, href, label) in NAV {
                                li { a href=(href) aria-current=[(*nav == current).then_some("page")] { (label) } }
                            }
                        }
                    }
                }
                main #main.wrap tabindex="-1" { (main) }
                (footer(site))
            }
        }
    }
}

fn footer(site: &SiteConfig) -> Markup {
    let f = &site.footer;
    html! {
        footer.site-footer {
            div.wrap {
                nav.footer-links aria-label="服务链接" {
                    ul {
                        li { a href="/feeds/" { "RSS 订阅" } }
                        li { a href="/data/" { "开放数据" } }
                        li { a href="/submit" { "投诉举报" } }
                        li { a href="/track" { "办理进度查询" } }
                        li { a href="/departments/" { "监督部门" } }
                        li { a href="/sitemap/" { "网站地图" } }
                    }
                }
                p { "主办单位：" (site.organisation) }
                p { "联系方式：" (f.contact) }
                p.ids {
                    span { "网站标识码：" (f.site_code) }
                    span { a href="https://beian.miit.gov.cn/" rel="noopener" { (f.icp) } }
                    span { (f.police) }
                }
            }
        }
    }
}

/// Text already escaped elsewhere (a rendered Markdown body); never use it for user input.
pub fn trusted_html(html: String) -> Markup {
    PreEscaped(html)
}

/// The Content-Security-Policy of every page of the site, search and intake: nothing but the
/// site's own files (no script runs anywhere), no framing, forms posting only to the site.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; \
     form-action 'self'; base-uri 'none'; object-src 'none'";

/// The security headers every response carries, whichever server sends it (site-gen serve,
/// search-server, intake, the one-port server): one list, so the servers cannot drift apart.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// `Cache-Control` of the theme's files: their URLs carry a hash of their bytes
/// ([`asset_url`]), so a browser may keep them for a year; a new theme is a new URL.
pub const ASSET_CACHE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else the site serves: kept, but checked with the server on use
/// (a disclosure may be revised or withdrawn at any build).
pub const PAGE_CACHE: &str = "no-cache";

/// A short hash of the theme's files, so their URLs change when they do (FNV-1a, 64 bits).
pub fn asset_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, bytes) in ASSETS {
            for b in name.as_bytes().iter().chain(*bytes) {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        format!("{:012x}", h >> 16)
    })
}

/// The URL of a theme file, versioned: `/assets/style.css?v=…`.
pub fn asset_url(name: &str) -> String {
    format!("/assets/{name}?v={}", asset_version())
}

/// The theme's static files, served under `/assets/<name>`.
pub const ASSETS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../default/style.css")),
    ("favicon.svg", include_bytes!("../default/favicon.svg")),
];

/// The content type of an asset, by its name.
pub fn asset_content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("js") => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    }
}
