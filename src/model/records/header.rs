//! Where a KPI table's header is and what its columns mean: the header row (with SSB's extra
//! rows below it), the shape (long or wide), the year columns, and the years themselves.

use super::{ColumnMapping, Columns, Layout, choice};
use crate::diag::{Diagnostic, Origin};
use crate::ingest::csv::delimiter_name;
use crate::ingest::number::parse_number;
use crate::ingest::{Cell, CellValue, Table, header_matches, normalise_header};
use crate::model::period::{Period, month_of, plausible_year};

/// Makes the first row within the first 30 that can head a table of the wanted (or any)
/// layout the header. Leaves a header named in the manifest alone.
pub(super) fn locate_header(
    table: &mut Table,
    mapping: &ColumnMapping,
    layout: Option<Layout>,
    outside: Option<Period>,
) {
    if table.header_fixed {
        return;
    }
    let year = outside.map(|p| p.year());
    let candidates = std::iter::once(&table.header).chain(table.rows.iter().take(30));
    let mut found = None;
    for (index, row) in candidates.enumerate() {
        // A period given outside the table leaves the long layout without a year column.
        let long = match outside {
            Some(_) => names_all(row, &[&mapping.kpi, &mapping.value]),
            None => names_all(row, &[&mapping.kpi, &mapping.year, &mapping.value]),
        };
        let wide = || {
            let years = row
                .iter()
                .filter(|c| header_period(&c.value, year).is_some())
                .count();
            // A header holds names and years, never figures: `x;2018;7,3` is a data row.
            let only_names = row.iter().all(|c| match &c.value {
                CellValue::Empty => true,
                CellValue::Text(t) => {
                    header_period(&c.value, year).is_some() || parse_number(t).is_err()
                }
                CellValue::Number(_) => header_period(&c.value, year).is_some(),
                CellValue::Date(_) => false,
            });
            let kpi_named = names_all(row, &[&mapping.kpi]);
            let first_is_label = row
                .first()
                .is_some_and(|c| header_period(&c.value, year).is_none());
            only_names
                && ((kpi_named && years > 0) || (first_is_label && years > 1 && row.len() > years))
        };
        let fits = match layout {
            Some(Layout::Long) => long,
            Some(Layout::Wide) => wide(),
            None | Some(Layout::Transposed) => long || wide(),
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
            let header = cell.value.as_text();
            group.iter().any(|n| header_matches(&header, n))
        })
    })
}

/// How many rows right below the header continue it: SSB writes the statistic's name or unit
/// (`Enhet: Personer`) and the year (`År: 2014`) on rows of their own. Such rows have an empty
/// first cell and text, never figures, in the others.
pub(super) fn header_rows_below(table: &Table, year: Option<i32>) -> usize {
    // Under a title taken for the header (no row named the columns), rows of names are the
    // header the title hint proposes, not a continuation of the title.
    let filled = table.header.iter().filter(|c| !c.value.is_empty()).count();
    if filled == 1 && table.header.first().is_some_and(|c| !c.value.is_empty()) {
        return 0;
    }
    table
        .rows
        .iter()
        .take_while(|row| {
            row.first().is_some_and(|c| c.value.is_empty())
                && row.iter().skip(1).any(|c| !c.value.is_empty())
                && row.iter().all(|c| match &c.value {
                    CellValue::Empty => true,
                    CellValue::Text(t) => {
                        parse_number(t).is_err() || header_period(&c.value, year).is_some()
                    }
                    CellValue::Number(_) => header_period(&c.value, year).is_some(),
                    CellValue::Date(_) => false,
                })
        })
        .count()
}

