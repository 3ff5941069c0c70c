//! Build: plan the outputs, skip the unchanged, then typeset the rest in parallel, each
//! through render → typeset → write, one broken document never stopping the others, PDFs
//! written atomically, and a report of what happened (and changed) left for the next run.

pub mod lock;
pub mod plan;
pub mod state;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{SourceCache, SourceFile};
use crate::model::{evaluation as model_evaluation, kpi};
use crate::project::Project;
use crate::render::{Templates, escape};
use crate::typeset::{PdfSettings, SharedWorld, typeset};
use crate::view;

use plan::{InputHasher, Job, Work};
use state::{Change, Fact};

#[derive(Debug, Clone)]
pub struct Options {
    pub output: PathBuf,
    /// Keep the generated `.typ` beside each PDF.
    pub emit_typst: bool,
    /// Stop after rendering: no typesetting, nothing written.
    pub check_only: bool,
    /// Embed the input files (data, narrative, manifest) in each PDF.
    pub attach_sources: bool,
    pub pdf: PdfSettings,
    /// Documents typeset at once.
    pub jobs: usize,
    /// Rebuild even what did not change.
    pub force: bool,
    /// `--only PATTERN`: build only matching output ids.
    pub only: Option<String>,
    /// `--shard K/N`: build only the K-th of N stable shares.
    pub shard: Option<(usize, usize)>,
    /// `--draft`: the build time to stamp on every page, with the UTKAST watermark.
    pub draft: Option<String>,
    /// Write final documents even when they have warnings.
    pub allow_warnings: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
}

impl Options {
    /// Options for a plain final build into `output`.
    pub fn new(output: PathBuf) -> Options {
        Options {
            output,
            emit_typst: false,
            check_only: false,
            attach_sources: false,
            pdf: PdfSettings::archival(false),
            jobs: std::thread::available_parallelism().map_or(1, usize::from),
            force: false,
            only: None,
            shard: None,
            draft: None,
            allow_warnings: false,
            progress: false,
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
    pub facts: BTreeMap<String, Fact>,
    /// What differs from the previous build of this output.
    pub changes: Vec<Change>,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub documents: Vec<DocumentReport>,
    /// Problems that concern the run or a whole batch, not one output file.
    pub diagnostics: Vec<Diagnostic>,
    /// The run could not start (lock held, layout library unreadable): a usage/project error.
    pub aborted: bool,
    pub millis: u128,
}

impl BuildReport {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
            || self.documents.iter().any(|d| d.status == Status::Failed)
    }
}

/// What the rendering stages share for one run.
struct Run<'a> {
    project: &'a Project,
    options: &'a Options,
    templates: Templates,
    shared: Option<SharedWorld>,
    /// Every input file, read once.
    cache: SourceCache,
}

