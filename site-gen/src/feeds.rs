//! RSS 2.0 feeds via the `rss` crate: all, per kind, per category, per department.
//!
//! Feeds are pure functions of the [`Site`]: the newest [`FEED_ITEMS`] public disclosures of each
//! feed, absolute links, and dates in China Standard Time. Nothing here reads the wall clock, so
//! the same content and build date give byte-identical feeds (the incremental build compares
//! them with a clean build). Withdrawn penalties are not in `site.public`, so they are in no feed.
//! Pages (`kind = "page"`) are site furniture, not disclosures, and are left out of every feed.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use disclosure::model::Details;
use disclosure::{routes, Category, Disclosure, Kind, Stage};
use rss::extension::{Extension, ExtensionMap};
use rss::{Channel, Guid, Item};

use crate::output::OutFile;
use crate::site::Site;

/// How many items a feed carries, newest first.
pub const FEED_ITEMS: usize = 50;
/// Length of an item's description, in characters, before the ellipsis.
pub const DESCRIPTION_CHARS: usize = crate::content::EXCERPT_CHARS - 1;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// When a disclosure was published, in China Standard Time; date-only disclosures at 00:00.
pub fn published_at(d: &Disclosure) -> DateTime<FixedOffset> {
    disclosure::china_time::instant(d.date.and_time(d.time.unwrap_or(NaiveTime::MIN)))
}

/// Every feed of the site, rendered, for a site whose disclosures carry their bodies (a clean
/// build's, a test's): the build renders [`specs`] itself, each with the excerpts of its items.
#[cfg(test)]
pub fn feeds(site: &Site) -> Vec<OutFile> {
    specs(site)
        .iter()
        .map(|spec| spec.render(site, &|d| crate::content::excerpt(&d.body)))
        .collect()
}

/// Every feed of the site: all, one per kind, one per category, one per department.
pub fn specs<'a>(site: &Site<'a>) -> Vec<FeedSpec<'a>> {
    let name = &site.content.site.name;
    let disclosures = || {
        site.public
            .iter()
            .copied()
            .filter(|d| d.kind() != Kind::Page)
    };
    let mut specs = vec![FeedSpec {
        path: "/feeds/all.xml".to_string(),
        title: format!("{name} · 全部公开信息"),
        link: "/".to_string(),
        description: format!(
            "{name}最新发布的交易公告、交易结果、行政处罚、信用名单等全部公开信息"
        ),
        items: disclosures().take(FEED_ITEMS).collect(),
    }];
    for kind in Kind::ALL.iter().copied().filter(|k| *k != Kind::Page) {
        let link = match kind {
            Kind::Credit => "/credit/black/".to_string(),
            _ => format!("/{}/", kind.path()),
        };
        specs.push(FeedSpec {
            path: format!("/feeds/{}.xml", kind.path()),
            title: format!("{name} · {}", kind.label()),
            link,
            description: format!("{name}最新发布的{}", kind.label()),
            items: site.by_kind[&kind]
                .iter()
                .copied()
                .take(FEED_ITEMS)
                .collect(),
        });
    }
    let mut by_category: BTreeMap<Category, Vec<&Disclosure>> =
        Category::ALL.iter().map(|c| (*c, Vec::new())).collect();
    for d in disclosures() {
        if let Some(t) = d.trade() {
            let list = by_category.entry(t.category).or_default();
            if list.len() < FEED_ITEMS {
                list.push(d);
            }
        }
    }
    for (category, items) in by_category {
        specs.push(FeedSpec {
            path: routes::category_feed(category),
            title: format!("{name} · {}交易公告与结果", category.label()),
            link: crate::render::category_list_url(category),
            description: format!("{name}最新发布的{}交易公告与交易结果", category.label()),
            items,
        });
    }
    for dep in site.content.departments.all() {
        let items = site
            .by_department
            .get(dep.id.as_str())
            .map(|docs| {
                docs.iter()
                    .copied()
                    .filter(|d| d.kind() != Kind::Page)
                    .take(FEED_ITEMS)
                    .collect()
            })
            .unwrap_or_default();
        specs.push(FeedSpec {
            path: routes::department_feed(&dep.id),
            title: format!("{name} · {}", dep.name),
            link: routes::department(&dep.id),
            description: format!("{}在{name}最新发布的公开信息", dep.name),
            items,
        });
    }
    specs
}