/// Each column's header: its header cell and the continuation rows' cells. A parent cell
/// merged across its children (SSB: one statistic over its groups) is written once, in its
/// first column; it is carried right to each column that has a name of its own in the last
/// header row, up to the next parent. A header row holding only its first cell (KOSTRA's
/// statistic above an `År \ Region` row) is a title over every column.
pub(super) fn column_labels(table: &Table, below: usize) -> Vec<Vec<Cell>> {
    let rows: Vec<&Vec<Cell>> = std::iter::once(&table.header)
        .chain(table.rows.iter().take(below))
        .collect();
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let last = rows[rows.len() - 1];
    let named_below = |c: usize| last.get(c).is_some_and(|cell| !cell.value.is_empty());
    (0..width)
        .map(|c| {
            rows.iter()
                .enumerate()
                .filter_map(|(r, row)| match row.get(c) {
                    Some(cell) if !cell.value.is_empty() => Some(cell.clone()),
                    // Only parents above the last row are carried, never into the stub column.
                    _ if r + 1 < rows.len() && c > 0 && named_below(c) => {
                        let filled = |cell: &&Cell| !cell.value.is_empty();
                        // A row holding only its first cell is a title over the whole table.
                        let title = row.iter().filter(filled).count() == 1
                            && row.first().is_some_and(|f| filled(&f));
                        let from = if title { 0 } else { 1 };
                        (from..c)
                            .rev()
                            .filter_map(|left| row.get(left))
                            .find(filled)
                            .cloned()
                    }
                    _ => None,
                })
                .collect()
        })
        .collect()
}

