//! A Markdown body as a reader reads it: the one walker over a body's text, which the
//! personal-data guard ([`crate::guard::Published::from_markdown`]), the search index's text
//! ([`crate::search::plain_text`], behind the `search` feature) and site-gen's descriptions and
//! feed excerpts are all built on, so that the guard judges exactly the text readers read and
//! search finds.
//!
//! What a reader reads is what the page shows (site-gen's `markdown`): the text without its
//! markup, inline code and code blocks, and raw HTML, which the page shows as text (it is
//! escaped, never passed through), never link targets. Parsed as the page is: CommonMark with
//! tables and strikethrough. It knows nothing of HTML pages or of the file system.

use std::ops::{ControlFlow, Range};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The Markdown extensions a body is read with: those the page is rendered with.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// A piece of a body's text, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text a reader reads: text, inline code, code blocks, raw HTML (shown as text).
    Text(CowStr<'a>),
    /// A soft line break: a space to the reader.
    SoftBreak,
    /// A hard line break: a new line.
    HardBreak,
    /// The end of a table cell.
    CellEnd,
    /// The end of a block: paragraph, heading, list item, table row, code block, quotation,
    /// HTML block, thematic break.
    BlockEnd,
    /// The start of a link or an image, with its target as written (not text a reader reads):
    /// the one pass over a body finds what it links to and shows as well.
    Link { dest: CowStr<'a>, image: bool },
}

/// A link or an image of a body: its target as written and its line in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub line: usize,
    pub dest: String,
    pub image: bool,
}

impl Link {
    /// A target inside the site: a path from its root (`/notices/…`), not `//host/…`.
    pub fn is_internal(&self) -> bool {
        self.dest.starts_with('/') && !self.dest.starts_with("//")
    }

    /// A target on another host: `//host/…`, or a scheme before the first `/`, `?` or `#`.
    pub fn is_remote(&self) -> bool {
        let url = self.dest.trim();
        url.starts_with("//")
            || url
                .split(['/', '?', '#'])
                .next()
                .is_some_and(|first| first.contains(':'))
    }
}

/// The source line of an offset in a body whose first line is `first_line` of its file.
pub fn line_finder(body: &str, first_line: usize) -> impl Fn(usize) -> usize {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    move |offset| first_line + starts.partition_point(|&s| s <= offset) - 1
}

/// The links and images of a body whose first line is `first_line` of its file.
pub fn links(body: &str, first_line: usize) -> Vec<Link> {
    let line_of = line_finder(body, first_line);
    let mut links = Vec::new();
    walk(body, |piece, range| {
        if let Piece::Link { dest, image } = piece {
            links.push(Link {
                line: line_of(range.start),
                dest: dest.into_string(),
                image,
            });
        }
        ControlFlow::Continue(())
    });
    links
}

/// Walks `markdown`'s text in reading order, handing each piece and where it is in `markdown`
/// to `visit`; stops as soon as `visit` breaks, so a caller that has read enough does not pay
/// for the rest of the body.
pub fn walk<'a>(
    markdown: &'a str,
    mut visit: impl FnMut(Piece<'a>, Range<usize>) -> ControlFlow<()>,
) {
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let piece = match event {
            Event::Start(Tag::Link { dest_url, .. }) => Piece::Link {
                dest: dest_url,
                image: false,
            },
            Event::Start(Tag::Image { dest_url, .. }) => Piece::Link {
                dest: dest_url,
                image: true,
            },
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                Piece::Text(t)
            }
            Event::SoftBreak => Piece::SoftBreak,
            Event::HardBreak => Piece::HardBreak,
            Event::End(TagEnd::TableCell) => Piece::CellEnd,
            Event::Rule
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::HtmlBlock,
            ) => Piece::BlockEnd,
            _ => continue,
        };
        if visit(piece, range).is_break() {
            return;
        }
    }
}

/// How [`plain_text`] lays the text out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Blocks and hard line breaks on lines of their own, table cells and soft line breaks apart
    /// by a space: the search index's text.
    Lines,
    /// One line: every run of whitespace, every break and every block end one space, none at
    /// either end: descriptions and excerpts.
    OneLine,
}

