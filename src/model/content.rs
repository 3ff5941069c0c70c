//! A narrative once checked: the typed, immutable text the view reads. Dates are dates,
//! statuses an enum, periods parsed and the default years filled in, prose a parsed tree,
//! and the table rows of `assignments` and `calendar` blocks selected and sorted. Nothing
//! here is "not yet checked": [`Content::from_narrative`] either gives all of it or the
//! problems, so no later stage parses, guesses or drops a value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub(crate) mod table;

use super::TaskStatus;
use super::image::{Image, read_image};
use super::narrative::{self as raw, Parsed};
/// Plain choices the input schema reads as they are; typed already.
pub(crate) use super::narrative::{ChartShape, KpiColumn, Match};
pub(crate) use super::numbering::{DocumentNumbering, SectionNumbers};
use super::period::Period;
use super::prose::Prose;
use super::rows::Row;
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::load::SourceCache;
use crate::norsk::month_number;

/// A document's common narrative, checked.
#[derive(Debug)]
pub struct Content {
    pub(crate) info: Info,
    pub(crate) footnotes: BTreeMap<String, Text>,
    pub(crate) sections: Vec<Section>,
}

/// One unit's own text (`per_unit: narratives`), checked, and the file it is written in.
#[derive(Debug)]
pub struct UnitContent {
    pub(crate) file: PathBuf,
    pub(crate) footnotes: BTreeMap<String, Text>,
    pub(crate) sections: Vec<Section>,
}

/// A prose field: its parsed tree, the text as written (printed as is if a reference cannot
/// be resolved where it is printed) and where it is written.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub(crate) prose: Prose,
    pub(crate) written: String,
    pub(crate) origin: Origin,
}

#[derive(Debug)]
pub(crate) struct Info {
    pub(crate) title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) municipality: Option<String>,
    pub(crate) year: i32,
    pub(crate) date: Option<NaiveDate>,
    /// The period the document covers, first and last day.
    pub(crate) period: Option<(NaiveDate, NaiveDate)>,
    pub(crate) author: String,
    pub(crate) subject: String,
    pub(crate) keywords: Vec<String>,
    pub(crate) unit_title: Option<String>,
    pub(crate) short_title: Option<String>,
    pub(crate) fields: Vec<(String, Text)>,
    pub(crate) numbering: DocumentNumbering,
    /// The plan's years (`plan_years: 2021-2024`), oldest first; empty for a report year alone.
    pub(crate) plan_years: Vec<i32>,
}

#[derive(Debug)]
pub(crate) struct Section {
    pub(crate) id: Option<String>,
    pub(crate) number: Option<u32>,
    pub(crate) title: Option<Text>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) sections: Vec<Section>,
    pub(crate) numbering: Option<SectionNumbers>,
}

#[derive(Debug)]
pub(crate) enum Block {
    P(Text),
    Heading(Text),
    List(Vec<ListItem>),
    Ordered(Vec<ListItem>),
    KpiTable(KpiTable),
    Chart(Chart),
    Tasks(Vec<Task>),
    Signature(Signature),
    Assignments(Assignments),
    Calendar(Calendar),
    PageBreak,
    Figure(Figure),
    Numbered(Vec<NumberedItem>),
    Table(table::AmountTable),
}

/// A bullet and its sub-bullets (none for a plain one).
#[derive(Debug)]
pub(crate) struct ListItem {
    pub(crate) text: Text,
    pub(crate) items: Vec<Text>,
}

#[derive(Debug)]
pub(crate) struct KpiTable {
    pub(crate) title: Option<Text>,
    pub(crate) kpis: Vec<String>,
    /// The columns' periods, as listed (the year before the report year and the report
    /// year when the narrative lists none).
    pub(crate) periods: Vec<Period>,
    pub(crate) columns: Vec<KpiColumn>,
}

impl KpiTable {
    pub(crate) fn shows(&self, column: KpiColumn) -> bool {
        self.columns.contains(&column)
    }
}

/// Which periods a chart draws.
#[derive(Debug)]
pub(crate) enum ChartPeriods {
    /// These, in this order (those with a figure).
    Listed(Vec<Period>),
    /// Every observed year, or those of these that are observed.
    Years(Option<Vec<i32>>),
}

