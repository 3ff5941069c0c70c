//! Assignment letters checked: the letter narrative, the optional department texts and the
//! assignments table, row by row. A problem in a row breaks only that row's department: it
//! gets no letter, the others do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::required_column;
use crate::diag::{Diagnostic, Diagnostics, Origin, closest};
use crate::ingest::number::{Parsed, parse_number};
use crate::ingest::yaml::{self, origin_of};
use crate::ingest::{Cell, CellValue, Table};
use crate::load::SourceFile;
use crate::model::letter::{Assignment, month_number};
use crate::model::narrative::{Block, DepartmentTexts, LetterNarrative};

/// A letter batch whose common inputs are sound; some departments may still be broken.
#[derive(Debug)]
pub struct LettersModel {
    pub(crate) narrative: LetterNarrative,
    pub(crate) year: i32,
    pub(crate) date: NaiveDate,
    pub(crate) reporting_months: Vec<u32>,
    pub(crate) business_plan_deadline: NaiveDate,
    /// Departments in the order the table first names them.
    pub(crate) departments: Vec<String>,
    /// Departments with an error in one of their rows: they get no letter this time.
    pub(crate) broken: BTreeSet<String>,
    /// The problems found in each department's rows, reported with its letter.
    pub(crate) row_problems: BTreeMap<String, Vec<Diagnostic>>,
    pub(crate) assignments: Vec<Assignment>,
    pub(crate) department_texts: BTreeMap<String, Vec<Block>>,
}

impl LettersModel {
    /// Whether a department's rows have errors (it gets no letter this time).
    pub(crate) fn is_broken(&self, department: &str) -> bool {
        self.broken.contains(department)
    }

    /// Whether any department's rows have errors.
    pub(crate) fn any_broken(&self) -> bool {
        !self.broken.is_empty()
    }

    /// The problems found in a department's rows, reported with its letter.
    pub(crate) fn row_problems(&self, department: &str) -> &[Diagnostic] {
        self.row_problems.get(department).map_or(&[], Vec::as_slice)
    }
}

const ID: &[&str] = &["id", "oppdrag id", "oppdragsid"];
const DEPARTMENT: &[&str] = &[
    "kommunalsjefområde",
    "kommunalsjefomrade",
    "avdeling",
    "department",
];
const TITLE: &[&str] = &["tittel", "title", "oppdrag"];
const DESCRIPTION: &[&str] = &["beskrivelse", "description"];
const SOURCE: &[&str] = &["opphav", "origin"];
const DEADLINE: &[&str] = &["frist", "deadline"];
const OWNER: &[&str] = &["ansvarlig", "owner"];
const CLIMATE: &[&str] = &["klimatiltak", "climate measure"];
const CO2E: &[&str] = &["co2e_tonn", "co2e", "tonn co2e"];
const PARTNERS: &[&str] = &["samarbeid", "partnere", "partners"];

/// Finds the assignments table's header and lists its departments in table order (to plan
/// one letter per department before the model is built).
pub fn departments(table: &mut Table) -> Vec<String> {
    table.find_header(&[ID, DEPARTMENT, DEADLINE]);
    let Some(column) = table.column(DEPARTMENT) else {
        return Vec::new();
    };
    department_list(table, column)
}

/// The departments a column names, in the order the table first names them.
fn department_list(table: &Table, column: usize) -> Vec<String> {
    let mut departments: Vec<String> = Vec::new();
    for row in &table.rows {
        if let Some((name, _)) = text_at(row, Some(column))
            && !name.is_empty()
            && !departments.iter().any(|d| d == name)
        {
            departments.push(name.to_string());
        }
    }
    departments
}

