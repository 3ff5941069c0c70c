//! The scheduler: builds jobs on `jobs` worker threads, each job wholly in its worker (model,
//! view, render, typeset, write). A panic in one job fails that job only: its earlier PDF is
//! kept, the report names it as an internal error, and the other jobs go on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::diag::{Diagnostic, Diagnostics};
use crate::typeset::{Generated, SharedWorld, typeset};

use super::kinds::{Context, FrameSettings, Rendered};
use super::plan::Job;
use super::write::write_atomically;

/// How many documents a cached Typst result survives unused.
const CACHE_AGE: usize = 2;
use super::{Config, DocumentReport, Status};

pub(super) struct Scheduler<'a> {
    pub config: &'a Config,
    pub context: &'a Context<'a>,
    /// The typesetting world, fonts and layout library loaded once for the run.
    pub shared: &'a SharedWorld,
}

impl Scheduler<'_> {
    /// Builds every job, putting job `i`'s report in `results[i]` and calling `on_done` after
    /// each.
    pub(super) fn run_all(
        &self,
        jobs: &[Job],
        results: &[OnceLock<DocumentReport>],
        on_done: &(dyn Fn() + Sync),
    ) {
        let next = AtomicUsize::new(0);
        let threads = self.config.jobs.clamp(1, jobs.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(index) else {
                            break;
                        };
                        let _ = results[index].set(self.isolated(job));
                        on_done();
                    }
                });
            }
        });
    }

    /// [`Scheduler::build`], with a panic turned into this job's failure.
    fn isolated(&self, job: &Job) -> DocumentReport {
        let started = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| self.build(job, started))) {
            Ok(report) => report,
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                let mut report = blank(job);
                report.diagnostics = vec![
                    Diagnostic::error(
                        None,
                        format!("internal error while building {}: {reason}", job.id),
                    )
                    .with_hint(
                        "this is a bug in rapportverk, not in your files; please report it with the inputs. The other documents were built and this one's earlier PDF is kept",
                    ),
                ];
                report.millis = started.elapsed().as_millis();
                report
            }
        }
    }

    /// One output: model → view → render → typeset → write.
    fn build(&self, job: &Job, started: Instant) -> DocumentReport {
        let mut problems = Diagnostics::default();
        let frame = FrameSettings {
            draft: self.config.draft.as_deref(),
            attach_sources: self.config.attach_sources,
        };
        let rendered = job.document.render(
            job.index,
            &job.input_hash,
            &frame,
            self.context,
            &mut problems,
        );
        inject_fault(&job.id);
        let mut report = blank(job);
        if let Some(rendered) = rendered {
            match self.typeset_and_write(job, rendered.source.clone(), &rendered, &mut problems) {
                Some(Outcome::Written { pages, bytes }) => {
                    report.status = Status::Built;
                    report.pages = pages;
                    report.bytes = bytes;
                    report.facts = rendered.facts.into();
                    report.acknowledged = rendered.acknowledged;
                }
                Some(Outcome::Checked) => report.status = Status::Checked,
                None => {}
            }
            // Keep memory flat over many documents: drop cached results the last two documents
            // did not use. Consecutive documents of one template share their layout (what
            // `typeset::incremental` is for); older results are rarely hit again, and an age of
            // 10 let a national run's peak grow by 80 MB over 1 000 PDFs (BENCHMARKS.md).
            typst::comemo::evict(CACHE_AGE);
        }
        report.diagnostics = problems.into_vec();
        report.millis = started.elapsed().as_millis();
        report
    }

    fn typeset_and_write(
        &self,
        job: &Job,
        source: String,
        rendered: &Rendered,
        problems: &mut Diagnostics,
    ) -> Option<Outcome> {
        let typ_path = job.output.with_extension("typ");
        if self.config.emit_typst
            && !self.config.check_only
            && let Err(d) = write_atomically(&typ_path, source.as_bytes())
        {
            problems.push(d);
        }
        let label = typ_path.display().to_string();
        let generated = Generated {
            source,
            template: Some(&rendered.template),
            files: &rendered.attachments,
            label: &label,
            map: &rendered.map,
        };
        let (typeset, typst_problems) = typeset(self.shared, generated, &job.id, &self.config.pdf);
        if typst_problems.has_errors() && !self.config.emit_typst {
            problems.push(
                Diagnostic::warning(None, format!("typesetting {} failed in its generated Typst source", job.id))
                    .with_hint("run `rapportverk build --emit-typst` to keep the generated .typ the messages point into"),
            );
        }
        problems.extend(typst_problems);
        let typeset = typeset?;
        let warnings = problems.iter().filter(|d| !d.is_error()).count() + rendered.shared_warnings;
        if warnings > 0 && self.config.draft.is_none() && !self.config.allow_warnings {
            problems.push(
                Diagnostic::error(
                    None,
                    format!("{} has {warnings} warning(s); a final build does not write a document with warnings", job.id),
                )
                .with_hint("fix the warnings, or build with --draft or --allow-warnings"),
            );
            return None;
        }
        if self.config.check_only {
            // Typeset and exported in memory, as a build would: nothing is written.
            return Some(Outcome::Checked);
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

/// A failed report for `job` with `reason` as its error.
pub(super) fn failed(job: &Job, reason: &str) -> DocumentReport {
    let mut report = blank(job);
    report.diagnostics.push(Diagnostic::error(None, reason));
    report
}

/// A failed report for `job` with no problems yet: what stands until the build succeeds.
fn blank(job: &Job) -> DocumentReport {
    DocumentReport {
        id: job.id.clone(),
        spec_id: job.document.spec().id.clone(),
        status: Status::Failed,
        output: job.output.clone(),
        input_hash: job.input_hash.clone(),
        pages: 0,
        bytes: 0,
        millis: 0,
        diagnostics: Vec::new(),
        facts: Default::default(),
        changes: Vec::new(),
        acknowledged: Vec::new(),
    }
}

/// Debug builds only: `RAPPORTVERK_INJECT_PANIC=<output id>` makes that output's build panic,
/// so the tests can show that a bug in one document leaves the others built.
fn inject_fault(id: &str) {
    if cfg!(debug_assertions)
        && std::env::var("RAPPORTVERK_INJECT_PANIC").is_ok_and(|target| target == id)
    {
        panic!("fault injected for {id} (RAPPORTVERK_INJECT_PANIC)");
    }
}
