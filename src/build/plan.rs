//! The build plan: which output files the project defines, what each is made from (hashed, for
//! incremental builds), and which of them this run builds (`--only`, `--shard`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::diag::Diagnostics;
use crate::load::{SourceCache, SourceFile};
use crate::model::letter::slug;
use crate::model::letters::{self, LettersModel};
use crate::project::{DataSource, DocumentKind, DocumentSpec, Project};

use super::Options;

/// One output file to produce.
pub struct Job {
    /// `evaluering-2018`, or `oppdragsbrev-2022/skole` for a letter of a batch.
    pub id: String,
    /// The manifest's document id.
    pub spec_id: String,
    pub output: PathBuf,
    pub input_hash: String,
    pub work: Work,
    /// Problems of this output's own inputs (validation), printed with it.
    pub problems: Diagnostics,
}

pub enum Work {
    /// An evaluation and its data sources, validated in the worker that builds it.
    Evaluation(DocumentSpec, Vec<DataSource>),
    Letter(Arc<LetterBatch>, String),
    /// The overview of a letter batch, with its template.
    Overview(Arc<LetterBatch>, String),
    /// Nothing to build: the inputs have errors (the reason says which).
    Failed(String),
}

/// A checked letter batch, its template and the files it was built from.
pub struct LetterBatch {
    pub model: LettersModel,
    pub template: String,
    pub inputs: Vec<Arc<SourceFile>>,
}

/// Reads a file through the run's cache, remembering it as an input.
pub(crate) fn read_source(
    cache: &SourceCache,
    path: &Path,
    inputs: &mut Vec<Arc<SourceFile>>,
    problems: &mut Diagnostics,
) -> Option<Arc<SourceFile>> {
    let source = cache.read(path).map_err(|d| problems.push(d)).ok()?;
    inputs.push(Arc::clone(&source));
    Some(source)
}

/// Reads a table through the run's cache (its warnings stay in it for the model to report).
pub(crate) fn read_table(
    cache: &SourceCache,
    path: &Path,
    options: &crate::ingest::ReadOptions,
    inputs: &mut Vec<Arc<SourceFile>>,
    problems: &mut Diagnostics,
) -> Option<crate::ingest::Table> {
    let source = read_source(cache, path, inputs, problems)?;
    crate::ingest::read_table(&source, options)
        .map_err(|d| problems.push(d))
        .ok()
}

/// Hashes of input files, each read once per run however many documents use it.
pub struct InputHasher<'a> {
    project: &'a Project,
    fingerprint: String,
    files: HashMap<PathBuf, String>,
}

impl<'a> InputHasher<'a> {
    /// Everything that shapes every document: tool version, options, templates, manifest.
    pub fn new(project: &'a Project, options: &Options) -> InputHasher<'a> {
        let mut hasher = InputHasher {
            project,
            fingerprint: String::new(),
            files: HashMap::new(),
        };
        let mut common = Sha256::new();
        common.update(format!("rapportverk {}\n", env!("CARGO_PKG_VERSION")));
        common.update(format!(
            "standards {:?} attach {} draft {} language {}\n",
            options.pdf.standards,
            options.attach_sources,
            options.draft.is_some(),
            project.language
        ));
        let mut templates = Vec::new();
        collect_files(&project.templates, &mut templates);
        templates.sort();
        for path in templates {
            common.update(format!("{} {}\n", path.display(), hasher.file(&path)));
        }
        if options.attach_sources {
            common.update(hasher.file(&project.manifest.clone()));
        }
        hasher.fingerprint = hex(&common.finalize());
        hasher
    }

    fn file(&mut self, path: &Path) -> String {
        self.files
            .entry(path.to_path_buf())
            .or_insert_with(|| match std::fs::read(path) {
                Ok(bytes) => hex(&Sha256::digest(&bytes)),
                Err(_) => "missing".to_string(),
            })
            .clone()
    }

    /// The hash of one manifest document: its entry and all files it reads.
    pub fn spec(&mut self, spec: &DocumentSpec) -> String {
        let mut paths = vec![spec.narrative.clone()];
        match &spec.kind {
            DocumentKind::Evaluation { data } => {
                paths.push(self.project.kpi_definitions.clone());
                paths.extend(data.iter().map(|d| d.path.clone()));
            }
            DocumentKind::Letters {
                assignments,
                departments,
                ..
            } => {
                paths.push(assignments.path.clone());
                paths.extend(departments.iter().cloned());
            }
        }
        let mut hasher = Sha256::new();
        hasher.update(&self.fingerprint);
        hasher.update(format!(
            "{:?} {:?} {:?}\n",
            spec.id, spec.template, spec.kind
        ));
        for path in paths {
            let file_hash = self.file(&path);
            hasher.update(format!("{} {file_hash}\n", path.display()));
        }
        hex(&hasher.finalize())
    }
}

/// Each output of a document gets its own stable hash from the document's.
pub fn job_hash(spec_hash: &str, id: &str) -> String {
    hex(&Sha256::digest(format!("{spec_hash} {id}")))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn collect_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, into);
        } else {
            into.push(path);
        }
    }
}

