//! A figure as a document prints it, carrying where it came from: the render stage notes each
//! one a template actually prints, so the provenance appendix lists exactly what the PDF
//! shows (a view holds more figures than a template may print).

use std::fmt;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Object, ObjectRepr};

use crate::diag::Origin;

/// One entry of the provenance appendix: a figure a printed text shows, and its cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FigureSource {
    /// The KPI id (or row id), prefixed by the unit in a volume of several units.
    pub id: String,
    pub name: String,
    /// `2018`, `mål`, `frist` …
    pub period: String,
    /// As the appendix prints it: `7,3 %`, `15. februar 2022`.
    pub value: String,
    pub origin: Origin,
}

/// A printed figure: its text and the figures it shows (a change shows two years, a status
/// its figure and the target).
#[derive(Debug, Clone)]
pub struct PrintedFigure {
    pub(crate) text: String,
    pub(crate) sources: Vec<FigureSource>,
}

impl PrintedFigure {
    /// A template value that prints `text` and, printed, notes `sources` in the appendix.
    pub(crate) fn value(text: String, sources: Vec<FigureSource>) -> Value {
        Value::from_object(PrintedFigure { text, sources })
    }

    /// The sources of what `value` prints, when it is a printed figure.
    pub fn sources_of(value: &Value) -> Option<&[FigureSource]> {
        value
            .downcast_object_ref::<PrintedFigure>()
            .map(|f| f.sources.as_slice())
    }

    /// The text of a printed figure, or of any other value as minijinja shows it.
    pub fn text_of(value: &Value) -> String {
        match value.downcast_object_ref::<PrintedFigure>() {
            Some(figure) => figure.text.clone(),
            None => value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string),
        }
    }
}

impl Object for PrintedFigure {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.text.is_empty()
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
