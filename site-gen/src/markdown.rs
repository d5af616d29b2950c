//! Markdown bodies to HTML and to plain text, with pulldown-cmark (CommonMark plus tables and
//! strikethrough).
//!
//! A body is written by an author, not by the site, so nothing in it may reach the page as markup:
//! raw HTML (blocks and inline tags) is shown as text, and a link or image whose address has a
//! scheme other than http, https, mailto or tel (`javascript:`, `data:`, …) loses its link and
//! keeps only its text. Tables are wrapped in `<div class="table-scroll">` so a wide table
//! scrolls inside its box on a phone instead of widening the page. A body's `#` heading becomes an
//! `h2`: the page's title is its only `h1`.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
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
    /// For each open link or image, whether its tags were dropped.
    dropped: Vec<bool>,
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
                Event::Start(Tag::Link { ref dest_url, .. })
                | Event::Start(Tag::Image { ref dest_url, .. }) => {
                    let safe = is_safe_url(dest_url);
                    self.dropped.push(!safe);
                    if !safe {
                        continue;
                    }
                    event
                }
                Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                    if self.dropped.pop().unwrap_or(false) {
                        continue;
                    }
                    event
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

fn safe_events(body: &str) -> SafeEvents<'_> {
    SafeEvents {
        parser: Parser::new_ext(body, options()),
        pending: None,
        dropped: Vec::new(),
    }
}

/// The body as HTML, safe to place inside a page.
pub fn to_html(body: &str) -> String {
    let mut html = String::with_capacity(body.len() + body.len() / 2);
    pulldown_cmark::html::push_html(&mut html, safe_events(body));
    html
}

/// The body as plain text: what a reader reads, without markup. Blocks end with a newline; for
/// descriptions and the search index.
pub fn to_text(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::TableCell) => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => {
                let trimmed = text.trim_end_matches(' ').len();
                text.truncate(trimmed);
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
            }
            _ => {}
        }
    }
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    text
}

/// The first `max` characters of the body's plain text, on one line, with `…` when cut: a page
/// description. Stops parsing as soon as it has enough, so a long body costs no more than a short
/// one.
pub fn excerpt(body: &str, max: usize) -> String {
    let mut out = String::with_capacity(max * 3 + 3);
    let mut n = 0;
    // Whether a space is owed before the next character (collapsed whitespace, block ends).
    let mut space = false;
    for event in Parser::new_ext(body, options()) {
        let text = match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => t,
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::CodeBlock,
            ) => {
                space = true;
                continue;
            }
            _ => continue,
        };
        for c in text.chars() {
            if c.is_whitespace() {
                space = true;
                continue;
            }
            if n == max {
                out.push('…');
                return out;
            }
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
            n += 1;
        }
    }
    out
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
        let text = to_text("## 中标信息\n\n中标供应商：**河南九州**\n中标金额：1元\n\n| 名称 | 数量 |\n|---|---|\n| 设备 | 1 |\n\n- 一\n- 二");
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