/// Builds (or, with `check_only`, checks) every selected document of the project.
pub fn run(project: &Project, options: &Options) -> BuildReport {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let _lock = if options.check_only {
        None
    } else {
        match lock::OutputLock::acquire(&options.output) {
            Ok(lock) => Some(lock),
            Err(d) => {
                report.diagnostics.push(d);
                report.aborted = true;
                return report;
            }
        }
    };
    let shared = if options.check_only {
        None
    } else {
        match SharedWorld::new(&project.templates) {
            Ok(shared) => Some(shared),
            Err(d) => {
                report.diagnostics.push(d);
                report.aborted = true;
                return report;
            }
        }
    };
    let run = Run {
        project,
        options,
        templates: Templates::new(&project.templates),
        shared,
        cache: SourceCache::new(),
    };
    // The previous report: for skipping (unless --force), for "what changed" and to keep
    // the entries of documents this run does not select.
    let previous = if options.check_only {
        None
    } else {
        state::previous(&options.output)
    };
    let previous_entries: BTreeMap<&str, &state::DocumentEntry> = previous
        .iter()
        .flat_map(|p| p.documents.iter())
        .map(|d| (d.id.as_str(), d))
        .collect();
    let unchanged = |id: &str, hash: &str, output: &Path| {
        previous_entries
            .get(id)
            .filter(|_| !options.force)
            .filter(|e| e.input_hash == hash && (e.status == "built" || e.status == "unchanged"))
            .filter(|_| output.exists())
    };

    let mut hasher = InputHasher::new(project, options);
    let mut todo: Vec<Job> = Vec::new();
    for spec in &project.documents {
        let spec_hash = hasher.spec(spec);
        // Unchanged as a whole: skip even validation (a no-op nightly run stays cheap).
        let earlier: Vec<&&state::DocumentEntry> = previous_entries
            .values()
            .filter(|e| e.spec == spec.id)
            .collect();
        let all_unchanged = !earlier.is_empty()
            && earlier.iter().all(|e| {
                unchanged(
                    &e.id,
                    &plan::job_hash(&spec_hash, &e.id),
                    Path::new(&e.output),
                )
                .is_some()
            });
        if all_unchanged {
            for entry in earlier {
                let carried = carry_over(entry);
                if selected(&carried.id, options) {
                    report.documents.push(carried);
                }
            }
            continue;
        }
        let mut batch = Diagnostics::default();
        for job in plan::jobs(spec, &run.cache, options, &spec_hash, &mut batch) {
            if !job.selected(options) {
                continue;
            }
            match unchanged(&job.id, &job.input_hash, &job.output) {
                Some(entry) if !options.check_only => report.documents.push(carry_over(entry)),
                _ => todo.push(job),
            }
        }
        report.diagnostics.extend(batch.into_vec());
    }

    let finished = run.in_parallel(&todo);
    for (job, mut document) in todo.iter().zip(finished) {
        // Only against a previous build that printed the document (a failed one has no facts).
        if let Some(before) = previous_entries.get(job.id.as_str())
            && document.status == Status::Built
            && (before.status == "built" || before.status == "unchanged")
        {
            document.changes = state::changes(&before.facts, &document.facts);
        }
        report.documents.push(document);
    }
    report.millis = started.elapsed().as_millis();
    if !options.check_only {
        // Documents this run did not select (--only, --shard) keep their entries, so the next
        // full run still knows them as unchanged.
        let built: std::collections::BTreeSet<&str> =
            report.documents.iter().map(|d| d.id.as_str()).collect();
        let kept: Vec<&state::DocumentEntry> = previous_entries
            .values()
            .filter(|e| !built.contains(e.id.as_str()) && !selected(&e.id, options))
            .copied()
            .collect();
        write_report(&options.output, options, &report, &kept);
    }
    report
}

fn selected(id: &str, options: &Options) -> bool {
    options
        .only
        .as_deref()
        .is_none_or(|p| plan::matches_only(id, p))
        && options.shard.is_none_or(|s| plan::in_shard(id, s))
}

/// The previous build's entry for an output that needs no work this time.
fn carry_over(entry: &state::DocumentEntry) -> DocumentReport {
    DocumentReport {
        id: entry.id.clone(),
        spec_id: entry.spec.clone(),
        status: Status::Unchanged,
        output: PathBuf::from(&entry.output),
        input_hash: entry.input_hash.clone(),
        pages: entry.pages,
        bytes: entry.bytes,
        millis: 0,
        diagnostics: Vec::new(),
        facts: entry.facts.clone(),
        changes: Vec::new(),
    }
}

