//! The narratives as staff write them in YAML (a document of sections and typed blocks): the
//! input schema, read with serde. The checks read these; once they pass, the model's typed
//! [`super::content::Content`] replaces them, and no later stage sees this schema.
//!
//! Every parsed field keeps what was written and where ([`Spanned`]), so a problem inside it
//! (a date that is no date, an unknown KPI reference) is reported at its line and column by
//! the checks. Unknown keys are errors: a misspelt key would otherwise silently drop text.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

pub(crate) mod table;

use super::TaskStatus;
use super::prose::Prose;
use crate::diag::{Diagnostic, Origin};
use crate::ingest::yaml::{Spanned, origin_of};

/// A field parsed as it is read: the text as written (with its place) and the value, or why
/// the text does not give one. The checks report the latter; the typed content holds only
/// values.
#[derive(Debug)]
pub(crate) struct Parsed<T> {
    pub(crate) written: Spanned<String>,
    pub(crate) value: Result<T, String>,
}

/// How a narrative field's text becomes its value.
pub(crate) trait FromWritten: Sized {
    fn from_written(text: &str) -> Result<Self, String>;

    /// What an editor may offer for the field (JSON Schema).
    fn json_schema() -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

impl FromWritten for Prose {
    fn from_written(text: &str) -> Result<Prose, String> {
        Prose::parse(text)
    }
}

impl FromWritten for NaiveDate {
    fn from_written(text: &str) -> Result<NaiveDate, String> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| format!("\"{text}\" is not a date"))
    }

    fn json_schema() -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

impl FromWritten for TaskStatus {
    fn from_written(text: &str) -> Result<TaskStatus, String> {
        TaskStatus::parse(text).ok_or_else(|| format!("\"{text}\" is not a task status"))
    }

    fn json_schema() -> schemars::Schema {
        let words: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.text()).collect();
        schemars::json_schema!({ "type": "string", "enum": words })
    }
}

impl<T: FromWritten> Parsed<T> {
    pub(crate) fn new(written: Spanned<String>) -> Parsed<T> {
        let value = T::from_written(&written.value);
        Parsed { written, value }
    }

    pub(crate) fn origin(&self, file: &Path) -> Origin {
        origin_of(file, &self.written)
    }
}

impl<T: FromWritten> schemars::JsonSchema for Parsed<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Written".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema()
    }
}

impl<'de, T: FromWritten> Deserialize<'de> for Parsed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Spanned::<String>::deserialize(deserializer).map(Parsed::new)
    }
}

/// A prose field.
pub(crate) type Text = Parsed<Prose>;
/// A date field, written `YYYY-MM-DD`.
pub(crate) type Date = Parsed<NaiveDate>;

impl Date {
    /// The problem of a date that does not parse.
    pub(crate) fn problem(&self, file: &Path) -> Option<Diagnostic> {
        let message = self.value.as_ref().err()?;
        Some(
            Diagnostic::error(self.origin(file), message.clone())
                .with_hint("write dates as YYYY-MM-DD, e.g. 2019-04-26"),
        )
    }
}

/// A narrative: the document's metadata, footnotes and sections of typed blocks. Every part
/// but the title and the year is optional; a template that needs a section the narrative does
/// not have says so at its own line.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Narrative {
    pub(crate) document: DocumentInfo,
    #[serde(default)]
    pub(crate) footnotes: BTreeMap<String, Text>,
    #[serde(default)]
    pub(crate) sections: Vec<Section>,
    /// Warnings the document is built with on purpose, each with the reason: a final build
    /// proceeds, and the build report lists them.
    #[serde(default)]
    pub(crate) acknowledge: Vec<Acknowledge>,
}

/// `acknowledge:` one warning of this document, by a part of its message, and why.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Acknowledge {
    /// A part of the warning's message, as `rapportverk check` prints it (`after the report year`).
    #[schemars(with = "String")]
    pub(crate) warning: Spanned<String>,
    /// Why the document is right to print as it does: the build report keeps it.
    pub(crate) reason: String,
}

