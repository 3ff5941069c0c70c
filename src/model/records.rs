//! KPI records: the model's first reading of a data table, one [`Record`] per figure. KPI
//! tables come in two shapes: long (one row per KPI and period) and wide (one row per KPI, a
//! column per year, as SSB tables and most hand-made sheets look). Columns are found by header names from the manifest; the
//! header row, SSB's extra header rows below it, and the shape are detected when not given.

use serde::Deserialize;

use crate::ingest::csv::delimiter_name;
use crate::ingest::number::parse_number;
use crate::ingest::{Cell, CellValue, Table, normalise_header, row_number};
use crate::diag::{Diagnostic, Origin, closest};

/// Which header names hold the KPI id, the period, the value, the source note, the unit and
/// the target. Each entry lists accepted names; the defaults recognise common Norwegian and
/// English headers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ColumnMapping {
    pub kpi: Vec<String>,
    pub year: Vec<String>,
    pub value: Vec<String>,
    pub note: Vec<String>,
    pub unit: Vec<String>,
    pub target: Vec<String>,
}

impl Default for ColumnMapping {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        ColumnMapping {
            kpi: names(&["kpi", "nøkkeltall", "nokkeltall", "indikator", "id"]),
            year: names(&["år", "ar", "aar", "periode", "year", "period"]),
            value: names(&["verdi", "value", "tall"]),
            note: names(&["kilde", "merknad", "note", "source"]),
            unit: names(&["enhet", "unit", "måleenhet"]),
            target: names(&["mål", "maal", "target"]),
        }
    }
}

/// The shape of a KPI table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One row per KPI and period: columns for KPI, year and value.
    Long,
    /// One row per KPI, one column per year (`2017`, `2018`, `Lørenskog 2025`, `År: 2014`).
    Wide,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Long => "long",
            Layout::Wide => "wide",
        }
    }
}

/// Keep only rows whose `column` holds one of `values` (`filter: { region: "0219 Bærum" }`).
#[derive(Debug, Clone)]
pub struct Filter {
    pub column: String,
    pub values: Vec<String>,
}

/// One figure of a KPI table.
#[derive(Debug, Clone)]
pub struct Record {
    /// The KPI as the table names it: an id, or in tables from elsewhere a name.
    pub kpi: Cell,
    pub year: i32,
    /// The year's cell (long) or column header (wide).
    pub year_origin: Origin,
    /// The value as the cell holds it; validation parses it with the KPI's unit in mind.
    pub value: Cell,
    pub note: String,
    /// The row's unit column (`enhet`), when the table has one.
    pub unit: Option<Cell>,
    /// The row's target column (`mål`), when the table has one.
    pub target: Option<Cell>,
    /// The column's header, in wide tables: `Lørenskog 2025`.
    pub column_label: Option<String>,
}

/// A table's records and the problems found in its rows.
#[derive(Debug, Default)]
pub struct Records {
    pub layout: Option<Layout>,
    pub records: Vec<Record>,
    pub problems: Vec<Diagnostic>,
    /// The KPI (as written) and, where it could be read, the year of each row that had a
    /// problem: the figures it would have given are missing because of a problem already told.
    pub failed: Vec<(String, Option<i32>)>,
}

/// The columns of a table once its header is known.
struct Columns {
    layout: Layout,
    kpi: usize,
    /// Long: the year column. Wide: unused.
    year: usize,
    /// Long: the value column.
    value: usize,
    /// Wide: (column, year, label, header cell) of every year column read.
    years: Vec<(usize, i32, String, Origin)>,
    note: Option<usize>,
    unit: Option<usize>,
    target: Option<usize>,
}

