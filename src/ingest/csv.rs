//! CSV as Norwegian systems export it: `;`, `,` or tab (detected, or Excel's `sep=;` line),
//! any of the encodings [`super::encoding`] detects, quoted fields, CRLF, title lines above
//! the header and blank lines anywhere. Every cell keeps its `file:line:column`, columns
//! counted in characters.

use encoding_rs::Encoding;

use super::limits::{Limits, breached};
use super::{Cell, CellValue, SourceFile, Table};
use crate::diag::{Diagnostic, FilePath, Origin};

/// The delimiters detection chooses among, in order of preference on a tie.
const CANDIDATES: [u8; 3] = [b';', b'\t', b','];

/// Reads a delimited text file into a [`Table`] whose header is, for now, the first non-empty
/// row. `delimiter` and `encoding` override detection.
pub fn read_table(
    source: &SourceFile,
    delimiter: Option<u8>,
    encoding: Option<&'static Encoding>,
    limits: &Limits,
) -> Result<Table, Diagnostic> {
    read_table_skipping(source, delimiter, encoding, limits, &|_| false)
}

/// [`read_table`] without the rows whose first line `skip` names: they are scanned, but no
/// cell of theirs is made (a national file modelled a few units at a time).
pub(crate) fn read_table_skipping(
    source: &SourceFile,
    delimiter: Option<u8>,
    encoding: Option<&'static Encoding>,
    limits: &Limits,
    skip: &dyn Fn(usize) -> bool,
) -> Result<Table, Diagnostic> {
    if source.bytes.is_empty() {
        return Err(
            Diagnostic::error(Origin::file(&source.path), "the file is empty (0 bytes)")
                .with_hint("export the table again, with a header row"),
        );
    }
    let decoded = super::decode(source, encoding)?;
    let text = decoded.text.as_str();
    let sep_line = excel_separator_line(text);
    let given = delimiter;
    let delimiter = delimiter
        .or(sep_line)
        .unwrap_or_else(|| sniff_delimiter(text));
    // Empty fields at the ends of lines beyond the widest line's content go before anything
    // is allocated per field, and the file is held to the limits.
    let trimmed = trim_trailing_fields(source, text, delimiter, limits)?;
    let text = trimmed.as_deref().unwrap_or(text);
    // A quote never closed is found first; where records and fields start is found as the
    // records are read.
    unclosed_quote(source, text, delimiter)?;
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut record = ::csv::ByteRecord::new();
    let mut places = Places::new(text, delimiter).peekable();
    let mut first = true;
    // Every cell's origin shares this one path.
    let file = FilePath::from(&source.path);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The csv crate's byte offset counts blank lines skipped before the record,
                // so step over those to the record's first character.
                let mut start = record.position().map_or(0, |p| p.byte() as usize);
                while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                while places.next_if(|p| p.offset < start).is_some() {}
                let place = places.next_if(|p| p.offset == start);
                if std::mem::take(&mut first) && sep_line.is_some() {
                    continue;
                }
                if place
                    .as_ref()
                    .is_some_and(|p| p.fields.first().is_some_and(|(line, _)| skip(*line)))
                {
                    continue;
                }
                let cells = cells_of(&file, &record, place.as_ref());
                if cells.iter().all(|c| c.value.is_empty()) {
                    continue;
                }
                rows.push(cells);
            }
            Err(e) => {
                let offset = e.position().map_or(0, |p| p.byte() as usize);
                let line = text.as_bytes()[..offset.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                return Err(Diagnostic::error(
                    Origin::text(&source.path, line, 1),
                    format!("the CSV cannot be read: {e}"),
                )
                .with_hint("check the quoting on this line"));
            }
        }
    }
    if let Some(given) = given {
        given_delimiter_fits(given, text, &rows)?;
    }
    let Some(mut table) = Table::from_rows(&source.path, rows) else {
        return Err(
            Diagnostic::error(Origin::file(&source.path), "the file holds no rows")
                .with_hint("export the table again, with a header row"),
        );
    };
    table.delimiter = Some(delimiter);
    table.warnings = decoded.warnings;
    Ok(table)
}