/// Checks the letter narrative, the optional department texts and the assignments table.
pub fn check(
    narrative: &SourceFile,
    departments: Option<&SourceFile>,
    mut table: Table,
) -> (Option<LettersModel>, Diagnostics) {
    let mut problems = Diagnostics::default();
    let parsed = yaml::parse::<LetterNarrative>(narrative)
        .map_err(|d| problems.push(d))
        .ok();
    let texts = departments.and_then(|source| {
        yaml::parse::<DepartmentTexts>(source)
            .map_err(|d| problems.push(d))
            .ok()
            .map(|texts| (texts, source.path.clone()))
    });
    for warning in std::mem::take(&mut table.warnings) {
        problems.push(warning);
    }
    let Some(parsed) = parsed else {
        return (None, problems);
    };
    let file = &narrative.path;
    let year = parsed.letter.year.value;
    let date = parsed.letter.date.problem(file).map(|d| problems.push(d));
    let deadline = parsed
        .business_plan_deadline
        .problem(file)
        .map(|d| problems.push(d));
    let mut reporting_months = Vec::new();
    for month in &parsed.reporting_months {
        match month_number(&month.value) {
            Some(m) => reporting_months.push(m),
            None => problems.push(
                Diagnostic::error(
                    origin_of(file, month),
                    format!("\"{}\" is not a month", month.value),
                )
                .with_hint("write the month's Norwegian name, e.g. februar"),
            ),
        }
    }
    check_prose(file, &parsed, &mut problems);

    table.find_header(&[ID, DEPARTMENT, DEADLINE]);
    let mut row_problems: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    let (assignments, broken, departments) = rows(&table, year, &mut problems, &mut row_problems);
    let mut department_texts = BTreeMap::new();
    if let Some((texts, path)) = texts {
        for text in texts.departments {
            if !departments.contains(&text.department.value) {
                let mut d = Diagnostic::error(
                    origin_of(&path, &text.department),
                    format!(
                        "no department \"{}\" in the assignments table",
                        text.department.value
                    ),
                );
                if let Some(near) = closest(
                    &text.department.value,
                    departments.iter().map(String::as_str),
                ) {
                    d = d.with_hint(format!("did you mean \"{near}\"?"));
                }
                problems.push(d);
                continue;
            }
            department_texts.insert(text.department.value, text.blocks);
        }
    }
    // A broken narrative or header concerns every letter: then every problem is the batch's.
    let (None, None, Some(&date), Some(&business_plan_deadline), false) = (
        date,
        deadline,
        parsed.letter.date.get(),
        parsed.business_plan_deadline.get(),
        problems.has_errors(),
    ) else {
        row_problems
            .into_values()
            .flatten()
            .for_each(|d| problems.push(d));
        return (None, problems);
    };
    let model = LettersModel {
        narrative: parsed,
        year,
        date,
        reporting_months,
        business_plan_deadline,
        departments,
        broken,
        row_problems,
        assignments,
        department_texts,
    };
    (Some(model), problems)
}

/// Every prose field must print: footnotes defined, no figure references in a letter.
fn check_prose(file: &Path, narrative: &LetterNarrative, problems: &mut Diagnostics) {
    for text in narrative.prose() {
        let problem = match &text.value {
            Err(message) => Some(message.clone()),
            Ok(prose) => match prose.references().next() {
                Some(r) => Some(format!(
                    "{} is a figure reference; letters do not print KPIs",
                    r.written
                )),
                None => prose
                    .footnotes()
                    .find(|label| !narrative.footnotes.contains_key(*label))
                    .map(|label| format!("footnote [^{label}] is not defined under footnotes:")),
            },
        };
        if let Some(message) = problem {
            problems.push(Diagnostic::error(text.origin(file), message));
        }
    }
}

fn text_at(row: &[Cell], column: Option<usize>) -> Option<(&str, &Cell)> {
    let cell = row.get(column?)?;
    match &cell.value {
        CellValue::Text(t) => Some((t.trim(), cell)),
        _ => None,
    }
}