pub(super) fn label_text(cells: &[Cell]) -> String {
    cells
        .iter()
        .map(|c| c.value.as_text().trim().to_string())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The period a header cell names, as one of its parts: `2018`, `År: 2018`, `Lørenskog 2025`,
/// `budsjett_2013`, `Antall jobber 2024K4 Begge kjønn`, `T2 2018`, Udir's dotted
/// `2022-23.Alle eierformer.Antall elever`; with `year` (the period given outside the table),
/// a part of the year alone (`Januar`, `T2`, `1. tertial`). A header naming two periods (`2014 - 2015` read as parts,
/// `2017 2018`) or one inside other text (`(2015=100)`) names none.
pub(crate) fn header_period(value: &CellValue, year: Option<i32>) -> Option<Period> {
    let text = match value {
        CellValue::Number(n) if n.fract() == 0.0 => {
            return plausible_year(*n as i64).map(Period::Year);
        }
        CellValue::Text(t) => t.trim(),
        _ => return None,
    };
    if let Some(period) = Period::parse(text) {
        return Some(period);
    }
    // With the year given outside: a part of it alone (`Januar`, `T2`, `1. tertial`, `K4`).
    if let Some(part) = year
        .and_then(|year| Period::parse(&format!("{text} {year}")))
        .filter(|p| !p.is_year())
    {
        return Some(part);
    }
    // Udir joins the levels of its header with dots, SSB with spaces.
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | '_' | '.' | ','))
        .filter(|p| !p.is_empty())
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        // `K4 2018`, `desember 2018` are two parts of one period.
        if let Some(pair) = parts
            .get(i + 1)
            .and_then(|next| Period::parse(&format!("{} {next}", parts[i])))
            .filter(|p| !p.is_year())
        {
            found.push(pair);
            i += 2;
            continue;
        }
        match Period::parse(parts[i]) {
            // A school year leads the header (Udir's `2022-23.Alle eierformer…`); further in,
            // `Endring 2017-2018` is a change between two years, not a figure for a school year.
            Some(Period::SchoolYear { .. }) if i > 0 => {
                return None;
            }
            Some(period) => found.push(period),
            None => {}
        }
        i += 1;
    }
    match found[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// A period cell: a number or text `2018`, any period [`Period::parse`] reads (`2018K4`,
/// `T2 2018`, `2020-21`), a date cell, or a date written `31.12.2018` or `2018-12-31` (its
/// year). Anything else is an error saying what was found.
pub fn period_of(cell: &Cell) -> Result<Period, Diagnostic> {
    let not_a_period = |hint: &str| {
        Diagnostic::error(
            cell.origin.clone(),
            format!("\"{}\" is not a year", cell.value.as_text().trim()),
        )
        .with_hint(hint.to_string())
    };
    const HINT: &str = "write the period as a four-digit year, e.g. 2018, or as a tertial (T2 2018), quarter (2018K4), month (2018M12) or school year (2020-21)";
    match &cell.value {
        CellValue::Empty => Err(Diagnostic::error(cell.origin.clone(), "the year is empty")
            .with_hint("fill in the year, e.g. 2018, or delete the row")),
        CellValue::Date(date) => Ok(Period::Year(chrono::Datelike::year(date))),
        CellValue::Number(n) if n.fract() == 0.0 => match plausible_year(*n as i64) {
            Some(year) => Ok(Period::Year(year)),
            None if (3_000.0..=2_958_465.0).contains(n) => Err(not_a_period(
                "this looks like an Excel date serial; format the cell as a date, or write the year",
            )),
            None => Err(not_a_period(HINT)),
        },
        CellValue::Number(_) => Err(not_a_period(HINT)),
        CellValue::Text(text) => {
            let t = text.trim();
            if let Some(period) = Period::parse(t) {
                return Ok(period);
            }
            if let Some(date) = ["%d.%m.%Y", "%Y-%m-%d"]
                .iter()
                .find_map(|f| chrono::NaiveDate::parse_from_str(t, f).ok())
            {
                return Ok(Period::Year(chrono::Datelike::year(&date)));
            }
            Err(not_a_period(HINT))
        }
    }
}

/// Which columns hold what, for the chosen layout; an error at the header for each one missing.
/// With a period given `outside` the table, the long layout needs no year column.
pub(super) fn columns(
    table: &Table,
    labels: &[Vec<Cell>],
    mapping: &ColumnMapping,
    layout: Option<Layout>,
    outside: Option<Period>,
) -> Result<Columns, Vec<Diagnostic>> {
    let named = Named::in_header(table, labels, mapping, outside);
    match layout.unwrap_or_else(|| named.layout(outside)) {
        Layout::Long => long_columns(table, mapping, named, outside),
        Layout::Wide => wide_columns(table, labels, mapping, named),
        // `transposed.rs` reads its own columns (from `Named::in_header`).
        Layout::Transposed => Err(Vec::new()),
    }
}

/// The columns the mapping's names find in the header, before the layout is known.
pub(super) struct Named {
    kpi: Option<usize>,
    /// The period column, found whether or not the period is given outside the table.
    pub(super) year: Option<usize>,
    value: Option<usize>,
    pub(super) note: Option<usize>,
    pub(super) unit: Option<usize>,
    pub(super) target: Option<usize>,
    /// The columns headed by a period (the wide layout's).
    periods: Vec<PeriodColumn>,
    /// Whether the mapping's value names chose among the period columns.
    value_chose: bool,
    /// The header holds figures: it is a data row.
    figures_in_header: bool,
    /// The year given outside the table, for reading headers.
    year_given: Option<i32>,
}

impl Named {
    pub(super) fn in_header(
        table: &Table,
        labels: &[Vec<Cell>],
        mapping: &ColumnMapping,
        outside: Option<Period>,
    ) -> Named {
        let year = outside.map(|p| p.year());
        let find = |names: &[String]| {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            table.column(&names)
        };
        let (periods, value_chose) = period_columns(labels, mapping, year);
        Named {
            kpi: find(&mapping.kpi),
            year: find(&mapping.year),
            value: find(&mapping.value),
            note: find(&mapping.note),
            unit: find(&mapping.unit),
            target: find(&mapping.target),
            periods,
            value_chose,
            figures_in_header: holds_figures(&table.header, year),
            year_given: year,
        }
    }

    /// The layout the header shows: long with a year column (or a value column and the period
    /// given outside), wide with period columns. A header holding figures is a data row: read
    /// as long, which reports the missing header.
    fn layout(&self, outside: Option<Period>) -> Layout {
        let long = match outside {
            None => self.year.is_some(),
            Some(_) => self.value.is_some(),
        };
        if long || self.periods.is_empty() || self.figures_in_header {
            Layout::Long
        } else {
            Layout::Wide
        }
    }
}

/// The columns of a long table: KPI, period (unless given outside) and value.
fn long_columns(
    table: &Table,
    mapping: &ColumnMapping,
    named: Named,
    outside: Option<Period>,
) -> Result<Columns, Vec<Diagnostic>> {
    if let (Some(_), Some(column)) = (outside, named.year) {
        return Err(vec![two_periods(&table.header[column])]);
    }
    // From here the year column is found only when the period is not given outside.
    if (named.kpi, named.year, named.value) == (None, None, None) && named.figures_in_header {
        return Err(vec![no_header(table)]);
    }
    // A blank header above the first column is the KPI's, as in wide tables.
    let kpi = named.kpi.or_else(|| {
        table
            .header
            .first()
            .filter(|c| c.value.is_empty())
            .map(|_| 0)
    });
    let mut problems = Vec::new();
    let mut require = |found: Option<usize>, names: &[String], what: Role| {
        if found.is_none() {
            problems.push(missing_column(table, names, what));
        }
        found.unwrap_or(0)
    };
    let kpi = require(kpi, &mapping.kpi, Role::Kpi);
    let year = match outside {
        Some(_) => None,
        None => Some(require(named.year, &mapping.year, Role::Year)),
    };
    let value = require(named.value, &mapping.value, Role::Value);
    if problems.is_empty() {
        problems.extend(
            [Some(kpi), year, Some(value)]
                .into_iter()
                .flatten()
                .filter_map(|c| repeated_header(table, c)),
        );
        problems.dedup_by(|a, b| a.message == b.message);
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    if !problems.is_empty() {
        // Under a title taken for the header every column is missing: tell it once.
        if title_hint(table).is_some() {
            problems.truncate(1);
        }
        return Err(problems);
    }
    Ok(Columns {
        layout: Layout::Long,
        kpi,
        year,
        value,
        periods: Vec::new(),
        kpi_columns: Vec::new(),
        note: named.note,
        unit: named.unit,
        target: named.target,
    })
}

/// A column whose header heads other columns too (four `Veitransport` columns under
/// different parents): reading the first would be a guess, so the mapping must say which.
fn repeated_header(table: &Table, column: usize) -> Option<Diagnostic> {
    let name = normalise_header(&table.header.get(column)?.value.as_text());
    let same: Vec<(usize, &Cell)> = table
        .header
        .iter()
        .enumerate()
        .filter(|(_, c)| !name.is_empty() && normalise_header(&c.value.as_text()) == name)
        .collect();
    if same.len() < 2 {
        return None;
    }
    let places: Vec<String> = same
        .iter()
        .map(|(i, c)| column_letter(&c.origin, *i))
        .collect();
    Some(
        Diagnostic::error(
            table.header_origin.clone(),
            format!(
                "{} columns are headed \"{}\" ({}); which one to read is not clear",
                same.len(),
                same[0].1.value.as_text().trim(),
                places.join(", ")
            ),
        )
        .with_hint(
            "give header_rows: 2 (or more) so each column is named with the header rows above \
             it (\"Netto driftsutgifter / Veitransport\"), and name that one in columns:; or \
             read the table with layout: transposed when the periods run down the side",
        ),
    )
}

/// A column as a message names it: its letter in a workbook, its field number in text.
pub(super) fn column_letter(origin: &Origin, index: usize) -> String {
    match origin {
        Origin::Cell { column, .. } => {
            let mut name = Vec::new();
            let mut c = *column;
            loop {
                name.push(b'A' + (c % 26) as u8);
                if c < 26 {
                    break;
                }
                c = c / 26 - 1;
            }
            name.reverse();
            String::from_utf8(name).unwrap_or_default()
        }
        _ => format!("field {}", index + 1),
    }
}

/// Two sources of one figure's period: refuse rather than drop the column unseen.
pub(super) fn two_periods(cell: &Cell) -> Diagnostic {
    Diagnostic::error(
        cell.origin.clone(),
        format!(
            "the table has a period column \"{}\", and the manifest gives the period too (period:)",
            cell.value.as_text().trim()
        ),
    )
    .with_hint(
        "remove period: from the data source to read each row's period from this \
         column, or write columns: { year: [] } to give every row the manifest's period",
    )
}

fn no_header(table: &Table) -> Diagnostic {
    Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "the table has no header row: the first row holds figures ({})",
            header_list(&table.header_names())
        ),
    )
    .with_hint(
        "add a header row naming the columns, e.g. kpi;år;verdi, or give \
         header_row: in the manifest",
    )
}