/// An error when the manifest's `delimiter` left the first row one field that another
/// delimiter would split.
fn given_delimiter_fits(given: u8, text: &str, rows: &[Vec<Cell>]) -> Result<(), Diagnostic> {
    if let [only] = rows.first().map(Vec::as_slice).unwrap_or_default() {
        let sniffed = sniff_delimiter(text);
        if sniffed != given && only.value.as_text().contains(sniffed as char) {
            return Err(Diagnostic::error(
                only.origin.clone(),
                format!(
                    "the manifest says delimiter {}, but the file is {}-separated: its first row is one field, \"{}\"",
                    delimiter_name(given),
                    delimiter_name(sniffed),
                    only.value.as_text().trim()
                ),
            )
            .with_hint(format!(
                "write delimiter: {} in the manifest, or leave it out to detect the delimiter",
                delimiter_name(sniffed)
            )));
        }
    }
    Ok(())
}

/// A delimiter as the manifest writes it: `";"`, `","`, `tab`.
pub(crate) fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        d => format!("\"{}\"", d as char),
    }
}

/// The delimiter named by Excel's `sep=;` first line, if the file starts with one: any one
/// character, tab included (Udir writes `sep=<TAB>` in UTF-16), also written `sep=\t`.
fn excel_separator_line(text: &str) -> Option<u8> {
    let first = text.lines().next()?;
    // Only the line break and a byte-order mark go: the delimiter may be white space.
    let first = first
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n'])
        .trim_matches('"');
    let rest = first
        .get(..4)?
        .eq_ignore_ascii_case("sep=")
        .then(|| &first[4..])?;
    match rest.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Some(*b),
        b"\\t" => Some(b'\t'),
        _ => None,
    }
}

/// Chooses among `;`, tab and `,` by counting them outside quotes on the first lines: the
/// delimiter that splits the most lines into the same number of fields wins, `;` on a tie.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .collect();
    let mut best = (0usize, 0usize, b';');
    for candidate in CANDIDATES {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| fields_in(line, candidate) - 1)
            .collect();
        // The most common non-zero count, and on how many lines it occurs.
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for &count in counts.iter().filter(|c| **c > 0) {
            match tally.iter_mut().find(|(c, _)| *c == count) {
                Some((_, n)) => *n += 1,
                None => tally.push((count, 1)),
            }
        }
        let Some(&(fields, lines_agreeing)) = tally.iter().max_by_key(|(count, n)| (*n, *count))
        else {
            continue;
        };
        if (lines_agreeing, fields) > (best.0, best.1) {
            best = (lines_agreeing, fields, candidate);
        }
    }
    best.2
}

/// Where one record starts in the text, and the line and column of each of its fields.
struct RecordPlace {
    /// Byte offset of the record's first character.
    offset: usize,
    /// 1-based (line, character column) of each field's first character.
    fields: Vec<(usize, usize)>,
}

/// What a character is to the CSV quote grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Part of a field's text (a delimiter or line break inside quotes too).
    Text,
    /// A quote at a field's start: the field is quoted.
    OpenQuote,
    /// `""` inside a quoted field (two characters): one quote.
    DoubledQuote,
    /// The quote that ends a quoted field.
    CloseQuote,
    Delimiter,
    /// A line break outside quotes.
    RecordEnd,
}

/// The quote grammar as the csv crate reads it, one character at a time: a quote opens a
/// quoted field only at a field's start; `""` inside is a quote; a delimiter or a line break
/// inside quotes is text. Yields each character's byte offset, the character and its mark.
struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    delimiter: char,
    in_quotes: bool,
    at_field_start: bool,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, delimiter: u8) -> Self {
        Scanner {
            chars: text.char_indices().peekable(),
            delimiter: delimiter as char,
            in_quotes: false,
            at_field_start: true,
        }
    }

    /// Whether the text ended inside a quoted field.
    fn in_quotes(&self) -> bool {
        self.in_quotes
    }
}