/// The rows as assignments; returns them, the broken departments and all departments.
fn rows(
    table: &Table,
    year: i32,
    problems: &mut Diagnostics,
    by_department: &mut BTreeMap<String, Vec<Diagnostic>>,
) -> (Vec<Assignment>, BTreeSet<String>, Vec<String>) {
    let mut broken = BTreeSet::new();
    let mut departments: Vec<String> = Vec::new();
    let id_col = required_column(table, ID, problems);
    let department_col = required_column(table, DEPARTMENT, problems);
    let title_col = required_column(table, TITLE, problems);
    let source_col = required_column(table, SOURCE, problems);
    let deadline_col = required_column(table, DEADLINE, problems);
    let owner_col = required_column(table, OWNER, problems);
    let description_col = table.column(DESCRIPTION);
    let climate_col = table.column(CLIMATE);
    let co2e_col = table.column(CO2E);
    let partners_col = table.column(PARTNERS);
    let (
        Some(id_col),
        Some(department_col),
        Some(title_col),
        Some(source_col),
        Some(deadline_col),
        Some(owner_col),
    ) = (
        id_col,
        department_col,
        title_col,
        source_col,
        deadline_col,
        owner_col,
    )
    else {
        return (Vec::new(), broken, departments);
    };
    // Departments first, so partner names can be checked against all of them.
    departments = department_list(table, department_col);
    let mut seen_ids: BTreeMap<String, Origin> = BTreeMap::new();
    let mut assignments = Vec::new();
    for row in &table.rows {
        let row_origin = row[0].origin.clone();
        let mut row_problems = Diagnostics::default();
        let mut required = |column: usize, what: &str| -> String {
            match row.get(column).map(|c| (&c.value, &c.origin)) {
                Some((value, _)) if !value.is_empty() => value.as_text().trim().to_string(),
                Some((_, origin)) => {
                    row_problems.push(
                        Diagnostic::error(origin.clone(), format!("the {what} is empty"))
                            .with_hint(format!("fill in the {what}, or delete the row")),
                    );
                    String::new()
                }
                None => {
                    row_problems.push(Diagnostic::error(
                        row_origin.clone(),
                        format!("the row has no {what}"),
                    ));
                    String::new()
                }
            }
        };
        let id = required(id_col, "assignment id");
        let department = required(department_col, "department");
        let title = required(title_col, "title");
        let source = required(source_col, "origin (opphav)");
        let owner = required(owner_col, "owner (ansvarlig)");
        let description = text_at(row, description_col)
            .map(|(t, _)| t.to_string())
            .unwrap_or_default();
        let deadline = deadline_of(row, deadline_col, &row_origin, &mut row_problems);
        if let Some(date) = deadline
            && date.year() != year
        {
            row_problems.push(
                Diagnostic::warning(
                    row[deadline_col].origin.clone(),
                    format!(
                        "the deadline {} is outside the letter's year {year}",
                        date.format("%d.%m.%Y")
                    ),
                )
                .with_hint("check the year; the assignment is still listed"),
            );
        }
        if !id.is_empty()
            && let Some(first) = seen_ids.get(&id)
        {
            row_problems.push(
                Diagnostic::error(
                    row[id_col].origin.clone(),
                    format!("assignment id \"{id}\" is used twice (first at {first})"),
                )
                .with_hint("give every assignment its own id"),
            );
        } else if !id.is_empty() {
            seen_ids.insert(id.clone(), row[id_col].origin.clone());
        }
        let climate_measure = match text_at(row, climate_col).map(|(t, c)| (t.to_lowercase(), c)) {
            None => false,
            Some((t, _)) if matches!(t.as_str(), "ja" | "x" | "yes" | "true" | "j") => true,
            Some((t, _)) if matches!(t.as_str(), "nei" | "" | "no" | "false" | "n") => false,
            Some((t, cell)) => {
                row_problems.push(
                    Diagnostic::error(cell.origin.clone(), format!("\"{t}\" is not ja or nei"))
                        .with_hint("write ja for a climate measure, nei or nothing otherwise"),
                );
                false
            }
        };
        let co2e_tonnes = co2e_col
            .and_then(|c| row.get(c))
            .and_then(|cell| match &cell.value {
                CellValue::Number(n) => Some(*n),
                CellValue::Text(t) => match parse_number(t) {
                    Ok(Parsed::Value { value, .. }) => Some(value),
                    Ok(Parsed::Missing(_)) => None,
                    Err(e) => {
                        row_problems.push(Diagnostic::error(
                            cell.origin.clone(),
                            format!("{e} (tonnes CO₂e)"),
                        ));
                        None
                    }
                },
                _ => None,
            });
        if co2e_tonnes.is_some() && !climate_measure {
            row_problems.push(
                Diagnostic::warning(
                    row_origin.clone(),
                    format!("{id} has tonnes CO₂e but is not marked as a climate measure"),
                )
                .with_hint("write ja in the klimatiltak column, or remove the figure"),
            );
        }
        let mut partners = Vec::new();
        if let Some((text, cell)) = text_at(row, partners_col) {
            for name in text.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                if departments.iter().any(|d| d == name) {
                    if name == department {
                        row_problems.push(Diagnostic::warning(
                            cell.origin.clone(),
                            format!("{id} names its own department \"{name}\" as a partner"),
                        ));
                    } else if !partners.iter().any(|p| p == name) {
                        partners.push(name.to_string());
                    }
                } else {
                    let mut d = Diagnostic::error(
                        cell.origin.clone(),
                        format!("unknown department \"{name}\" among the partners of {id}"),
                    );
                    d = match closest(name, departments.iter().map(String::as_str)) {
                        Some(near) => d.with_hint(format!("did you mean \"{near}\"?")),
                        None => d.with_hint(
                            "partners must be departments of the table, separated by \";\"",
                        ),
                    };
                    row_problems.push(d);
                }
            }
        }
        let department_key = department.clone();
        if row_problems.has_errors() {
            if !department.is_empty() {
                broken.insert(department.clone());
            }
        } else if let Some(deadline) = deadline {
            assignments.push(Assignment {
                id,
                department,
                title,
                description,
                source,
                deadline,
                owner,
                climate_measure,
                co2e_tonnes,
                partners,
                origin: row_origin,
            });
        }
        // A row's problems travel with its department's letter; a row without a department
        // has nowhere to go but the batch.
        if department_key.is_empty() {
            problems.extend(row_problems);
        } else {
            by_department
                .entry(department_key)
                .or_default()
                .extend(row_problems.into_vec());
        }
    }
    (assignments, broken, departments)
}

/// A deadline from a date cell or an ISO or Norwegian date text.
fn deadline_of(
    row: &[Cell],
    column: usize,
    row_origin: &Origin,
    problems: &mut Diagnostics,
) -> Option<NaiveDate> {
    let Some(cell) = row.get(column) else {
        problems.push(Diagnostic::error(
            row_origin.clone(),
            "the row has no deadline (frist)",
        ));
        return None;
    };
    let parsed = match &cell.value {
        CellValue::Date(d) => Some(*d),
        CellValue::Text(t) => {
            let t = t.trim();
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
                .ok()
        }
        CellValue::Empty => {
            problems.push(
                Diagnostic::error(cell.origin.clone(), "the deadline (frist) is empty")
                    .with_hint("write a date, e.g. 15.02.2022 or 2022-02-15"),
            );
            return None;
        }
        // A date cell arrives as a date (calamine converts both workbook date systems); a
        // plain number is no date.
        CellValue::Number(_) => None,
    };
    if parsed.is_none() {
        problems.push(
            Diagnostic::error(
                cell.origin.clone(),
                format!("\"{}\" is not a date", cell.value.as_text()),
            )
            .with_hint("write the deadline as 15.02.2022 or 2022-02-15"),
        );
    }
    parsed
}