#[derive(Debug)]
pub(crate) struct Chart {
    pub(crate) kpi: String,
    pub(crate) shape: ChartShape,
    pub(crate) periods: ChartPeriods,
    pub(crate) target: bool,
    pub(crate) title: Option<String>,
    /// More KPIs drawn in the same chart, after `kpi`.
    pub(crate) with: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Task {
    pub(crate) id: String,
    pub(crate) title: Text,
    pub(crate) group: Option<Text>,
    pub(crate) status: TaskStatus,
    pub(crate) status_origin: Origin,
    pub(crate) status_note: Option<Text>,
    pub(crate) blocks: Vec<Block>,
}

#[derive(Debug)]
pub(crate) struct Signature {
    pub(crate) date: NaiveDate,
    pub(crate) name: String,
    pub(crate) role: String,
}

/// An `assignments` block with its rows selected and sorted.
#[derive(Debug)]
pub(crate) struct Assignments {
    /// The table read (`per_unit: source` when the block names none).
    pub(crate) table: Option<String>,
    pub(crate) matching: Match,
    /// The column summed, if any.
    pub(crate) amount: Option<String>,
    pub(crate) label: Option<String>,
    pub(crate) amount_label: Option<String>,
    pub(crate) rows: Vec<Row>,
}

/// A `calendar` block: its reporting months as month numbers, its fixed dates and the rows
/// with deadlines.
#[derive(Debug)]
pub(crate) struct Calendar {
    pub(crate) table: Option<String>,
    pub(crate) reporting: Option<Reporting>,
    pub(crate) dates: Vec<(NaiveDate, String)>,
    pub(crate) rows: Vec<Row>,
}

#[derive(Debug)]
pub(crate) struct Reporting {
    /// 1 = January.
    pub(crate) months: Vec<u32>,
    pub(crate) text: String,
    pub(crate) last: Option<String>,
}

/// What the checks found for a row block (at its place in the narrative): the table it read,
/// how it matches rows to units and the rows it shows.
#[derive(Debug)]
pub(crate) struct FilledRows {
    pub(crate) table: Option<String>,
    pub(crate) matching: Match,
    pub(crate) rows: Vec<Row>,
}

/// The row blocks of a narrative as the checks filled them, by the block's origin.
pub(crate) type FilledBlocks = BTreeMap<Origin, FilledRows>;

/// Turns raw narrative values into typed ones, telling any value that does not parse (the
/// checks have told each already; this keeps a typed model from ever holding a guess).
struct Typing<'a> {
    file: &'a Path,
    /// The table blocks as the checks built them.
    tables: &'a mut table::FilledTables,
    year: i32,
    /// The plan's years, which tables and charts naming none print.
    plan_years: Vec<i32>,
    filled: &'a mut FilledBlocks,
    /// Reads the images of figure blocks.
    cache: &'a SourceCache,
    problems: Diagnostics,
}

impl Content {
    /// The typed narrative, or the problems of values that do not parse. `filled` holds the
    /// rows the checks selected for its row blocks.
    pub(crate) fn from_narrative(
        narrative: raw::Narrative,
        file: &Path,
        (filled, tables): (&mut FilledBlocks, &mut table::FilledTables),
        cache: &SourceCache,
    ) -> Result<Content, Diagnostics> {
        let year = narrative.document.year;
        let plan_years = narrative
            .document
            .plan_years
            .as_ref()
            .and_then(|y| y.value.years().ok())
            .unwrap_or_default();
        let mut typing = Typing {
            file,
            tables,
            year,
            plan_years,
            filled,
            cache,
            problems: Diagnostics::default(),
        };
        let content = typing.content(narrative);
        match content {
            Some(content) if !typing.problems.has_errors() => Ok(content),
            _ => Err(typing.problems),
        }
    }

    /// Every prose field, in document order (footnote bodies last).
    pub(crate) fn prose(&self) -> Vec<&Text> {
        let mut all: Vec<&Text> = self.info.fields.iter().map(|(_, t)| t).collect();
        all.extend(sections_prose(&self.sections));
        all.extend(self.footnotes.values());
        all
    }