impl Iterator for Scanner<'_> {
    type Item = (usize, char, Mark);

    fn next(&mut self) -> Option<Self::Item> {
        let (offset, c) = self.chars.next()?;
        let mark = if self.in_quotes {
            match c {
                '"' if self.chars.next_if(|(_, next)| *next == '"').is_some() => Mark::DoubledQuote,
                '"' => Mark::CloseQuote,
                _ => Mark::Text,
            }
        } else if c == '"' && self.at_field_start {
            Mark::OpenQuote
        } else if c == self.delimiter {
            Mark::Delimiter
        } else if c == '\n' {
            Mark::RecordEnd
        } else {
            Mark::Text
        };
        match mark {
            Mark::OpenQuote => self.in_quotes = true,
            Mark::CloseQuote => self.in_quotes = false,
            _ => {}
        }
        // A field starts after a delimiter or a line break (the csv crate takes a lone CR
        // for one).
        self.at_field_start =
            matches!(mark, Mark::Delimiter | Mark::RecordEnd) || (c == '\r' && !self.in_quotes);
        Some((offset, c, mark))
    }
}

/// The text without the empty fields that end its lines beyond the widest line's content
/// (`None` when there are none), so a file padded with a megabyte of `;` costs no more than
/// one without. Checks the limits on cells and characters in one field on the way, each
/// breach at its line.
fn trim_trailing_fields(
    source: &SourceFile,
    text: &str,
    delimiter: u8,
    limits: &Limits,
) -> Result<Option<String>, Diagnostic> {
    let survey = survey(source, text, delimiter, limits)?;
    if !survey.padded {
        return Ok(None);
    }
    let mut kept = String::with_capacity(text.len());
    let (mut field, mut skipping) = (0usize, false);
    for (_, c, mark) in Scanner::new(text, delimiter) {
        match mark {
            Mark::RecordEnd => (field, skipping) = (0, false),
            _ if skipping => continue,
            Mark::Delimiter if field + 1 >= survey.width => {
                skipping = true;
                continue;
            }
            Mark::Delimiter => field += 1,
            _ => {}
        }
        kept.push(c);
    }
    Ok(Some(kept))
}

/// What one pass over a text file finds before any field is stored.
struct Survey {
    /// The most fields any line has up to its last filled one.
    width: usize,
    /// Some line has more fields than that (all empty).
    padded: bool,
}

fn survey(
    source: &SourceFile,
    text: &str,
    delimiter: u8,
    limits: &Limits,
) -> Result<Survey, Diagnostic> {
    let (mut width, mut most, mut cells) = (0usize, 0usize, 0u64);
    let (mut field, mut filled) = (0usize, 0usize);
    let (mut line, mut column, mut field_start, mut chars) = (1usize, 0usize, (1, 1), 0u64);
    let mut end_record = |field: usize, filled: usize, line: usize| {
        width = width.max(filled);
        most = most.max(field + 1);
        // The cells the row will hold: its fields up to the widest content so far (its empty
        // fields within the table's width are cells too).
        cells += (field + 1).min(width) as u64;
        if cells > limits.cells {
            return Err(breached(
                Origin::text(&source.path, line, 1),
                format!("the table reaches {cells} cells by this line"),
                "cells",
                limits.cells,
                "read a smaller export, or split it",
            ));
        }
        Ok(())
    };
    for (_, c, mark) in Scanner::new(text, delimiter) {
        column += 1;
        match mark {
            Mark::Delimiter | Mark::RecordEnd => {
                if mark == Mark::RecordEnd {
                    end_record(field, filled, line)?;
                    (field, filled) = (0, 0);
                    (line, column) = (line + 1, 0);
                } else {
                    field += 1;
                }
                chars = 0;
                field_start = (line, column + 1);
                continue;
            }
            Mark::Text if c == '\n' => (line, column) = (line + 1, 0),
            Mark::Text if c.is_whitespace() => {}
            Mark::DoubledQuote => {
                column += 1;
                filled = field + 1;
            }
            _ => filled = field + 1,
        }
        chars += 1;
        if chars > limits.cell_chars {
            return Err(breached(
                Origin::text(&source.path, field_start.0, field_start.1),
                format!("the field reaches {chars} characters"),
                "cell_chars",
                limits.cell_chars,
                "check the quoting before this field (an unclosed quote swallows the lines after it)",
            ));
        }
    }
    end_record(field, filled, line)?;
    Ok(Survey {
        width,
        padded: most > width,
    })
}

