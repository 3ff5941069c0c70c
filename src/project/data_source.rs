//! A data source's manifest entry (`data:`) read into a [`DataSource`]: how to read the file
//! (sheet, delimiter, encoding, header row, the period's cell) and how to turn its table into
//! figures (layout, filter, columns, period, school years, unknown KPIs, suppression marks).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{ColumnMapping, DataSource, Filter, Layout, SchoolYearRule};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ingest::number::{WrittenUnit, parse_unit};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::ingest::{ReadOptions, is_lock_file, is_workbook};
use crate::period::Period;

/// A data file and how to read it; every option but `id` and `file` may be left to detection.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DataSourceEntry {
    #[schemars(with = "String")]
    pub(super) id: Spanned<String>,
    #[schemars(with = "String")]
    pub(super) file: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    sheet: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    delimiter: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    header_row: Option<Spanned<i64>>,
    /// How many rows the header spans (SSB: a row of statistics over a row of groups); the
    /// names of each column's rows are joined, a merged parent carried across its columns.
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    header_rows: Option<Spanned<i64>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    layout: Option<Spanned<String>>,
    #[serde(default)]
    percent_as_fraction: bool,
    #[serde(default)]
    filter: BTreeMap<String, FilterValues>,
    #[serde(default)]
    columns: ColumnMapping,
    /// The period of every figure when the table has none: `2018`, `"T2 2018"`, `file_name`,
    /// or `{ cell: "Metadata!B2" }`.
    #[serde(default)]
    #[schemars(with = "Option<PeriodEntry>")]
    period: Option<Spanned<PeriodEntry>>,
    /// `start` or `end`: school years (`2020-21`) read as the year they start or end in.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    school_year: Option<Spanned<String>>,
    /// `ignore`: rows whose KPI is not defined are skipped with one summary warning.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    unknown_kpis: Option<Spanned<String>>,
    /// Cell texts that mean a value withheld, besides `*` (e.g. `["-", "x"]`).
    #[serde(default)]
    suppressed: Vec<String>,
    /// The unit the file's figures are in: `kr`, `1 000 kr`, `mill. kr` or `mrd. kr`. KPIs
    /// and tables in kroner print them in their own unit, scaled exactly.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    unit: Option<Spanned<String>>,
}

/// The unit a data source's file is in (`unit:`), as written and where.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceUnit {
    pub unit: WrittenUnit,
    pub written: String,
    pub origin: Origin,
}

/// The source unit as the plan hash sees it: its text.
pub(super) fn unit_as_text<S: serde::Serializer>(
    unit: &Option<SourceUnit>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    unit.as_ref().map(|u| u.written.as_str()).serialize(s)
}

/// `unit:` of a data source: a unit of kroner (or a bare magnitude), told at its line.
fn unit_of(
    manifest: &Path,
    entry: &DataSourceEntry,
    problems: &mut Diagnostics,
) -> Option<SourceUnit> {
    let written = entry.unit.as_ref()?;
    let origin = origin_of(manifest, written);
    let text = written.value.trim();
    let normalised = text.replace('\u{a0}', " ").replace("1 000", "1000");
    let unit = match normalised.to_lowercase().as_str() {
        "1000 kr" | "i 1000 kr" | "tkr" | "nok 1000" => {
            Some(WrittenUnit::Thousand { kroner: true })
        }
        other => parse_unit(other).filter(|u| *u != WrittenUnit::Percent),
    };
    match unit {
        Some(unit) => Some(SourceUnit {
            unit,
            written: text.to_string(),
            origin,
        }),
        None => {
            problems.push(
                Diagnostic::error(origin, format!("unit: \"{text}\" is not a unit of kroner"))
                    .with_hint("write unit: kr, unit: 1 000 kr, unit: mill. kr or unit: mrd. kr (the unit the file's figures are in), or leave it out when the file is in each KPI's unit"),
            );
            None
        }
    }
}

/// Where a data source's period comes from, as the manifest writes it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum PeriodEntry {
    Year(i64),
    /// A period (`"T2 2018"`, `"2020-21"`) or `file_name`.
    Text(String),
    Cell {
        cell: String,
    },
}

/// `filter: { region: "0219 Bærum" }` or `filter: { region: ["0219 Bærum", "0220 Asker"] }`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum FilterValues {
    One(String),
    Many(Vec<String>),
}

