//! KPI records: the model's first reading of a data table, one [`Record`] per figure. KPI
//! tables come in two shapes: long (one row per KPI and period) and wide (one row per KPI, a
//! column per year, as SSB tables and most hand-made sheets look). Columns are found by header names from the manifest; the
//! header row, SSB's extra header rows below it, and the shape are detected when not given.

mod choice;
mod header;
mod transposed;

pub use header::period_of;
use header::{PeriodColumn, column_labels, columns, header_rows_below, locate_header};
pub(crate) use header::{header_list, wrong_delimiter_hint};

use crate::diag::{Diagnostic, Origin, closest};
use crate::ingest::csv::delimiter_name;
use crate::ingest::{Cell, CellValue, Table, normalise_header, row_number};
use crate::model::period::Period;
pub use crate::project::columns::{ColumnMapping, Filter, Layout, SchoolYearRule};

/// One figure of a KPI table.
#[derive(Debug, Clone)]
pub struct Record {
    /// The KPI as the table names it: an id, or in tables from elsewhere a name.
    pub kpi: Cell,
    pub period: Period,
    /// The period's cell (long), column header (wide), or where the manifest's `period:`
    /// found it (the manifest line, a workbook cell, the file).
    pub period_origin: Origin,
    /// The value as the cell holds it; validation parses it with the KPI's unit in mind.
    pub value: Cell,
    pub note: String,
    /// The row's unit column (`enhet`), when the table has one (boxed: most tables have
    /// neither, and a national table has a record per row).
    pub unit: Option<Box<Cell>>,
    /// The row's target column (`mål`), when the table has one.
    pub target: Option<Box<Cell>>,
    /// The column's header, in wide tables: `Lørenskog 2025`.
    pub column_label: Option<String>,
}

/// A table's records and the problems found in its rows.
#[derive(Debug, Default, Clone)]
pub struct Records {
    pub layout: Option<Layout>,
    pub records: Vec<Record>,
    pub problems: Vec<Diagnostic>,
    /// The KPI (as written) and, where it could be read, the year of each row that had a
    /// problem: the figures it would have given are missing because of a problem already told.
    pub failed: Vec<(String, Option<i32>)>,
    /// Rows read on purpose as no figures (a repeated header, a title row, a filtered row),
    /// for `rapportverk data`.
    pub skipped: Vec<Skipped>,
    /// How many rows were read: the build report sums them, to show a table is read once
    /// however many units a document is made for.
    pub rows_read: usize,
}

/// A row or cell that gave no figure, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub origin: Origin,
    pub reason: String,
}

/// How to read a KPI table besides its column names: the manifest's data-source options.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    /// Long or wide; `None` to detect it.
    pub layout: Option<Layout>,
    pub filters: Vec<Filter>,
    /// The period of every figure, given outside the table (`period:`), and where it was
    /// found. A long table then needs no year column, and month names head wide columns.
    pub period: Option<(Period, Origin)>,
    /// School years as years; `None` keeps them as school years.
    pub school_year: Option<SchoolYearRule>,
    /// Rows with figures but no KPI are skipped, not errors (`unknown_kpis: ignore`).
    pub ignore_rows_without_kpi: bool,
    /// How many rows the header spans (`header_rows:`); `None` detects SSB's extra rows.
    pub header_rows: Option<usize>,
}

impl TableOptions {
    /// A record's period under the school-year rule.
    fn period(&self, period: Period) -> Period {
        match (period, self.school_year) {
            (Period::SchoolYear { start }, Some(SchoolYearRule::Start)) => Period::Year(start),
            (Period::SchoolYear { start }, Some(SchoolYearRule::End)) => Period::Year(start + 1),
            _ => period,
        }
    }
}

/// The columns of a table once its header is known.
struct Columns {
    layout: Layout,
    kpi: usize,
    /// Long: the period column, unless the period is given outside the table. Wide: unused.
    year: Option<usize>,
    /// Long: the value column.
    value: usize,
    /// Wide: every period column read.
    periods: Vec<PeriodColumn>,
    /// Transposed: every KPI column read.
    kpi_columns: Vec<transposed::KpiColumn>,
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
    let options = TableOptions {
        layout,
        filters: filters.to_vec(),
        ..TableOptions::default()
    };
    read_records(table, mapping, &options)
}

