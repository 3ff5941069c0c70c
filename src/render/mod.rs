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

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;

use crate::diag::{Diagnostic, Origin};
use crate::load::SourceCache;
use crate::view::prose::ProseView;

const TYPST_ESCAPE: &str = "typst";

/// The template environment for one project, built once per run.
pub struct Templates {
    env: Environment<'static>,
    /// The same templates with their lines marked, for the [`SourceMap`].
    marked: Environment<'static>,
    /// The marked templates' names, by the number in their marks.
    marked_names: Arc<Mutex<Vec<String>>>,
    dir: PathBuf,
}

impl Templates {
    /// Loads templates lazily from `dir` through the run's source cache; only names inside
    /// `dir` can be loaded. Templates see `library`, the layout library's folder as Typst
    /// finds it (`/templates/lib`), for their `#import`.
    pub fn new(dir: &Path, library: &str, cache: &SourceCache) -> Templates {
        let marked_names = Arc::new(Mutex::new(Vec::new()));
        Templates {
            env: environment(dir, library, cache, None),
            marked: environment(dir, library, cache, Some(Arc::clone(&marked_names))),
            marked_names,
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
        // A section asked for and missing is told with its id; forget any from before.
        let _ = crate::view::document::take_missing_section();
        let tmpl = self
            .env
            .get_template(template)
            .map_err(|e| self.diagnostic(template, &e))?;
        tmpl.render(Value::from(minijinja::value::Serde(view)))
            .map_err(|e| self.diagnostic(template, &e))
    }

    /// [`Templates::render`], with the map from the generated source back to template lines
    /// (empty where it cannot be made).
    pub fn render_mapped<V: Serialize>(
        &self,
        template: &str,
        view: &V,
    ) -> Result<(String, SourceMap), Diagnostic> {
        let plain = self.render(template, view)?;
        let marked = self
            .marked
            .get_template(template)
            .and_then(|t| t.render(Value::from(minijinja::value::Serde(view))));
        let files = || {
            let names = self
                .marked_names
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            names.iter().map(|n| self.dir.join(n)).collect()
        };
        let map = marked
            .ok()
            .and_then(|marked| source_map::unmark(&marked, &plain, files()))
            .unwrap_or_default();
        Ok((plain, map))
    }
}

/// A minijinja environment for the templates in `dir`; with `marks`, each template is loaded
/// with its lines marked (and its name recorded there) for the [`SourceMap`].
fn environment(
    dir: &Path,
    library: &str,
    cache: &SourceCache,
    marks: Option<Arc<Mutex<Vec<String>>>>,
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
        Ok(Some(match &marks {
            None => text,
            Some(names) => {
                let mut names = names.lock().unwrap_or_else(PoisonError::into_inner);
                names.push(name.to_string());
                source_map::mark_lines(names.len() - 1, &text)
            }
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
        if let Some(prose) = value.downcast_object_ref::<ProseView>() {
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
        let text = value
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| value.to_string());
        Value::from_safe_string(escape::string_literal(&text))
    });
    env
}

impl Templates {
    fn diagnostic(&self, template: &str, error: &Error) -> Diagnostic {
        let name = error.name().unwrap_or(template);
        let origin = match error.line() {
            Some(line) => Origin::text(self.dir.join(name), line, 1),
            None => Origin::file(self.dir.join(name)),
        };
        let missing = crate::view::document::take_missing_section();
        if error.kind() == ErrorKind::UndefinedError
            && let Some((id, narrative)) = missing
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
                "the template uses a name the view does not have; see README.md, \"Templates\""
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
