//! The engine: plan a project's outputs, skip the unchanged, build the rest in parallel (each
//! through model → view → render → typeset → write, in the worker that builds it), and leave a
//! report for people, schedulers and the next run. It prints nothing: it tells the caller
//! what happens through [`Event`]s.

pub mod data_listing;
mod facts;
mod kinds;
mod lock;
pub mod plan;
mod report;
mod scheduler;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Instant;

use crate::diag::Diagnostic;
use crate::load::SourceCache;
use crate::project::Project;
use crate::render::Templates;
use crate::typeset::{PdfSettings, SharedWorld};

pub use facts::{Fact, Facts};
use kinds::Context;
use plan::{InputHasher, Job, Selection};
pub use report::Change;

/// One run's settings, checked as a whole before any work starts.
#[derive(Debug, Clone)]
pub struct Config {
    pub output: PathBuf,
    /// Keep the generated `.typ` beside each PDF.
    pub emit_typst: bool,
    /// `check`: everything a build does, typesetting included, in memory; nothing written.
    pub check_only: bool,
    /// Embed the input files (data, narrative, manifest) in each PDF.
    pub attach_sources: bool,
    pub pdf: PdfSettings,
    /// Documents built at once (at least 1).
    pub jobs: usize,
    /// Rebuild even what did not change.
    pub force: bool,
    pub selection: Selection,
    /// `--draft`: the build time to stamp on every page, with the UTKAST watermark.
    pub draft: Option<String>,
    /// Write final documents even when they have warnings.
    pub allow_warnings: bool,
}

impl Config {
    /// A plain final build of every document into `output`, on every core.
    pub fn new(output: PathBuf) -> Config {
        Config {
            output,
            emit_typst: false,
            check_only: false,
            attach_sources: false,
            pdf: PdfSettings::archival(false),
            jobs: std::thread::available_parallelism().map_or(1, usize::from),
            force: false,
            selection: Selection::default(),
            draft: None,
            allow_warnings: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Built,
    /// Inputs, templates and options as in the previous build, and its PDF still there.
    Unchanged,
    Checked,
    Failed,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Built => "built",
            Status::Unchanged => "unchanged",
            Status::Checked => "checked",
            Status::Failed => "failed",
        }
    }
}

/// What happened to one output file.
#[derive(Debug)]
pub struct DocumentReport {
    pub id: String,
    pub spec_id: String,
    pub status: Status,
    pub output: PathBuf,
    pub input_hash: String,
    pub pages: usize,
    pub bytes: usize,
    pub millis: u128,
    pub diagnostics: Vec<Diagnostic>,
    pub facts: Facts,
    /// What differs from the previous build of this output.
    pub changes: Vec<Change>,
    /// Warnings its narrative acknowledges, with their reasons (not among `diagnostics`).
    pub acknowledged: Vec<crate::model::acknowledge::Acknowledged>,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub documents: Vec<DocumentReport>,
    /// Problems that concern the run, not one output file.
    pub diagnostics: Vec<Diagnostic>,
    /// The run could not start (lock held, layout library unreadable): a usage/project error.
    pub aborted: bool,
    pub millis: u128,
    /// The data rows the run's models read (each table once per document, however many units).
    pub rows_read: usize,
    /// The units the per-unit documents' shared models held: those of the outputs built.
    pub units_modelled: usize,
}

impl BuildReport {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
            || self.documents.iter().any(|d| d.status == Status::Failed)
    }
}

/// What the engine tells its caller while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A problem of the run as a whole, as soon as it is found.
    Problem(&'a Diagnostic),
    /// The outputs to build are known (unchanged ones not counted).
    Planned { documents: usize },
    /// One more output is done (in the order they finish), for progress.
    Progress { done: usize, total: usize },
    /// An output's final report, in plan order.
    Finished(&'a DocumentReport),
}

/// The project's output ids and files, without reading more than planning needs.
pub fn list(project: &Project, config: &Config) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let cache = SourceCache::confined(&project.root);
    let library = format!("{}/lib", project.typst_path(&project.templates));
    let templates = Templates::new(&project.templates, &library, &cache);
    let context = Context::new(project, &cache, &templates);
    let mut listed = Vec::new();
    let mut problems = Vec::new();
    for spec in &project.documents {
        let document = kinds::document(spec);
        match document.outputs(&context) {
            Ok(outputs) => listed.extend(
                outputs
                    .into_iter()
                    .map(|o| (o.id, config.output.join(o.file))),
            ),
            Err(found) => problems.extend(found.into_vec()),
        }
    }
    (listed, problems)
}

