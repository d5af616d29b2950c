//! Markdown bodies to HTML, with pulldown-cmark (CommonMark plus tables and strikethrough), and
//! to plain text through the one walker every reader-facing text is made by
//! ([`disclosure::text`]: the guard, the search index, descriptions and feed excerpts).
//!
//! A body is written by an author, not by the site, so nothing in it may reach the page as markup:
//! raw HTML (blocks and inline tags) is shown as text, and a link or image whose address has a
//! scheme other than http, https, mailto or tel (`javascript:`, `data:`, …) loses its link and
//! keeps only its text. A link to a page that left the site (a penalty past its publicity) keeps
//! its text, marked 已过公示期, and loses its link: the calendar moving on never fails a build. Tables are wrapped in `<div class="table-scroll">` so a wide table
//! scrolls inside its box on a phone instead of widening the page. A body's `#` heading becomes an
//! `h2`: the page's title is its only `h1`.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

pub use disclosure::text::{excerpt, plain_text, Layout};

/// The extensions the page is rendered with, and its text read with ([`disclosure::text`]).
fn options() -> Options {
    disclosure::text::options()
}

/// Whether a link address is safe to put in `href` or `src`: relative, or one of the schemes a
/// reader expects on a government page.
fn is_safe_url(url: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside a scheme
    // (`java\tscript:`), so they are ignored here too before looking for one.
    let mut scheme = String::new();
    for c in url.chars() {
        if c.is_ascii_whitespace() || c.is_control() {
            continue;
        }
        match c {
            ':' => {
                return matches!(
                    scheme.to_ascii_lowercase().as_str(),
                    "http" | "https" | "mailto" | "tel"
                )
            }
            // A path, query or fragment came before any colon: a relative address.
            '/' | '?' | '#' => return true,
            _ => scheme.push(c),
        }
    }
    true
}

/// The body's events, made safe: raw HTML becomes text, unsafe links lose their tags, tables get
/// their scrolling wrapper and `h1` becomes `h2`. A plain iterator rather than `flat_map`: this
/// runs over every event of every page of the site.
struct SafeEvents<'a> {
    parser: Parser<'a>,
    /// An event to hand out before reading the next one (the end of a table wrapper).
    pending: Option<Event<'a>>,
    /// For each open link or image, how its tags were dropped.
    dropped: Vec<Dropped>,
    /// Whether a site address leads to a page that left the site.
    withdrawn: &'a dyn Fn(&str) -> bool,
}

/// What became of a link's or image's tags.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dropped {
    Kept,
    /// An unsafe address: only the text is left.
    Unsafe,
    /// A link to a page that left the site: the text, marked.
    Withdrawn,
}

/// What stands in for a link to a page that left the site, around its text.
const WITHDRAWN_OPEN: &str = "<span class=\"withdrawn-link\">";
const WITHDRAWN_CLOSE: &str = "</span><small class=\"withdrawn-note\">（已过公示期）</small>";

/// Whether `url`, a site address as written in a body, is one `withdrawn` names: its path, with
/// or without the trailing slash, before any query or fragment.
fn leads_to_withdrawn(url: &str, withdrawn: &dyn Fn(&str) -> bool) -> bool {
    if !url.starts_with('/') || url.starts_with("//") {
        return false;
    }
    let path = url.split(['#', '?']).next().unwrap_or("");
    if path.ends_with('/') {
        withdrawn(path)
    } else {
        withdrawn(&format!("{path}/"))
    }
}

impl<'a> Iterator for SafeEvents<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(e) = self.pending.take() {
            return Some(e);
        }
        loop {
            let event = self.parser.next()?;
            return Some(match event {
                Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
                // An HTML block becomes a paragraph of text showing the tags as written.
                Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
                Event::Start(Tag::Link { ref dest_url, .. }) => {
                    if !is_safe_url(dest_url) {
                        self.dropped.push(Dropped::Unsafe);
                        continue;
                    }
                    if leads_to_withdrawn(dest_url, self.withdrawn) {
                        self.dropped.push(Dropped::Withdrawn);
                        return Some(Event::InlineHtml(CowStr::Borrowed(WITHDRAWN_OPEN)));
                    }
                    self.dropped.push(Dropped::Kept);
                    event
                }
                Event::Start(Tag::Image { ref dest_url, .. }) => {
                    let safe = is_safe_url(dest_url);
                    self.dropped
                        .push(if safe { Dropped::Kept } else { Dropped::Unsafe });
                    if !safe {
                        continue;
                    }
                    event
                }
                Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                    match self.dropped.pop().unwrap_or(Dropped::Kept) {
                        Dropped::Kept => event,
                        Dropped::Unsafe => continue,
                        Dropped::Withdrawn => Event::InlineHtml(CowStr::Borrowed(WITHDRAWN_CLOSE)),
                    }
                }
                Event::Start(Tag::Heading {
                    level: HeadingLevel::H1,
                    id,
                    classes,
                    attrs,
                }) => Event::Start(Tag::Heading {
                    level: HeadingLevel::H2,
                    id,
                    classes,
                    attrs,
                }),
                Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                    Event::End(TagEnd::Heading(HeadingLevel::H2))
                }
                Event::Start(Tag::Table(_)) => {
                    self.pending = Some(event);
                    Event::Html(CowStr::Borrowed("<div class=\"table-scroll\">"))
                }
                Event::End(TagEnd::Table) => {
                    self.pending = Some(Event::Html(CowStr::Borrowed("</div>\n")));
                    event
                }
                other => other,
            });
        }
    }
}