/// [`records`] with every option of the manifest's data source.
pub fn read_records(table: &mut Table, mapping: &ColumnMapping, options: &TableOptions) -> Records {
    let mut out = Records::default();
    let outside = options.period.as_ref().map(|(p, _)| *p);
    let year = outside.map(|p| p.year());
    match options.layout {
        Some(Layout::Transposed) => transposed::locate_header(table, outside, options.header_rows),
        layout => locate_header(table, mapping, layout, outside),
    }
    let below = match options.header_rows {
        Some(n) => n.saturating_sub(1).min(table.rows.len()),
        None => header_rows_below(table, year),
    };
    let labels = column_labels(table, below);
    if options.header_rows.is_some_and(|n| n > 1) {
        join_header(table, &labels);
    }
    table.rows.drain(..below);
    if let Some(d) = exclude_finds_nothing(table, &labels, mapping, year) {
        out.problems.push(d);
        return out;
    }
    let found = match options.layout {
        Some(Layout::Transposed) => {
            let named = header::Named::in_header(table, &labels, mapping, outside);
            transposed::columns(table, &labels, mapping, &named, outside)
        }
        layout => columns(table, &labels, mapping, layout, outside),
    };
    let mut columns = match found {
        Ok(columns) => columns,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    out.layout = Some(columns.layout);
    let Some(filters) = filter_columns(table, options, &mut columns, year, &mut out.problems)
    else {
        return out;
    };
    let notes_from = transposed::notes_start(table, &columns);
    // One record per row (long) or per row and column (wide, transposed), reserved at once: a
    // national table's records grown by doubling would hold up to twice their size, and both
    // buffers while the last doubling copies (N = 1 000 units: 150 000 records).
    let per_row = match columns.layout {
        Layout::Long => 1,
        Layout::Wide => columns.periods.len(),
        Layout::Transposed => columns.kpi_columns.len(),
    };
    out.records.reserve_exact(
        notes_from
            .min(table.rows.len())
            .saturating_mul(per_row.max(1)),
    );
    let reader = RowReader {
        table,
        columns: &columns,
        options,
        filters,
    };
    for (i, row) in table.rows.iter().enumerate() {
        out.rows_read += 1;
        if i >= notes_from {
            transposed::note(row, &mut out);
        } else {
            reader.read(row, &mut out);
        }
    }
    // SSB's notes and sources below the table, kept for `rapportverk data`.
    for footnote in &table.footnotes {
        transposed::note(std::slice::from_ref(footnote), &mut out);
    }
    out
}

/// With `header_rows:`, each column is named by its header rows joined (`Netto
/// driftsutgifter / Veitransport`), a merged parent carried across: the mapping, filters and
/// messages then see one name per column.
fn join_header(table: &mut Table, labels: &[Vec<Cell>]) {
    for (c, cells) in labels.iter().enumerate() {
        let Some(first) = cells.first() else { continue };
        let joined = Cell::new(
            CellValue::Text(header::label_text(cells)),
            first.origin.clone(),
        );
        match table.header.get_mut(c) {
            Some(cell) => {
                cell.value = joined.value;
            }
            None => table.header.push(joined),
        }
    }
}

/// An `exclude:` name that finds no header: an error naming the closest ones.
fn exclude_finds_nothing(
    table: &Table,
    labels: &[Vec<Cell>],
    mapping: &ColumnMapping,
    year: Option<i32>,
) -> Option<Diagnostic> {
    let texts: Vec<String> = labels
        .iter()
        .map(|cells| header::label_text(cells))
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let name = mapping
        .exclude
        .iter()
        .find(|name| !choice::finds_any(name, &texts, year))?;
    Some(choice::exclude_finds_nothing(
        table.header_origin.clone(),
        name,
        &texts,
        year,
    ))
}

/// The columns each filter reads, with the filter. A filter names a column, or (wide) a part
/// of the period columns' headers: Udir's `2022-23.Offentlig.Jenter` is kept by
/// `filter: { eierform: Offentlig }`, and the other period columns are dropped. `None` when
/// a filter names neither (told in `problems`).
fn filter_columns<'o>(
    table: &Table,
    options: &'o TableOptions,
    columns: &mut Columns,
    year: Option<i32>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<(usize, &'o Filter)>> {
    let on_headers = |f: &Filter, column: &PeriodColumn| {
        f.values
            .iter()
            .any(|v| header::label_holds(&column.label, v, year))
    };
    let mut found: Vec<(usize, &Filter)> = Vec::new();
    let mut broken = false;
    for f in &options.filters {
        match table
            .column(&[f.column.as_str()])
            .or_else(|| column_by_letter(table, &f.column))
        {
            Some(c) => found.push((c, f)),
            None if columns.periods.iter().any(|p| on_headers(f, p)) => {
                columns.periods.retain(|p| on_headers(f, p));
            }
            None => {
                problems.push(missing_filter_column(table, f));
                broken = true;
            }
        }
    }
    (!broken).then_some(found)
}

/// A workbook column named by its letter (`A`), for a stub column SSB leaves without a header.
fn column_by_letter(table: &Table, name: &str) -> Option<usize> {
    let name = name.trim();
    if name.is_empty() || name.len() > 2 || !name.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    table.header.iter().position(|cell| {
        cell.value.is_empty()
            && matches!(&cell.origin, crate::diag::Origin::Cell { .. })
            && header::column_letter(&cell.origin, 0) == name
    })
}

/// Reads the rows of a table whose header and columns are known.
struct RowReader<'a> {
    table: &'a Table,
    columns: &'a Columns,
    options: &'a TableOptions,
    /// The filters that read a column, with the column.
    filters: Vec<(usize, &'a Filter)>,
}

impl RowReader<'_> {
    /// Reads one row's records into `out`, or why it has none.
    fn read(&self, row: &[Cell], out: &mut Records) {
        // A row split wrongly is an error even where a filter's cell is empty or missing:
        // the filter cannot tell whose row it is.
        let unplaced = self
            .filters
            .iter()
            .any(|(c, _)| row.get(*c).is_none_or(|cell| cell.value.is_empty()));
        if unplaced && let Some(d) = ragged(self.table, row, self.table.header.len()) {
            out.problems.push(d);
            self.failed(row, out);
            return;
        }
        if let Some((column, filter)) = self
            .filters
            .iter()
            .find(|(c, f)| !row.get(*c).is_some_and(|cell| filter_matches(cell, f)))
        {
            if let Some(first) = row.first() {
                out.skipped.push(Skipped {
                    origin: first.origin.clone(),
                    reason: filtered_out(row.get(*column), filter),
                });
            }
            return;
        }
        // Statistics banks repeat the header above each block (NAV per county).
        if repeats_header(row, &self.table.header) {
            out.skipped.push(Skipped {
                origin: row[0].origin.clone(),
                reason: "repeats the header".into(),
            });
            return;
        }
        if let Some(d) = ragged(self.table, row, self.table.header.len()) {
            out.problems.push(d);
            self.failed(row, out);
            return;
        }
        if self.columns.layout == Layout::Transposed {
            self.transposed_row(row, out);
            return;
        }
        let Some(kpi) = row.get(self.columns.kpi).filter(|c| !c.value.is_empty()) else {
            self.without_kpi(row, out);
            return;
        };
        match self.columns.layout {
            Layout::Long => match self.long_record(row, kpi) {
                Ok(Some(record)) => out.records.push(record),
                Ok(None) => {}
                Err(d) => {
                    out.problems.push(d);
                    self.failed(row, out);
                }
            },
            Layout::Wide | Layout::Transposed => self.wide_records(row, kpi, out),
        }
    }

    /// Notes the KPI and year of a row that fails, so validation does not report the figure
    /// missing as well.
    fn failed(&self, row: &[Cell], out: &mut Records) {
        let outside = self.options.period.as_ref().map(|(p, _)| *p);
        let kpi = row
            .get(self.columns.kpi)
            .map(|c| c.value.as_text().trim().to_string());
        let year = match (self.columns.layout, self.columns.year) {
            (Layout::Long, Some(column)) => row
                .get(column)
                .and_then(|c| period_of(c).ok())
                .filter(Period::is_year)
                .map(|p| p.year()),
            (Layout::Long, None) => outside.filter(Period::is_year).map(|p| p.year()),
            (Layout::Wide | Layout::Transposed, _) => None,
        };
        if let Some(kpi) = kpi.filter(|k| !k.is_empty()) {
            out.failed.push((kpi, year));
        }
    }

    /// A row without a KPI: a title inside the table when it has no figures, else skipped
    /// (`unknown_kpis: ignore`) or an error.
    fn without_kpi(&self, row: &[Cell], out: &mut Records) {
        let has_figures = match self.columns.layout {
            // A row of text only, and no KPI, is a title inside the table.
            Layout::Long => row.iter().any(|c| match &c.value {
                CellValue::Number(_) => true,
                CellValue::Text(t) => crate::ingest::number::parse_number(t).is_ok(),
                _ => false,
            }),
            Layout::Wide | Layout::Transposed => self
                .columns
                .periods
                .iter()
                .any(|p| row.get(p.index).is_some_and(|cell| !cell.value.is_empty())),
        };
        let kpi_cell = row.get(self.columns.kpi).or(row.first());
        if !has_figures {
            if let Some(first) = row.iter().find(|c| !c.value.is_empty()) {
                out.skipped.push(Skipped {
                    origin: first.origin.clone(),
                    reason: "a title row: no KPI and no figure".into(),
                });
            }
        } else if self.options.ignore_rows_without_kpi {
            if let Some(cell) = kpi_cell {
                out.skipped.push(Skipped {
                    origin: cell.origin.clone(),
                    reason: "the KPI cell is empty (unknown_kpis: ignore)".into(),
                });
            }
        } else {
            out.problems.push(
                Diagnostic::error(kpi_cell.map(|c| c.origin.clone()), "the KPI id is empty")
                    .with_hint("fill in the KPI column or delete the row"),
            );
        }
    }

    /// The record of a long table's row: its period from the year column or from outside the
    /// table. `None` when there is neither (which `columns` does not allow).
    fn long_record(&self, row: &[Cell], kpi: &Cell) -> Result<Option<Record>, Diagnostic> {
        let period = match (self.columns.year, &self.options.period) {
            (Some(column), _) => {
                let cell = row
                    .get(column)
                    .ok_or_else(|| short_row(self.table, row, column))?;
                (period_of(cell)?, cell.origin.clone())
            }
            (None, Some((period, origin))) => (*period, origin.clone()),
            (None, None) => return Ok(None),
        };
        let value = row
            .get(self.columns.value)
            .ok_or_else(|| short_row(self.table, row, self.columns.value))?;
        Ok(Some(self.record(row, kpi, value, period, None)))
    }

    /// The records of a wide table's row, one per filled period column; empty cells are noted
    /// as skipped, and a row without any figure (a group above its members) as a whole.
    fn wide_records(&self, row: &[Cell], kpi: &Cell, out: &mut Records) {
        let filled = |column: &PeriodColumn| row.get(column.index).filter(|c| !c.value.is_empty());
        if !self.columns.periods.iter().any(|c| filled(c).is_some()) {
            out.skipped.push(Skipped {
                origin: kpi.origin.clone(),
                reason: "no figures in the period columns".into(),
            });
            return;
        }
        for column in &self.columns.periods {
            let Some(value) = filled(column) else {
                if let Some(cell) = row.get(column.index) {
                    out.skipped.push(Skipped {
                        origin: cell.origin.clone(),
                        reason: format!(
                            "empty cell ({})",
                            self.options.period(column.period).label_nb()
                        ),
                    });
                }
                continue;
            };
            let period = (column.period, column.origin.clone());
            let label = Some(column.label.clone());
            out.records
                .push(self.record(row, kpi, value, period, label));
        }
    }

    /// A record of `row`: the KPI, value and period given, the note, unit and target from
    /// the row's own columns.
    fn record(
        &self,
        row: &[Cell],
        kpi: &Cell,
        value: &Cell,
        (period, period_origin): (Period, Origin),
        column_label: Option<String>,
    ) -> Record {
        let optional = |column: Option<usize>| -> Option<Cell> {
            column
                .and_then(|c| row.get(c))
                .filter(|c| !c.value.is_empty())
                .cloned()
        };
        Record {
            kpi: kpi.clone(),
            period: self.options.period(period),
            period_origin,
            value: value.clone(),
            note: self
                .columns
                .note
                .and_then(|c| row.get(c))
                .map(|c| c.value.as_text().trim().to_string())
                .unwrap_or_default(),
            unit: optional(self.columns.unit).map(Box::new),
            target: optional(self.columns.target).map(Box::new),
            column_label,
        }
    }
}