/// What a long-running caller (`watch`) keeps between runs so typesetting stays warm: the
/// Typst world, with its fonts and layout library loaded. Typst's memoized layout lives in the
/// process and is kept either way; [`Warm::library_changed`] drops the world after an edit of
/// `templates/lib`.
#[derive(Default)]
pub struct Warm {
    world: Option<SharedWorld>,
    /// The output folder's lock, kept from the first build on: `watch` holds it for its whole
    /// life, so a `build` into the same folder meanwhile is refused.
    lock: Option<(PathBuf, lock::OutputLock)>,
    /// The look the world was made with (branding, logo and font bytes): another look, say
    /// after an edit of `branding:` while `watch` runs, needs a new world.
    look: String,
}

/// What the world takes from the project's look, as one comparable key.
fn look_key(project: &Project, cache: &SourceCache) -> String {
    let look = &project.branding;
    let mut key = serde_json::to_string(look).unwrap_or_default();
    for path in look.files() {
        let sha = cache
            .read(&path)
            .map(|f| f.sha256.clone())
            .unwrap_or_default();
        key.push_str(&format!("\n{} {sha}", path.display()));
    }
    key
}

/// Returns the allocator's free pages to the system (glibc keeps them otherwise, so the
/// memory a large table took while being read would count for the whole run). Measured on the
/// national shape (BENCHMARKS.md): peak RSS at N = 1 000 414 MB with it, 491 MB without.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Warm {
    pub fn library_changed(&mut self) {
        self.world = None;
    }
}

/// Builds (or, with `check_only`, checks) every selected output of the project, reading
/// every file through `cache` (the one the project was loaded with).
pub fn run(
    project: &Project,
    config: &Config,
    cache: &SourceCache,
    on_event: &(dyn Fn(Event) + Sync),
) -> BuildReport {
    run_warm(project, config, cache, &mut Warm::default(), on_event)
}

/// [`run`], reusing (and keeping) what `warm` holds from an earlier run.
pub fn run_warm(
    project: &Project,
    config: &Config,
    cache: &SourceCache,
    warm: &mut Warm,
    on_event: &(dyn Fn(Event) + Sync),
) -> BuildReport {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let abort = |mut report: BuildReport, problem: Diagnostic| {
        on_event(Event::Problem(&problem));
        report.diagnostics.push(problem);
        report.aborted = true;
        report
    };
    let held = warm
        .lock
        .as_ref()
        .is_some_and(|(folder, _)| *folder == config.output);
    if !config.check_only && !held {
        match lock::OutputLock::acquire(&config.output) {
            Ok(lock) => {
                write::remove_leftovers(&config.output);
                warm.lock = Some((config.output.clone(), lock));
            }
            Err(d) => return abort(report, d),
        }
    }
    // `check` typesets too (in memory), so it finds everything a build would.
    let templates_at = project.typst_path(&project.templates);
    let look = look_key(project, cache);
    if warm.look != look {
        warm.world = None;
        warm.look = look;
    }
    let shared: &SharedWorld = match &mut warm.world {
        Some(shared) => shared,
        None => match shared_world(project, &templates_at, cache) {
            Ok(shared) => warm.world.insert(shared),
            Err(d) => return abort(report, d),
        },
    };
    let templates = templates(project, cache);
    let context = Context::new(project, cache, &templates);
    // The previous report: for skipping (unless --force), for "what changed" and to keep
    // the entries of documents this run does not select.
    let previous = (!config.check_only)
        .then(|| report::previous(&config.output))
        .flatten();
    let previous_entries: BTreeMap<&str, &report::DocumentEntry> = previous
        .iter()
        .flat_map(|p| p.documents.iter())
        .map(|d| (d.id.as_str(), d))
        .collect();
    let (todo, documents) = plan_jobs(
        project,
        config,
        cache,
        &context,
        &previous_entries,
        &mut report,
    );
    for document in &report.documents {
        on_event(Event::Finished(document));
    }
    on_event(Event::Planned {
        documents: todo.len(),
    });
    let finished = build_jobs(config, &context, shared, &todo, on_event);
    report.rows_read = documents.iter().map(|d| d.rows_read()).sum();
    report.units_modelled = documents.iter().map(|d| d.units_modelled()).sum();
    for problem in documents
        .iter()
        .filter_map(|d| d.shared_problems())
        .flat_map(|p| p.into_vec())
    {
        on_event(Event::Problem(&problem));
        report.diagnostics.push(problem);
    }
    for (job, mut document) in todo.iter().zip(finished) {
        // Only against a previous build that printed the document (a failed one has no facts).
        if let Some(before) = previous_entries.get(job.id.as_str())
            && document.status == Status::Built
            && (before.status == "built" || before.status == "unchanged")
        {
            document.changes = report::changes(&before.facts, &document.facts);
        }
        report.documents.push(document);
    }
    report.millis = started.elapsed().as_millis();
    if !config.check_only {
        write_report(config, &mut report, &previous_entries, on_event);
    }
    report
}