/// The text of a Markdown body as a reader reads it, laid out as `layout` says. With `limit`, at
/// most that many characters other than whitespace, parsing stopped as soon as they are
/// collected: ask for one more than is shown to know whether the text was cut.
pub fn plain_text(markdown: &str, layout: Layout, limit: Option<usize>) -> String {
    let limit = limit.unwrap_or(usize::MAX);
    let mut out = String::with_capacity(match limit {
        usize::MAX => markdown.len(),
        n => n.saturating_mul(3).min(markdown.len()),
    });
    // Characters other than whitespace so far.
    let mut letters = 0;
    // One line: whether a space is owed before the next character.
    let mut space = false;
    let newline = |out: &mut String| {
        let kept = out.trim_end_matches(' ').len();
        out.truncate(kept);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    walk(markdown, |piece, _| {
        match (layout, piece) {
            (_, Piece::Link { .. }) => {}
            // The search index's text of every body: copied whole, not character by character.
            (Layout::Lines, Piece::Text(t)) if limit == usize::MAX => out.push_str(&t),
            (_, Piece::Text(t)) => {
                for c in t.chars() {
                    if c.is_whitespace() {
                        match layout {
                            Layout::Lines => out.push(c),
                            Layout::OneLine => space = true,
                        }
                        continue;
                    }
                    if letters == limit {
                        return ControlFlow::Break(());
                    }
                    if space && !out.is_empty() {
                        out.push(' ');
                    }
                    space = false;
                    out.push(c);
                    letters += 1;
                }
            }
            (Layout::OneLine, _) => space = true,
            (Layout::Lines, Piece::SoftBreak | Piece::CellEnd) => out.push(' '),
            (Layout::Lines, Piece::HardBreak | Piece::BlockEnd) => newline(&mut out),
        }
        ControlFlow::Continue(())
    });
    let kept = out.trim_end().len();
    out.truncate(kept);
    if layout == Layout::Lines {
        let start = out.len() - out.trim_start().len();
        out.drain(..start);
    }
    out
}

/// The first `max` characters (other than whitespace) of a body's text on one line, with `…`
/// when it goes on: a page's description. Parsing stops once it has enough.
pub fn excerpt(markdown: &str, max: usize) -> String {
    let text = plain_text(markdown, Layout::OneLine, Some(max.saturating_add(1)));
    match text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .nth(max)
    {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    const BODY: &str = "## 中标信息\n\n中标供应商：**河南九州**\n中标金额：1元  \n第二行\n\n| 名称 | 数量 |\n|---|---|\n| 设备 | 1 |\n\n- 一\n- 二\n\n见 [处罚决定](/penalties/x/)，~~作废~~。\n\n<b>原样</b>\n\n```\n代码 a\n```\n";

    #[test]
    fn lines_put_blocks_on_lines_of_their_own() {
        expect![[r#"
            中标信息
            中标供应商：河南九州 中标金额：1元
            第二行
            名称 数量
            设备 1
            一
            二
            见 处罚决定，作废。
            <b>原样</b>
            代码 a"#]]
        .assert_eq(&plain_text(BODY, Layout::Lines, None));
    }

    #[test]
    fn one_line_collapses_whitespace_and_stops_early() {
        expect!["中标信息 中标供应商：河南九州 中标金额：1元 第二行 名称 数量 设备 1 一 二 见 处罚决定，作废。 <b>原样</b> 代码 a"]
            .assert_eq(&plain_text(BODY, Layout::OneLine, None));
        assert_eq!(plain_text(BODY, Layout::OneLine, Some(6)), "中标信息 中标");
        assert_eq!(excerpt(BODY, 6), "中标信息 中标…");
        assert_eq!(excerpt("短。", 2), "短。");
        assert_eq!(excerpt("一二 三", 2), "一二…");
    }

    #[test]
    fn links_and_images_are_found_with_their_lines_and_read_as_nothing() {
        let body = "见[公告](/notices/a/)与![图](/files/b.png)。\n\n| 文件 |\n|---|\n| [附件](/files/c.pdf) |\n\n~~[旧](/notices/old/)~~ [引用][r] <https://www.example.gov.cn/>\n\n[r]: //cdn.example/x\n";
        let found: Vec<String> = links(body, 10)
            .iter()
            .map(|l| {
                format!(
                    "{} {} {}",
                    l.line,
                    l.dest,
                    if l.image { "image" } else { "link" }
                )
            })
            .collect();
        expect![[r#"
            [
                "10 /notices/a/ link",
                "10 /files/b.png image",
                "14 /files/c.pdf link",
                "16 /notices/old/ link",
                "16 //cdn.example/x link",
                "16 https://www.example.gov.cn/ link",
            ]
        "#]]
        .assert_debug_eq(&found);
        // A link is where it leads, not a word: the text reads straight through it.
        assert_eq!(
            plain_text(body, Layout::OneLine, Some(8)),
            "见公告与图。 文件"
        );
    }

    #[test]
    fn a_walk_stops_when_asked() {
        let mut seen = 0;
        walk(&"段落。\n\n".repeat(1000), |_, _| {
            seen += 1;
            if seen == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(seen, 3);
    }
}