/// `output/build-report.json`, written atomically; a failure to write it is only printed.
fn write_report(
    output: &Path,
    options: &Options,
    report: &BuildReport,
    kept: &[&state::DocumentEntry],
) {
    let mut documents: Vec<state::DocumentEntry> = report
        .documents
        .iter()
        .map(|d| state::DocumentEntry {
            id: d.id.clone(),
            spec: d.spec_id.clone(),
            status: d.status.word().to_string(),
            output: d.output.display().to_string(),
            input_hash: d.input_hash.clone(),
            pages: d.pages,
            bytes: d.bytes,
            millis: d.millis,
            problems: d.diagnostics.iter().map(Into::into).collect(),
            facts: d.facts.clone(),
            changes: d.changes.clone(),
        })
        .collect();
    let this_run = documents.len();
    documents.extend(kept.iter().map(|e| (*e).clone()));
    let count = |s: Status| report.documents.iter().filter(|d| d.status == s).count();
    let all_problems = report
        .diagnostics
        .iter()
        .chain(report.documents.iter().flat_map(|d| &d.diagnostics));
    let (errors, warnings) =
        all_problems.fold(
            (0, 0),
            |(e, w), d| if d.is_error() { (e + 1, w) } else { (e, w + 1) },
        );
    let file = state::ReportFile {
        tool: format!("rapportverk {}", env!("CARGO_PKG_VERSION")),
        mode: if options.draft.is_some() {
            "draft"
        } else {
            "final"
        }
        .to_string(),
        totals: state::Totals {
            documents: this_run,
            built: count(Status::Built),
            unchanged: count(Status::Unchanged),
            failed: count(Status::Failed),
            pages: report.documents.iter().map(|d| d.pages).sum(),
            bytes: report.documents.iter().map(|d| d.bytes).sum(),
            errors,
            warnings,
            millis: report.millis,
            peak_memory_kib: state::peak_memory_kib(),
        },
        documents,
        problems: report.diagnostics.iter().map(Into::into).collect(),
    };
    let json = serde_json::to_string_pretty(&file).unwrap_or_default();
    if let Err(d) = write_atomically(&output.join(state::REPORT_NAME), json.as_bytes()) {
        eprintln!("{d}");
    }
}

