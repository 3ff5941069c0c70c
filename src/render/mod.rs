//! Render: minijinja templates (`templates/*.typ.j2`) filled from a view, emitting Typst source.
//!
//! Auto-escaping is on for every `.typ.j2` template: a plain string printed with `{{ … }}`
//! becomes a Typst string literal in markup, so input text can never become markup. Prose
//! arrives as the view's tree ([`ProseView`]) and becomes Typst markup here, its text still
//! as string literals.

pub mod escape;
mod prose;
mod source_map;

pub use source_map::SourceMap;

/// Norwegian formatting lives in [`crate::norsk`]; this path stays for the integration tests.
pub use crate::norsk as format;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value};
use serde::Serialize;

use crate::diag::{Diagnostic, Origin};
use crate::load::SourceCache;
use crate::view::document::{DocumentView, SectionsById};
use crate::view::frame::Frame;
use crate::view::printed::{FigureSource, PrintedFigure};
use crate::view::prose::{PrintedProse, ProseView};

const TYPST_ESCAPE: &str = "typst";

/// The template environment for one project, built once per run.
pub struct Templates {
    env: Environment<'static>,
    /// The same templates with their lines marked, for the [`SourceMap`].
    marked: Environment<'static>,
    dir: PathBuf,
}

/// One document rendered: its Typst source, the map back to template lines, and every figure
/// the template printed (what its provenance appendix lists).
pub struct RenderedDocument {
    pub source: String,
    pub map: SourceMap,
    pub printed: Vec<FigureSource>,
}

/// The figures a template printed, noted by the formatter in the render's own state:
/// (id, period) → the figure, the first print of each kept.
#[derive(Default)]
struct PrintedFigures(BTreeMap<(String, String), FigureSource>);

impl PrintedFigures {
    fn note(state: &mut State, sources: &[FigureSource]) {
        let printed = state.get_or_insert_extension(PrintedFigures::default());
        for source in sources {
            printed
                .0
                .entry((source.id.clone(), source.period.clone()))
                .or_insert_with(|| source.clone());
        }
    }
}

impl Templates {
    /// Loads templates lazily from `dir` through the run's source cache; only names inside
    /// `dir` can be loaded. Templates see `library`, the layout library's folder as Typst
    /// finds it (`/templates/lib`), for their `#import`.
    pub fn new(dir: &Path, library: &str, cache: &SourceCache) -> Templates {
        Templates {
            env: environment(dir, library, cache, false),
            marked: environment(dir, library, cache, true),
            dir: dir.to_path_buf(),
        }
    }

    /// Adds a value every template sees by `name` (the project's `brand`).
    pub fn with_global(mut self, name: &'static str, value: Value) -> Templates {
        self.env.add_global(name, value.clone());
        self.marked.add_global(name, value);
        self
    }

    /// Renders `template` with `view`; a template error names the template's file and line.
    pub fn render<V: Serialize>(&self, template: &str, view: &V) -> Result<String, Diagnostic> {
        let context = Value::from(minijinja::value::Serde(view));
        self.render_context(template, &context)
            .map(|(source, _)| source)
    }

    fn render_context(
        &self,
        template: &str,
        context: &Value,
    ) -> Result<(String, Vec<FigureSource>), Diagnostic> {
        let tmpl = self
            .env
            .get_template(template)
            .map_err(|e| self.diagnostic(template, &e, context))?;
        let captured = tmpl
            .render_captured(context.clone())
            .map_err(|e| self.diagnostic(template, &e, context))?;
        let printed = captured
            .state()
            .get_extension::<PrintedFigures>()
            .map(|p| p.0.values().cloned().collect())
            .unwrap_or_default();
        Ok((captured.into_output(), printed))
    }