/// The columns of a wide table: the KPI (named, or the first that is no period) and the
/// period columns.
fn wide_columns(
    table: &Table,
    labels: &[Vec<Cell>],
    mapping: &ColumnMapping,
    named: Named,
) -> Result<Columns, Vec<Diagnostic>> {
    if named.periods.is_empty() {
        return Err(vec![
            Diagnostic::error(
                table.header_origin.clone(),
                format!(
                    "no column header names a year (found: {})",
                    header_list(&table.header_names())
                ),
            )
            .with_hint(
                "in layout: wide, each year has a column headed by the year, e.g. 2018, \
                 or by a period (2018K4, T2 2018, 2020-21); month names (Januar) need \
                 the year from period: in the manifest",
            ),
        ]);
    }
    if mapping.value_given() && !named.value_chose && named.value.is_none() {
        let texts: Vec<String> = labels.iter().map(|cells| label_text(cells)).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        return Err(vec![choice::value_finds_nothing(
            table.header_origin.clone(),
            &mapping.value,
            &texts,
            named.year_given,
        )]);
    }
    let kpi = named.kpi.or_else(|| {
        (0..labels.len()).find(|c| !named.periods.iter().any(|column| column.index == *c))
    });
    let Some(kpi) = kpi else {
        return Err(vec![missing_column(table, &mapping.kpi, Role::Kpi)]);
    };
    Ok(Columns {
        layout: Layout::Wide,
        kpi,
        year: None,
        value: 0,
        periods: named.periods,
        kpi_columns: Vec::new(),
        note: named.note,
        unit: named.unit,
        target: named.target,
    })
}

