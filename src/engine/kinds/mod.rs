//! Document kinds behind one interface: each kind plans its outputs, builds its model, makes
//! one view per output and lists the facts it prints; the scheduler treats every document the
//! same through [`Document`]. Adding a kind means one module here and one template.

mod groups;
mod report;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{SourceCache, SourceFile};
use crate::model::RunDefinitions;
use crate::project::{DocumentSpec, Project};
use crate::render::{SourceMap, Templates};
use crate::view::document::DocumentView;
use crate::view::frame::{Attachment, DraftStamp, Frame, attachment};

use super::facts::Fact;

/// What every document of a run reads from: the project, its files and its templates, and
/// what is parsed once for all documents.
pub(crate) struct Context<'a> {
    pub project: &'a Project,
    pub cache: &'a SourceCache,
    pub templates: &'a Templates,
    definitions: OnceLock<RunDefinitions>,
    locale: OnceLock<Result<crate::locale::Locale, Diagnostic>>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        project: &'a Project,
        cache: &'a SourceCache,
        templates: &'a Templates,
    ) -> Context<'a> {
        Context {
            project,
            cache,
            templates,
            definitions: OnceLock::new(),
            locale: OnceLock::new(),
        }
    }

    /// The KPI definitions, read and parsed by the first evaluation that needs them.
    fn definitions(&self) -> &RunDefinitions {
        self.definitions
            .get_or_init(|| RunDefinitions::read(self.project, self.cache))
    }

    /// The words of the project's language: built in, with the project's own file over them.
    fn locale(&self) -> Result<&crate::locale::Locale, &Diagnostic> {
        self.locale
            .get_or_init(|| {
                let language = &self.project.language;
                match self.project.locale_file() {
                    None => Ok(crate::locale::Locale::built_in(language)),
                    Some(path) => {
                        let file = self.cache.read(&path)?;
                        crate::locale::Locale::with_overrides(language, &file)
                    }
                }
            })
            .as_ref()
    }
}

/// One kind of document (today one: a narrative of sections and blocks).
pub(crate) trait DocumentKind: Send + Sync {
    /// What planning found that the model is built for (the units of a per-unit document).
    type Plan: Send + Sync;
    /// The checked content every output of one document is made from.
    type Model: Send + Sync;
    /// Which output of the document: the document itself, one unit's PDF, an overview.
    type Part: Send + Sync;

    /// Every file the document's outputs are made from, for the input hash (`cache` reads
    /// the files that name others, such as a narrative's figures).
    fn inputs(&self, project: &Project, cache: &SourceCache) -> Vec<PathBuf>;
    /// What the outputs and the model are planned from, read once.
    fn plan(&self, context: &Context) -> Result<Self::Plan, Diagnostics>;
    /// The outputs as (id below the document's id, or "" for the document itself; part).
    fn outputs(&self, plan: &Self::Plan) -> Vec<(String, Self::Part)>;
    /// Reads and checks the inputs for `plan`, collecting every problem. `building` are the
    /// parts this run builds: a kind may model only what they need.
    fn model(
        &self,
        context: &Context,
        plan: &Self::Plan,
        building: &[&Self::Part],
    ) -> (Option<Self::Model>, Diagnostics);
    /// The files the model was made from, in the order the provenance appendix lists them.
    fn sources(&self, model: &Self::Model) -> Vec<Arc<SourceFile>>;
    /// One output's view; what stops only this output goes to `problems`.
    fn view(
        &self,
        model: &Self::Model,
        plan: &Self::Plan,
        part: &Self::Part,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<DocumentView>;
    /// The template that renders `part`.
    fn template(&self, part: &Self::Part) -> String;
    /// The figures the rendered document prints and its statuses, for "what changed".
    fn facts(&self, view: &DocumentView) -> BTreeMap<String, Fact>;
    /// The data rows read to make the model, for the build report.
    fn rows_read(_model: &Self::Model) -> usize {
        0
    }
    /// The units the model holds, for the build report.
    fn units_modelled(_model: &Self::Model) -> usize {
        0
    }
    /// Project files the generated source shows (figures' images), by their Typst path.
    fn shown_files(_model: &Self::Model) -> ExtraFiles {
        Vec::new()
    }
    /// The warnings the model's narrative acknowledges, for the build report.
    fn acknowledged(_model: &Self::Model) -> Vec<crate::model::acknowledge::Acknowledged> {
        Vec::new()
    }
    /// Whether `part` may be built from a model of a group of the document's units (one
    /// unit's PDF may; a volume of every unit may not).
    fn groupable(&self, _part: &Self::Part) -> bool {
        false
    }
    /// [`DocumentKind::model`] with the problems as found, before the narrative's
    /// acknowledgments (see [`DocumentKind::acknowledgments`]) take the warnings they name.
    fn checked(
        &self,
        context: &Context,
        plan: &Self::Plan,
        building: &[&Self::Part],
    ) -> (Option<Self::Model>, Diagnostics) {
        self.model(context, plan, building)
    }
    /// The warnings the model's narrative says it knows of.
    fn acknowledgments(_model: &Self::Model) -> Vec<crate::model::acknowledge::Acknowledgment> {
        Vec::new()
    }
}

/// One planned output of a document.
pub(crate) struct PlannedOutput {
    /// `evaluering-2018`, or `oppdragsbrev-2022/skole`.
    pub id: String,
    /// Relative to the output folder: `evaluering-2018.pdf`, `oppdragsbrev-2022/skole.pdf`.
    pub file: PathBuf,
    /// The position among the document's outputs.
    pub index: usize,
}

/// Files a Typst source reads besides the layout library: (virtual path, bytes).
pub(crate) type ExtraFiles = Vec<(String, Vec<u8>)>;

/// An output rendered to Typst, ready to typeset.
pub(crate) struct Rendered {
    pub source: String,
    /// The template it was rendered from.
    pub template: String,
    /// Files the source attaches.
    pub attachments: ExtraFiles,
    /// Which template line wrote which part of the source.
    pub map: SourceMap,
    pub facts: BTreeMap<String, Fact>,
    /// The provenance appendix as printed.
    pub provenance: crate::view::ProvenanceView,
    /// Warnings of a model several outputs share (told once for the run): a final build
    /// refuses each of those outputs as it refuses one with warnings of its own.
    pub shared_warnings: usize,
    /// Warnings the narrative acknowledges (not among the problems), for the build report.
    pub acknowledged: Vec<crate::model::acknowledge::Acknowledged>,
}

/// How the frame around every document is set this run.
pub(crate) struct FrameSettings<'a> {
    /// The build time to stamp on a draft.
    pub draft: Option<&'a str>,
    pub attach_sources: bool,
}