    /// Renders one document in its frame. The template is rendered once to learn which
    /// figures it prints, then again with the provenance appendix listing exactly those;
    /// the map back to template lines comes from a third render of the marked templates.
    pub(crate) fn render_document(
        &self,
        template: &str,
        view: &mut DocumentView,
        frame: &Frame,
    ) -> Result<RenderedDocument, Diagnostic> {
        let (_, printed) = self.render_context(template, &frame.around(&*view))?;
        view.provenance.list(&printed);
        let context = frame.around(&*view);
        let (source, printed_finally) = self.render_context(template, &context)?;
        let map = self
            .marked
            .get_template(template)
            .and_then(|t| t.render(context))
            .ok()
            .and_then(|marked| source_map::unmark(&marked, &source, &self.dir))
            .unwrap_or_default();
        // The appendix prints no figure objects, so both renders print the same figures.
        debug_assert_eq!(printed, printed_finally);
        Ok(RenderedDocument {
            source,
            map,
            printed,
        })
    }
}

/// A minijinja environment for the templates in `dir`; with `marks`, each template is loaded
/// with its lines marked (and its name recorded there) for the [`SourceMap`].
fn environment(
    dir: &Path,
    library: &str,
    cache: &SourceCache,
    marks: bool,
) -> Environment<'static> {
    let mut env = Environment::new();
    env.add_global("library", library.to_string());
    let loader_dir = dir.to_path_buf();
    let cache = cache.clone();
    env.set_loader(move |name| {
        // Template names are plain file names below the templates folder.
        if name.contains("..") || name.starts_with('/') || name.contains('\\') {
            return Ok(None);
        }
        let path = loader_dir.join(name);
        if !path.is_file() {
            return Ok(None);
        }
        let file = cache.read(&path).map_err(|d| {
            Error::new(ErrorKind::InvalidOperation, "cannot read template").with_source(d)
        })?;
        let text = String::from_utf8(file.bytes.clone()).map_err(|e| {
            Error::new(ErrorKind::InvalidOperation, "the template is not UTF-8").with_source(e)
        })?;
        Ok(Some(if marks {
            source_map::mark_lines(name, &text)
        } else {
            text
        }))
    });
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".typ.j2") {
            AutoEscape::Custom(TYPST_ESCAPE.into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        if !matches!(state.auto_escape(), AutoEscape::Custom(name) if name == TYPST_ESCAPE) {
            return minijinja::escape_formatter(out, state, value);
        }
        if let Some(figure) = value.downcast_object_ref::<PrintedFigure>() {
            PrintedFigures::note(state, &figure.sources);
            out.write_str(&escape::markup_text(&figure.text))
                .map_err(Error::from)
        } else if let Some(printed) = value.downcast_object_ref::<PrintedProse>() {
            PrintedFigures::note(state, &printed.sources);
            out.write_str(&prose::to_typst(&printed.prose))
                .map_err(Error::from)
        } else if let Some(prose) = value.downcast_object_ref::<ProseView>() {
            out.write_str(&prose::to_typst(prose)).map_err(Error::from)
        } else if value.is_safe() || value.is_number() {
            // Numbers carry no markup and are needed raw in code position (chart geometry).
            write!(out, "{value}").map_err(Error::from)
        } else if value.is_none() || value.is_undefined() {
            Ok(())
        } else {
            let text = match value.as_str() {
                Some(s) => s.to_string(),
                None => value.to_string(),
            };
            out.write_str(&escape::markup_text(&text))
                .map_err(Error::from)
        }
    });
    // `{{ s | str }}`: a Typst string literal, for code position (document metadata).
    env.add_filter("str", |value: Value| -> Value {
        Value::from_safe_string(escape::string_literal(&PrintedFigure::text_of(&value)))
    });
    env
}

impl Templates {
    fn diagnostic(&self, template: &str, error: &Error, context: &Value) -> Diagnostic {
        let name = error.name().unwrap_or(template);
        let origin = match error.line() {
            Some(line) => Origin::text(self.dir.join(name), line, 1),
            None => Origin::file(self.dir.join(name)),
        };
        if error.kind() == ErrorKind::UndefinedError
            && let Some((id, narrative)) = self.missing_section(name, error, context)
        {
            return Diagnostic::error(
                origin,
                format!("the template needs the section \"{id}\", which {narrative} does not have"),
            )
            .with_hint(format!(
                "add a section with id: {id} under sections: in {narrative}, or let the template test for it: {{% if section.{id} is defined %}}"
            ));
        }
        let hint = match error.kind() {
            ErrorKind::TemplateNotFound => {
                format!(
                    "the manifest names a template that is not in {}",
                    self.dir.display()
                )
            }
            ErrorKind::UndefinedError => {
                "the template uses a name the view does not have; see docs/src/templates.md"
                    .to_string()
            }
            _ => "fix the template at this line".to_string(),
        };
        let message = match error.detail() {
            Some(detail) => format!("template error: {detail}"),
            None => format!("template error: {}", error.kind()),
        };
        Diagnostic::error(origin, message).with_hint(hint)
    }