/// One feed before it is written: where it lives, what it says about itself, its items.
pub struct FeedSpec<'a> {
    /// Site path of the feed.
    pub path: String,
    title: String,
    /// Site path of the HTML page the feed follows.
    link: String,
    description: String,
    /// Newest first, at most [`FEED_ITEMS`].
    pub items: Vec<&'a Disclosure>,
}

impl FeedSpec<'_> {
    /// The hash of what the feed is rendered from, besides the site's configuration and build
    /// date (the build cache is keyed on those): its path and texts, and its items by id and
    /// source hash. An item shows nothing but what its source says.
    pub fn inputs(&self, site: &Site) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = crate::cache::InputsHasher::default();
        (&self.path, &self.title, &self.link, &self.description).hash(&mut h);
        self.items.len().hash(&mut h);
        for d in &self.items {
            d.id.hash(&mut h);
            site.source_sha256(d).hash(&mut h);
        }
        h.finish()
    }

    /// The feed, with `excerpt` giving the start of each item's body as plain text
    /// ([`crate::content::excerpt`]).
    pub fn render(&self, site: &Site, excerpt: &dyn Fn(&Disclosure) -> String) -> OutFile {
        let base = &site.content.site.base_url;
        let self_link = Extension {
            name: "atom:link".to_string(),
            attrs: [
                ("href".to_string(), format!("{base}{}", self.path)),
                ("rel".to_string(), "self".to_string()),
                ("type".to_string(), "application/rss+xml".to_string()),
            ]
            .into_iter()
            .collect(),
            ..Extension::default()
        };
        let mut extensions = ExtensionMap::new();
        extensions
            .entry("atom".to_string())
            .or_default()
            .insert("link".to_string(), vec![self_link]);
        // The newest item's date, not the wall clock: the same content builds the same bytes.
        let last_build = self.items.first().map(|d| published_at(d).to_rfc2822());
        let channel = Channel {
            title: xml_text(&self.title),
            link: format!("{base}{}", self.link),
            description: xml_text(&self.description),
            language: Some("zh-cn".to_string()),
            copyright: Some(xml_text(&site.content.site.organisation)),
            last_build_date: last_build,
            generator: Some("阳光交易 site-gen".to_string()),
            docs: Some("https://www.rssboard.org/rss-specification".to_string()),
            items: self
                .items
                .iter()
                .map(|d| item(site, d, &excerpt(d)))
                .collect(),
            namespaces: [("atom".to_string(), ATOM_NS.to_string())]
                .into_iter()
                .collect(),
            extensions,
            ..Channel::default()
        };
        let bytes = channel
            .pretty_write_to(Vec::new(), b' ', 2)
            .expect("writing XML to memory cannot fail");
        OutFile::at_url(&self.path, bytes)
    }
}

fn item(site: &Site, d: &Disclosure, excerpt: &str) -> Item {
    let url = format!("{}{}", site.content.site.base_url, d.url());
    let mut categories = vec![d.kind().label().to_string()];
    if let Some(t) = d.trade() {
        categories.push(t.category.label().to_string());
        categories.push(t.stage.label().to_string());
    }
    if let Some(dep) = &d.department {
        categories.push(site.department_name(dep).to_string());
    }
    let mut categories: Vec<rss::Category> = categories
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|name| rss::Category { name, domain: None })
        .collect();
    // The buyer and the agency as categories of their own taxonomy, so a reader can filter a
    // feed by them.
    if let Some(t) = d.trade() {
        for (role, o) in disclosure::search::parties(t) {
            categories.push(rss::Category {
                name: xml_text(&o.name),
                domain: Some(role.to_string()),
            });
        }
    }
    Item {
        title: Some(xml_text(&d.title)),
        link: Some(url.clone()),
        description: Some(description(d, excerpt, site.today)),
        categories,
        guid: Some(Guid {
            value: url,
            permalink: true,
        }),
        pub_date: Some(published_at(d).to_rfc2822()),
        ..Item::default()
    }
}