impl Run<'_> {
    /// Processes every job over `options.jobs` threads; results keep the jobs' order.
    fn in_parallel(&self, jobs: &[Job]) -> Vec<DocumentReport> {
        let progress = self.options.progress.then(|| {
            let bar = indicatif::ProgressBar::new(jobs.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} dokumenter  {per_sec}  ca. {eta} igjen",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<DocumentReport>>> =
            jobs.iter().map(|_| Mutex::new(None)).collect();
        let threads = self.options.jobs.clamp(1, jobs.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(index) else {
                            break;
                        };
                        let report = self.process(job);
                        if let Ok(mut slot) = results[index].lock() {
                            *slot = Some(report);
                        }
                        if let Some(bar) = &progress {
                            bar.inc(1);
                        }
                    }
                });
            }
        });
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        results
            .into_iter()
            .zip(jobs)
            .map(|(slot, job)| {
                slot.into_inner().ok().flatten().unwrap_or_else(|| {
                    report_for(
                        job,
                        Status::Failed,
                        Instant::now(),
                        vec![Diagnostic::error(None, "the build thread stopped")],
                    )
                })
            })
            .collect()
    }

    /// One output: view → render → typeset → write.
    fn process(&self, job: &Job) -> DocumentReport {
        let started = Instant::now();
        let mut problems = job.problems.clone();
        let language = &self.project.language;
        let inputs_owned;
        let (rendered, facts, inputs) = match &job.work {
            Work::Failed(reason) => {
                problems.push(Diagnostic::error(None, reason.clone()));
                return report_for(job, Status::Failed, started, problems.into_vec());
            }
            Work::Evaluation(spec, data) => {
                let mut inputs = Vec::new();
                let mut read = Diagnostics::default();
                let definitions = kpi::definitions(plan::read_table(
                    &self.cache,
                    &self.project.kpi_definitions,
                    &crate::ingest::ReadOptions::default(),
                    &mut inputs,
                    &mut read,
                ));
                problems.extend(read);
                let mut tables = Vec::new();
                for source in data {
                    let mut read = Diagnostics::default();
                    let table = plan::read_table(
                        &self.cache,
                        &source.path,
                        &source.read,
                        &mut inputs,
                        &mut read,
                    );
                    problems.extend(read);
                    tables.push((source, table));
                }
                let narrative =
                    plan::read_source(&self.cache, &spec.narrative, &mut inputs, &mut problems);
                let (valid, validation) = match &narrative {
                    Some(narrative) => model_evaluation::check(&definitions, &tables, narrative),
                    None => (None, Diagnostics::default()),
                };
                problems.extend(validation);
                let Some(valid) = valid else {
                    problems.push(Diagnostic::error(
                        None,
                        "its inputs have errors; no PDF written (an earlier one is kept)",
                    ));
                    return report_for(job, Status::Failed, started, problems.into_vec());
                };
                let view = view::evaluation::view(&valid, &inputs, language);
                let facts = evaluation_facts(&view);
                let rendered = self.templates.render(&spec.template, &view);
                inputs_owned = inputs;
                (rendered, facts, &inputs_owned)
            }
            Work::Letter(letters, department) => {
                let view = view::letter::department_letter(
                    &letters.model,
                    department,
                    &letters.inputs,
                    language,
                );
                (
                    self.templates.render(&letters.template, &view),
                    provenance_facts(&view.provenance),
                    &letters.inputs,
                )
            }
            Work::Overview(letters, template) => {
                let view = view::letter::overview(&letters.model, &letters.inputs, language);
                (
                    self.templates.render(template, &view),
                    provenance_facts(&view.provenance),
                    &letters.inputs,
                )
            }
        };
        let source = match rendered {
            Ok(source) => source,
            Err(d) => {
                problems.push(d);
                return report_for(job, Status::Failed, started, problems.into_vec());
            }
        };
        let outcome = self.typeset_and_write(job, inputs, source, &mut problems);
        // Keep memory flat over many documents: drop cached results not used recently.
        typst::comemo::evict(10);
        let mut report = report_for(job, Status::Failed, started, Vec::new());
        match outcome {
            Some(Outcome::Written { pages, bytes }) => {
                report.status = Status::Built;
                report.pages = pages;
                report.bytes = bytes;
                report.facts = facts;
            }
            Some(Outcome::Checked) => report.status = Status::Checked,
            None => {}
        }
        report.diagnostics = problems.into_vec();
        report
    }

    fn typeset_and_write(
        &self,
        job: &Job,
        inputs: &[std::sync::Arc<SourceFile>],
        mut source: String,
        problems: &mut Diagnostics,
    ) -> Option<Outcome> {
        let Some(shared) = self.shared.as_ref().filter(|_| !self.options.check_only) else {
            return Some(Outcome::Checked);
        };
        if let Some(time) = &self.options.draft {
            source = stamp_draft(source, time, &job.input_hash);
        }
        let mut files = Vec::new();
        if self.options.attach_sources {
            let mut sources = inputs.to_vec();
            sources.push(
                self.cache
                    .read(&self.project.manifest)
                    .map_err(|d| problems.push(d))
                    .ok()?,
            );
            // Placed, so the invisible attachments take no room in the flow (no extra page).
            source.push_str("\n#place({");
            for input in &sources {
                let (path, bytes, call) = attachment(&self.project.root, input)
                    .map_err(|d| problems.push(d))
                    .ok()?;
                source.push_str(&call);
                files.push((path, bytes));
            }
            source.push_str("})\n");
        }
        let typ_path = job.output.with_extension("typ");
        if self.options.emit_typst
            && let Err(d) = write_atomically(&typ_path, source.as_bytes())
        {
            problems.push(d);
        }
        let label = typ_path.display().to_string();
        let (typeset, typst_problems) =
            typeset(shared, source, &files, &job.id, &label, &self.options.pdf);
        if typst_problems.has_errors() && !self.options.emit_typst {
            problems.push(
                Diagnostic::warning(None, format!("typesetting {} failed in its generated Typst source", job.id))
                    .with_hint("run `rapportverk build --emit-typst` to keep the generated .typ the messages point into"),
            );
        }
        problems.extend(typst_problems);
        let typeset = typeset?;
        let warnings = problems.iter().filter(|d| !d.is_error()).count();
        if warnings > 0 && self.options.draft.is_none() && !self.options.allow_warnings {
            problems.push(
                Diagnostic::error(
                    None,
                    format!("{} has {warnings} warning(s); a final build does not write a document with warnings", job.id),
                )
                .with_hint("fix the warnings, or build with --draft or --allow-warnings"),
            );
            return None;
        }
        match write_atomically(&job.output, &typeset.pdf) {
            Ok(()) => Some(Outcome::Written {
                pages: typeset.pages,
                bytes: typeset.pdf.len(),
            }),
            Err(d) => {
                problems.push(d);
                None
            }
        }
    }
}