    /// When an undefined value is a section the narrative lacks (`section.hilsen.blocks`):
    /// the id and the narrative's file. Found by following the failing expression's names
    /// from the template's context to the first one that is missing.
    fn missing_section(
        &self,
        name: &str,
        error: &Error,
        context: &Value,
    ) -> Option<(String, String)> {
        let template = self.env.get_template(name).ok()?;
        let source = template.source();
        let range = error.range()?;
        // The range may start inside a dotted name (`.hilsen.blocks`): take the whole name.
        let start = source
            .get(..range.start)?
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |at| at + 1);
        let expression = source.get(start..range.end)?;
        // Each dotted name in the expression (`blocks(section.hilsen.blocks)` has two).
        expression
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .filter(|path| !path.is_empty())
            .find_map(|path| missing_in(context, path))
    }
}

/// The first name of `path` (`section.hilsen.blocks`) missing below `context`, when the value
/// it is missing from is a narrative's sections: (id, narrative file).
fn missing_in(context: &Value, path: &str) -> Option<(String, String)> {
    let mut current = context.clone();
    for step in path.split('.') {
        match current.get_attr(step).ok().filter(|v| !v.is_undefined()) {
            Some(next) => current = next,
            None => {
                let sections = current.downcast_object_ref::<SectionsById>()?;
                return Some((step.to_string(), sections.narrative().to_string()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &str, ctx: Value) -> String {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.typ.j2"), source).unwrap();
        Templates::new(dir.path(), "/lib", &crate::load::SourceCache::new())
            .render("t.typ.j2", &ctx)
            .unwrap()
    }

    #[test]
    fn strings_are_escaped_safe_values_are_not() {
        let ctx = minijinja::context! {
            s => "#panic(\"x\") [d]",
            m => Value::from_safe_string("#strong[a]".into()),
            n => 7.5,
        };
        assert_eq!(
            render("{{ s }}|{{ m }}|{{ n }}|{{ s | str }}", ctx),
            "#\"#panic(\\\"x\\\") [d]\";|#strong[a]|7.5|\"#panic(\\\"x\\\") [d]\""
        );
    }

    #[test]
    fn safe_values_survive_serialisation() {
        #[derive(Serialize)]
        struct V {
            m: Value,
        }
        let ctx = Value::from(minijinja::value::Serde(V {
            m: Value::from_safe_string("#emph[a]".into()),
        }));
        assert_eq!(render("{{ m }}", ctx), "#emph[a]");
    }

    #[test]
    fn prose_survives_serialisation_and_is_true_unless_empty() {
        use crate::view::prose::{InlineView, PartView};
        #[derive(Serialize)]
        struct V {
            p: Option<Value>,
            e: Value,
        }
        let prose = ProseView::Nodes(vec![InlineView::Emph(vec![InlineView::Run(vec![
            PartView::Text("a".into()),
        ])])]);
        let ctx = Value::from(minijinja::value::Serde(V {
            p: Some(Value::from_object(prose)),
            e: Value::from_object(ProseView::AsWritten(String::new())),
        }));
        assert_eq!(
            render("{% if p %}[{{ p }}]{% endif %}{% if e %}e{% endif %}", ctx),
            "[#emph[#\"a\";]]"
        );
    }

    #[test]
    fn undefined_names_are_errors_with_a_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.typ.j2"), "ok\n{{ nope }}\n").unwrap();
        let err = Templates::new(dir.path(), "/lib", &crate::load::SourceCache::new())
            .render("t.typ.j2", &minijinja::context! {})
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("t.typ.j2:2:1: error: template error"),
            "{err}"
        );
    }
}