/// A column of a wide table headed by a period.
pub(super) struct PeriodColumn {
    pub(super) index: usize,
    pub(super) period: Period,
    /// The whole header, continuation rows joined by " / ".
    pub(super) label: String,
    /// The header cell that names the period.
    pub(super) origin: Origin,
}

/// The label with its period taken out, normalised: what else the header says.
pub(super) fn without_period(label: &str, year: Option<i32>) -> String {
    let rest: Vec<&str> = label
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | ':' | '.' | '_' | ','))
        .filter(|part| {
            !part.is_empty()
                && Period::parse(part).is_none()
                && !(year.is_some() && month_of(part).is_some())
        })
        .collect();
    normalise_header(&rest.join(" "))
}

/// Whether a period column's header, its period taken out, holds `name` as whole words; a name
/// with dots (`Alle eierformer.Jenter`) needs every part.
pub(super) fn label_holds(label: &str, name: &str, year: Option<i32>) -> bool {
    let rest = without_period(label, year);
    let words: Vec<&str> = rest.split(' ').collect();
    name.split('.').all(|part| {
        let part = normalise_header(&part.replace(['/', ':'], " "));
        !part.is_empty()
            && words
                .windows(part.split(' ').count())
                .any(|w| w.join(" ") == part)
    })
}

/// The columns whose header names a period, and whether the mapping's value names chose
/// among them. When some also carry one of the value names (`value: [Lørenskog]` picks
/// `Lørenskog 2025` over `Landet 2025`), only those, by [`choice::chosen`]; a name with dots
/// (`Alle eierformer.Jenter`) needs every part. Columns headed by a target, unit or note
/// name, and those `exclude:` names, are left out.
fn period_columns(
    labels: &[Vec<Cell>],
    mapping: &ColumnMapping,
    year: Option<i32>,
) -> (Vec<PeriodColumn>, bool) {
    let mut found = Vec::new();
    for (index, cells) in labels.iter().enumerate() {
        let periods: Vec<(Period, &Cell)> = cells
            .iter()
            .filter_map(|c| header_period(&c.value, year).map(|p| (p, c)))
            .collect();
        if let [(period, cell)] = periods[..] {
            found.push(PeriodColumn {
                index,
                period,
                label: label_text(cells),
                origin: cell.origin.clone(),
            });
        }
    }
    // `Mål 2018` is a target, not a figure; `exclude:` drops look-alikes (`Brudd`).
    found.retain(|column| {
        let rest = without_period(&column.label, year);
        ![&mapping.target, &mapping.unit, &mapping.note]
            .iter()
            .any(|names| names.iter().any(|n| normalise_header(n) == rest))
            && !choice::excluded(&column.label, &mapping.exclude, year)
    });
    let candidates: Vec<choice::Candidate> = found
        .iter()
        .map(|c| choice::Candidate {
            index: c.index,
            label: &c.label,
            period: Some(c.period),
        })
        .collect();
    let chosen = choice::chosen(&candidates, &mapping.value, year);
    if let Some(chosen) = &chosen {
        found.retain(|column| chosen.contains(&column.index));
    }
    (found, chosen.is_some())
}

/// Whether a row holds a figure (a number that is not a year): a data row, not a header.
pub(super) fn holds_figures(row: &[Cell], year: Option<i32>) -> bool {
    row.iter().any(|c| match &c.value {
        CellValue::Number(_) => header_period(&c.value, year).is_none(),
        CellValue::Text(t) => header_period(&c.value, year).is_none() && parse_number(t).is_ok(),
        _ => false,
    })
}