/// The data source an entry describes, every problem told at its line.
pub(super) fn data_source(
    manifest: &Path,
    entry: &DataSourceEntry,
    path: std::path::PathBuf,
    origin: Origin,
    problems: &mut Diagnostics,
) -> DataSource {
    let mut read = read_options(manifest, entry, &path, problems);
    let period = entry
        .period
        .as_ref()
        .and_then(|p| period_of_entry(manifest, p, &path, &mut read, problems));
    DataSource {
        id: entry.id.value.clone(),
        read,
        period,
        school_year: school_year_of(manifest, entry, problems),
        ignore_unknown_kpis: ignore_unknown_of(manifest, entry, problems),
        suppressed: entry.suppressed.clone(),
        path,
        layout: layout_of(manifest, entry.layout.as_ref(), problems),
        header_rows: header_rows_of(manifest, entry, problems),
        percent_as_fraction: entry.percent_as_fraction,
        filters: entry
            .filter
            .iter()
            .map(|(column, values)| Filter {
                column: column.clone(),
                values: match values {
                    FilterValues::One(v) => vec![v.clone()],
                    FilterValues::Many(v) => v.clone(),
                },
            })
            .collect(),
        columns: entry.columns.clone(),
        origin,
        unit: unit_of(manifest, entry, problems),
    }
}

/// How to read a data source's file, from its manifest entry; each problem at its line.
fn read_options(
    manifest: &Path,
    entry: &DataSourceEntry,
    path: &Path,
    problems: &mut Diagnostics,
) -> ReadOptions {
    if is_lock_file(path) {
        problems.push(lock_file(manifest, entry, path));
    }
    misplaced_options(manifest, entry, is_workbook(path), problems);
    ReadOptions {
        sheet: entry.sheet.as_ref().map(|s| s.value.clone()),
        delimiter: delimiter_of(manifest, entry, problems),
        encoding: encoding_of(manifest, entry, problems),
        header_row: header_row_of(manifest, entry, problems),
        ..ReadOptions::default()
    }
}

/// An Office lock file named as the data file, told with the workbook's own name.
fn lock_file(manifest: &Path, entry: &DataSourceEntry, path: &Path) -> Diagnostic {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let real = name
        .trim_start_matches("~$")
        .trim_start_matches(".~lock.")
        .trim_end_matches('#');
    Diagnostic::error(
        origin_of(manifest, &entry.file),
        format!("\"{}\" is an Office lock file, not a workbook", entry.file.value),
    )
    .with_hint(format!(
        "Excel writes ~$ files beside a workbook while it is open; name the workbook itself, \"{real}\""
    ))
}

/// Options for text files given a workbook, and the sheet given a text file.
fn misplaced_options(
    manifest: &Path,
    entry: &DataSourceEntry,
    workbook: bool,
    problems: &mut Diagnostics,
) {
    let mut misplaced = |option: &Option<Spanned<String>>, name: &str, applies_to: &str| {
        if let Some(option) = option {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, option),
                    format!(
                        "{name}: applies to {applies_to}, and \"{}\" is not one",
                        entry.file.value
                    ),
                )
                .with_hint(format!("remove {name}: from this data source")),
            );
        }
    };
    if workbook {
        misplaced(&entry.delimiter, "delimiter", "text files");
        misplaced(&entry.encoding, "encoding", "text files");
    } else {
        misplaced(&entry.sheet, "sheet", "workbooks");
    }
}

/// `delimiter:`: one character, or `tab`.
fn delimiter_of(
    manifest: &Path,
    entry: &DataSourceEntry,
    problems: &mut Diagnostics,
) -> Option<u8> {
    let written = entry.delimiter.as_ref()?;
    match written.value.as_str() {
        "tab" | "\\t" | "\t" => Some(b'\t'),
        v if v.len() == 1 && v.is_ascii() && !v.contains(['"', '\n', '\r']) => {
            Some(v.as_bytes()[0])
        }
        _ => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, written),
                    format!("delimiter \"{}\" is not one character", written.value),
                )
                .with_hint(
                    "write delimiter: \";\", \",\" or \"tab\", or leave it out to detect it",
                ),
            );
            None
        }
    }
}

/// `encoding:`, by any label encoding_rs knows.
fn encoding_of(
    manifest: &Path,
    entry: &DataSourceEntry,
    problems: &mut Diagnostics,
) -> Option<&'static encoding_rs::Encoding> {
    let written = entry.encoding.as_ref()?;
    let found = encoding_rs::Encoding::for_label(written.value.trim().as_bytes());
    if found.is_none() {
        problems.push(
            Diagnostic::error(
                origin_of(manifest, written),
                format!("\"{}\" is not an encoding", written.value),
            )
            .with_hint(
                "write utf-8, windows-1252, iso-8859-1 or utf-16le, or leave it out to detect it",
            ),
        );
    }
    found
}

