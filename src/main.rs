//! Entry point, and the tool's face: parse and check the arguments, run the engine, show its
//! progress, print its problems and a summary, exit with a code.

/// A line on stdout; a closed pipe (`rapportverk build | head`) loses the rest of the listing,
/// not the build: the documents are still written.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// A line on stderr, as [`out!`] on stdout.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod data_listing;
mod watch;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use rapportverk::diag::Diagnostic;
use rapportverk::engine::{self, Config, DocumentReport, Event, Status, Warm};
use rapportverk::load::SourceCache;
use rapportverk::project::Project;

use cli::{Cli, Command};

pub(crate) const EXIT_DOCUMENT_FAILED: u8 = 1;
pub(crate) const EXIT_PROJECT_ERROR: u8 = 2;

/// `output/` beside the input folder, written without a leading `./` for readable messages.
pub(crate) fn default_output(root: &Path) -> PathBuf {
    if root == Path::new(".") {
        "output".into()
    } else {
        root.join("output")
    }
}

pub(crate) fn load(path: &Path, cache: &SourceCache) -> Result<Project, ExitCode> {
    Project::load_from(path, cache).map_err(|problems| {
        let messages = Messages::new(cache);
        problems.iter().for_each(|problem| messages.print(problem));
        ExitCode::from(EXIT_PROJECT_ERROR)
    })
}

/// Prints diagnostics to stderr, each with the source line it points at (from the files the
/// run read) and a caret under the place; in colour only on a terminal, so logs and tests
/// get plain text.
pub(crate) struct Messages<'a> {
    cache: &'a SourceCache,
    styled: bool,
}

