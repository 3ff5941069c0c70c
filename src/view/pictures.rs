//! Figure blocks as templates see them: the image by the path the Typst world serves it at,
//! its alt text, caption and source line. Kept apart from `blocks.rs`, which dispatches here.

use minijinja::Value;
use serde::Serialize;

use crate::model::content::Figure;

use super::prose::{Resolve, prose_value};

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FigureView {
    /// Where the image is below the project root (`/input/narrativ/figurer/styring.svg`).
    pub(crate) path: String,
    /// What the figure shows, in words (the image's /Alt in the PDF).
    pub(crate) alt: String,
    pub(crate) caption: Option<Value>,
    /// The source line's text, printed after the locale's "Kilde:".
    pub(crate) source: Option<Value>,
    /// Per cent of the text width.
    pub(crate) width: u32,
}

pub(crate) fn figure(figure: &Figure, resolve: &dyn Resolve) -> FigureView {
    FigureView {
        path: figure.image.typst_path.clone(),
        alt: figure.alt.clone(),
        caption: figure.caption.as_ref().map(|t| prose_value(t, resolve)),
        source: figure.source.as_ref().map(|t| prose_value(t, resolve)),
        width: figure.width,
    }
}