/// The scheduler's side of a document kind: object-safe, one model per document built once by
/// whichever worker first needs it (the others wait for it), so every document is checked in
/// the worker that builds it; a document of many units' PDFs has one model per group of units
/// instead (`groups.rs`).
pub(crate) trait Document: Send + Sync {
    fn spec(&self) -> &DocumentSpec;
    fn inputs(&self, project: &Project, cache: &SourceCache) -> Vec<PathBuf>;
    fn outputs(&self, context: &Context) -> Result<Vec<PlannedOutput>, Diagnostics>;
    /// Model → view → template for output `index`. The model's own problems go with the
    /// output when it is the document's only one; see [`Document::shared_problems`].
    fn render(
        &self,
        index: usize,
        input_hash: &str,
        frame: &FrameSettings,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<Rendered>;
    /// The problems of a model several outputs share (a per-unit document's narrative and tables),
    /// told once for the run rather than with each output; `None` if no output built it.
    fn shared_problems(&self) -> Option<Diagnostics>;
    /// The data rows its models read in this run; 0 if no output built one.
    fn rows_read(&self) -> usize;
    /// The units its models held (a per-unit document in a shard: the shard's only).
    fn units_modelled(&self) -> usize;
    /// The outputs (by index) this run builds, told before the first is built: the model is
    /// made for them only (a shard's units), not for every output the document has.
    fn building(&self, indices: Vec<usize>);
}

struct Kinded<K: DocumentKind> {
    spec: DocumentSpec,
    kind: K,
    /// Set by [`Document::outputs`]: the plan and the parts, by output index.
    planned: OnceLock<(K::Plan, Vec<K::Part>)>,
    /// Set by [`Document::building`]: the outputs this run builds, by index.
    building: OnceLock<Vec<usize>>,
    /// What the models built in this run read and held, for the build report.
    rows_read: AtomicUsize,
    units_modelled: AtomicUsize,
    model: OnceLock<(Option<K::Model>, Diagnostics)>,
    /// Set by [`Document::building`]: the groups of units modelled one at a time, when the
    /// document has more units to build than one model holds.
    groups: OnceLock<Option<groups::Groups<K::Model>>>,
}

/// The document a manifest entry describes.
pub(crate) fn document(spec: &DocumentSpec) -> Arc<dyn Document> {
    use crate::project::DocumentKind as Spec;
    match &spec.kind {
        Spec::Report {
            per_unit,
            combined,
            overview,
            ..
        } => kinded(
            spec,
            report::Report::new(spec, per_unit, combined, overview),
        ),
    }
}

fn kinded<K: DocumentKind + 'static>(spec: &DocumentSpec, kind: K) -> Arc<dyn Document> {
    Arc::new(Kinded {
        spec: spec.clone(),
        kind,
        planned: OnceLock::new(),
        building: OnceLock::new(),
        rows_read: AtomicUsize::new(0),
        units_modelled: AtomicUsize::new(0),
        model: OnceLock::new(),
        groups: OnceLock::new(),
    })
}