/// Why a filter left a row out, whole: the column, what the row holds and what was kept.
fn filtered_out(cell: Option<&Cell>, filter: &Filter) -> String {
    let held = cell
        .map(|c| c.value.as_text().trim().to_string())
        .filter(|t| !t.is_empty());
    let kept: Vec<String> = filter.values.iter().map(|v| format!("\"{v}\"")).collect();
    let kept = match kept.len() {
        1 => kept[0].clone(),
        _ => format!("none of {}", kept.join(", ")),
    };
    match held {
        Some(text) => format!(
            "left out by filter: {} is \"{text}\", not {kept}",
            filter.column
        ),
        None => format!("left out by filter: {} is empty, not {kept}", filter.column),
    }
}

fn missing_filter_column(table: &Table, filter: &Filter) -> Diagnostic {
    let names = table.header_names();
    let d = Diagnostic::error(
        table.header_origin.clone(),
        format!(
            "no column \"{}\" to filter on (found: {})",
            filter.column,
            header_list(&names)
        ),
    );
    match closest(&filter.column, names.iter().map(String::as_str)) {
        Some(near) => d.with_hint(format!("did you mean \"{near}\"?")),
        None => d.with_hint("filter: names a column of the header and the values to keep"),
    }
}

/// Whether a row repeats the header: two or more filled cells, each the header's text.
fn repeats_header(row: &[Cell], header: &[Cell]) -> bool {
    let filled: Vec<(usize, &Cell)> = row
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.value.is_empty())
        .collect();
    filled.len() >= 2
        && filled.iter().all(|(i, c)| {
            header.get(*i).is_some_and(|h| {
                normalise_header(&h.value.as_text()) == normalise_header(&c.value.as_text())
            })
        })
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
pub(crate) fn same_row(a: &Origin, b: &Origin) -> bool {
    a.path() == b.path()
        && row_number(a) == row_number(b)
        && matches!(
            (a, b),
            (Origin::Text { .. }, Origin::Text { .. }) | (Origin::Cell { .. }, Origin::Cell { .. })
        )
}
#[cfg(test)]
mod tests;