/// The template environment of a run, with the project's look as `brand`.
fn templates(project: &Project, cache: &SourceCache) -> Templates {
    let templates_at = project.typst_path(&project.templates);
    Templates::new(&project.templates, &format!("{templates_at}/lib"), cache)
        .with_global("brand", brand(project))
}

/// The selected outputs to build, each document planned once; documents unchanged since the
/// previous build, or that cannot be planned, go straight to `report`.
fn plan_jobs(
    project: &Project,
    config: &Config,
    cache: &SourceCache,
    context: &Context,
    previous_entries: &BTreeMap<&str, &report::DocumentEntry>,
    report: &mut BuildReport,
) -> (Vec<Job>, Vec<std::sync::Arc<dyn kinds::Document>>) {
    let unchanged = |id: &str, hash: &str, output: &Path| {
        previous_entries
            .get(id)
            .filter(|_| !config.force && !config.check_only)
            .filter(|e| e.input_hash == hash && (e.status == "built" || e.status == "unchanged"))
            .filter(|_| output.exists())
            .copied()
    };
    let hasher = InputHasher::new(project, config, cache);
    let mut todo: Vec<Job> = Vec::new();
    let mut documents = Vec::new();
    for spec in &project.documents {
        let document = kinds::document(spec);
        documents.push(std::sync::Arc::clone(&document));
        let document_hash = hasher.document(document.as_ref(), project);
        // Unchanged as a whole: skip even planning (a no-op nightly run stays cheap).
        let earlier: Vec<&report::DocumentEntry> = previous_entries
            .values()
            .filter(|e| e.spec == spec.id)
            .copied()
            .collect();
        let all_unchanged = !earlier.is_empty()
            && earlier.iter().all(|e| {
                let hash = plan::output_hash(&document_hash, &e.id);
                unchanged(&e.id, &hash, Path::new(&e.output)).is_some()
            });
        if all_unchanged {
            for entry in earlier {
                if config.selection.selects(&entry.id) {
                    report.documents.push(report::carry_over(entry));
                }
            }
            continue;
        }
        let outputs = match document.outputs(context) {
            Ok(outputs) => outputs,
            Err(problems) => {
                // Nothing to plan from: one failed entry for the whole document.
                report.documents.push(DocumentReport {
                    id: spec.id.clone(),
                    spec_id: spec.id.clone(),
                    status: Status::Failed,
                    output: config.output.join(&spec.id),
                    input_hash: document_hash.clone(),
                    pages: 0,
                    bytes: 0,
                    millis: 0,
                    diagnostics: problems.into_vec(),
                    facts: Facts::default(),
                    changes: Vec::new(),
                    acknowledged: Vec::new(),
                });
                continue;
            }
        };
        let mut building = Vec::new();
        for planned in outputs {
            if !config.selection.selects(&planned.id) {
                continue;
            }
            let job = Job {
                input_hash: plan::output_hash(&document_hash, &planned.id),
                output: config.output.join(&planned.file),
                id: planned.id,
                document: std::sync::Arc::clone(&document),
                index: planned.index,
            };
            match unchanged(&job.id, &job.input_hash, &job.output) {
                Some(entry) => report.documents.push(report::carry_over(entry)),
                None => {
                    building.push(job.index);
                    todo.push(job);
                }
            }
        }
        document.building(building);
    }
    (todo, documents)
}

/// Builds `todo` on the scheduler's workers, telling progress and each finished output in
/// plan order; the reports in plan order.
fn build_jobs(
    config: &Config,
    context: &Context,
    shared: &SharedWorld,
    todo: &[Job],
    on_event: &(dyn Fn(Event) + Sync),
) -> Vec<DocumentReport> {
    let scheduler = scheduler::Scheduler {
        config,
        context,
        shared,
    };
    let results: Vec<OnceLock<DocumentReport>> = todo.iter().map(|_| OnceLock::new()).collect();
    // (done, the next report to tell in plan order)
    let told = Mutex::new((0, 0));
    scheduler.run_all(todo, &results, &|| {
        let mut told = told.lock().unwrap_or_else(PoisonError::into_inner);
        told.0 += 1;
        on_event(Event::Progress {
            done: told.0,
            total: todo.len(),
        });
        while let Some(next) = results.get(told.1).and_then(OnceLock::get) {
            on_event(Event::Finished(next));
            told.1 += 1;
        }
    });
    results
        .into_iter()
        .zip(todo)
        .map(|(slot, job)| {
            slot.into_inner()
                .unwrap_or_else(|| scheduler::failed(job, "the build thread stopped"))
        })
        .collect()
}