/// A plain-text summary for feed readers: the kind-specific facts first (who won and for how
/// much, who was penalised and how), then the start of the body (its [`crate::content::excerpt`]), cut at
/// [`DESCRIPTION_CHARS`]. A credit entry's state is judged on `today`, the build date, as on its
/// page.
pub fn description(d: &Disclosure, excerpt: &str, today: NaiveDate) -> String {
    let mut text = summary(d, today);
    if !text.is_empty() {
        text.push('。');
    }
    let budget = DESCRIPTION_CHARS + 1 - text.chars().count().min(DESCRIPTION_CHARS);
    // `plain_text` stops at its budget, so a shorter budget gives a prefix of the excerpt.
    text.extend(excerpt.chars().take(budget));
    // RSS readers take a description as HTML (the writer wraps it in CDATA), so the plain text
    // is escaped: a `<` in a body is shown, never parsed.
    escape_html(&truncate_chars(&xml_text(&text), DESCRIPTION_CHARS))
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The kind-specific facts a subscriber wants before opening the page.
fn summary(d: &Disclosure, today: NaiveDate) -> String {
    match &d.details {
        Details::Notice { trade } => {
            let mut parts = vec![format!("项目编号：{}", trade.project)];
            parts.extend(parties(trade));
            parts.join("；")
        }
        Details::Result {
            trade,
            amount,
            bidders,
        } => {
            let mut parts = vec![format!("项目编号：{}", trade.project)];
            parts.extend(parties(trade));
            let winners: Vec<&str> = bidders
                .iter()
                .filter(|b| b.won)
                .map(|b| b.name.as_str())
                .collect();
            if !winners.is_empty() {
                parts.push(format!("中标（成交）人：{}", winners.join("、")));
            } else if trade.stage == Stage::Candidates {
                if let Some(first) = bidders
                    .iter()
                    .filter(|b| !b.disqualified)
                    .min_by_key(|b| b.rank)
                {
                    parts.push(format!("第一中标候选人：{}", first.name));
                }
            } else if !bidders.is_empty() {
                parts.push(format!("投标人：{} 家", bidders.len()));
            }
            if let Some(amount) = amount {
                parts.push(format!(
                    "{}：{}",
                    crate::render::amount_label(d),
                    amount.display()
                ));
            }
            parts.join("；")
        }
        Details::Penalty(p) => {
            let mut s = format!(
                "{}：当事人 {}；处罚：{}",
                p.decision_no, p.subject, p.penalty
            );
            if let Some(fine) = p.fine {
                s.push_str(&format!("；罚款 {}", fine.display()));
            }
            s
        }
        Details::Credit(c) => format!(
            "{}：{}（{}）；{} 至 {}；{}",
            c.list.label(),
            c.subject,
            c.credit_code,
            c.from,
            c.until,
            c.state_label(today)
        ),
        Details::Power(p) => format!("{}（{}）", p.power_type, p.code),
        Details::Inspection(i) => format!(
            "检查对象：{}；方式：{}；结果：{}",
            i.subject, i.method, i.finding
        ),
        Details::ComplaintResult(c) => format!("案件编号：{}；处理结果：{}", c.case_no, c.outcome),
        Details::Page => String::new(),
    }
}

/// `采购人：…` and `代理机构：…` of a trade, where given.
fn parties(t: &disclosure::Trade) -> impl Iterator<Item = String> + '_ {
    disclosure::search::parties(t).map(move |(role, o)| {
        let label = match role {
            "buyer" => crate::render::buyer_label(t.category),
            _ => "代理机构",
        };
        format!("{label}：{}", o.name)
    })
}

/// Cuts `s` to `max` characters, marking a cut with an ellipsis.
fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", s[..at].trim_end()),
        None => s.trim_end().to_string(),
    }
}