/// One unit's own text in a document built per unit (a sector's chapter, a department's
/// paragraph): sections the template finds under `unit`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnitNarrative {
    #[serde(default)]
    pub(crate) footnotes: BTreeMap<String, Text>,
    #[serde(default)]
    pub(crate) sections: Vec<Section>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DocumentInfo {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) subtitle: Option<String>,
    /// Falls back to the manifest's `branding: name`.
    #[serde(default)]
    pub(crate) municipality: Option<String>,
    /// The report year whose data the document prints.
    pub(crate) year: i32,
    /// The document's date (signed, sent); the end of the year when not given.
    #[serde(default)]
    pub(crate) date: Option<Date>,
    #[serde(default)]
    pub(crate) period: Option<Period>,
    #[serde(default)]
    pub(crate) author: String,
    #[serde(default)]
    pub(crate) subject: String,
    #[serde(default)]
    pub(crate) keywords: Vec<String>,
    /// What one unit is called (`Kommunalsjefområde`, `Sektor`), for templates that name it.
    #[serde(default)]
    pub(crate) unit_title: Option<String>,
    /// A short title for the PDF's title and footer (`Oppdragsbrev 2022`), when the title is long.
    #[serde(default)]
    pub(crate) short_title: Option<String>,
    /// Title-block or letterhead lines (Grunnlag, Arkivsaksnr …) in the order written.
    #[serde(default)]
    pub(crate) fields: Vec<Field>,
    /// How headings and captions are numbered (`{ start: 2, depth: 2, captions: chapter }`).
    #[serde(default)]
    pub(crate) numbering: Option<super::numbering::Numbering>,
    /// The years a plan covers (`2021-2024`: the budget year and the plan years after it):
    /// tables and charts that name no years print these, and their figures are printed,
    /// not "after the report year".
    #[serde(default)]
    #[schemars(with = "Option<YearsWritten>")]
    pub(crate) plan_years: Option<Spanned<YearsWritten>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Field {
    pub(crate) label: String,
    pub(crate) value: Text,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Period {
    pub(crate) from: Date,
    pub(crate) to: Date,
}

/// A section: an optional id (for templates that place it by name), number and title, its
/// blocks and subsections.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Section {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) id: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) number: Option<u32>,
    #[serde(default)]
    pub(crate) title: Option<Text>,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
    #[serde(default)]
    pub(crate) sections: Vec<Section>,
    /// This section's heading number and how deep below it headings are numbered
    /// (`{ start: 3 }`, `{ depth: 3 }`).
    #[serde(default)]
    pub(crate) numbering: Option<super::numbering::Numbering>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Task {
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    pub(crate) title: Text,
    #[serde(default)]
    pub(crate) group: Option<Text>,
    pub(crate) status: Parsed<TaskStatus>,
    #[serde(default)]
    pub(crate) status_note: Option<Text>,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
}

/// A table of KPIs (rows) over years (columns, oldest first).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct KpiTable {
    #[serde(default)]
    pub(crate) title: Option<Text>,
    #[schemars(with = "Vec<String>")]
    pub(crate) kpis: Vec<Spanned<String>>,
    /// `2016-2018`, or one year; the report year and the year before when not given.
    #[serde(default)]
    #[schemars(with = "Option<YearsWritten>")]
    pub(crate) years: Option<Spanned<YearsWritten>>,
    /// Periods instead of years, in the order given: `[2023, "T1 2024", "T2 2024"]`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<PeriodWritten>>")]
    pub(crate) periods: Option<Vec<Spanned<PeriodWritten>>>,
    /// Columns after the years, in this order.
    #[serde(default = "KpiColumn::default_set")]
    pub(crate) columns: Vec<KpiColumn>,
}

/// A column of a KPI table besides the years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum KpiColumn {
    Unit,
    Target,
    Change,
    Status,
}

impl KpiColumn {
    fn default_set() -> Vec<KpiColumn> {
        vec![
            KpiColumn::Unit,
            KpiColumn::Target,
            KpiColumn::Change,
            KpiColumn::Status,
        ]
    }
}