/// An error where a quoted field opens that is never closed: it would swallow the rest of
/// the file. One pass, nothing stored.
fn unclosed_quote(source: &SourceFile, text: &str, delimiter: u8) -> Result<(), Diagnostic> {
    let (mut line, mut column) = (1, 0);
    let mut opened = (1, 1);
    let mut scanner = Scanner::new(text, delimiter);
    for (_, c, mark) in scanner.by_ref() {
        column += 1;
        match mark {
            Mark::OpenQuote => opened = (line, column),
            Mark::DoubledQuote => column += 1,
            Mark::RecordEnd => (line, column) = (line + 1, 0),
            Mark::Text if c == '\n' => (line, column) = (line + 1, 0),
            _ => {}
        }
    }
    if scanner.in_quotes() {
        return Err(Diagnostic::error(
            Origin::text(&source.path, opened.0, opened.1),
            "this quoted field is never closed: the quote runs to the end of the file",
        )
        .with_hint("add the closing \"; a quote inside a quoted field is written twice (\"\")"));
    }
    Ok(())
}

/// Every record and field start, found as the records are read (one record's places held at
/// a time, not the file's: a national file has 150 000 records).
struct Places<'a> {
    scanner: Scanner<'a>,
    /// The record being found; `None` once the text is done.
    current: Option<RecordPlace>,
    line: usize,
    column: usize,
}

impl<'a> Places<'a> {
    fn new(text: &'a str, delimiter: u8) -> Self {
        Places {
            scanner: Scanner::new(text, delimiter),
            current: Some(RecordPlace {
                offset: 0,
                fields: vec![(1, 1)],
            }),
            line: 1,
            column: 0,
        }
    }
}

impl Iterator for Places<'_> {
    type Item = RecordPlace;

    fn next(&mut self) -> Option<RecordPlace> {
        let mut current = self.current.take()?;
        for (offset, c, mark) in self.scanner.by_ref() {
            self.column += 1;
            match mark {
                Mark::DoubledQuote => self.column += 1,
                Mark::Delimiter => current.fields.push((self.line, self.column + 1)),
                Mark::RecordEnd => {
                    self.current = Some(RecordPlace {
                        offset: offset + 1,
                        fields: vec![(self.line + 1, 1)],
                    });
                    (self.line, self.column) = (self.line + 1, 0);
                    return Some(current);
                }
                // A line break inside quotes.
                Mark::Text if c == '\n' => (self.line, self.column) = (self.line + 1, 0),
                Mark::Text | Mark::OpenQuote | Mark::CloseQuote => {}
            }
        }
        Some(current)
    }
}

/// Cells of one record with `file:line:column` origins (columns count characters, 1-based).
fn cells_of(file: &FilePath, record: &::csv::ByteRecord, place: Option<&RecordPlace>) -> Vec<Cell> {
    record
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let (line, column) = place
                .and_then(|p| p.fields.get(i).copied())
                .unwrap_or((1, 1));
            let value = if text.trim().is_empty() {
                CellValue::Empty
            } else {
                CellValue::Text(text)
            };
            Cell::new(value, Origin::text(file, line, column))
        })
        .collect()
}

