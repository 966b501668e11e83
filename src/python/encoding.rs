//! Python source bytes to text and back, as Python reads them (PEP 263): UTF-8 unless a
//! coding declaration (`# -*- coding: latin-1 -*-`) on the first line, or on the second
//! after a comment-only or blank first line, names another encoding. git-chimp works on the
//! text; what it writes into a sandbox and the patches it writes are encoded back into the
//! file's own encoding, byte for byte the same where the text is. A file whose bytes do
//! not come back the same from its declared encoding is skipped with the reason.

use std::borrow::Cow;

/// A source file's encoding other than UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    /// ISO-8859-1 (Python's `latin-1` and its aliases): each byte is the code point of
    /// the same number.
    Latin1,
    /// Another ASCII-compatible encoding, by its WHATWG name (`windows-1252`,
    /// `ISO-8859-15`, `Shift_JIS`, ...).
    Other(&'static encoding_rs::Encoding),
}

impl SourceEncoding {
    /// The encoding's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SourceEncoding::Latin1 => "latin-1",
            SourceEncoding::Other(encoding) => encoding.name(),
        }
    }
}

/// The text of a Python source file, and its encoding when it is not UTF-8.
///
/// # Errors
/// Why Python's reading of the file cannot be reproduced (not valid in its encoding, an
/// unknown encoding), for the skip message.
pub fn decode(bytes: Vec<u8>) -> Result<(String, Option<SourceEncoding>), String> {
    let declared = declaration(&bytes).map(|name| name.to_ascii_lowercase().replace('_', "-"));
    let encoding = match declared.as_deref() {
        None => None,
        Some(name) if is_utf8(name) => None,
        Some(name) if is_latin1(name) => Some(SourceEncoding::Latin1),
        Some(name) => match encoding_rs::Encoding::for_label(name.as_bytes()) {
            Some(encoding) if encoding == encoding_rs::UTF_8 => None,
            // Python source must be ASCII-compatible (not UTF-16, not ISO-2022-JP).
            Some(encoding) if encoding.is_ascii_compatible() => {
                Some(SourceEncoding::Other(encoding))
            }
            _ => {
                return Err(format!(
                    "its coding declaration names `{name}`, which git-chimp cannot read"
                ));
            }
        },
    };
    let Some(encoding) = encoding else {
        return String::from_utf8(bytes)
            .map(|text| (text, None))
            .map_err(|_| "not UTF-8 (and no coding declaration says otherwise)".to_owned());
    };
    let text = match encoding {
        SourceEncoding::Latin1 => bytes.iter().map(|&byte| char::from(byte)).collect(),
        SourceEncoding::Other(other) => {
            let (text, had_errors) = other.decode_without_bom_handling(&bytes);
            if had_errors {
                return Err(format!(
                    "not valid {}, as its coding declaration says",
                    other.name()
                ));
            }
            text.into_owned()
        }
    };
    if encode(&text, Some(encoding)).as_ref() != bytes.as_slice() {
        return Err(format!(
            "its {} bytes do not decode and encode back unchanged",
            encoding.name()
        ));
    }
    Ok((text, Some(encoding)))
}

/// `text` in `encoding` (UTF-8 when `None`). Characters the encoding cannot hold (only a
/// mutant's replacement could bring one, and replacements are ASCII) become `?`.
#[must_use]
pub fn encode(text: &str, encoding: Option<SourceEncoding>) -> Cow<'_, [u8]> {
    match encoding {
        None => Cow::Borrowed(text.as_bytes()),
        Some(SourceEncoding::Latin1) => Cow::Owned(
            text.chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
        ),
        Some(SourceEncoding::Other(encoding)) => {
            let (bytes, _, _) = encoding.encode(text);
            bytes
        }
    }
}

fn is_utf8(name: &str) -> bool {
    name == "utf-8" || name == "utf8" || name.starts_with("utf-8-")
}

fn is_latin1(name: &str) -> bool {
    ["latin-1", "iso-8859-1", "iso-latin-1"].iter().any(|base| {
        name == *base
            || name
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('-'))
    }) || [
        "latin1",
        "iso8859-1",
        "l1",
        "cp819",
        "8859",
        "latin",
        "iso-ir-100",
        "csisolatin1",
    ]
    .contains(&name)
}

/// The encoding a coding declaration names, as the tokenizer of `CPython` finds it: a comment
/// on line 1, or on line 2 when line 1 is blank or a comment, matching
/// `coding[:=][ \t]*([-\w.]+)`.
fn declaration(bytes: &[u8]) -> Option<&str> {
    let mut lines = bytes.split(|&byte| byte == b'\n');
    let first = lines.next()?;
    if let Some(name) = declared_in(first) {
        return Some(name);
    }
    let first = first.trim_ascii();
    if first.is_empty() || first.starts_with(b"#") {
        return lines.next().and_then(declared_in);
    }
    None
}

fn declared_in(line: &[u8]) -> Option<&str> {
    let line = std::str::from_utf8(line).ok()?;
    let comment = line
        .trim_start_matches([' ', '\t', '\x0c'])
        .strip_prefix('#')?;
    let mut rest = comment;
    while let Some(at) = rest.find("coding") {
        let after = &rest[at + "coding".len()..];
        if let Some(value) = after.strip_prefix([':', '=']) {
            let value = value.trim_start_matches([' ', '\t']);
            let end = value
                .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
                .unwrap_or(value.len());
            if end > 0 {
                return Some(&value[..end]);
            }
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_latin1_file_reads_as_python_reads_it_and_writes_back_byte_for_byte() {
        let bytes = b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n".to_vec();
        let (text, encoding) = decode(bytes.clone()).unwrap();
        assert_eq!(encoding, Some(SourceEncoding::Latin1));
        assert!(text.contains("caf\u{e9}"));
        assert_eq!(encode(&text, encoding).as_ref(), bytes.as_slice());
    }

    #[test]
    fn the_declaration_may_be_on_line_two_after_a_comment_only() {
        let bytes = b"#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-15 :\nx = '\xa4'\n";
        let (text, encoding) = decode(bytes.to_vec()).unwrap();
        assert_eq!(encoding.map(SourceEncoding::name), Some("ISO-8859-15"));
        assert!(text.contains('\u{20ac}'), "{text}");
        let code_first = b"x = 1\n# coding: latin-1\ny = '\xe9'\n";
        assert!(
            decode(code_first.to_vec()).is_err(),
            "line 2 after code is no declaration"
        );
    }

    #[test]
    fn utf8_stays_utf8_and_bad_or_unknown_encodings_say_why() {
        let (text, encoding) = decode("# coding: utf-8\nx = 'é'\n".as_bytes().to_vec()).unwrap();
        assert_eq!(
            (text.as_str(), encoding),
            ("# coding: utf-8\nx = 'é'\n", None)
        );
        assert!(
            decode(b"x = '\xe9'\n".to_vec())
                .unwrap_err()
                .contains("not UTF-8")
        );
        assert!(
            decode(b"# coding: klingon\n".to_vec())
                .unwrap_err()
                .contains("klingon")
        );
        assert!(decode(b"# coding: utf-16\n".to_vec()).is_err());
    }
}