/// A chart of one KPI over years.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Chart {
    #[schemars(with = "String")]
    pub(crate) kpi: Spanned<String>,
    #[serde(default, rename = "type")]
    pub(crate) shape: ChartShape,
    /// Every observed year when not given.
    #[serde(default)]
    #[schemars(with = "Option<YearsWritten>")]
    pub(crate) years: Option<Spanned<YearsWritten>>,
    /// Periods instead of years, in the order given: `["T1 2024", "T2 2024", "T3 2024"]`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<PeriodWritten>>")]
    pub(crate) periods: Option<Vec<Spanned<PeriodWritten>>>,
    /// Whether the KPI's target is drawn as a line (when it has one).
    #[serde(default = "yes")]
    pub(crate) target: bool,
    #[serde(default)]
    pub(crate) title: Option<String>,
    /// More KPIs in the same chart, after `kpi`: grouped bars or one line each, with a
    /// legend. They share the value axis, so they must have `kpi`'s unit.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) with: Vec<Spanned<String>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChartShape {
    #[default]
    Bar,
    Line,
}

/// A period as written: `2024`, `T2 2024`, `2024K4`, `2024M03`, `2020-21`.
#[derive(Debug, Clone)]
pub(crate) struct PeriodWritten(pub(crate) String);

impl PeriodWritten {
    pub(crate) fn period(&self) -> Result<crate::model::period::Period, String> {
        crate::model::period::Period::parse(&self.0).ok_or_else(|| {
            format!(
                "\"{}\" is not a period (a year 2024, a tertial T2 2024, a quarter 2024K4, a month 2024M03 or a school year 2020-21)",
                self.0
            )
        })
    }
}

impl schemars::JsonSchema for PeriodWritten {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A year (2024), tertial (T2 2024), quarter (2024K4), month (2024M03) or school year (2020-21)",
            "type": ["integer", "string"]
        })
    }
}

impl<'de> Deserialize<'de> for PeriodWritten {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        YearsWritten::deserialize(deserializer).map(|y| PeriodWritten(y.0))
    }
}

/// A year range as written: `2016-2018`, `2016–2018` or `2018`.
#[derive(Debug, Clone)]
pub(crate) struct YearsWritten(pub(crate) String);

impl YearsWritten {
    /// The years, oldest first, or why the text gives none.
    pub(crate) fn years(&self) -> Result<Vec<i32>, String> {
        let text = self.0.trim();
        let bad = || format!("\"{text}\" is not a year or a range of years");
        let year = |t: &str| {
            t.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
        };
        let (first, last) = match text.split_once(['-', '–']) {
            Some((a, b)) => (year(a).ok_or_else(bad)?, year(b).ok_or_else(bad)?),
            None => {
                let y = year(text).ok_or_else(bad)?;
                (y, y)
            }
        };
        if last < first || last - first > 30 {
            return Err(bad());
        }
        Ok((first..=last).collect())
    }
}

impl schemars::JsonSchema for YearsWritten {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Years".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A year (2018) or a range of years (2016-2018)",
            "type": ["integer", "string"],
            "pattern": "^\\s*[0-9]{4}\\s*([-–]\\s*[0-9]{4}\\s*)?$"
        })
    }
}