/// How many fields a raw CSV line splits into at `delimiter`.
fn fields_in(line: &str, delimiter: u8) -> usize {
    1 + Scanner::new(line, delimiter)
        .filter(|(_, _, mark)| *mark == Mark::Delimiter)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("t.csv"), text.as_bytes().to_vec())
    }

    fn read(text: &str) -> Result<Table, Diagnostic> {
        read_table(&source(text), None, None, &Limits::default())
    }

    fn texts(row: &[Cell]) -> Vec<String> {
        row.iter().map(|c| c.value.as_text()).collect()
    }

    #[test]
    fn cells_know_line_and_column() {
        let table =
            read("\u{feff}kpi;år;verdi\r\nsykefravaer;2018;\"7,3\"\r\n\r\nx;2017;7,5\r\n").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0][2].value, CellValue::Text("7,3".into()));
        assert_eq!(table.rows[0][2].origin.to_string(), "t.csv:2:18");
        assert_eq!(table.rows[1][0].origin.to_string(), "t.csv:4:1");
        assert_eq!(table.column(&["År", "year"]), Some(1));
    }

    #[test]
    fn columns_count_characters_after_quoted_delimiters_and_quotes() {
        let table = read("a;b;c\n\"x;\"\"y\"\"\";æøå;5\" skjerm\n").unwrap();
        let row = &table.rows[0];
        assert_eq!(texts(row), ["x;\"y\"", "æøå", "5\" skjerm"]);
        assert_eq!(row[1].origin.to_string(), "t.csv:2:11");
        assert_eq!(row[2].origin.to_string(), "t.csv:2:15");
    }

    #[test]
    fn a_field_after_a_line_break_in_quotes_is_placed_on_its_own_line() {
        let table = read("kpi;merknad;verdi\nx;\"to\nlinjer\";7\n\ny;;8\n").unwrap();
        assert_eq!(texts(&table.rows[0]), ["x", "to\nlinjer", "7"]);
        assert_eq!(table.rows[0][1].origin.to_string(), "t.csv:2:3");
        assert_eq!(table.rows[0][2].origin.to_string(), "t.csv:3:9");
        assert_eq!(table.rows[1][2].origin.to_string(), "t.csv:5:4");
    }

    #[test]
    fn empty_files_are_errors() {
        let err = read("\n\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: error: the file holds no rows\n  hint: export the table again, with a header row"
        );
        let err = read("").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.csv: error: the file is empty (0 bytes)")
        );
    }

    #[test]
    fn the_delimiter_is_detected() {
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1.5,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1,5\t2\t3\n"), b'\t');
        // Decimal commas in every row do not outvote the semicolons.
        assert_eq!(sniff_delimiter("navn;sum\nx;1,5\ny;2,5\n"), b';');
        // A quoted title with commas above a semicolon table.
        assert_eq!(
            sniff_delimiter(
                "\"Konsumprisindeks, etter gruppe, tid\"\n\n\" \";\"1979\";\"1980\"\n\"Mat\";27.5;29.9\n"
            ),
            b';'
        );
        assert_eq!(sniff_delimiter("one column\nonly\n"), b';');
    }

    #[test]
    fn excels_sep_line_names_the_delimiter_and_is_skipped() {
        let table = read("sep=,\r\nkpi,år,verdi\r\nx,2018,\"7,3\"\r\n").unwrap();
        assert_eq!(table.delimiter, Some(b','));
        assert_eq!(texts(&table.header), ["kpi", "år", "verdi"]);
        assert_eq!(table.header_origin.to_string(), "t.csv:2:1");
        assert_eq!(table.rows[0][2].origin.to_string(), "t.csv:3:8");
    }

    #[test]
    fn a_tab_sep_line_in_utf16_as_udir_writes_it() {
        let text = "sep=\t\r\nkpi\tår\tverdi\r\nx\t2018\t7,3\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let table = read_table(
            &SourceFile::new("t.csv", bytes),
            None,
            None,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(table.delimiter, Some(b'\t'));
        assert_eq!(texts(&table.header), ["kpi", "år", "verdi"]);
        assert_eq!(table.rows[0][2].origin.to_string(), "t.csv:3:8");
        assert_eq!(excel_separator_line("sep=\\t\nkpi"), Some(b'\t'));
        assert_eq!(excel_separator_line("\u{feff}sep=|\nkpi"), Some(b'|'));
        assert_eq!(excel_separator_line("sep=;;\nkpi"), None);
    }

    #[test]
    fn the_manifests_delimiter_overrides_detection() {
        let table = read_table(
            &source("a;b,c\n1;2,3\n"),
            Some(b','),
            None,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(texts(&table.header), ["a;b", "c"]);
        let err = read_table(
            &source("kpi;år;verdi\nx;2018;7,3\n"),
            Some(b','),
            None,
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:1:1: error: the manifest says delimiter \",\", but the file is \";\"-separated: its first row is one field, \"kpi;år;verdi\"\n  hint: write delimiter: \";\" in the manifest, or leave it out to detect the delimiter"
        );
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let err = read("kpi;år;verdi\nx;2018;1\n\"y;2018;2\nz;2018;3\n").unwrap_err();
        assert_eq!(
            err.to_string().lines().next().unwrap(),
            "t.csv:3:1: error: this quoted field is never closed: the quote runs to the end of the file"
        );
    }

    #[test]
    fn windows_1252_and_utf16_read_with_the_right_columns() {
        let mut bytes = b"kpi;\xe5r;verdi\r\nsykefrav\xe6r;2018;7,3\r\n".to_vec();
        let table = read_table(
            &SourceFile::new(PathBuf::from("t.csv"), std::mem::take(&mut bytes)),
            None,
            None,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(texts(&table.header), ["kpi", "år", "verdi"]);
        assert_eq!(table.rows[0][2].origin.to_string(), "t.csv:2:17");
        let utf16: Vec<u8> = "\u{feff}kpi\tår\tverdi\r\nsykefravær\t2018\t7,3\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let table = read_table(
            &SourceFile::new(PathBuf::from("t.txt"), utf16),
            None,
            None,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(texts(&table.rows[0]), ["sykefravær", "2018", "7,3"]);
        assert_eq!(table.rows[0][2].origin.to_string(), "t.txt:2:17");
    }

    #[test]
    fn empty_fields_beyond_the_widest_content_are_dropped_and_the_rest_kept() {
        let padding = ";".repeat(100_000);
        let text =
            format!("kpi;år;verdi;note\nx;2018;7,3;\ny;2018;{padding}\n\"a;b\";2019;1{padding}\n");
        let table = read_table(&source(&text), None, None, &Limits::default()).unwrap();
        assert_eq!(table.header.len(), 4);
        // Rows keep the table's width (their empty last fields within it) and no more.
        assert!(
            table.rows.iter().all(|r| r.len() == 4),
            "{:?}",
            table.rows.iter().map(Vec::len).collect::<Vec<_>>()
        );
        assert_eq!(texts(&table.rows[2]), ["a;b", "2019", "1", ""]);
        assert_eq!(table.rows[2][2].origin.to_string(), "t.csv:4:12");
    }

    #[test]
    fn cells_and_field_lengths_are_held_to_the_limits_at_their_line() {
        let limits = Limits {
            cells: 10,
            cell_chars: 5,
            ..Limits::default()
        };
        let err =
            read_table(&source("a;b;c\n1;2;3\n4;5;6\n7;8;9\n"), None, None, &limits).unwrap_err();
        assert_eq!(err.origin.as_ref().unwrap().to_string(), "t.csv:4:1");
        assert!(err.message.contains("limits: cells"), "{err}");
        let err = read_table(&source("a;b\n1;123456\n"), None, None, &limits).unwrap_err();
        assert_eq!(err.origin.as_ref().unwrap().to_string(), "t.csv:2:3");
        assert!(err.message.contains("limits: cell_chars"), "{err}");
    }
}
