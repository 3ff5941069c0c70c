//! Text encodings of exported files, detected so that æøå survive whichever one a system wrote:
//! UTF-8 (with or without byte-order mark), UTF-16 LE/BE (with or without), or Windows-1252.
//!
//! Detection order: a byte-order mark; the NUL-byte pattern of UTF-16 without one; valid
//! UTF-8; otherwise Windows-1252 (ISO-8859-1 is the same for printable text). A file that is
//! part UTF-8 and part something else, or not text at all, is an error at its first bad byte.

use std::path::Path;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::diag::{Diagnostic, Origin};

/// A Unicode encoding a file was detected in, named in messages about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf8WithBom,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8WithBom => "UTF-8 with byte-order mark",
            TextEncoding::Utf16Le => "UTF-16 LE",
            TextEncoding::Utf16Be => "UTF-16 BE",
        }
    }
}

/// A file's text and how it was decoded; `warnings` hold problems that do not stop reading.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub text: String,
    pub warnings: Vec<Diagnostic>,
}

/// Decodes `bytes` read from `path`, detecting the encoding unless `given` names one.
pub(crate) fn decode(
    path: &Path,
    bytes: &[u8],
    given: Option<&'static Encoding>,
) -> Result<Decoded, Diagnostic> {
    if let Some(encoding) = given {
        let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
        if had_errors {
            let text = text.into_owned();
            let (line, column) = position_of_char(&text, '\u{fffd}');
            return Err(Diagnostic::error(
                Origin::text(path, line, column),
                format!("the file is not valid {}", encoding.name()),
            )
            .with_hint("remove encoding: from the manifest to let rapportverk detect it"));
        }
        return Ok(finish(path, text.into_owned()));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(path, rest, TextEncoding::Utf8WithBom);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(path, rest, UTF_16LE, TextEncoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(path, rest, UTF_16BE, TextEncoding::Utf16Be);
    }
    match utf16_without_bom(bytes) {
        Some(TextEncoding::Utf16Le) => return utf16(path, bytes, UTF_16LE, TextEncoding::Utf16Le),
        Some(TextEncoding::Utf16Be) => return utf16(path, bytes, UTF_16BE, TextEncoding::Utf16Be),
        _ => {}
    }
    if bytes.contains(&0) {
        return Err(not_text(path, bytes));
    }
    utf8(path, bytes, TextEncoding::Utf8)
}

/// UTF-8, or, when the bytes are not UTF-8, Windows-1252, unless the file mixes the two.
fn utf8(path: &Path, bytes: &[u8], encoding: TextEncoding) -> Result<Decoded, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(finish(path, text.to_string())),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            if encoding == TextEncoding::Utf8WithBom || has_utf8_letters(bytes) {
                // Some of the file is UTF-8 (a byte-order mark, or æøå written as two bytes),
                // so reading all of it as Windows-1252 would garble those letters.
                let before = String::from_utf8_lossy(valid);
                let (line, column) = position_at(&before, before.len());
                let byte = bytes[e.valid_up_to()];
                return Err(Diagnostic::error(
                    Origin::text(path, line, column),
                    format!(
                        "the file mixes encodings: it is UTF-8, but the byte 0x{byte:02X} here is not"
                    ),
                )
                .with_hint(
                    "a line was pasted from a file in another encoding; retype the character \
                     here, or save the whole file as UTF-8 (in Excel: \"CSV UTF-8\")",
                ));
            }
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok(finish(path, text.into_owned()))
        }
    }
}

fn utf16(
    path: &Path,
    bytes: &[u8],
    encoding: &'static Encoding,
    which: TextEncoding,
) -> Result<Decoded, Diagnostic> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        let text = text.into_owned();
        let (line, column) = position_of_char(&text, '\u{fffd}');
        return Err(Diagnostic::error(
            Origin::text(path, line, column),
            format!("the file is not valid {}", which.name()),
        )
        .with_hint("export the table again; in Excel, \"Unicode text\" or \"CSV UTF-8\""));
    }
    Ok(finish(path, text.into_owned()))
}

/// UTF-16 without a byte-order mark: ASCII text leaves every other byte NUL.
fn utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 2 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nuls = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_nuls = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    // Most characters of a table are ASCII: digits, separators, Latin letters.
    if odd_nuls * 10 >= pairs * 6 && even_nuls * 10 <= pairs {
        Some(TextEncoding::Utf16Le)
    } else if even_nuls * 10 >= pairs * 6 && odd_nuls * 10 <= pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Whether the bytes hold æ, ø, å, Æ, Ø, Å or é written as UTF-8.
fn has_utf8_letters(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| w[0] == 0xC3 && matches!(w[1], 0xA5 | 0xA6 | 0xB8 | 0x85 | 0x86 | 0x98 | 0xA9))
}

