//! Text as people send it: strict decoding of form fields and the characters a field may hold.
//!
//! Nothing is replaced behind the sender's back: a field whose bytes are not UTF-8 is refused
//! with its name (a lossy decode would store U+FFFD in place of what was typed, and two
//! different inputs would read alike), and so is a field holding a control character — NUL,
//! escape sequences, C1 controls — which have no place in a title or a name and can hide text
//! from whoever reads it later. Only multi-line text (the content of a submission, staff
//! notes and decisions) may hold line breaks and tabs.
//!
//! This module decides; it does not answer. The public side turns a refusal into a `422` naming
//! the field, the staff side into its error page.

use std::borrow::Cow;

/// Why a field's text is refused, in Chinese, for the field's error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadText {
    #[error("含有无法识别的字符（不是有效的 UTF-8 编码），请重新输入")]
    NotUtf8,
    #[error("含有不可见的控制字符（如 NUL），请删除后重新提交")]
    Control,
    #[error("不能换行或含有制表符")]
    LineBreak,
}

/// What a field may hold besides printable text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// One line: no control character at all.
    Single,
    /// Several lines: line feeds, carriage returns (browsers send CRLF) and tabs allowed.
    Multi,
}

/// Checks the characters of a decoded field.
pub fn check(text: &str, lines: Lines) -> Result<(), BadText> {
    for c in text.chars() {
        if !c.is_control() {
            continue;
        }
        match (lines, c) {
            (Lines::Multi, '\n' | '\r' | '\t') => {}
            (Lines::Single, '\n' | '\r' | '\t') => return Err(BadText::LineBreak),
            _ => return Err(BadText::Control),
        }
    }
    Ok(())
}

/// Decodes a field's bytes as UTF-8, refusing anything else.
pub fn utf8(bytes: &[u8]) -> Result<&str, BadText> {
    std::str::from_utf8(bytes).map_err(|_| BadText::NotUtf8)
}

fn unplus(raw: &[u8]) -> Cow<'_, [u8]> {
    if raw.contains(&b'+') {
        Cow::Owned(
            raw.iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(raw)
    }
}

/// One `application/x-www-form-urlencoded` name or value, percent-decoded strictly.
fn decode_part(raw: &[u8]) -> Result<String, BadText> {
    let plain = unplus(raw);
    let bytes: Cow<'_, [u8]> = percent_encoding::percent_decode(&plain).into();
    utf8(&bytes).map(str::to_string)
}

/// A refused field of a form: its name (as far as it could be read) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField {
    pub name: String,
    pub why: BadText,
}

/// The fields of an `application/x-www-form-urlencoded` body, in order: each name (decoded
/// lossily, since a name the form does not have is ignored anyway) and its value, decoded
/// strictly as UTF-8.
pub fn form_fields(body: &[u8]) -> impl Iterator<Item = (String, Result<String, BadText>)> + '_ {
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (raw_name, raw_value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let name_bytes: Vec<u8> = percent_encoding::percent_decode(&unplus(raw_name)).collect();
            let name = String::from_utf8_lossy(&name_bytes).into_owned();
            (name, decode_part(raw_value))
        })
}

/// Decodes an urlencoded body into its (name, value) pairs, refusing a value that is not UTF-8
/// or holds a control character other than line breaks and tabs (staff forms carry multi-line
/// notes and decisions).
pub fn decode_form(body: &[u8]) -> Result<Vec<(String, String)>, BadField> {
    form_fields(body)
        .map(
            |(name, value)| match value.and_then(|v| check(&v, Lines::Multi).map(|()| v)) {
                Ok(v) => Ok((name, v)),
                Err(why) => Err(BadField { name, why }),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_decode_strictly() {
        assert_eq!(
            decode_form(b"title=%E6%A0%87%E9%A2%98&content=a+b%0D%0Ac&empty=&flag").unwrap(),
            vec![
                ("title".to_string(), "标题".to_string()),
                ("content".to_string(), "a b\r\nc".to_string()),
                ("empty".to_string(), String::new()),
                ("flag".to_string(), String::new()),
            ]
        );
        assert_eq!(
            decode_form(b"kind=report&title=%FF%FE").unwrap_err(),
            BadField {
                name: "title".into(),
                why: BadText::NotUtf8
            }
        );
        assert_eq!(
            decode_form(b"title=a%00b").unwrap_err().why,
            BadText::Control
        );
        assert_eq!(
            decode_form(b"name=%E4%B8").unwrap_err().why,
            BadText::NotUtf8
        );
    }

    #[test]
    fn characters_by_kind_of_field() {
        assert_eq!(check("招标公告（第二次）", Lines::Single), Ok(()));
        assert_eq!(check("一行\r\n二行\t缩进", Lines::Multi), Ok(()));
        assert_eq!(check("一行\n二行", Lines::Single), Err(BadText::LineBreak));
        for bad in ["a\0b", "a\u{1b}[31mb", "a\u{7f}", "a\u{85}b", "a\u{9b}b"] {
            assert_eq!(check(bad, Lines::Multi), Err(BadText::Control), "{bad:?}");
            assert_eq!(check(bad, Lines::Single), Err(BadText::Control), "{bad:?}");
        }
        assert_eq!(utf8(b"\xe6\xa0"), Err(BadText::NotUtf8));
    }
}