/// What a missing column was to hold, for a hint that fits it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Kpi,
    Year,
    Value,
}

pub(super) fn missing_column(table: &Table, names: &[String], role: Role) -> Diagnostic {
    let first = names.first().map_or("", String::as_str);
    // The first few accepted names; docs/src/data-files.md lists them all.
    const NAMED: usize = 4;
    let mut quoted: Vec<String> = names
        .iter()
        .take(NAMED)
        .map(|n| format!("\"{n}\""))
        .collect();
    if names.len() > NAMED {
        quoted.push(format!("one of {} more names", names.len() - NAMED));
    }
    let d = Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "no column \"{first}\" in the header (found: {})",
            header_list(&table.header_names())
        ),
    );
    if let Some(hint) = wrong_delimiter_hint(table).or_else(|| title_hint(table)) {
        return d.with_hint(hint);
    }
    let key = match role {
        Role::Kpi => "kpi",
        Role::Year => "year",
        Role::Value => "value",
    };
    let map = format!(
        "name a column {}, or map yours in the manifest: columns: {{ {key}: [your header] }}",
        quoted.join(" or ")
    );
    match role {
        // Budget exports and KOSTRA workbooks carry the year in their name or a metadata cell.
        Role::Year => d.with_hint(format!(
            "{map}; if the file has no year column, give the period instead: period: 2018, \
             period: {{ cell: \"Metadata!B2\" }} or period: file_name"
        )),
        _ => d.with_hint(map),
    }
}

/// When no row was found to name the columns and the first is one cell (a title), the
/// header is likely the first row of two or more cells: say which, with the option to name it.
fn title_hint(table: &Table) -> Option<String> {
    let filled = |row: &[Cell]| row.iter().filter(|c| !c.value.is_empty()).count();
    if table.header_fixed || filled(&table.header) != 1 {
        return None;
    }
    // Only a row that looks like a header: names, no figures (a data row is never proposed).
    let first = table
        .rows
        .iter()
        .find(|row| filled(row) >= 2 && !holds_figures(row, None))?;
    let number = first
        .first()
        .and_then(|c| crate::ingest::row_number(&c.origin))?;
    let names: Vec<String> = first
        .iter()
        .map(|c| c.value.as_text())
        .filter(|n| !n.trim().is_empty())
        .collect();
    let what = if table.delimiter.is_some() {
        "line"
    } else {
        "row"
    };
    // More rows of names below it (a statistic over its groups), then periods down the
    // first column: a statistics-bank table with the years in rows.
    let at = table.rows.iter().position(|row| std::ptr::eq(row, first))?;
    let below = table.rows[at + 1..]
        .iter()
        .take_while(|row| {
            row.first().is_some_and(|c| c.value.is_empty())
                && filled(row) >= 1
                && !holds_figures(row, None)
        })
        .count();
    let periods_down = table
        .rows
        .get(at + 1 + below)
        .and_then(|row| row.first())
        .is_some_and(|c| period_of(c).is_ok());
    let rows = if below > 0 {
        format!(" and header_rows: {}", below + 1)
    } else {
        String::new()
    };
    let shape = if periods_down {
        "; the periods run down the first column, so add layout: transposed (a column per KPI)"
    } else {
        " and map its names with columns: { kpi: [...], value: [...] }"
    };
    Some(format!(
        "the first {what} is a title; if {what} {number} ({}) names the columns, give \
         header_row: {number}{rows}{shape}",
        header_list(&names)
    ))
}

/// Header names for a message, cut to the first eight: `a, b, … and 80 more`.
pub(crate) fn header_list(names: &[String]) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<&str> = names.iter().take(SHOWN).map(|n| n.trim()).collect();
    match names.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{}, … and {more} more", shown.join(", ")),
    }
}

/// When a text file's header is one cell holding another delimiter, the delimiter is wrong.
pub(crate) fn wrong_delimiter_hint(table: &Table) -> Option<String> {
    let delimiter = table.delimiter?;
    let [only] = &table.header[..] else {
        return None;
    };
    // A one-cell title above rows the delimiter does split says nothing about the delimiter.
    let filled = |row: &Vec<Cell>| row.iter().filter(|c| !c.value.is_empty()).count();
    if table.rows.iter().any(|row| filled(row) >= 2) {
        return None;
    }
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