impl<'de> Deserialize<'de> for YearsWritten {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = YearsWritten;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a year or a range of years such as 2016-2018")
            }
            fn visit_i64<E>(self, v: i64) -> Result<YearsWritten, E> {
                Ok(YearsWritten(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<YearsWritten, E> {
                Ok(YearsWritten(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<YearsWritten, E> {
                Ok(YearsWritten(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One block of a section. Templates render each kind with a shared macro
/// (`templates/_blokker.typ.j2`); docs/src/write-your-own-report.md shows each with an example.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Block {
    /// A paragraph of inline markup with `{{ kpi(…) }}`, `{{ change(…) }}`, footnotes, links.
    P(Text),
    /// A run-in heading inside a section.
    Heading(Text),
    List(Vec<ListItem>),
    Ordered(Vec<ListItem>),
    KpiTable(KpiTable),
    Chart(Chart),
    Tasks(Vec<Task>),
    Signature(Signature),
    /// Rows of a data table for this document's unit (docs/src/assignment-letters.md).
    Assignments(#[schemars(with = "Assignments")] Spanned<Assignments>),
    /// Reporting months and the dates of the unit's rows, month by month.
    Calendar(#[schemars(with = "Calendar")] Spanned<Calendar>),
    PageBreak,
    /// An image from the project (SVG, PNG, JPEG) with its caption, source line and alt text.
    Figure(Figure),
    /// Numbered items that each hold a title and blocks of their own ("1: Et trygt arbeidsliv
    /// …" and its paragraphs).
    Numbered(Vec<NumberedItem>),
    // Boxed: the block is large, and every other block would carry its size.
    /// Rows of any data table with columns of amounts, groups, subtotals and a total.
    Table(#[schemars(with = "table::TableBlock")] Box<Spanned<table::TableBlock>>),
}

/// Which rows of the table an `assignments` block shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Match {
    /// The rows whose unit column names this output's unit (every row in an overview).
    Unit,
    /// The rows of other units that name this output's unit among their partners.
    Partner,
    /// Every row.
    All,
}

/// `assignments:` rows of a table filtered to this document's unit, sorted.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Assignments {
    /// A data source id; the document's `per_unit: source` when not given.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) table: Option<Spanned<String>>,
    /// `unit` (the default for a document built per unit), `partner` or `all`.
    #[serde(default, rename = "match")]
    pub(crate) matching: Option<Match>,
    /// Only rows whose column holds this value (`klimatiltak: ja`).
    #[serde(default, rename = "where")]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(crate) filter: BTreeMap<String, Spanned<String>>,
    /// A column (or field) to sort by; by deadline when not given, then by id.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) sort: Option<Spanned<String>>,
    /// A column of numbers to sum (`co2e_tonn`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) amount: Option<Spanned<String>>,
    /// What a row is called, for the title column's header (`Klimatiltak`); the locale's
    /// word for an assignment when not given.
    #[serde(default)]
    pub(crate) label: Option<String>,
    /// What the amount is, for the table header and the appendix (`tonn CO₂e`); the
    /// column's name when not given.
    #[serde(default)]
    pub(crate) amount_label: Option<String>,
    /// Field → column header, where the table's headers differ from the defaults.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(crate) columns: BTreeMap<String, Spanned<String>>,
    /// Optional fields every row must fill in (`[source, responsible]`).
    #[serde(default)]
    pub(crate) required: Vec<String>,
}

/// `calendar:` what happens month by month: reporting months, fixed dates, and the deadlines
/// of the unit's rows (and of rows it is a partner in) of a table.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Calendar {
    /// A data source id; the document's `per_unit: source` when not given.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) table: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(crate) columns: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(crate) reporting: Option<Reporting>,
    #[serde(default)]
    pub(crate) dates: Vec<DatedItem>,
}

/// The months with a report: `months: [februar, april]`, each listed as `text` (the last
/// month as `last`, when given).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reporting {
    #[schemars(with = "Vec<String>")]
    pub(crate) months: Vec<Spanned<String>>,
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) last: Option<String>,
}

/// A fixed date of the calendar.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DatedItem {
    pub(crate) date: Date,
    pub(crate) text: String,
}

/// A bullet: plain text, or a lead with sub-bullets.
#[derive(Debug)]
pub(crate) enum ListItem {
    Plain(Text),
    Nested { text: Text, items: Vec<Text> },
}

/// A bullet as written; serde cannot keep spans inside an untagged enum, so the item's own
/// span is taken around it (sub-bullets share their lead's position).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawListItem {
    Plain(String),
    Nested(NestedItem),
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NestedItem {
    text: String,
    items: Vec<String>,
}

impl schemars::JsonSchema for ListItem {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ListItem".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let nested = generator.subschema_for::<NestedItem>();
        schemars::json_schema!({
            "description": "A bullet: text, or a lead with sub-bullets",
            "anyOf": [{ "type": "string" }, nested]
        })
    }
}

impl<'de> Deserialize<'de> for ListItem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: Spanned<RawListItem> = Spanned::deserialize(deserializer)?;
        let at = |text: String| Parsed::new(Spanned::new(text, raw.referenced, raw.defined));
        Ok(match raw.value {
            RawListItem::Plain(text) => ListItem::Plain(at(text)),
            RawListItem::Nested(NestedItem { text, items }) => ListItem::Nested {
                text: at(text),
                items: items.into_iter().map(at).collect(),
            },
        })
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Signature {
    pub(crate) date: Date,
    pub(crate) name: String,
    pub(crate) role: String,
}

impl Block {
    fn prose(&self) -> Vec<&Text> {
        match self {
            Block::P(t) | Block::Heading(t) => vec![t],
            Block::List(items) | Block::Ordered(items) => items
                .iter()
                .flat_map(|item| match item {
                    ListItem::Plain(t) => vec![t],
                    ListItem::Nested { text, items } => {
                        std::iter::once(text).chain(items.iter()).collect()
                    }
                })
                .collect(),
            Block::KpiTable(table) => table.title.iter().collect(),
            Block::Table(table) => table
                .value
                .caption
                .iter()
                .chain(&table.value.note)
                .collect(),
            Block::Tasks(tasks) => tasks
                .iter()
                .flat_map(|task| {
                    let mut all = vec![&task.title];
                    all.extend(task.group.iter());
                    all.extend(task.status_note.iter());
                    all.extend(blocks_prose(&task.blocks));
                    all
                })
                .collect(),
            Block::Chart(_)
            | Block::Signature(_)
            | Block::Assignments(_)
            | Block::Calendar(_)
            | Block::PageBreak => Vec::new(),
            Block::Figure(figure) => figure.prose(),
            Block::Numbered(items) => numbered_prose(items),
        }
    }
}

pub(crate) fn blocks_prose(blocks: &[Block]) -> impl Iterator<Item = &Text> {
    blocks.iter().flat_map(Block::prose)
}

/// Every block of some sections and their subsections, in document order.
pub(crate) fn all_blocks(sections: &[Section]) -> Vec<&Block> {
    let mut all = Vec::new();
    for section in sections {
        all.extend(&section.blocks);
        for block in &section.blocks {
            if let Block::Tasks(tasks) = block {
                for task in tasks {
                    all.extend(&task.blocks);
                }
            }
            if let Block::Numbered(items) = block {
                all.extend(items.iter().flat_map(|item| &item.blocks));
            }
        }
        all.extend(all_blocks(&section.sections));
    }
    all
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

impl Narrative {
    /// Every prose field, in document order (footnote bodies last): the fields that may hold
    /// markup and references.
    pub(crate) fn prose(&self) -> Vec<&Text> {
        let mut all: Vec<&Text> = self.document.fields.iter().map(|f| &f.value).collect();
        all.extend(sections_prose(&self.sections));
        all.extend(self.footnotes.values());
        all
    }
}

impl UnitNarrative {
    pub(crate) fn prose(&self) -> Vec<&Text> {
        let mut all = sections_prose(&self.sections);
        all.extend(self.footnotes.values());
        all
    }
}

/// The JSON Schema of a narrative file, generated from [`Narrative`]: a document's narrative
/// has `document:`; one unit's own text (`per_unit: narratives`) has only `sections:` and
/// `footnotes:`, so one schema serves both with `document` not required (the reader still
/// requires it where it must be), and every error keeps its exact path.
pub fn narrative_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Narrative);
    schema.insert("title".into(), "rapportverk narrative".into());
    let mut value = schema.to_value();
    if let Some(required) = value.get_mut("required").and_then(|r| r.as_array_mut()) {
        required.retain(|key| key != "document");
    }
    value
}

/// `figure:` an image from the project with its caption, source line and alt text.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Figure {
    /// The image: an SVG, PNG or JPEG file inside the project, relative to the narrative.
    #[schemars(with = "String")]
    pub(crate) file: Spanned<String>,
    /// What the figure shows, in words, for readers who cannot see it (required: it is the
    /// figure's text in an accessible PDF).
    #[serde(default)]
    #[schemars(with = "String", required)]
    pub(crate) alt: Option<Spanned<String>>,
    /// The caption, printed after "Figur 2.1:".
    #[serde(default)]
    pub(crate) caption: Option<Text>,
    /// Where the figure comes from, printed under it after "Kilde:".
    #[serde(default)]
    pub(crate) source: Option<Text>,
    /// The width in per cent of the text width (100 when not given).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub(crate) width: Option<Spanned<u32>>,
}

impl Figure {
    fn prose(&self) -> Vec<&Text> {
        self.caption.iter().chain(self.source.iter()).collect()
    }
}

/// One item of a `numbered:` block: its title after the number, and its own blocks.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NumberedItem {
    pub(crate) title: Text,
    #[serde(default)]
    pub(crate) blocks: Vec<Block>,
}

fn numbered_prose(items: &[NumberedItem]) -> Vec<&Text> {
    items
        .iter()
        .flat_map(|item| std::iter::once(&item.title).chain(blocks_prose(&item.blocks)))
        .collect()
}
