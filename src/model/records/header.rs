//! Where a KPI table's header is and what its columns mean: the header row (with SSB's extra
//! rows below it), the shape (long or wide), the year columns, and the years themselves.

use super::{ColumnMapping, Columns, Layout};
use crate::diag::{Diagnostic, Origin};
use crate::ingest::csv::delimiter_name;
use crate::ingest::number::parse_number;
use crate::ingest::{Cell, CellValue, Table, normalise_header};

/// Makes the first row within the first 30 that can head a table of the wanted (or any)
/// layout the header. Leaves a header named in the manifest alone.
pub(super) fn locate_header(table: &mut Table, mapping: &ColumnMapping, layout: Option<Layout>) {
    if table.header_fixed {
        return;
    }
    let candidates = std::iter::once(&table.header).chain(table.rows.iter().take(30));
    let mut found = None;
    for (index, row) in candidates.enumerate() {
        let long = names_all(row, &[&mapping.kpi, &mapping.year, &mapping.value]);
        let wide = || {
            let years = row
                .iter()
                .filter(|c| header_year(&c.value).is_some())
                .count();
            // A header holds names and years, never figures: `x;2018;7,3` is a data row.
            let only_names = row.iter().all(|c| match &c.value {
                CellValue::Empty => true,
                CellValue::Text(t) => header_year(&c.value).is_some() || parse_number(t).is_err(),
                CellValue::Number(_) => header_year(&c.value).is_some(),
                CellValue::Date(_) => false,
            });
            let kpi_named = names_all(row, &[&mapping.kpi]);
            let first_is_label = row.first().is_some_and(|c| header_year(&c.value).is_none());
            only_names
                && ((kpi_named && years > 0) || (first_is_label && years > 1 && row.len() > years))
        };
        let fits = match layout {
            Some(Layout::Long) => long,
            Some(Layout::Wide) => wide(),
            None => long || wide(),
        };
        if fits {
            found = Some(index);
            break;
        }
    }
    let Some(mut index) = found else {
        return;
    };
    // SSB puts the years on the last of several header rows (label, `Enhet: …`, `År: 2014`):
    // the header starts at the first of them, the rows above with an empty first cell.
    let row_at = |i: usize| {
        if i == 0 {
            &table.header
        } else {
            &table.rows[i - 1]
        }
    };
    while index > 0
        && row_at(index).first().is_some_and(|c| c.value.is_empty())
        && is_label_row(row_at(index - 1))
    {
        index -= 1;
    }
    if index > 0 {
        table.make_header(index - 1);
    }
}

/// A row of two or more labels and no figures: part of a header.
fn is_label_row(row: &[Cell]) -> bool {
    row.iter().filter(|c| !c.value.is_empty()).count() >= 2
        && row.iter().all(|c| match &c.value {
            CellValue::Empty => true,
            CellValue::Text(t) => parse_number(t).is_err(),
            _ => false,
        })
}

pub(super) fn names_all(row: &[Cell], groups: &[&Vec<String>]) -> bool {
    groups.iter().all(|group| {
        row.iter().any(|cell| {
            let header = normalise_header(&cell.value.as_text());
            group.iter().any(|n| normalise_header(n) == header)
        })
    })
}

/// How many rows right below the header continue it: SSB writes the statistic's name or unit
/// (`Enhet: Personer`) and the year (`År: 2014`) on rows of their own. Such rows have an empty
/// first cell and text, never figures, in the others.
pub(super) fn header_rows_below(table: &Table) -> usize {
    table
        .rows
        .iter()
        .take_while(|row| {
            row.first().is_some_and(|c| c.value.is_empty())
                && row.iter().skip(1).any(|c| !c.value.is_empty())
                && row.iter().all(|c| match &c.value {
                    CellValue::Empty => true,
                    CellValue::Text(t) => {
                        parse_number(t).is_err() || header_year(&c.value).is_some()
                    }
                    CellValue::Number(_) => header_year(&c.value).is_some(),
                    CellValue::Date(_) => false,
                })
        })
        .count()
}

/// Each column's header: its header cell and the continuation rows' cells, joined by " / ".
pub(super) fn column_labels(table: &Table, below: usize) -> Vec<Vec<Cell>> {
    let width = table
        .rows
        .iter()
        .take(below)
        .map(Vec::len)
        .chain([table.header.len()])
        .max()
        .unwrap_or(0);
    (0..width)
        .map(|c| {
            std::iter::once(&table.header)
                .chain(table.rows.iter().take(below))
                .filter_map(|row| row.get(c))
                .filter(|cell| !cell.value.is_empty())
                .cloned()
                .collect()
        })
        .collect()
}