/// Writes the build report. Documents this run did not select (--only, --shard) keep their
/// entries, so the next full run still knows them as unchanged.
fn write_report(
    config: &Config,
    report: &mut BuildReport,
    previous_entries: &BTreeMap<&str, &report::DocumentEntry>,
    on_event: &(dyn Fn(Event) + Sync),
) {
    let built: BTreeSet<&str> = report.documents.iter().map(|d| d.id.as_str()).collect();
    let kept: Vec<&report::DocumentEntry> = previous_entries
        .values()
        .filter(|e| !built.contains(e.id.as_str()) && !config.selection.selects(&e.id))
        .copied()
        .collect();
    if let Err(problem) = report::write(&config.output, config, report, &kept) {
        on_event(Event::Problem(&problem));
        report.diagnostics.push(problem);
    }
}

/// One output as a build renders it (load, view, template; not typeset): its Typst source and
/// its provenance appendix, for tests and tools that look at what a document prints. `id` is
/// the output's id (`evaluering-2018`, `oppdragsbrev-2022/skole`).
pub fn render_output(
    project: &Project,
    cache: &SourceCache,
    id: &str,
) -> Result<RenderedOutput, crate::diag::Diagnostics> {
    let templates = templates(project, cache);
    let context = Context::new(project, cache, &templates);
    let mut problems = crate::diag::Diagnostics::default();
    for spec in &project.documents {
        let document = kinds::document(spec);
        let outputs = document.outputs(&context)?;
        let Some(planned) = outputs.iter().find(|o| o.id == id) else {
            continue;
        };
        let settings = kinds::FrameSettings {
            draft: None,
            attach_sources: false,
        };
        let rendered = document.render(planned.index, "", &settings, &context, &mut problems);
        problems.extend(document.shared_problems().unwrap_or_default());
        return match rendered {
            Some(rendered) if !problems.has_errors() => Ok(RenderedOutput {
                source: rendered.source,
                provenance: rendered.provenance,
            }),
            _ => Err(problems),
        };
    }
    problems.push(Diagnostic::error(
        None,
        format!("no output \"{id}\" is planned"),
    ));
    Err(problems)
}

/// What [`render_output`] gives.
pub struct RenderedOutput {
    pub source: String,
    pub provenance: crate::view::ProvenanceView,
}

/// The run's Typst world: the layout library, with the project's look (colours and font for
/// the library, font files, the logo).
fn shared_world(
    project: &Project,
    templates_at: &str,
    cache: &SourceCache,
) -> Result<SharedWorld, Diagnostic> {
    let look = &project.branding;
    let mut inputs = Vec::new();
    inputs.extend(look.accent.clone().map(|c| ("aksent", c)));
    inputs.extend(look.chart.clone().map(|c| ("stolpe", c)));
    inputs.extend(look.font.clone().map(|f| ("skrift", f)));
    let fonts = look
        .font_files()
        .iter()
        .map(|path| cache.read(path))
        .collect::<Result<Vec<_>, _>>()?;
    let files = match &look.logo {
        Some(logo) => vec![(project.typst_path(logo), cache.read(logo)?)],
        None => Vec::new(),
    };
    let world = SharedWorld::new(&project.templates, templates_at, cache)?
        .with_look(&inputs, &fonts, &files)?;
    match &look.font {
        Some(font) => known_font(project, font, &world.families()).map(|()| world),
        None => Ok(world),
    }
}

/// A `branding: font:` no font of the world has is told at the manifest's line, with the
/// fonts there are (Typst would only warn at the layout library's line).
fn known_font(project: &Project, font: &str, families: &[String]) -> Result<(), Diagnostic> {
    if families
        .iter()
        .any(|f| f.to_lowercase() == font.trim().to_lowercase())
    {
        return Ok(());
    }
    let origin = project
        .branding
        .font_at
        .clone()
        .unwrap_or_else(|| crate::diag::Origin::file(&project.manifest));
    let near = crate::diag::closest(font, families.iter().map(String::as_str));
    let mut hint = match near {
        Some(near) => format!("did you mean \"{near}\"? "),
        None => String::new(),
    };
    hint.push_str(&format!(
        "the fonts are: {}; add .ttf or .otf files to the project's fonts/ folder for others",
        families.join(", ")
    ));
    Err(Diagnostic::error(
        origin,
        format!("branding: font: \"{font}\" is not a font of the project or of rapportverk"),
    )
    .with_hint(hint))
}

/// What templates know of the look: `brand.name`, `brand.logo` (a Typst path, or none).
fn brand(project: &Project) -> minijinja::Value {
    let look = &project.branding;
    minijinja::context! {
        name => look.name.clone(),
        logo => look.logo.as_ref().map(|logo| project.typst_path(logo)),
    }
}