/// `header_row:`, counted from 1.
fn header_row_of(
    manifest: &Path,
    entry: &DataSourceEntry,
    problems: &mut Diagnostics,
) -> Option<usize> {
    let written = entry.header_row.as_ref()?;
    match usize::try_from(written.value) {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, written),
                    format!(
                        "header_row is {}; it counts lines or rows from 1",
                        written.value
                    ),
                )
                .with_hint(
                    "give the number of the line (CSV) or row (workbook) with the column names",
                ),
            );
            None
        }
    }
}

/// `header_rows:`, 1 or more.
fn header_rows_of(
    manifest: &Path,
    entry: &DataSourceEntry,
    problems: &mut Diagnostics,
) -> Option<usize> {
    let written = entry.header_rows.as_ref()?;
    match usize::try_from(written.value) {
        Ok(n) if (1..=10).contains(&n) => Some(n),
        _ => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, written),
                    format!(
                        "header_rows is {}; it counts the rows the header spans, from 1",
                        written.value
                    ),
                )
                .with_hint(
                    "write header_rows: 2 for a row of statistics over a row of groups, or leave it out",
                ),
            );
            None
        }
    }
}

/// `period:` of a data source: a constant, the file name's period, or a cell (set in `read`
/// for the table reader). `None` with a problem where it cannot be read.
fn period_of_entry(
    manifest: &Path,
    entry: &Spanned<PeriodEntry>,
    path: &Path,
    read: &mut ReadOptions,
    problems: &mut Diagnostics,
) -> Option<(Period, Origin)> {
    let origin = origin_of(manifest, entry);
    let mut refuse = |message: String, hint: &str| {
        problems.push(Diagnostic::error(origin.clone(), message).with_hint(hint.to_string()));
        None
    };
    const FORMS: &str = "write period: 2018, period: \"T2 2018\", period: file_name or period: { cell: \"Metadata!B2\" }";
    match &entry.value {
        PeriodEntry::Year(year) => match Period::parse(&year.to_string()) {
            Some(period) => Some((period, origin.clone())),
            None => refuse(format!("period: {year} is not a year"), FORMS),
        },
        PeriodEntry::Text(text) if matches!(text.trim(), "file_name" | "filnavn") => {
            let name_of = |p: Option<&std::ffi::OsStr>| {
                p.map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            let name = name_of(path.file_stem());
            // A budget export per year may carry the year in its folder: `2018/drift.csv`.
            let folder = name_of(path.parent().and_then(Path::file_name));
            let in_name = periods_in_name(&name);
            let found = if in_name.is_empty() {
                periods_in_name(&folder)
            } else {
                in_name
            };
            match found[..] {
                [period] => Some((period, Origin::file(path))),
                _ => refuse(
                    format!(
                        "period: file_name, but the file name \"{name}\" (in the folder \"{folder}\") names no single period"
                    ),
                    "write the period itself, e.g. period: 2018, or rename the file so it holds one year (budsjett-2018.csv)",
                ),
            }
        }
        PeriodEntry::Text(text) => match Period::parse(text) {
            Some(period) => Some((period, origin.clone())),
            None => refuse(format!("period: \"{text}\" is not a period"), FORMS),
        },
        PeriodEntry::Cell { cell } => {
            match crate::ingest::CellRef::parse(cell) {
                Some(wanted) if wanted.sheet.is_some() && !is_workbook(path) => {
                    return refuse(
                        format!(
                            "period: \"{cell}\" names a sheet, but the data file is a text file"
                        ),
                        "write the cell without a sheet: period: { cell: B6 } is line 6, field 2",
                    );
                }
                Some(wanted) => {
                    read.period_cell = Some(crate::ingest::CellRef {
                        named_at: Some(origin.clone()),
                        ..wanted
                    });
                }
                None => {
                    return refuse(
                        format!("period: \"{cell}\" is not a cell"),
                        "name a cell as a spreadsheet does: B6, or Metadata!B2 on another sheet",
                    );
                }
            }
            None
        }
    }
}

/// The periods a file or folder name holds: `budsjett-2013` → 2013, `oed_eiti_2011_totalt` →
/// 2011, `fravaer_2018K4` → 2018K4; `regnskap_2017_2018` → two; the range `2022-25` → none.
fn periods_in_name(name: &str) -> Vec<Period> {
    let mut found: Vec<Period> = Vec::new();
    for part in name.split(|c: char| c.is_whitespace() || matches!(c, '_' | '.' | ',')) {
        match Period::parse(part) {
            Some(period) => found.push(period),
            // `nokkeltall-2018`: a dash joins words; `2022-25` (digits only) is a range.
            None if part
                .split('-')
                .all(|p| p.chars().all(|c| c.is_ascii_digit())) => {}
            None => found.extend(part.split('-').filter_map(Period::parse)),
        }
    }
    found.dedup();
    found
}

fn school_year_of(
    manifest: &Path,
    entry: &DataSourceEntry,
    problems: &mut Diagnostics,
) -> Option<SchoolYearRule> {
    let rule = entry.school_year.as_ref()?;
    match rule.value.trim() {
        "start" => Some(SchoolYearRule::Start),
        "end" | "slutt" => Some(SchoolYearRule::End),
        other => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, rule),
                    format!("school_year: \"{other}\" is not a rule"),
                )
                .with_hint("write school_year: start (2020-21 counts as 2020) or school_year: end (as 2021), or leave it out to keep school years"),
            );
            None
        }
    }
}