fn label_text(cells: &[Cell]) -> String {
    cells
        .iter()
        .map(|c| c.value.as_text().trim().to_string())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The year a header cell names: `2018`, `År: 2018`, `Lørenskog 2025`, `budsjett_2013`.
/// Quarters and months (`2017K4`, `2017M01`), ranges (`2014-2015`) and years inside other
/// text (`(2015=100)`) are not years.
pub(crate) fn header_year(value: &CellValue) -> Option<i32> {
    let text = match value {
        CellValue::Number(n) if n.fract() == 0.0 => return plausible_year(*n as i64),
        CellValue::Text(t) => t.trim(),
        _ => return None,
    };
    let digits = text.get(text.len().checked_sub(4)?..)?;
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let before = &text[..text.len() - 4];
    if !(before.is_empty() || before.ends_with([' ', ':', '_', '\u{a0}'])) {
        return None;
    }
    // `2014 - 2015` names a range, not a year.
    if before
        .trim_end_matches([' ', ':', '_', '\u{a0}'])
        .ends_with(['-', '–', '/'])
    {
        return None;
    }
    plausible_year(digits.parse().ok()?)
}

fn plausible_year(year: i64) -> Option<i32> {
    (1900..=2200).contains(&year).then_some(year as i32)
}

/// A period cell as a year: a number or text `2018`, a date cell, or a date written
/// `31.12.2018` or `2018-12-31`. Anything else is an error saying what was found.
pub fn year_of(cell: &Cell) -> Result<i32, Diagnostic> {
    let not_a_year = |hint: &str| {
        Diagnostic::error(
            cell.origin.clone(),
            format!("\"{}\" is not a year", cell.value.as_text().trim()),
        )
        .with_hint(hint.to_string())
    };
    const HINT: &str = "write the period as a four-digit year, e.g. 2018";
    match &cell.value {
        CellValue::Empty => Err(Diagnostic::error(cell.origin.clone(), "the year is empty")
            .with_hint("fill in the year, e.g. 2018, or delete the row")),
        CellValue::Date(date) => Ok(chrono::Datelike::year(date)),
        CellValue::Number(n) if n.fract() == 0.0 => match plausible_year(*n as i64) {
            Some(year) => Ok(year),
            None if (3_000.0..=2_958_465.0).contains(n) => Err(not_a_year(
                "this looks like an Excel date serial; format the cell as a date, or write the year",
            )),
            None => Err(not_a_year(HINT)),
        },
        CellValue::Number(_) => Err(not_a_year(HINT)),
        CellValue::Text(text) => {
            let t = text.trim();
            if t.len() == 4
                && t.chars().all(|c| c.is_ascii_digit())
                && let Some(year) = t.parse().ok().and_then(plausible_year)
            {
                return Ok(year);
            }
            if let Some(date) = ["%d.%m.%Y", "%Y-%m-%d"]
                .iter()
                .find_map(|f| chrono::NaiveDate::parse_from_str(t, f).ok())
            {
                return Ok(chrono::Datelike::year(&date));
            }
            let bytes = t.as_bytes();
            let starts_with_year = bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit);
            if starts_with_year && matches!(bytes[4], b'K' | b'k' | b'Q' | b'q') {
                Err(not_a_year(
                    "quarters (2017K4) are not supported; give one figure per year",
                ))
            } else if starts_with_year && matches!(bytes[4], b'M' | b'm') {
                Err(not_a_year(
                    "months (2017M01) are not supported; give one figure per year",
                ))
            } else if starts_with_year && matches!(bytes[4], b'-' | b'/') && t.len() >= 9 {
                Err(not_a_year(
                    "a range such as a school year (2014-2015) is not a year; write the year the figure belongs to",
                ))
            } else {
                Err(not_a_year(HINT))
            }
        }
    }
}

/// Which columns hold what, for the chosen layout; an error at the header for each one missing.
pub(super) fn columns(
    table: &Table,
    labels: &[Vec<Cell>],
    mapping: &ColumnMapping,
    layout: Option<Layout>,
) -> Result<Columns, Vec<Diagnostic>> {
    let find = |names: &[String]| {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        table.column(&names)
    };
    let note = find(&mapping.note);
    let unit = find(&mapping.unit);
    let target = find(&mapping.target);
    let long_columns = (
        find(&mapping.kpi),
        find(&mapping.year),
        find(&mapping.value),
    );
    let years = year_columns(labels, mapping);
    // A header holding figures is a data row: read as long, which reports the missing header.
    let layout = layout.unwrap_or(
        match (
            long_columns,
            years.is_empty() || holds_figures(&table.header),
        ) {
            ((_, Some(_), _), _) | (_, true) => Layout::Long,
            _ => Layout::Wide,
        },
    );
    match layout {
        Layout::Long => {
            let mut problems = Vec::new();
            let mut require = |found: Option<usize>, names: &[String]| {
                if found.is_none() {
                    problems.push(missing_column(table, names));
                }
                found.unwrap_or(0)
            };
            if long_columns == (None, None, None) && holds_figures(&table.header) {
                return Err(vec![
                    Diagnostic::error(
                        table.header_origin.clone(),
                        format!(
                            "the table has no header row: the first row holds figures ({})",
                            table.header_names().join(", ")
                        ),
                    )
                    .with_hint(
                        "add a header row naming the columns, e.g. kpi;år;verdi, or give \
                         header_row: in the manifest",
                    ),
                ]);
            }
            let kpi = require(long_columns.0, &mapping.kpi);
            let year = require(long_columns.1, &mapping.year);
            let value = require(long_columns.2, &mapping.value);
            if !problems.is_empty() {
                return Err(problems);
            }
            Ok(Columns {
                layout,
                kpi,
                year,
                value,
                years: Vec::new(),
                note,
                unit,
                target,
            })
        }
        Layout::Wide => {
            if years.is_empty() {
                return Err(vec![
                    Diagnostic::error(
                        table.header_origin.clone(),
                        format!(
                            "no column header names a year (found: {})",
                            table.header_names().join(", ")
                        ),
                    )
                    .with_hint(
                        "in layout: wide, each year has a column headed by the year, e.g. 2018",
                    ),
                ]);
            }
            let kpi = long_columns
                .0
                .or_else(|| (0..labels.len()).find(|c| !years.iter().any(|(y, ..)| y == c)));
            let Some(kpi) = kpi else {
                return Err(vec![missing_column(table, &mapping.kpi)]);
            };
            Ok(Columns {
                layout,
                kpi,
                year: 0,
                value: 0,
                years,
                note,
                unit,
                target,
            })
        }
    }
}