/// Finds the header and the layout (unless given) and reads every figure of `table`.
pub fn records(
    table: &mut Table,
    mapping: &ColumnMapping,
    layout: Option<Layout>,
    filters: &[Filter],
) -> Records {
    let mut out = Records::default();
    locate_header(table, mapping, layout);
    let below = header_rows_below(table);
    let labels = column_labels(table, below);
    table.rows.drain(..below);
    let columns = match columns(table, &labels, mapping, layout) {
        Ok(columns) => columns,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    out.layout = Some(columns.layout);
    let filter_columns: Vec<(usize, &Filter)> = filters
        .iter()
        .filter_map(|f| match table.column(&[f.column.as_str()]) {
            Some(c) => Some((c, f)),
            None => {
                out.problems.push(missing_filter_column(table, f));
                None
            }
        })
        .collect();
    if filter_columns.len() != filters.len() {
        return out;
    }
    let header_width = table.header.len();
    for row in &table.rows {
        if !filter_columns
            .iter()
            .all(|(c, f)| row.get(*c).is_some_and(|cell| filter_matches(cell, f)))
        {
            continue;
        }
        // The KPI and year of a row that fails, so validation does not report the figure
        // missing as well.
        let failed = |out: &mut Records| {
            let kpi = row
                .get(columns.kpi)
                .map(|c| c.value.as_text().trim().to_string());
            let year = match columns.layout {
                Layout::Long => row.get(columns.year).and_then(|c| year_of(c).ok()),
                Layout::Wide => None,
            };
            if let Some(kpi) = kpi.filter(|k| !k.is_empty()) {
                out.failed.push((kpi, year));
            }
        };
        if let Some(d) = ragged(table, row, header_width) {
            out.problems.push(d);
            failed(&mut out);
            continue;
        }
        let Some(kpi) = row.get(columns.kpi).filter(|c| !c.value.is_empty()) else {
            let has_figures = columns.layout == Layout::Long
                || columns
                    .years
                    .iter()
                    .any(|(c, ..)| row.get(*c).is_some_and(|cell| !cell.value.is_empty()));
            if has_figures {
                let origin = row
                    .get(columns.kpi)
                    .or(row.first())
                    .map(|c| c.origin.clone());
                out.problems.push(
                    Diagnostic::error(origin, "the KPI id is empty")
                        .with_hint("fill in the KPI column or delete the row"),
                );
            }
            continue;
        };
        let text_of = |column: Option<usize>| -> String {
            column
                .and_then(|c| row.get(c))
                .map(|c| c.value.as_text().trim().to_string())
                .unwrap_or_default()
        };
        let optional = |column: Option<usize>| -> Option<Cell> {
            column
                .and_then(|c| row.get(c))
                .filter(|c| !c.value.is_empty())
                .cloned()
        };
        match columns.layout {
            Layout::Long => {
                let Some(year_cell) = row.get(columns.year) else {
                    out.problems.push(short_row(table, row, columns.year));
                    failed(&mut out);
                    continue;
                };
                let year = match year_of(year_cell) {
                    Ok(year) => year,
                    Err(d) => {
                        out.problems.push(d);
                        failed(&mut out);
                        continue;
                    }
                };
                let Some(value) = row.get(columns.value) else {
                    out.problems.push(short_row(table, row, columns.value));
                    failed(&mut out);
                    continue;
                };
                out.records.push(Record {
                    kpi: kpi.clone(),
                    year,
                    year_origin: year_cell.origin.clone(),
                    value: value.clone(),
                    note: text_of(columns.note),
                    unit: optional(columns.unit),
                    target: optional(columns.target),
                    column_label: None,
                });
            }
            Layout::Wide => {
                for (column, year, label, origin) in &columns.years {
                    let Some(value) = row.get(*column).filter(|c| !c.value.is_empty()) else {
                        continue;
                    };
                    out.records.push(Record {
                        kpi: kpi.clone(),
                        year: *year,
                        year_origin: origin.clone(),
                        value: value.clone(),
                        note: text_of(columns.note),
                        unit: optional(columns.unit),
                        target: optional(columns.target),
                        column_label: Some(label.clone()),
                    });
                }
            }
        }
    }
    out
}

/// Makes the first row within the first 30 that can head a table of the wanted (or any)
/// layout the header. Leaves a header named in the manifest alone.
fn locate_header(table: &mut Table, mapping: &ColumnMapping, layout: Option<Layout>) {
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

fn names_all(row: &[Cell], groups: &[&Vec<String>]) -> bool {
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
fn header_rows_below(table: &Table) -> usize {
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
fn column_labels(table: &Table, below: usize) -> Vec<Vec<Cell>> {
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
pub fn header_year(value: &CellValue) -> Option<i32> {
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
fn columns(
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

fn missing_column(table: &Table, names: &[String]) -> Diagnostic {
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
pub fn wrong_delimiter_hint(table: &Table) -> Option<String> {
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

fn missing_filter_column(table: &Table, filter: &Filter) -> Diagnostic {
    let names = table.header_names();
    let d = Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "no column \"{}\" to filter on (found: {})",
            filter.column,
            names.join(", ")
        ),
    );
    match closest(&filter.column, names.iter().map(String::as_str)) {
        Some(near) => d.with_hint(format!("did you mean \"{near}\"?")),
        None => d.with_hint("filter: names a column of the header and the values to keep"),
    }
}

/// Whether a cell holds one of the filter's values; a code stored as a number matches the
/// code written with its leading zeros (`0301` matches 301).
fn filter_matches(cell: &Cell, filter: &Filter) -> bool {
    let text = cell.value.as_text();
    let text = text.trim();
    filter.values.iter().any(|wanted| {
        let wanted = wanted.trim();
        if wanted.to_lowercase() == text.to_lowercase() {
            return true;
        }
        match (&cell.value, wanted.parse::<u64>()) {
            (CellValue::Number(n), Ok(code)) => *n == code as f64,
            _ => false,
        }
    })
}

/// A text row with filled cells beyond the header's columns was split wrongly (an unquoted
/// delimiter inside a value). Workbooks often keep notes to the right; those are ignored.
fn ragged(table: &Table, row: &[Cell], header_width: usize) -> Option<Diagnostic> {
    let delimiter = table.delimiter?;
    let named = table
        .header
        .iter()
        .rposition(|c| !c.value.is_empty())
        .map_or(header_width, |i| i + 1);
    let extra = row.iter().skip(named).find(|c| !c.value.is_empty())?;
    let fields = row
        .iter()
        .rposition(|c| !c.value.is_empty())
        .map_or(0, |i| i + 1);
    let delimiter_name = delimiter_name(delimiter);
    Some(
        Diagnostic::error(
            extra.origin.clone(),
            format!(
                "the row has {fields} fields, the header only {named}: \"{}\" is in no column",
                extra.value.as_text().trim()
            ),
        )
        .with_hint(format!(
            "a value holding the delimiter {delimiter_name} must be quoted, e.g. \"7{}3\"",
            delimiter as char
        )),
    )
}

fn short_row(table: &Table, row: &[Cell], wanted: usize) -> Diagnostic {
    let name = table
        .header
        .get(wanted)
        .map(|c| c.value.as_text())
        .unwrap_or_default();
    let origin = row.last().map(|c| c.origin.clone());
    Diagnostic::error(
        origin,
        format!(
            "the row ends after {} fields, before the \"{name}\" column (the header has {})",
            row.len(),
            table.header.len()
        ),
    )
    .with_hint("fill in the missing fields, or delete the row")
}

/// The line or row of a cell, for messages that compare two places.
pub fn same_row(a: &Origin, b: &Origin) -> bool {
    a.path() == b.path()
        && row_number(a) == row_number(b)
        && matches!(
            (a, b),
            (Origin::Text { .. }, Origin::Text { .. }) | (Origin::Cell { .. }, Origin::Cell { .. })
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ReadOptions, SourceFile, read_table};
    use std::path::PathBuf;

    fn table(text: &str) -> Table {
        let source = SourceFile::new(PathBuf::from("t.csv"), text.as_bytes().to_vec());
        read_table(&source, &ReadOptions::default()).unwrap()
    }

    fn read(text: &str, mapping: &ColumnMapping) -> Records {
        records(&mut table(text), mapping, None, &[])
    }

    fn summary(records: &Records) -> Vec<(String, i32, String)> {
        records
            .records
            .iter()
            .map(|r| (r.kpi.value.as_text(), r.year, r.value.value.as_text()))
            .collect()
    }

    fn messages(records: &Records) -> Vec<String> {
        records.problems.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn long_layout_below_a_title() {
        let r = read(
            "Nøkkeltall 2018\n\nkpi;år;verdi\nsykefravaer;2018;7,3\n",
            &ColumnMapping::default(),
        );
        assert_eq!(r.layout, Some(Layout::Long));
        assert_eq!(summary(&r), [("sykefravaer".into(), 2018, "7,3".into())]);
        assert_eq!(r.records[0].value.origin.to_string(), "t.csv:4:18");
    }

    #[test]
    fn wide_layout_is_detected_from_year_headers() {
        let r = read(
            "nøkkeltall;2017;2018;enhet\nsykefravaer;7,5;7,3;%\nfritidsstipend;;237;antall\n",
            &ColumnMapping::default(),
        );
        assert_eq!(r.layout, Some(Layout::Wide));
        assert_eq!(
            summary(&r),
            [
                ("sykefravaer".into(), 2017, "7,5".into()),
                ("sykefravaer".into(), 2018, "7,3".into()),
                ("fritidsstipend".into(), 2018, "237".into()),
            ]
        );
        assert_eq!(r.records[2].value.origin.to_string(), "t.csv:3:17");
        assert_eq!(r.records[0].unit.as_ref().unwrap().value.as_text(), "%");
    }

    #[test]
    fn ssb_two_row_header_and_blank_kpi_header() {
        let r = read(
            "\"Konsumprisindeks, etter konsumgruppe\"\n\n\" \";\"1979\";\"1980\"\n\" \";\"Konsumprisindeks (2015=100)\";\"Konsumprisindeks (2015=100)\"\n\"Matvarer\";27.5;29.9\n\n\"F.o.m. 2017 er referanseår 2015=100.\"\n",
            &ColumnMapping::default(),
        );
        assert_eq!(r.layout, Some(Layout::Wide));
        assert_eq!(
            summary(&r),
            [
                ("Matvarer".into(), 1979, "27.5".into()),
                ("Matvarer".into(), 1980, "29.9".into())
            ]
        );
        assert_eq!(
            r.records[0].column_label.as_deref(),
            Some("1979 / Konsumprisindeks (2015=100)")
        );
    }

    #[test]
    fn value_names_choose_among_columns_of_the_same_year() {
        let mapping = ColumnMapping {
            value: vec!["Lørenskog".into()],
            ..ColumnMapping::default()
        };
        let r = read(
            "Indikator;Lørenskog 2024;Lørenskog 2025;Landet 2025;Enhet\nNetto driftsresultat;0,2;4;2,2;%\n",
            &mapping,
        );
        assert_eq!(
            summary(&r),
            [
                ("Netto driftsresultat".into(), 2024, "0,2".into()),
                ("Netto driftsresultat".into(), 2025, "4".into())
            ]
        );
    }

    #[test]
    fn header_years() {
        let year = |t: &str| header_year(&CellValue::Text(t.into()));
        assert_eq!(year("2018"), Some(2018));
        assert_eq!(year("År: 2014"), Some(2014));
        assert_eq!(year("Lørenskog 2025"), Some(2025));
        assert_eq!(year("budsjett_2013"), Some(2013));
        for no in [
            "2017K4",
            "2017M01",
            "2014-2015",
            "(2015=100)",
            "Konsumprisindeks (2015=100)",
            "12018",
            "1850",
            "x2018",
        ] {
            assert_eq!(year(no), None, "{no}");
        }
        assert_eq!(header_year(&CellValue::Number(2018.0)), Some(2018));
    }

    #[test]
    fn years_from_cells() {
        let cell = |value| Cell::new(value, Origin::text("t.csv", 2, 5));
        let year = |value| year_of(&cell(value)).map_err(|d| d.to_string());
        assert_eq!(year(CellValue::Text(" 2018 ".into())), Ok(2018));
        assert_eq!(year(CellValue::Number(2018.0)), Ok(2018));
        assert_eq!(year(CellValue::Text("31.12.2018".into())), Ok(2018));
        assert_eq!(
            year(CellValue::Date(
                chrono::NaiveDate::from_ymd_opt(2018, 12, 31).unwrap()
            )),
            Ok(2018)
        );
        assert_eq!(
            year(CellValue::Text("2O18".into())),
            Err("t.csv:2:5: error: \"2O18\" is not a year\n  hint: write the period as a four-digit year, e.g. 2018".into())
        );
        assert!(
            year(CellValue::Text("2014-2015".into()))
                .unwrap_err()
                .contains("school year")
        );
        assert!(
            year(CellValue::Text("2017K4".into()))
                .unwrap_err()
                .contains("quarters")
        );
        assert!(
            year(CellValue::Number(43465.0))
                .unwrap_err()
                .contains("date serial")
        );
    }

    #[test]
    fn filters_keep_matching_rows_and_codes_match_numbers() {
        let mut t = table(
            "region;tid;statistikkvariabel;verdi\n01 Østfold;1951;Folkemengde;185492\n02 Akershus;1951;Folkemengde;210000\n",
        );
        let mapping = ColumnMapping {
            kpi: vec!["statistikkvariabel".into()],
            year: vec!["tid".into()],
            ..ColumnMapping::default()
        };
        let filters = [Filter {
            column: "region".into(),
            values: vec!["01 østfold".into()],
        }];
        let r = records(&mut t, &mapping, None, &filters);
        assert_eq!(summary(&r), [("Folkemengde".into(), 1951, "185492".into())]);
        let cell = Cell::new(CellValue::Number(301.0), Origin::file("x"));
        let f = Filter {
            column: "kommune".into(),
            values: vec!["0301".into()],
        };
        assert!(filter_matches(&cell, &f));
        let r = records(
            &mut table("kpi;år;verdi\nx;2018;1\n"),
            &ColumnMapping::default(),
            None,
            &[Filter {
                column: "regoin".into(),
                values: vec![],
            }],
        );
        assert_eq!(
            messages(&r),
            [
                "t.csv:1:1: error: no column \"regoin\" to filter on (found: kpi, år, verdi)\n  hint: filter: names a column of the header and the values to keep"
            ]
        );
    }

    #[test]
    fn ragged_and_short_rows() {
        let r = read(
            "kpi;år;verdi\nsykefravaer;2018;7;3\nx;2018\n",
            &ColumnMapping::default(),
        );
        assert_eq!(
            messages(&r),
            [
                "t.csv:2:20: error: the row has 4 fields, the header only 3: \"3\" is in no column\n  hint: a value holding the delimiter \";\" must be quoted, e.g. \"7;3\"",
                "t.csv:3:3: error: the row ends after 2 fields, before the \"verdi\" column (the header has 3)\n  hint: fill in the missing fields, or delete the row",
            ]
        );
    }

    #[test]
    fn a_wrong_delimiter_is_named() {
        // Excel's `sep=` line wins over detection; when it is wrong, the header says so.
        let mut t = table("sep=,\nkpi;år;verdi\nx;2018;1\n");
        let r = records(&mut t, &ColumnMapping::default(), None, &[]);
        assert_eq!(
            messages(&r)[0],
            "t.csv:2:1: error: no column \"kpi\" in the header (found: kpi;år;verdi)\n  hint: the header is one column holding \";\": the file is \";\"-separated, not \",\"-separated; correct delimiter: in the manifest or remove it to detect the delimiter"
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any bytes, read as a text file and then as KPI data in either layout, give
            /// a table or a diagnostic, never a panic.
            #[test]
            fn never_panics_on_any_bytes(
                bytes in proptest::collection::vec(any::<u8>(), 0..400),
                header_row in proptest::option::of(1usize..6),
            ) {
                let source = SourceFile::new("t.csv", bytes);
                let options = ReadOptions { header_row, ..ReadOptions::default() };
                if let Ok(mut t) = read_table(&source, &options) {
                    for layout in [None, Some(Layout::Long), Some(Layout::Wide)] {
                        let mut copy = t.clone();
                        let _ = records(&mut copy, &ColumnMapping::default(), layout, &[]);
                    }
                    let _ = records(&mut t, &ColumnMapping::default(), None, &[]);
                }
            }

            /// Table-like text with the characters that matter (delimiters, quotes, years,
            /// symbols, line ends) in any order.
            #[test]
            fn never_panics_on_table_like_text(
                text in "([;,\t\"\r\n ]|kpi|år|verdi|2018|2017K4|7,3|\\.\\.|:|-|æ|Ã¸|sep=;|\u{feff}){0,60}",
            ) {
                let source = SourceFile::new(PathBuf::from("t.csv"), text.into_bytes());
                if let Ok(mut t) = read_table(&source, &ReadOptions::default()) {
                    let _ = records(&mut t, &ColumnMapping::default(), None, &[]);
                }
            }
        }
    }
}