fn ignore_unknown_of(manifest: &Path, entry: &DataSourceEntry, problems: &mut Diagnostics) -> bool {
    let Some(choice) = &entry.unknown_kpis else {
        return false;
    };
    match choice.value.trim() {
        "ignore" | "ignorer" => true,
        "error" | "feil" => false,
        other => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, choice),
                    format!("unknown_kpis: \"{other}\" is not a choice"),
                )
                .with_hint("write unknown_kpis: ignore (skip rows whose KPI is not defined) or unknown_kpis: error (the default)"),
            );
            false
        }
    }
}

fn layout_of(
    manifest: &Path,
    layout: Option<&Spanned<String>>,
    problems: &mut Diagnostics,
) -> Option<Layout> {
    let layout = layout?;
    match layout.value.trim().to_lowercase().as_str() {
        "long" | "lang" => Some(Layout::Long),
        "wide" | "bred" => Some(Layout::Wide),
        "transposed" | "transponert" => Some(Layout::Transposed),
        other => {
            problems.push(
                Diagnostic::error(
                    origin_of(manifest, layout),
                    format!("\"{other}\" is not a layout"),
                )
                .with_hint(
                    "write layout: long (a row per KPI and year), layout: wide (a column per year) or layout: transposed (a row per year, a column per KPI), or leave it out to detect long or wide",
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_names_one_period_or_none() {
        let one = |name: &str| match periods_in_name(name)[..] {
            [period] => Some(period),
            _ => None,
        };
        assert_eq!(one("budsjett-2013"), Some(Period::Year(2013)));
        assert_eq!(one("oed_eiti_2011_totalt"), Some(Period::Year(2011)));
        assert_eq!(
            one("fravaer_2018K4"),
            Some(Period::Quarter { year: 2018, n: 4 })
        );
        assert_eq!(
            one("elever 2020-21"),
            Some(Period::SchoolYear { start: 2020 })
        );
        assert_eq!(one("udir_fag_antall_elever_2022-25"), None);
        assert_eq!(periods_in_name("regnskap_2017_2018").len(), 2);
        assert_eq!(periods_in_name("nokkeltall"), []);
    }

    #[test]
    fn the_folder_gives_the_period_when_the_file_name_has_none() {
        let entry = Spanned::new(
            PeriodEntry::Text("file_name".into()),
            serde_saphyr::Location::UNKNOWN,
            serde_saphyr::Location::UNKNOWN,
        );
        let mut read = ReadOptions::default();
        let mut problems = Diagnostics::default();
        let found = period_of_entry(
            Path::new("m.yaml"),
            &entry,
            Path::new("data/2018/drift.csv"),
            &mut read,
            &mut problems,
        );
        assert_eq!(found.map(|(p, _)| p), Some(Period::Year(2018)));
        let found = period_of_entry(
            Path::new("m.yaml"),
            &entry,
            Path::new("data/2018/drift-2017.csv"),
            &mut read,
            &mut problems,
        );
        assert_eq!(
            found.map(|(p, _)| p),
            Some(Period::Year(2017)),
            "the file name wins"
        );
        assert!(problems.is_empty());
    }
}