enum Outcome {
    Written { pages: usize, bytes: usize },
    Checked,
}

fn report_for(
    job: &Job,
    status: Status,
    started: Instant,
    diagnostics: Vec<Diagnostic>,
) -> DocumentReport {
    DocumentReport {
        id: job.id.clone(),
        spec_id: job.spec_id.clone(),
        status,
        output: job.output.clone(),
        input_hash: job.input_hash.clone(),
        pages: 0,
        bytes: 0,
        millis: started.elapsed().as_millis(),
        diagnostics,
        facts: BTreeMap::new(),
        changes: Vec::new(),
    }
}

/// The UTKAST watermark and a stamp with the build time and the inputs' short hash, on every
/// page of a draft. Final builds never carry wall-clock time.
fn stamp_draft(source: String, time: &str, input_hash: &str) -> String {
    let call = format!(
        "#show: utkast.with(tid: {}, inndata: {})\n",
        escape::string_literal(time),
        escape::string_literal(&input_hash[..12.min(input_hash.len())]),
    );
    match source.find("#import \"lib/rapport.typ\": *\n") {
        Some(at) => {
            let end = at + "#import \"lib/rapport.typ\": *\n".len();
            format!("{}{call}{}", &source[..end], &source[end..])
        }
        None => format!("#import \"lib/rapport.typ\": utkast\n{call}{source}"),
    }
}

/// Printed figures (from the provenance appendix) as facts for "what changed".
fn provenance_facts(provenance: &view::ProvenanceView) -> BTreeMap<String, Fact> {
    provenance
        .rows
        .iter()
        .map(|r| {
            (
                format!("{} {}", r.id, r.period),
                Fact {
                    label: format!("{} {}", r.name, r.period),
                    value: r.value.clone(),
                    origin: r.origin.clone(),
                },
            )
        })
        .collect()
}

/// An evaluation's facts: its printed figures and every task's status.
fn evaluation_facts(view: &view::evaluation::EvaluationView) -> BTreeMap<String, Fact> {
    let mut facts = provenance_facts(&view.provenance);
    for task in view.goals.iter().flat_map(|g| &g.tasks) {
        facts.insert(
            format!("status {}", task.id),
            Fact {
                label: format!("Status for oppgave {} ({})", task.number, task.id),
                value: task.status_text.to_string(),
                origin: task.status_origin.clone(),
            },
        );
    }
    facts
}

/// An input file as a PDF attachment: its virtual path and bytes for the Typst world, and the
/// `pdf.attach` call that embeds it: the bytes read (and checked) this run.
fn attachment(root: &Path, input: &SourceFile) -> Result<(String, Vec<u8>, String), Diagnostic> {
    let relative = input.path.strip_prefix(root).unwrap_or(&input.path);
    let shown = relative.to_string_lossy().replace('\\', "/");
    let shown = shown.trim_start_matches("./").to_string();
    let virtual_path = format!("/kilder/{shown}");
    let mime = match input
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "csv" => "text/csv",
        "yaml" | "yml" => "application/yaml",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/octet-stream",
    };
    let call = format!(
        "\n  pdf.attach({}, relationship: \"source\", mime-type: {}, description: {})",
        escape::string_literal(&virtual_path),
        escape::string_literal(mime),
        escape::string_literal(&format!("Kildefil {shown} (SHA-256 {})", input.sha256)),
    );
    Ok((virtual_path, input.bytes.clone(), call))
}

/// Writes to a temporary file in the same folder, then renames: a reader never sees half a
/// file, and a failure leaves the previous file untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| {
        Diagnostic::error(
            crate::diag::Origin::file(path),
            format!("cannot write: {e}"),
        )
        .with_hint("check that the output folder exists and is writable")
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            fail(e)
        })
}
