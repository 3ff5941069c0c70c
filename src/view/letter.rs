//! The assignment letter's views: one per department, and the chief executive's overview.

use std::sync::Arc;

use minijinja::Value;
use serde::Serialize;

use crate::load::SourceFile;
use crate::model::letter::{Assignment, calendar};
use crate::model::letters::LettersModel;
use crate::model::narrative::{Block, Text};
use crate::norsk::{self as format, MONTHS};

use super::blocks::{BlockContext, BlockView, blocks_view};
use super::prose::{Plain, ProseView, Resolve, prose_value, prose_view};
use super::{DateParts, Ledger, ProvenanceView};

#[derive(Debug, Serialize)]
pub(crate) struct LetterMeta {
    pub(crate) municipality: String,
    pub(crate) title: String,
    /// The PDF title: the letter's title naming the department (or the overview).
    pub(crate) document_title: String,
    pub(crate) author: String,
    pub(crate) subject: String,
    pub(crate) keywords: Vec<String>,
    pub(crate) language: String,
    pub(crate) year: i32,
    pub(crate) date: DateParts,
    /// `17.12.2021`.
    pub(crate) date_text: String,
    pub(crate) archive_code: String,
    pub(crate) journal_post_id: String,
    pub(crate) case_number: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SectionView {
    pub(crate) title: Option<String>,
    pub(crate) blocks: Vec<BlockView>,
    pub(crate) subsections: Vec<SubsectionView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SubsectionView {
    pub(crate) title: Option<Value>,
    pub(crate) blocks: Vec<BlockView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AssignmentRow {
    pub(crate) id: String,
    pub(crate) department: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) source: String,
    /// `15. februar 2022`.
    pub(crate) deadline: String,
    pub(crate) owner: String,
    /// `12,5` or empty where not known.
    pub(crate) co2e: String,
    /// `Skole, Helse og omsorg`.
    pub(crate) partners: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct CalendarRow {
    pub(crate) month: String,
    /// What is due: reports and deadlines, as lines.
    pub(crate) items: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct LetterView {
    pub(crate) meta: LetterMeta,
    pub(crate) department: String,
    pub(crate) sections: Vec<SectionView>,
    pub(crate) department_blocks: Vec<BlockView>,
    pub(crate) assignments: Vec<AssignmentRow>,
    pub(crate) climate: Vec<AssignmentRow>,
    /// `152,5` tonnes CO₂e over the measures with a figure.
    pub(crate) climate_total: String,
    /// How many climate measures have no CO₂e figure yet.
    pub(crate) climate_unknown: usize,
    pub(crate) partner_assignments: Vec<AssignmentRow>,
    pub(crate) calendar: Vec<CalendarRow>,
    pub(crate) closing: Value,
    /// The "Datagrunnlag" appendix: every printed deadline and CO₂e figure and its row.
    pub provenance: ProvenanceView,
}

#[derive(Debug, Serialize)]
pub(crate) struct OverviewDepartment {
    pub(crate) name: String,
    pub(crate) count: usize,
    pub(crate) climate_count: usize,
    pub(crate) co2e: String,
    pub(crate) assignments: Vec<AssignmentRow>,
    /// Whether the department's letter could not be written (its rows have errors).
    pub(crate) broken: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct OverviewView {
    pub(crate) meta: LetterMeta,
    pub(crate) departments: Vec<OverviewDepartment>,
    pub(crate) total_count: usize,
    pub(crate) total_climate: usize,
    pub(crate) total_co2e: String,
    pub provenance: ProvenanceView,
}

/// Footnotes of the letter narrative, resolved to their own prose.
struct Footnotes<'a> {
    letters: &'a LettersModel,
}

impl Resolve for Footnotes<'_> {
    fn footnote(&self, label: &str) -> Option<ProseView> {
        let body = self.letters.narrative.footnotes.get(label)?;
        Some(prose_view(body, &Plain))
    }
}

fn meta(letters: &LettersModel, document_title: String, language: &str) -> LetterMeta {
    let info = &letters.narrative.letter;
    let mut keywords = info.keywords.clone();
    keywords.push(format!("Arkivsaksnr {}", info.case_number));
    keywords.push(format!("J.postID {}", info.journal_post_id));
    LetterMeta {
        municipality: info.municipality.clone(),
        title: info.title.clone(),
        document_title,
        author: info.author.clone(),
        subject: if info.subject.is_empty() {
            format!(
                "Arkivsaksnr {}, J.postID {}",
                info.case_number, info.journal_post_id
            )
        } else {
            format!(
                "{} Arkivsaksnr {}, J.postID {}.",
                info.subject, info.case_number, info.journal_post_id
            )
        },
        keywords,
        language: language.to_string(),
        year: letters.year,
        date: letters.date.into(),
        date_text: format::short_date(letters.date),
        archive_code: info.archive_code.clone(),
        journal_post_id: info.journal_post_id.clone(),
        case_number: info.case_number.clone(),
    }
}

fn co2e_text(value: f64) -> String {
    let decimals = if value.fract() == 0.0 { 0 } else { 1 };
    format::number(value, decimals)
}

/// An assignment as the tables print it; its printed figures are noted in `ledger`.
fn row(a: &Assignment, ledger: &Ledger) -> AssignmentRow {
    ledger.note(
        &a.title,
        &a.id,
        "frist".to_string(),
        format::long_date(a.deadline),
        &a.origin,
    );
    if let Some(tonnes) = a.co2e_tonnes {
        ledger.note(
            &a.title,
            &a.id,
            "tonn CO₂e".to_string(),
            co2e_text(tonnes),
            &a.origin,
        );
    }
    AssignmentRow {
        id: a.id.clone(),
        department: a.department.clone(),
        title: a.title.clone(),
        description: a.description.clone(),
        source: a.source.clone(),
        deadline: format::long_date(a.deadline),
        owner: a.owner.clone(),
        co2e: a.co2e_tonnes.map(co2e_text).unwrap_or_default(),
        partners: a.partners.join(", "),
    }
}

/// Own assignments sorted by deadline, then id, so the order is stable.
fn sorted<'a>(assignments: impl Iterator<Item = &'a Assignment>) -> Vec<&'a Assignment> {
    let mut list: Vec<&Assignment> = assignments.collect();
    list.sort_by(|a, b| (a.deadline, &a.id).cmp(&(b.deadline, &b.id)));
    list
}

/// The letter to one department. `inputs` are the files it was built from, in the order the
/// appendix lists them (narrative, department texts, assignments table).
pub(crate) fn department_letter(
    letters: &LettersModel,
    department: &str,
    inputs: &[Arc<SourceFile>],
    language: &str,
) -> LetterView {
    let ledger = Ledger::default();
    let row = |a: &Assignment| row(a, &ledger);
    let footnotes = Footnotes { letters };
    let locale = crate::locale::Locale::built_in(language);
    let context = BlockContext {
        resolve: &footnotes,
        figures: None,
        locale: &locale,
        file: std::path::Path::new(""),
    };
    let blocks = |b: &[Block]| blocks_view(b, &context, None);
    let prose = |t: &Text| prose_value(t, &footnotes);
    let own = sorted(
        letters
            .assignments
            .iter()
            .filter(|a| a.department == department),
    );
    let partner = sorted(
        letters
            .assignments
            .iter()
            .filter(|a| a.partners.iter().any(|p| p == department)),
    );
    let climate: Vec<&Assignment> = own.iter().copied().filter(|a| a.climate_measure).collect();
    let climate_total: f64 = climate.iter().filter_map(|a| a.co2e_tonnes).sum();

    let mut deadlines = vec![(
        letters.business_plan_deadline,
        "Virksomhetsplanen ferdigstilt".to_string(),
    )];
    deadlines.extend(
        own.iter()
            .map(|a| (a.deadline, format!("Frist {}: {}", a.id, a.title))),
    );
    deadlines.extend(partner.iter().map(|a| {
        (
            a.deadline,
            format!(
                "Frist {} (samarbeid med {}): {}",
                a.id, a.department, a.title
            ),
        )
    }));
    let last_month = *letters.reporting_months.iter().max().unwrap_or(&12);
    let calendar_rows = calendar(letters.year, &letters.reporting_months, deadlines)
        .into_iter()
        .map(|m| {
            let mut items: Vec<String> = Vec::new();
            if m.reporting {
                items.push(if m.month == last_month {
                    "Rapportering i Framsikt (årsrapport)".to_string()
                } else {
                    "Rapportering i Framsikt".to_string()
                });
            }
            items.extend(
                m.deadlines
                    .iter()
                    .map(|(date, what)| format!("{}: {what}", format::day_month(*date))),
            );
            CalendarRow {
                month: MONTHS[m.month as usize - 1].to_string(),
                items,
            }
        })
        .collect();

    LetterView {
        meta: meta(
            letters,
            format!("Oppdragsbrev {} – {department}", letters.year),
            language,
        ),
        department: department.to_string(),
        sections: letters
            .narrative
            .sections
            .iter()
            .map(|s| SectionView {
                title: s.title.clone(),
                blocks: blocks(&s.blocks),
                subsections: s
                    .subsections
                    .iter()
                    .map(|sub| SubsectionView {
                        title: sub.title.as_ref().map(&prose),
                        blocks: blocks(&sub.blocks),
                    })
                    .collect(),
            })
            .collect(),
        department_blocks: letters
            .department_texts
            .get(department)
            .map(|b| blocks(b))
            .unwrap_or_default(),
        assignments: own.iter().map(|a| row(a)).collect(),
        climate: climate.iter().map(|a| row(a)).collect(),
        climate_total: co2e_text(climate_total),
        climate_unknown: climate.iter().filter(|a| a.co2e_tonnes.is_none()).count(),
        partner_assignments: partner.iter().map(|a| row(a)).collect(),
        calendar: calendar_rows,
        closing: prose(&letters.narrative.closing),
        provenance: ledger.view(inputs),
    }
}

/// The chief executive's overview of every department's assignments.
pub(crate) fn overview(
    letters: &LettersModel,
    inputs: &[Arc<SourceFile>],
    language: &str,
) -> OverviewView {
    let ledger = Ledger::default();
    let row = |a: &Assignment| row(a, &ledger);
    let departments: Vec<OverviewDepartment> = letters
        .departments
        .iter()
        .map(|name| {
            let own = sorted(letters.assignments.iter().filter(|a| &a.department == name));
            let co2e: f64 = own.iter().filter_map(|a| a.co2e_tonnes).sum();
            OverviewDepartment {
                name: name.clone(),
                count: own.len(),
                climate_count: own.iter().filter(|a| a.climate_measure).count(),
                co2e: co2e_text(co2e),
                assignments: own.iter().map(|a| row(a)).collect(),
                broken: letters.broken.contains(name),
            }
        })
        .collect();
    let total_co2e: f64 = letters
        .assignments
        .iter()
        .filter_map(|a| a.co2e_tonnes)
        .sum();
    OverviewView {
        meta: meta(
            letters,
            format!("Oppdragsbrev {} – oversikt", letters.year),
            language,
        ),
        total_count: letters.assignments.len(),
        total_climate: letters
            .assignments
            .iter()
            .filter(|a| a.climate_measure)
            .count(),
        total_co2e: co2e_text(total_co2e),
        departments,
        provenance: ledger.view(inputs),
    }
}