    /// Every block of the sections, tasks' blocks included, in document order.
    pub(crate) fn blocks(&self) -> Vec<&Block> {
        all_blocks(&self.sections)
    }
}

impl UnitContent {
    /// A unit's own text, typed like [`Content::from_narrative`].
    pub(crate) fn from_narrative(
        narrative: raw::UnitNarrative,
        file: &Path,
        (year, plan_years): (i32, &[i32]),
        (filled, tables): (&mut FilledBlocks, &mut table::FilledTables),
        cache: &SourceCache,
    ) -> Result<UnitContent, Diagnostics> {
        let mut typing = Typing {
            file,
            tables,
            year,
            plan_years: plan_years.to_vec(),
            filled,
            cache,
            problems: Diagnostics::default(),
        };
        let footnotes = typing.footnotes(narrative.footnotes);
        let sections = typing.sections(narrative.sections);
        match (footnotes, sections) {
            (Some(footnotes), Some(sections)) if !typing.problems.has_errors() => Ok(UnitContent {
                file: file.to_path_buf(),
                footnotes,
                sections,
            }),
            _ => Err(typing.problems),
        }
    }

    pub(crate) fn prose(&self) -> Vec<&Text> {
        let mut all = sections_prose(&self.sections);
        all.extend(self.footnotes.values());
        all
    }

    pub(crate) fn blocks(&self) -> Vec<&Block> {
        all_blocks(&self.sections)
    }
}