impl<K: DocumentKind> Kinded<K> {
    /// Adds what a model read and holds to the run's counts (a single document's model is
    /// dropped with its output, so it is counted as it is built).
    fn count(&self, model: Option<&K::Model>) {
        if let Some(model) = model {
            self.rows_read
                .fetch_add(K::rows_read(model), Ordering::Relaxed);
            self.units_modelled
                .fetch_add(K::units_modelled(model), Ordering::Relaxed);
        }
    }
}

impl<K: DocumentKind> Document for Kinded<K> {
    fn spec(&self) -> &DocumentSpec {
        &self.spec
    }

    fn inputs(&self, project: &Project, cache: &SourceCache) -> Vec<PathBuf> {
        self.kind.inputs(project, cache)
    }

    fn outputs(&self, context: &Context) -> Result<Vec<PlannedOutput>, Diagnostics> {
        let plan = self.kind.plan(context)?;
        let parts = self.kind.outputs(&plan);
        let planned = parts
            .iter()
            .enumerate()
            .map(|(index, (name, _))| {
                let id = if name.is_empty() {
                    self.spec.id.clone()
                } else {
                    format!("{}/{name}", self.spec.id)
                };
                PlannedOutput {
                    file: PathBuf::from(format!("{id}.pdf")),
                    id,
                    index,
                }
            })
            .collect();
        let _ = self
            .planned
            .set((plan, parts.into_iter().map(|(_, part)| part).collect()));
        Ok(planned)
    }

    fn render(
        &self,
        index: usize,
        input_hash: &str,
        settings: &FrameSettings,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<Rendered> {
        let Some((plan, parts)) = self.planned.get() else {
            problems.push(Diagnostic::error(None, "the output was not planned"));
            return None;
        };
        let Some(part) = parts.get(index) else {
            problems.push(Diagnostic::error(None, "the output was not planned"));
            return None;
        };
        let output = Output {
            plan,
            part,
            input_hash,
            settings,
        };
        if let Some(groups) = self.groups.get().and_then(Option::as_ref)
            && let Some(group) = groups.group_of(index)
        {
            let _rendering = groups.rendering(group);
            return self.render_in_group(groups, group, &output, context, problems);
        }
        // A model shared by several outputs is kept for the run; a single output's is dropped
        // with it, so a thousand evaluations are never in memory at once.
        let single;
        let mut shared = Shared::default();
        let model = if parts.len() == 1 {
            let (model, own_problems) = self.kind.model(context, plan, &[part]);
            problems.extend(own_problems);
            self.count(model.as_ref());
            single = model;
            &single
        } else {
            let (model, found) = self.model.get_or_init(|| {
                let building: Vec<&K::Part> = match self.building.get() {
                    Some(indices) => indices.iter().filter_map(|&i| parts.get(i)).collect(),
                    None => parts.iter().collect(),
                };
                let built = self.kind.model(context, plan, &building);
                self.count(built.0.as_ref());
                // Reading a large table leaves the heap full of freed cells; hand them back
                // before typesetting, so peak memory follows the model, not the reading.
                super::release_free_memory();
                built
            });
            shared.warnings = found.iter().filter(|d| !d.is_error()).count();
            model
        };
        let Some(model) = model else {
            problems.push(inputs_have_errors());
            return None;
        };
        self.render_model(model, &output, shared, context, problems)
    }

    fn shared_problems(&self) -> Option<Diagnostics> {
        let grouped = self.groups.get().and_then(Option::as_ref);
        match grouped.and_then(groups::Groups::made_verdict) {
            Some(verdict) => Some(verdict.problems.clone()),
            None => self.model.get().map(|(_, problems)| problems.clone()),
        }
    }

    fn building(&self, indices: Vec<usize>) {
        if let Some((_, parts)) = self.planned.get() {
            let is_unit = |i: usize| parts.get(i).is_some_and(|p| self.kind.groupable(p));
            let _ = self.groups.set(groups::Groups::new(&indices, is_unit));
        }
        let _ = self.building.set(indices);
    }

    fn units_modelled(&self) -> usize {
        self.units_modelled.load(Ordering::Relaxed)
    }

    fn rows_read(&self) -> usize {
        self.rows_read.load(Ordering::Relaxed)
    }
}

/// One output to render: which, of what plan, and how it is framed.
struct Output<'a, K: DocumentKind> {
    plan: &'a K::Plan,
    part: &'a K::Part,
    input_hash: &'a str,
    settings: &'a FrameSettings<'a>,
}