fn not_text(path: &Path, bytes: &[u8]) -> Diagnostic {
    if bytes.starts_with(b"PK\x03\x04") {
        return Diagnostic::error(Origin::file(path), "the file is not a text file").with_hint(
            "it is a zip archive, as an .xlsx workbook is; give it the .xlsx extension",
        );
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Diagnostic::error(Origin::file(path), "the file is not a text file")
            .with_hint("it is an old Excel workbook (.xls); give it the .xls extension");
    }
    // The first NUL, at its line and column (characters as UTF-8 where they are).
    let at = bytes.iter().position(|b| *b == 0).unwrap_or(0);
    let line_start = bytes[..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .count()
        + 1;
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let hint = if yaml {
        "delete the character here (an editor that shows control characters finds it), or restore the file from a backup; the file may be damaged"
    } else {
        "export the table again as CSV (UTF-8, \";\"-separated) or as an Excel workbook; the file may be damaged"
    };
    Diagnostic::error(
        Origin::text(path, line, column),
        "the file holds a NUL byte (0x00) here, which no text file has",
    )
    .with_hint(hint)
}

/// Checks decoded text for UTF-8 that was once read as Windows-1252 and saved again.
fn finish(path: &Path, text: String) -> Decoded {
    const GARBLED: [(&str, char); 7] = [
        ("Ã¦", 'æ'),
        ("Ã¸", 'ø'),
        ("Ã¥", 'å'),
        ("Ã†", 'Æ'),
        ("Ã˜", 'Ø'),
        ("Ã…", 'Å'),
        ("Ã©", 'é'),
    ];
    let mut warnings = Vec::new();
    if let Some((offset, garbled, letter)) = GARBLED
        .iter()
        .filter_map(|(garbled, letter)| text.find(garbled).map(|i| (i, *garbled, *letter)))
        .min()
    {
        let (line, column) = position_at(&text, offset);
        warnings.push(
            Diagnostic::warning(
                Origin::text(path, line, column),
                format!("\"{garbled}\" looks like a garbled \"{letter}\""),
            )
            .with_hint(
                "the file was once read in the wrong encoding and saved again; \
                 export it again from the source system",
            ),
        );
    }
    Decoded { text, warnings }
}

/// 1-based line and character column of the first `wanted` in `text`.
fn position_of_char(text: &str, wanted: char) -> (usize, usize) {
    position_at(text, text.find(wanted).unwrap_or(text.len()))
}

/// 1-based line and character column of the byte `offset` in `text`.
fn position_at(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Decoded, Diagnostic> {
        decode(Path::new("t.csv"), bytes, None)
    }

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    fn utf16be(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        bytes
    }

    const TEXT: &str = "kpi;år;verdi\r\nsykefravær;2018;7,3\r\n";

    #[test]
    fn every_supported_encoding_gives_the_same_text() {
        let cp1252: Vec<u8> = WINDOWS_1252.encode(TEXT).0.into_owned();
        let cases: [(Vec<u8>, &str); 7] = [
            (TEXT.as_bytes().to_vec(), "UTF-8"),
            (
                [b"\xEF\xBB\xBF".as_slice(), TEXT.as_bytes()].concat(),
                "UTF-8 with BOM",
            ),
            (utf16le(TEXT, true), "UTF-16 LE with BOM"),
            (utf16le(TEXT, false), "UTF-16 LE"),
            (utf16be(TEXT, true), "UTF-16 BE with BOM"),
            (utf16be(TEXT, false), "UTF-16 BE"),
            (cp1252, "Windows-1252"),
        ];
        for (bytes, encoding) in cases {
            let decoded = read(&bytes).unwrap();
            assert_eq!(decoded.text, TEXT, "{encoding}");
            assert!(decoded.warnings.is_empty());
        }
    }

    #[test]
    fn a_mixed_file_is_an_error_at_the_first_foreign_byte() {
        let mut bytes = "kpi;år\nsykefrav".as_bytes().to_vec();
        bytes.push(0xE6); // æ in Windows-1252
        bytes.extend(b"r;2018\n");
        let err = read(&bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:2:9: error: the file mixes encodings: it is UTF-8, but the byte 0xE6 here is not\n  hint: a line was pasted from a file in another encoding; retype the character here, or save the whole file as UTF-8 (in Excel: \"CSV UTF-8\")"
        );
    }

    #[test]
    fn binary_files_are_refused() {
        let err = read(b"PK\x03\x04\x14\x00\x00\x00").unwrap_err();
        assert!(
            err.to_string().starts_with(
                "t.csv: error: the file is not a text file\n  hint: it is a zip archive"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_nul_byte_is_told_at_its_line_with_a_hint_for_the_file_kind() {
        let err = read(b"kpi;\xc3\xa5r\nx;2\x0018\n").unwrap_err();
        assert_eq!(err.origin.as_ref().unwrap().to_string(), "t.csv:2:4");
        assert!(
            err.hint
                .as_deref()
                .unwrap()
                .starts_with("export the table again"),
            "{err}"
        );
        let yaml = decode(Path::new("n.yaml"), b"a: 1\nb: \x00\n", None).unwrap_err();
        assert_eq!(yaml.origin.as_ref().unwrap().to_string(), "n.yaml:2:4");
        assert!(
            yaml.hint
                .as_deref()
                .unwrap()
                .starts_with("delete the character"),
            "{yaml}"
        );
    }

    #[test]
    fn double_encoded_letters_are_a_warning() {
        let decoded = read("kpi\nSykefravÃ¦r\n".as_bytes()).unwrap();
        assert_eq!(
            decoded.warnings[0].to_string().lines().next().unwrap(),
            "t.csv:2:9: warning: \"Ã¦\" looks like a garbled \"æ\""
        );
    }

    #[test]
    fn a_given_encoding_wins() {
        // 0xA4 is "¤" in Windows-1252, which detection would pick, and "€" in ISO-8859-15.
        let latin9 = Encoding::for_label(b"iso-8859-15").unwrap();
        let decoded = decode(Path::new("t.csv"), b"kr \xA4\n", Some(latin9)).unwrap();
        assert_eq!(decoded.text, "kr €\n");
    }

    #[test]
    fn short_and_empty_inputs_do_not_panic() {
        for bytes in [&b""[..], b"a", b"\xFF", b"\xFE", b"\x00", b"\xEF\xBB"] {
            let _ = read(bytes);
        }
    }
}