impl Typing<'_> {
    fn content(&mut self, narrative: raw::Narrative) -> Option<Content> {
        let info = self.info(narrative.document);
        let footnotes = self.footnotes(narrative.footnotes);
        let sections = self.sections(narrative.sections);
        Some(Content {
            info: info?,
            footnotes: footnotes?,
            sections: sections?,
        })
    }

    fn info(&mut self, doc: raw::DocumentInfo) -> Option<Info> {
        let date = match doc.date {
            Some(d) => Some(self.value(d)?),
            None => None,
        };
        let period = match doc.period {
            Some(p) => Some((self.value(p.from)?, self.value(p.to)?)),
            None => None,
        };
        let fields = doc
            .fields
            .into_iter()
            .map(|f| Some((f.label, self.text(f.value)?)))
            .collect::<Option<Vec<_>>>()?;
        let numbering = match doc.numbering {
            Some(n) => self.checked(n.checked(self.file))?,
            None => DocumentNumbering::default(),
        };
        Some(Info {
            title: doc.title,
            subtitle: doc.subtitle,
            municipality: doc.municipality,
            year: doc.year,
            date,
            period,
            author: doc.author,
            subject: doc.subject,
            keywords: doc.keywords,
            unit_title: doc.unit_title,
            short_title: doc.short_title,
            fields,
            numbering,
            plan_years: self.plan_years.clone(),
        })
    }

    fn footnotes(&mut self, notes: BTreeMap<String, raw::Text>) -> Option<BTreeMap<String, Text>> {
        notes
            .into_iter()
            .map(|(label, text)| Some((label, self.text(text)?)))
            .collect()
    }

    fn sections(&mut self, sections: Vec<raw::Section>) -> Option<Vec<Section>> {
        sections
            .into_iter()
            .map(|s| {
                let numbering = match s.numbering {
                    Some(n) => Some(self.checked(n.section_checked(self.file, true))?),
                    None => None,
                };
                Some(Section {
                    id: s.id.map(|id| id.value),
                    number: s.number,
                    title: self.optional_text(s.title)?,
                    blocks: self.blocks(s.blocks)?,
                    sections: self.sections(s.sections)?,
                    numbering,
                })
            })
            .collect()
    }

    fn blocks(&mut self, blocks: Vec<raw::Block>) -> Option<Vec<Block>> {
        blocks.into_iter().map(|b| self.block(b)).collect()
    }

    fn block(&mut self, block: raw::Block) -> Option<Block> {
        Some(match block {
            raw::Block::P(t) => Block::P(self.text(t)?),
            raw::Block::Heading(t) => Block::Heading(self.text(t)?),
            raw::Block::List(items) => Block::List(self.list(items)?),
            raw::Block::Ordered(items) => Block::Ordered(self.list(items)?),
            raw::Block::KpiTable(table) => Block::KpiTable(self.kpi_table(table)?),
            raw::Block::Chart(chart) => Block::Chart(self.chart(chart)?),
            raw::Block::Tasks(tasks) => Block::Tasks(
                tasks
                    .into_iter()
                    .map(|t| self.task(t))
                    .collect::<Option<_>>()?,
            ),
            raw::Block::Signature(s) => Block::Signature(Signature {
                date: self.value(s.date)?,
                name: s.name,
                role: s.role,
            }),
            raw::Block::Assignments(a) => Block::Assignments(self.assignments(a)),
            raw::Block::Calendar(c) => Block::Calendar(self.calendar(c)?),
            raw::Block::PageBreak => Block::PageBreak,
            raw::Block::Figure(figure) => Block::Figure(self.figure(figure)?),
            raw::Block::Numbered(items) => Block::Numbered(self.numbered(items)?),
            raw::Block::Table(t) => Block::Table(self.table(*t)?),
        })
    }

    /// A table block as the checks built it, with its caption and note typed.
    fn table(
        &mut self,
        spanned: Spanned<super::narrative::table::TableBlock>,
    ) -> Option<table::AmountTable> {
        let at = origin_of(self.file, &spanned);
        let Some(mut table) = self.tables.remove(&at) else {
            return self.fail(at, "the table could not be read".to_string());
        };
        table.caption = self.optional_text(spanned.value.caption)?;
        table.note = self.optional_text(spanned.value.note)?;
        Some(table)
    }

    fn list(&mut self, items: Vec<raw::ListItem>) -> Option<Vec<ListItem>> {
        items
            .into_iter()
            .map(|item| match item {
                raw::ListItem::Plain(t) => Some(ListItem {
                    text: self.text(t)?,
                    items: Vec::new(),
                }),
                raw::ListItem::Nested { text, items } => Some(ListItem {
                    text: self.text(text)?,
                    items: items
                        .into_iter()
                        .map(|t| self.text(t))
                        .collect::<Option<_>>()?,
                }),
            })
            .collect()
    }

    fn kpi_table(&mut self, table: raw::KpiTable) -> Option<KpiTable> {
        let periods = match (table.periods, table.years) {
            (Some(periods), _) => self.periods(periods)?,
            (None, Some(years)) => self.years(years)?.into_iter().map(Period::Year).collect(),
            // A plan prints its years; a report the year before and the report year.
            (None, None) if !self.plan_years.is_empty() => {
                self.plan_years.iter().copied().map(Period::Year).collect()
            }
            (None, None) => vec![Period::Year(self.year - 1), Period::Year(self.year)],
        };
        Some(KpiTable {
            title: self.optional_text(table.title)?,
            kpis: table.kpis.into_iter().map(|k| k.value).collect(),
            periods,
            columns: table.columns,
        })
    }

    fn chart(&mut self, chart: raw::Chart) -> Option<Chart> {
        let periods = match (chart.periods, chart.years) {
            (Some(periods), _) => ChartPeriods::Listed(self.periods(periods)?),
            (None, Some(years)) => ChartPeriods::Years(Some(self.years(years)?)),
            (None, None) if !self.plan_years.is_empty() => {
                ChartPeriods::Years(Some(self.plan_years.clone()))
            }
            (None, None) => ChartPeriods::Years(None),
        };
        Some(Chart {
            kpi: chart.kpi.value,
            shape: chart.shape,
            periods,
            target: chart.target,
            title: chart.title,
            with: chart.with.into_iter().map(|k| k.value).collect(),
        })
    }

    fn task(&mut self, task: raw::Task) -> Option<Task> {
        let status_origin = task.status.origin(self.file);
        Some(Task {
            id: task.id.value,
            title: self.text(task.title)?,
            group: self.optional_text(task.group)?,
            status: self.value(task.status)?,
            status_origin,
            status_note: self.optional_text(task.status_note)?,
            blocks: self.blocks(task.blocks)?,
        })
    }

    /// A row block's rows, as the checks selected them (none where the checks read none).
    fn filled(&mut self, at: Origin, named: Option<String>, matching: Match) -> FilledRows {
        self.filled.remove(&at).unwrap_or(FilledRows {
            table: named,
            matching,
            rows: Vec::new(),
        })
    }

    fn assignments(&mut self, spanned: Spanned<raw::Assignments>) -> Assignments {
        let at = origin_of(self.file, &spanned);
        let a = spanned.value;
        let named = a.table.map(|t| t.value);
        let filled = self.filled(at, named, a.matching.unwrap_or(Match::All));
        Assignments {
            table: filled.table,
            matching: filled.matching,
            amount: a.amount.map(|a| a.value),
            label: a.label,
            amount_label: a.amount_label,
            rows: filled.rows,
        }
    }

    fn calendar(&mut self, spanned: Spanned<raw::Calendar>) -> Option<Calendar> {
        let at = origin_of(self.file, &spanned);
        let c = spanned.value;
        let reporting = match c.reporting {
            Some(r) => Some(Reporting {
                months: r
                    .months
                    .iter()
                    .map(|m| self.month(m))
                    .collect::<Option<_>>()?,
                text: r.text,
                last: r.last,
            }),
            None => None,
        };
        let dates = c
            .dates
            .into_iter()
            .map(|item| Some((self.value(item.date)?, item.text)))
            .collect::<Option<_>>()?;
        let filled = self.filled(at, c.table.map(|t| t.value), Match::All);
        Some(Calendar {
            table: filled.table,
            reporting,
            dates,
            rows: filled.rows,
        })
    }

    fn month(&mut self, written: &Spanned<String>) -> Option<u32> {
        let month = month_number(&written.value);
        if month.is_none() {
            self.problems.push(
                Diagnostic::error(
                    origin_of(self.file, written),
                    format!("\"{}\" is not a month", written.value),
                )
                .with_hint("write the month's Norwegian name, e.g. februar"),
            );
        }
        month
    }

    fn periods(&mut self, written: Vec<Spanned<raw::PeriodWritten>>) -> Option<Vec<Period>> {
        written
            .into_iter()
            .map(|w| match w.value.period() {
                Ok(period) => Some(period),
                Err(message) => self.fail(origin_of(self.file, &w), message),
            })
            .collect()
    }

    fn years(&mut self, written: Spanned<raw::YearsWritten>) -> Option<Vec<i32>> {
        match written.value.years() {
            Ok(years) => Some(years),
            Err(message) => self.fail(origin_of(self.file, &written), message),
        }
    }

    fn text(&mut self, text: raw::Text) -> Option<Text> {
        let origin = text.origin(self.file);
        let written = text.written.value;
        match text.value {
            Ok(prose) => Some(Text {
                prose,
                written,
                origin,
            }),
            Err(message) => self.fail(origin, message),
        }
    }

    fn optional_text(&mut self, text: Option<raw::Text>) -> Option<Option<Text>> {
        match text {
            Some(t) => Some(Some(self.text(t)?)),
            None => Some(None),
        }
    }

    fn value<T: raw::FromWritten>(&mut self, parsed: Parsed<T>) -> Option<T> {
        let origin = parsed.origin(self.file);
        match parsed.value {
            Ok(value) => Some(value),
            Err(message) => self.fail(origin, message),
        }
    }

    fn fail<T>(&mut self, origin: Origin, message: String) -> Option<T> {
        self.problems.push(Diagnostic::error(origin, message));
        None
    }
}

