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

use pulldown_cmark::{CowStr, Event, Options, Parser, TagEnd};

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