/// What an output's model shares with the document's other outputs.
#[derive(Default)]
struct Shared {
    /// Warnings of the document told once for the run, counted for each output.
    warnings: usize,
    /// The warnings the narrative acknowledges, when a verdict over groups of units found them
    /// (else the model's own).
    acknowledged: Option<Vec<crate::model::acknowledge::Acknowledged>>,
}

fn inputs_have_errors() -> Diagnostic {
    Diagnostic::error(
        None,
        "its inputs have errors; no PDF written (an earlier one is kept)",
    )
}

impl<K: DocumentKind> Kinded<K> {
    /// An output of a document built in groups of units: the verdict over every group first
    /// (made once), then the output's group's model.
    fn render_in_group(
        &self,
        groups: &groups::Groups<K::Model>,
        group: usize,
        output: &Output<K>,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<Rendered> {
        let parts = self.planned.get().map(|(_, parts)| parts.as_slice())?;
        let of = |members: &[usize]| -> Vec<&K::Part> {
            members.iter().filter_map(|&i| parts.get(i)).collect()
        };
        let verdict = groups.verdict(|| {
            let mut problems = Diagnostics::default();
            let (mut failed, mut acknowledgments) = (false, None);
            for members in groups.members() {
                let (model, checked) = self.kind.checked(context, output.plan, &of(members));
                self.count(model.as_ref());
                failed |= model.is_none();
                if acknowledgments.is_none() {
                    acknowledgments = model.as_ref().map(K::acknowledgments);
                }
                problems.extend(checked);
            }
            // The problems of files every unit reads are found in each group: told once.
            let problems = crate::model::document::once_each(problems);
            super::release_free_memory();
            let acknowledgments = acknowledgments.unwrap_or_default();
            let (problems, acknowledged) =
                crate::model::acknowledge::apply(problems, &acknowledgments);
            groups::Verdict {
                failed,
                problems,
                acknowledged,
            }
        });
        if verdict.failed {
            problems.push(inputs_have_errors());
            return None;
        }
        let model = groups.model(group, || {
            let members = &groups.members()[group];
            let (model, _) = self.kind.model(context, output.plan, &of(members));
            self.count(model.as_ref());
            model
        });
        let Some(model) = model.as_ref() else {
            problems.push(inputs_have_errors());
            return None;
        };
        let shared = Shared {
            warnings: verdict.problems.iter().filter(|d| !d.is_error()).count(),
            acknowledged: Some(verdict.acknowledged.clone()),
        };
        self.render_model(model, output, shared, context, problems)
    }

    /// View → frame → template for one output of `model`.
    fn render_model(
        &self,
        model: &K::Model,
        output: &Output<K>,
        shared: Shared,
        context: &Context,
        problems: &mut Diagnostics,
    ) -> Option<Rendered> {
        let (plan, part) = (output.plan, output.part);
        let mut view = self.kind.view(model, plan, part, context, problems)?;
        let (frame, mut attachments) = frame(
            output.settings,
            output.input_hash,
            self.kind.sources(model),
            context,
            problems,
        )?;
        attachments.extend(K::shown_files(model));
        let template = self.kind.template(part);
        let rendered = context
            .templates
            .render_document(&template, &mut view, &frame)
            .map_err(|d| problems.push(d))
            .ok()?;
        Some(Rendered {
            source: rendered.source,
            template,
            attachments,
            facts: self.kind.facts(&view),
            map: rendered.map,
            provenance: view.provenance,
            shared_warnings: shared.warnings,
            acknowledged: shared
                .acknowledged
                .unwrap_or_else(|| K::acknowledged(model)),
        })
    }
}

/// The frame around one output's view, and the files it attaches as (virtual path, bytes)
/// for the Typst world: `sources` and the manifest, with `--attach-sources`.
fn frame(
    settings: &FrameSettings,
    input_hash: &str,
    mut sources: Vec<Arc<SourceFile>>,
    context: &Context,
    problems: &mut Diagnostics,
) -> Option<(Frame, ExtraFiles)> {
    let draft = settings.draft.map(|time| DraftStamp::new(time, input_hash));
    if !settings.attach_sources {
        return Some((
            Frame {
                draft,
                attachments: Vec::new(),
            },
            Vec::new(),
        ));
    }
    let manifest = context.cache.read(&context.project.manifest);
    sources.push(manifest.map_err(|d| problems.push(d)).ok()?);
    let attachments: Vec<Attachment> = sources
        .iter()
        .map(|source| attachment(&context.project.root, source))
        .collect();
    let files = attachments
        .iter()
        .zip(&sources)
        .map(|(a, source)| (a.path.clone(), source.bytes.clone()))
        .collect();
    Some((Frame { draft, attachments }, files))
}

/// Printed figures (from the provenance appendix) as facts for "what changed".
fn provenance_facts(provenance: &crate::view::ProvenanceView) -> BTreeMap<String, Fact> {
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