fn sections_prose(sections: &[Section]) -> Vec<&Text> {
    let mut all = Vec::new();
    for section in sections {
        all.extend(section.title.iter());
        all.extend(blocks_prose(&section.blocks));
        all.extend(sections_prose(&section.sections));
    }
    all
}

fn blocks_prose(blocks: &[Block]) -> Vec<&Text> {
    let mut all = Vec::new();
    for block in blocks {
        match block {
            Block::P(t) | Block::Heading(t) => all.push(t),
            Block::List(items) | Block::Ordered(items) => {
                for item in items {
                    all.push(&item.text);
                    all.extend(&item.items);
                }
            }
            Block::KpiTable(table) => all.extend(table.title.iter()),
            Block::Table(table) => all.extend(table.caption.iter().chain(&table.note)),
            Block::Tasks(tasks) => {
                for task in tasks {
                    all.push(&task.title);
                    all.extend(task.group.iter());
                    all.extend(task.status_note.iter());
                    all.extend(blocks_prose(&task.blocks));
                }
            }
            Block::Chart(_)
            | Block::Signature(_)
            | Block::Assignments(_)
            | Block::Calendar(_)
            | Block::PageBreak => {}
            Block::Figure(figure) => all.extend(figure.caption.iter().chain(&figure.source)),
            Block::Numbered(items) => {
                for item in items {
                    all.push(&item.title);
                    all.extend(blocks_prose(&item.blocks));
                }
            }
        }
    }
    all
}