/// The columns whose header names a year, as (column, year, label). When some of them also
/// carry one of the mapping's value names (`value: [Lørenskog]` picks `Lørenskog 2025` over
/// `Landet 2025`), only those. Columns headed by a target, unit or note name are left out.
fn year_columns(
    labels: &[Vec<Cell>],
    mapping: &ColumnMapping,
) -> Vec<(usize, i32, String, Origin)> {
    let mut found = Vec::new();
    for (column, cells) in labels.iter().enumerate() {
        let years: Vec<(i32, &Cell)> = cells
            .iter()
            .filter_map(|c| header_year(&c.value).map(|y| (y, c)))
            .collect();
        if let [(year, cell)] = years[..] {
            found.push((column, year, label_text(cells), cell.origin.clone()));
        }
    }
    let without_year = |label: &str, year: i32| {
        normalise_header(
            &label
                .replace(&year.to_string(), " ")
                .replace(['/', ':'], " "),
        )
    };
    // Whether the label, its year taken out, holds one of `names` as whole words.
    let names_one_of = |names: &[String], label: &str, year: i32| {
        let label = without_year(label, year);
        let words: Vec<&str> = label.split(' ').collect();
        names.iter().any(|n| {
            let n = normalise_header(&n.replace(['/', ':'], " "));
            !n.is_empty()
                && words
                    .windows(n.split(' ').count())
                    .any(|w| w.join(" ") == n)
        })
    };
    // `Mål 2018` is a target, not a figure.
    found.retain(|(_, year, label, _)| {
        let rest = without_year(label, *year);
        ![&mapping.target, &mapping.unit, &mapping.note]
            .iter()
            .any(|names| names.iter().any(|n| normalise_header(n) == rest))
    });
    if found
        .iter()
        .any(|(_, year, label, _)| names_one_of(&mapping.value, label, *year))
    {
        found.retain(|(_, year, label, _)| names_one_of(&mapping.value, label, *year));
    }
    found
}

/// Whether a row holds a figure (a number that is not a year): a data row, not a header.
fn holds_figures(row: &[Cell]) -> bool {
    row.iter().any(|c| match &c.value {
        CellValue::Number(_) => header_year(&c.value).is_none(),
        CellValue::Text(t) => header_year(&c.value).is_none() && parse_number(t).is_ok(),
        _ => false,
    })
}

pub(super) fn missing_column(table: &Table, names: &[String]) -> Diagnostic {
    let first = names.first().map_or("", String::as_str);
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let d = Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "no column \"{first}\" in the header (found: {})",
            table.header_names().join(", ")
        ),
    );
    match wrong_delimiter_hint(table) {
        Some(hint) => d.with_hint(hint),
        None => d.with_hint(format!(
            "name a column {}, or map yours in the manifest (columns:)",
            quoted.join(" or ")
        )),
    }
}

/// When a text file's header is one cell holding another delimiter, the delimiter is wrong.
pub(crate) fn wrong_delimiter_hint(table: &Table) -> Option<String> {
    let delimiter = table.delimiter?;
    let [only] = &table.header[..] else {
        return None;
    };
    let text = only.value.as_text();
    let other = [';', '\t', ',']
        .into_iter()
        .filter(|c| *c != delimiter as char)
        .max_by_key(|c| text.matches(*c).count())
        .filter(|c| text.contains(*c))?;
    let name = |c: char| delimiter_name(c as u8);
    Some(format!(
        "the header is one column holding {}: the file is {}-separated, not {}-separated; \
         correct delimiter: in the manifest or remove it to detect the delimiter",
        name(other),
        name(other),
        name(delimiter as char)
    ))
}