/// Lists one manifest document's outputs (validating a letter batch, whose letters share it).
/// Batch problems (a letter batch's common narrative and table) go to `batch`; a document's
/// own problems go with its job.
pub fn jobs(
    spec: &DocumentSpec,
    cache: &SourceCache,
    options: &Options,
    spec_hash: &str,
    batch: &mut Diagnostics,
) -> Vec<Job> {
    match &spec.kind {
        // Validated when its turn comes, in a worker: a thousand evaluations are never all in
        // memory at once, and their validation runs in parallel too.
        DocumentKind::Evaluation { data } => vec![Job {
            id: spec.id.clone(),
            spec_id: spec.id.clone(),
            output: options.output.join(format!("{}.pdf", spec.id)),
            input_hash: job_hash(spec_hash, &spec.id),
            work: Work::Evaluation(spec.clone(), data.clone()),
            problems: Diagnostics::default(),
        }],
        DocumentKind::Letters {
            assignments,
            departments,
            overview_template,
        } => {
            let folder = options.output.join(&spec.id);
            let mut inputs = Vec::new();
            let mut problems = Diagnostics::default();
            let narrative = read_source(cache, &spec.narrative, &mut inputs, &mut problems);
            let texts = departments
                .as_deref()
                .and_then(|p| read_source(cache, p, &mut inputs, &mut problems));
            let table = read_table(
                cache,
                &assignments.path,
                &assignments.read,
                &mut inputs,
                &mut problems,
            );
            let valid = match (narrative, table) {
                (Some(narrative), Some(table)) => {
                    let (valid, found) = letters::check(&narrative, texts.as_deref(), table);
                    problems.extend(found);
                    valid
                }
                _ => None,
            };
            batch.extend(problems);
            let job = |id: String, output: PathBuf, work: Work, problems: Diagnostics| Job {
                input_hash: job_hash(spec_hash, &id),
                id,
                spec_id: spec.id.clone(),
                output,
                work,
                problems,
            };
            let Some(letters) = valid else {
                let reason =
                    "the letters' common inputs have errors; no letter written".to_string();
                return vec![job(
                    spec.id.clone(),
                    folder,
                    Work::Failed(reason),
                    Diagnostics::default(),
                )];
            };
            let letters = Arc::new(LetterBatch {
                model: letters,
                template: spec.template.clone(),
                inputs,
            });
            let mut all = Vec::new();
            for department in letters.model.departments() {
                let name = slug(department);
                let id = format!("{}/{name}", spec.id);
                let output = folder.join(format!("{name}.pdf"));
                let mut own = Diagnostics::default();
                for d in letters.model.row_problems(department) {
                    own.push(d.clone());
                }
                let work = if name.is_empty() || name == "oversikt" {
                    Work::Failed(format!(
                        "department \"{department}\" has no usable file name"
                    ))
                } else if letters.model.is_broken(department) {
                    Work::Failed(format!(
                        "rows of \"{department}\" have errors; its letter was not written (an earlier one is kept)"
                    ))
                } else {
                    Work::Letter(Arc::clone(&letters), department.clone())
                };
                all.push(job(id, output, work, own));
            }
            let work = if !letters.model.any_broken() {
                Work::Overview(Arc::clone(&letters), overview_template.clone())
            } else {
                Work::Failed(
                    "some departments' rows have errors; the overview would be incomplete".into(),
                )
            };
            all.push(job(
                format!("{}/oversikt", spec.id),
                folder.join("oversikt.pdf"),
                work,
                Diagnostics::default(),
            ));
            all
        }
    }
}

/// Whether `id` is selected by `--only PATTERN`: `*` matches any run of characters; a pattern
/// without `*` selects that id and, for a letter batch, all its letters.
pub fn matches_only(id: &str, pattern: &str) -> bool {
    if !pattern.contains('*') {
        return id == pattern || id.starts_with(&format!("{pattern}/"));
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = id;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

/// Whether `id` falls in shard `k` of `n` (1-based): a stable split by the id's hash, so the
/// same document always lands in the same shard, whatever else the project holds.
pub fn in_shard(id: &str, (k, n): (usize, usize)) -> bool {
    let digest = Sha256::digest(id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % n as u64) as usize == k - 1
}

/// Parses `--shard K/N`.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or("write the shard as K/N, e.g. 2/4")?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| format!("\"{k}\" is not a shard number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("\"{n}\" is not a number of shards"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard {k}/{n} does not exist; K runs from 1 to N"));
    }
    Ok((k, n))
}

impl Job {
    pub fn selected(&self, options: &Options) -> bool {
        options
            .only
            .as_deref()
            .is_none_or(|p| matches_only(&self.id, p))
            && options.shard.is_none_or(|s| in_shard(&self.id, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_patterns() {
        assert!(matches_only("oppdragsbrev-2022/skole", "oppdragsbrev-2022"));
        assert!(matches_only("oppdragsbrev-2022/skole", "*/skole"));
        assert!(matches_only("evaluering-2018", "evaluering-*"));
        assert!(!matches_only("evaluering-2018", "evaluering"));
        assert!(matches_only("a/b/c", "a*c"));
        assert!(!matches_only("a/b/cd", "a*c"));
    }

    #[test]
    fn shards_are_disjoint_and_cover_all() {
        let ids: Vec<String> = (0..200).map(|i| format!("enhet-{i:03}")).collect();
        let n = 3;
        let mut seen = vec![0; ids.len()];
        for k in 1..=n {
            for (i, id) in ids.iter().enumerate() {
                if in_shard(id, (k, n)) {
                    seen[i] += 1;
                }
            }
        }
        assert!(seen.iter().all(|s| *s == 1));
        // Roughly even: no shard is empty.
        assert!((1..=n).all(|k| ids.iter().any(|id| in_shard(id, (k, n)))));
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }
}