fn safe_events<'a>(body: &'a str, withdrawn: &'a dyn Fn(&str) -> bool) -> SafeEvents<'a> {
    SafeEvents {
        parser: Parser::new_ext(body, options()),
        pending: None,
        dropped: Vec::new(),
        withdrawn,
    }
}

/// The body as HTML, safe to place inside a page.
pub fn to_html(body: &str) -> String {
    to_html_with(body, &|_| false)
}

/// The body as HTML, safe to place inside a page, where a link to a site address for which
/// `withdrawn` holds (a path ending in `/`, e.g. `/penalties/x/`) is its text marked 已过公示期.
pub fn to_html_with(body: &str, withdrawn: &dyn Fn(&str) -> bool) -> String {
    let mut html = String::with_capacity(body.len() + body.len() / 2);
    pulldown_cmark::html::push_html(&mut html, safe_events(body, withdrawn));
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html =
            to_html("开标时间<script>alert(1)</script>见下。\n\n<div onclick=\"x()\">\n块</div>\n");
        expect![[r#"
            <p>开标时间&lt;script&gt;alert(1)&lt;/script&gt;见下。</p>
            <p>&lt;div onclick="x()"&gt;
            块&lt;/div&gt;
            </p>
        "#]]
        .assert_eq(&html);
        assert!(!html.contains("<script"));
        assert!(!html.contains("<div"));
    }

    #[test]
    fn unsafe_links_keep_only_their_text() {
        let html = to_html(
            "[公告](/notices/a/) [外站](https://example.cn/x) [坏](javascript:alert(1)) \
             [data](data:text/html,x) ![图](vbscript:x) <javascript:alert(2)> \
             [邮件](mailto:a@b.cn)",
        );
        expect![[r#"
            <p><a href="/notices/a/">公告</a> <a href="https://example.cn/x">外站</a> 坏 data 图 javascript:alert(2) <a href="mailto:a@b.cn">邮件</a></p>
        "#]]
        .assert_eq(&html);
        assert!(!html.contains("href=\"javascript"));
        assert!(!html.contains("src=\"vbscript"));
    }

    #[test]
    fn links_to_withdrawn_pages_become_marked_text() {
        let gone = |path: &str| path == "/penalties/old/";
        let html = to_html_with(
            "见[处罚决定](/penalties/old/)、[另一份](/penalties/old#x)与[现行](/penalties/new/)。",
            &gone,
        );
        expect![[r#"
            <p>见<span class="withdrawn-link">处罚决定</span><small class="withdrawn-note">（已过公示期）</small>、<span class="withdrawn-link">另一份</span><small class="withdrawn-note">（已过公示期）</small>与<a href="/penalties/new/">现行</a>。</p>
        "#]]
        .assert_eq(&html);
    }

    #[test]
    fn schemes_are_found_whatever_the_case_and_hidden_whitespace() {
        assert!(!is_safe_url("java\tscript:alert(1)"));
        assert!(!is_safe_url(" javascript:alert(1)"));
        assert!(!is_safe_url("JAVASCRIPT:alert(1)"));
        assert!(is_safe_url("/results/x/"));
        assert!(is_safe_url("#part"));
        assert!(is_safe_url("tel:0375-0000000"));
    }

    #[test]
    fn tables_scroll_inside_a_wrapper_and_h1_becomes_h2() {
        let html = to_html("# 标题\n\n| 名称 | 数量 |\n|---|---|\n| 设备 | 1 |\n\n~~作废~~");
        expect![[r#"
            <h2>标题</h2>
            <div class="table-scroll"><table><thead><tr><th>名称</th><th>数量</th></tr></thead><tbody>
            <tr><td>设备</td><td>1</td></tr>
            </tbody></table>
            </div>
            <p><del>作废</del></p>
        "#]]
        .assert_eq(&html);
    }

    #[test]
    fn plain_text_drops_markup() {
        let text = plain_text("## 中标信息\n\n中标供应商：**河南九州**\n中标金额：1元\n\n| 名称 | 数量 |\n|---|---|\n| 设备 | 1 |\n\n- 一\n- 二", Layout::Lines, None);
        expect![[r#"
            中标信息
            中标供应商：河南九州 中标金额：1元
            名称 数量
            设备 1
            一
            二"#]]
        .assert_eq(&text);
        assert_eq!(
            excerpt("## 中标信息\n\n中标供应商：**河南**", 8),
            "中标信息 中标供应…"
        );
        assert_eq!(excerpt("短。", 8), "短。");
    }
}