impl<'a> Messages<'a> {
    pub(crate) fn new(cache: &'a SourceCache) -> Messages<'a> {
        let styled = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Messages { cache, styled }
    }

    /// One diagnostic, then a blank line, as rustc separates its messages.
    pub(crate) fn print(&self, problem: &Diagnostic) {
        let text = |path: &Path| -> Option<Arc<str>> {
            let file = self.cache.cached(path)?;
            // A file that is not clean text (the message may say so) is shown as best it can be.
            let text = rapportverk::ingest::text(&file)
                .unwrap_or_else(|_| String::from_utf8_lossy(&file.bytes).into_owned());
            Some(Arc::from(text))
        };
        err!("{}\n", problem.render(&text, self.styled));
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every file of the run is read once, the manifest included.
    let cache = SourceCache::new();
    let (project, config) = match &cli.command {
        Command::Build(args) => {
            let project = match load(&args.project.project, &cache) {
                Ok(project) => project,
                Err(code) => return code,
            };
            let config = match args.config(&default_output(&project.root)) {
                Ok(config) => config,
                Err(usage) => usage.exit(),
            };
            (project, config)
        }
        Command::Check(args) => {
            let project = match load(&args.project.project, &cache) {
                Ok(project) => project,
                Err(code) => return code,
            };
            let config = match args.config(&default_output(&project.root)) {
                Ok(config) => config,
                Err(usage) => usage.exit(),
            };
            (project, config)
        }
        Command::Watch(args) => return watch::watch(args),
        Command::Init(args) => return init(&args.dir),
        Command::Schema(args) => return schema(&args.out),
        Command::Data(args) => {
            let project = match load(&args.project.project, &cache) {
                Ok(project) => project,
                Err(code) => return code,
            };
            return data_listing::print(&project, args);
        }
        Command::List(args) => {
            let project = match load(&args.project, &cache) {
                Ok(project) => project,
                Err(code) => return code,
            };
            let (outputs, problems) =
                engine::list(&project, &Config::new(default_output(&project.root)));
            let messages = Messages::new(&cache);
            problems.iter().for_each(|p| messages.print(p));
            for (id, output) in outputs {
                out!("{id}\t{}", output.display());
            }
            return if problems.iter().any(Diagnostic::is_error) {
                ExitCode::from(EXIT_DOCUMENT_FAILED)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let only = match &cli.command {
        Command::Build(args) => args.only.as_deref(),
        Command::Check(args) => args.only.as_deref(),
        _ => None,
    };
    if let Err(code) = only_selects_something(&project, only) {
        return code;
    }
    build(&project, &config, &cache, &mut Warm::default(), true)
}

/// `--only` that selects no output is an error naming the documents there are (a silent
/// exit 0 would look like a build of nothing that changed).
pub(crate) fn only_selects_something(
    project: &Project,
    only: Option<&str>,
) -> Result<(), ExitCode> {
    let Some(pattern) = only else {
        return Ok(());
    };
    let Ok(selection) = engine::plan::Selection::new(Some(pattern), None) else {
        return Ok(());
    };
    if project.documents.iter().any(|d| selection.selects(&d.id)) {
        return Ok(());
    }
    // A pattern for units (`*/skole`) needs the per-unit documents planned.
    let (outputs, _) = engine::list(project, &Config::new(default_output(&project.root)));
    if outputs.iter().any(|(id, _)| selection.selects(id)) {
        return Ok(());
    }
    let ids: Vec<&str> = project.documents.iter().map(|d| d.id.as_str()).collect();
    err!(
        "error: --only \"{pattern}\" matches no document of {}\n  = hint: the documents are {}; \
         a pattern may end in * (evaluering-*), and a per-unit document's units are id/unit",
        project.manifest.display(),
        ids.join(", ")
    );
    Err(ExitCode::from(EXIT_PROJECT_ERROR))
}

/// `rapportverk init DIR`: the project, and the next two commands to run.
fn init(dir: &Path) -> ExitCode {
    match rapportverk::init::init(dir) {
        Ok(written) => {
            for file in &written {
                out!("wrote {}", file.display());
            }
            let input = dir.join("input");
            out!("\nNext:");
            out!("  rapportverk check --project {}", input.display());
            out!("  rapportverk build --project {}", input.display());
            ExitCode::SUCCESS
        }
        Err(problem) => {
            err!("{problem}");
            ExitCode::from(EXIT_PROJECT_ERROR)
        }
    }
}

/// `rapportverk schema`: the manifest's and the narrative's JSON Schema, as files.
fn schema(out: &Path) -> ExitCode {
    let schemas = [
        (
            "manifest.schema.json",
            rapportverk::project::manifest_schema(),
        ),
        (
            "narrative.schema.json",
            rapportverk::model::narrative::narrative_schema(),
        ),
    ];
    for (name, schema) in schemas {
        let path = out.join(name);
        let text = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
        let written = std::fs::create_dir_all(out).and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            err!("{}: error: cannot write the schema: {e}", path.display());
            return ExitCode::from(EXIT_PROJECT_ERROR);
        }
        out!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

/// Runs the engine on a loaded project, showing its events, and says how it went: the change
/// list, the count of problems, the exit code. `show_unchanged`: a line for each document
/// that needed no work too (`watch` leaves them out).
pub(crate) fn build(
    project: &Project,
    config: &Config,
    cache: &SourceCache,
    warm: &mut Warm,
    show_unchanged: bool,
) -> ExitCode {
    let terminal = Terminal::new(Messages::new(cache), show_unchanged);
    let report = engine::run_warm(project, config, cache, warm, &|event| terminal.show(event));
    terminal.finish();

    let changed: Vec<&DocumentReport> = report
        .documents
        .iter()
        .filter(|d| !d.changes.is_empty())
        .collect();
    if !changed.is_empty() {
        out!("changes since the previous build:");
        for document in changed {
            out!("  {}:", document.id);
            for change in &document.changes {
                out!("    {}", change.describe());
            }
        }
    }
    let problems = || {
        report
            .diagnostics
            .iter()
            .chain(report.documents.iter().flat_map(|d| &d.diagnostics))
    };
    let errors = problems().filter(|d| d.is_error()).count();
    out!(
        "{errors} error(s), {} warning(s)",
        problems().count() - errors
    );
    if report.aborted {
        ExitCode::from(EXIT_PROJECT_ERROR)
    } else if report.failed() {
        ExitCode::from(EXIT_DOCUMENT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the engine's events as they come: problems to stderr, one line per document to
/// stdout, and a progress bar on a terminal.
struct Terminal<'a> {
    messages: Messages<'a>,
    interactive: bool,
    show_unchanged: bool,
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl<'a> Terminal<'a> {
    fn new(messages: Messages<'a>, show_unchanged: bool) -> Terminal<'a> {
        Terminal {
            messages,
            interactive: std::io::stderr().is_terminal(),
            show_unchanged,
            bar: Mutex::new(None),
        }
    }

    fn show(&self, event: Event) {
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        let print = |lines: &dyn Fn()| match bar.as_ref() {
            Some(bar) => bar.suspend(lines),
            None => lines(),
        };
        match event {
            Event::Problem(problem) => print(&|| self.messages.print(problem)),
            Event::Planned { documents } => {
                if self.interactive && documents > 1 {
                    *bar = Some(progress_bar(documents));
                }
            }
            Event::Progress { done, .. } => {
                if let Some(bar) = bar.as_ref() {
                    bar.set_position(done as u64);
                }
            }
            Event::Finished(document)
                if document.status == Status::Unchanged && !self.show_unchanged => {}
            Event::Finished(document) => print(&|| {
                for problem in &document.diagnostics {
                    self.messages.print(problem);
                }
                out!("{}", status_line(document));
            }),
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}

fn progress_bar(documents: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(documents as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} dokumenter  {per_sec}  ca. {eta} igjen",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

fn status_line(document: &DocumentReport) -> String {
    match document.status {
        Status::Built => format!(
            "built     {} ({} pages, {} bytes, {} ms)",
            document.output.display(),
            document.pages,
            document.bytes,
            document.millis
        ),
        Status::Unchanged => format!("unchanged {}", document.output.display()),
        Status::Checked => format!("checked {}", document.id),
        Status::Failed => format!(
            "FAILED  {} (no PDF written; any earlier PDF is kept)",
            document.id
        ),
    }
}