/// Removes the characters XML 1.0 forbids (control characters, U+FFFE, U+FFFF), which the
/// writer would pass through and make the feed unreadable.
pub fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|c| {
            (!c.is_control() || matches!(c, '\t' | '\n' | '\r'))
                && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::excerpt;
    use crate::markdown::{plain_text, Layout};
    use crate::testing::{fixture, today};
    use expect_test::expect;

    fn feed(files: &[OutFile], path: &str) -> Channel {
        let f = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no feed {path}"));
        Channel::read_from(&f.bytes[..]).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_small_feed() {
        let content = fixture();
        let log = Default::default();
        let site = Site::new(&content, today(), &log);
        let files = feeds(&site);
        let text = |path: &str| {
            let f = files.iter().find(|f| f.path == path).unwrap();
            String::from_utf8(f.bytes.clone()).unwrap()
        };
        expect![[r#"
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
              <channel>
                <title>示例市公共资源交易信息公开网 · 工程建设交易公告与结果</title>
                <link>https://ggzy.example.gov.cn/categories/construction/</link>
                <description>示例市公共资源交易信息公开网最新发布的工程建设交易公告与交易结果</description>
                <language>zh-cn</language>
                <copyright>示例市公共资源交易管理委员会办公室</copyright>
                <lastBuildDate>Thu, 26 Mar 2026 09:30:00 +0800</lastBuildDate>
                <generator>阳光交易 site-gen</generator>
                <docs>https://www.rssboard.org/rss-specification</docs>
                <atom:link href="https://ggzy.example.gov.cn/feeds/category/construction.xml" rel="self" type="application/rss+xml">
                </atom:link>
                <item>
                  <title>示例市第一中学教学楼建设工程施工中标结果公告</title>
                  <link>https://ggzy.example.gov.cn/results/r1/</link>
                  <description><![CDATA[项目编号：SLZJ-2026-001；中标（成交）人：河南九州建设有限公司；中标（成交）金额：11,860,000.00 元。经评标委员会评审，确定中标人如下。]]></description>
                  <category>交易结果</category>
                  <category>工程建设</category>
                  <category>中标（成交）结果</category>
                  <category>示例市住房和城乡建设局</category>
                  <guid>https://ggzy.example.gov.cn/results/r1/</guid>
                  <pubDate>Thu, 26 Mar 2026 09:30:00 +0800</pubDate>
                </item>
                <item>
                  <title>示例市第一中学教学楼建设工程施工招标公告</title>
                  <link>https://ggzy.example.gov.cn/notices/n1/</link>
                  <description><![CDATA[项目编号：SLZJ-2026-001。招标条件 本招标项目已由示例市发展和改革委员会批准建设，招标人为示例市第一中学。 标段 估算价 一标段 1200 万元]]></description>
                  <category>交易公告</category>
                  <category>工程建设</category>
                  <category>招标/采购公告</category>
                  <category>示例市住房和城乡建设局</category>
                  <guid>https://ggzy.example.gov.cn/notices/n1/</guid>
                  <pubDate>Mon, 2 Mar 2026 00:00:00 +0800</pubDate>
                </item>
              </channel>
            </rss>"#]].assert_eq(&text("feeds/category/construction.xml"));
        expect![[r#"
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
              <channel>
                <title>示例市公共资源交易信息公开网 · 行政处罚</title>
                <link>https://ggzy.example.gov.cn/penalties/</link>
                <description>示例市公共资源交易信息公开网最新发布的行政处罚</description>
                <language>zh-cn</language>
                <copyright>示例市公共资源交易管理委员会办公室</copyright>
                <lastBuildDate>Tue, 10 Mar 2026 00:00:00 +0800</lastBuildDate>
                <generator>阳光交易 site-gen</generator>
                <docs>https://www.rssboard.org/rss-specification</docs>
                <atom:link href="https://ggzy.example.gov.cn/feeds/penalties.xml" rel="self" type="application/rss+xml">
                </atom:link>
                <item>
                  <title>示例市鹰城客运有限公司未按规定发布招标公告行政处罚决定</title>
                  <link>https://ggzy.example.gov.cn/penalties/p1/</link>
                  <description><![CDATA[示建罚〔2026〕3号：当事人 示例市鹰城客运有限公司；处罚：责令改正，罚款人民币贰万元；罚款 20,000.00 元。当事人未在指定媒介发布招标公告 &lt;b&gt;限制&lt;/b&gt; 了潜在投标人。]]></description>
                  <category>行政处罚</category>
                  <category>示例市住房和城乡建设局</category>
                  <guid>https://ggzy.example.gov.cn/penalties/p1/</guid>
                  <pubDate>Tue, 10 Mar 2026 00:00:00 +0800</pubDate>
                </item>
              </channel>
            </rss>"#]].assert_eq(&text("feeds/penalties.xml"));
    }

    #[test]
    fn every_feed_parses_and_links_absolutely() {
        let content = fixture();
        let log = Default::default();
        let site = Site::new(&content, today(), &log);
        let files = feeds(&site);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        for p in [
            "feeds/all.xml",
            "feeds/notices.xml",
            "feeds/results.xml",
            "feeds/penalties.xml",
            "feeds/credit.xml",
            "feeds/powers.xml",
            "feeds/inspections.xml",
            "feeds/complaint-results.xml",
            "feeds/category/construction.xml",
            "feeds/department/zjj.xml",
            "feeds/department/gongguan.xml",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
        for f in &files {
            let channel = feed(&files, &f.path);
            assert_eq!(channel.language(), Some("zh-cn"));
            for item in channel.items() {
                let link = item.link().unwrap();
                assert!(link.starts_with("https://ggzy.example.gov.cn/"), "{link}");
                assert_eq!(item.guid().unwrap().value(), link);
                assert!(item.pub_date().unwrap().ends_with("+0800"));
            }
            let self_link = &channel.extensions()["atom"]["link"][0];
            assert_eq!(
                self_link.attrs["href"],
                format!("https://ggzy.example.gov.cn/{}", f.path)
            );
        }
        let all = feed(&files, "feeds/all.xml");
        assert_eq!(all.items().len(), 5, "pages are not in feeds");
        assert_eq!(
            all.last_build_date(),
            all.items()[0].pub_date(),
            "lastBuildDate is the newest item, not the clock"
        );
        let construction = feed(&files, "feeds/category/construction.xml");
        assert_eq!(construction.items().len(), 2);
        assert_eq!(feed(&files, "feeds/category/land.xml").items().len(), 0);
        assert_eq!(feeds(&site), files, "feeds are deterministic");
    }

    #[test]
    fn a_withdrawn_penalty_is_in_no_feed() {
        let content = fixture();
        let log = Default::default();
        let site = Site::new(&content, today(), &log);
        assert_eq!(site.withdrawn.len(), 1);
        for f in feeds(&site) {
            let text = String::from_utf8(f.bytes).unwrap();
            assert!(!text.contains("/penalties/old-penalty/"), "{}", f.path);
            assert!(!text.contains("旧处罚"), "{}", f.path);
        }
    }

    #[test]
    fn plain_text_strips_markup_and_stops_early() {
        let md = "## 标题\n\n**加粗** 与 [链接](/x/)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x</script>\n";
        // Raw HTML's text counts: the page shows it as text.
        assert_eq!(
            plain_text(md, Layout::OneLine, Some(100)),
            "标题 加粗 与 链接 a b 1 2 <script>x</script>"
        );
        assert_eq!(plain_text(md, Layout::OneLine, Some(3)), "标题 加");
        let long = "字".repeat(500);
        let d = description_of_page(&long);
        assert_eq!(d.chars().count(), DESCRIPTION_CHARS + 1);
        assert!(d.ends_with('…'));
        assert_eq!(xml_text("a\u{1}b\u{7f}c\u{FFFF}\n"), "abc\n");
        assert_eq!(description_of_page("比较 `a<b` & c"), "比较 a&lt;b &amp; c");
    }

    fn description_of_page(body: &str) -> String {
        let text =
            format!("+++\nkind = \"page\"\ntitle = \"关于\"\ndate = 2026-01-01\n+++\n{body}\n");
        let d = disclosure::parse::parse_disclosure("content/about.md", "about", &text).unwrap();
        description(&d, &excerpt(&d.body), today())
    }
}