fn all_blocks(sections: &[Section]) -> Vec<&Block> {
    fn blocks_of<'a>(blocks: &'a [Block], all: &mut Vec<&'a Block>) {
        for block in blocks {
            all.push(block);
            if let Block::Tasks(tasks) = block {
                for task in tasks {
                    blocks_of(&task.blocks, all);
                }
            }
            if let Block::Numbered(items) = block {
                for item in items {
                    blocks_of(&item.blocks, all);
                }
            }
        }
    }
    let mut all = Vec::new();
    for section in sections {
        blocks_of(&section.blocks, &mut all);
        all.extend(all_blocks(&section.sections));
    }
    all
}

/// A `figure` block: its image read and decoded, its alt text, caption and source line.
#[derive(Debug)]
pub(crate) struct Figure {
    pub(crate) image: Image,
    pub(crate) alt: String,
    pub(crate) caption: Option<Text>,
    pub(crate) source: Option<Text>,
    /// Per cent of the text width.
    pub(crate) width: u32,
}

/// An item of a `numbered` block: a title and its own blocks.
#[derive(Debug)]
pub(crate) struct NumberedItem {
    pub(crate) title: Text,
    pub(crate) blocks: Vec<Block>,
}

impl Typing<'_> {
    /// A figure with its image read: a missing alt text, a width out of range or an image
    /// that cannot be shown is an error at the figure's line.
    fn figure(&mut self, figure: raw::Figure) -> Option<Figure> {
        let at = origin_of(self.file, &figure.file);
        let alt = figure
            .alt
            .as_ref()
            .map(|a| a.value.trim().to_string())
            .filter(|a| !a.is_empty());
        let image = read_image(self.cache, self.file, &figure.file);
        let image = self.checked(image);
        let Some(alt) = alt else {
            self.problems.push(
                Diagnostic::error(at, "the figure has no alt text")
                    .with_hint("write alt: what the figure shows, in a sentence or two, for readers who cannot see it (an accessible PDF needs it)"),
            );
            return None;
        };
        let width = match figure.width {
            Some(w) if !(1..=100).contains(&w.value) => {
                let at = origin_of(self.file, &w);
                return self.fail_with(
                    at,
                    format!("width {} is not a per cent of the text width", w.value),
                    "write a width from 1 to 100 (per cent), or leave it out for the full width",
                );
            }
            Some(w) => w.value,
            None => 100,
        };
        Some(Figure {
            image: image?,
            alt,
            caption: self.optional_text(figure.caption)?,
            source: self.optional_text(figure.source)?,
            width,
        })
    }

    fn numbered(&mut self, items: Vec<raw::NumberedItem>) -> Option<Vec<NumberedItem>> {
        items
            .into_iter()
            .map(|item| {
                Some(NumberedItem {
                    title: self.text(item.title)?,
                    blocks: self.blocks(item.blocks)?,
                })
            })
            .collect()
    }

    /// The value, or its problem told.
    fn checked<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result.map_err(|d| self.problems.push(d)).ok()
    }

    fn fail_with<T>(&mut self, origin: Origin, message: String, hint: &str) -> Option<T> {
        self.problems
            .push(Diagnostic::error(origin, message).with_hint(hint));
        None
    }
}
