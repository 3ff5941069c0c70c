//! The build plan: which output files the project defines, what each is made from (hashed,
//! for incremental builds), and which of them this run builds (`--only`, `--shard`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Serialize;
use sha2::{Digest, Sha256};
use typst_pdf::PdfStandard;

use crate::load::{SourceCache, hex};
use crate::project::{Branding, DocumentKind, Project};

use super::Config;
use super::kinds::Document;

/// One output file to produce.
pub(crate) struct Job {
    /// `evaluering-2018`, or `oppdragsbrev-2022/skole` for one unit of a per-unit document.
    pub id: String,
    pub document: Arc<dyn Document>,
    /// The position among its document's outputs.
    pub index: usize,
    pub output: PathBuf,
    pub input_hash: String,
}

/// Which outputs a run builds: `--only PATTERN` and `--shard K/N`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    only: Option<GlobSet>,
    shard: Option<(usize, usize)>,
}

impl Selection {
    /// `only` is a glob over output ids (`*` matches any run of characters, `/` included); a
    /// pattern also selects the outputs below it, so a per-unit document's id selects every unit's PDF.
    pub fn new(only: Option<&str>, shard: Option<(usize, usize)>) -> Result<Selection, String> {
        let only = match only {
            None => None,
            Some(pattern) => {
                let glob = |p: &str| {
                    Glob::new(p).map_err(|e| format!("--only \"{pattern}\" is not a pattern: {e}"))
                };
                let mut set = GlobSetBuilder::new();
                set.add(glob(pattern)?);
                set.add(glob(&format!("{}/*", pattern.trim_end_matches('/')))?);
                Some(set.build().map_err(|e| e.to_string())?)
            }
        };
        Ok(Selection { only, shard })
    }

    pub fn selects(&self, id: &str) -> bool {
        self.only.as_ref().is_none_or(|set| set.is_match(id))
            && self.shard.is_none_or(|shard| in_shard(id, shard))
    }
}

/// Whether `id` falls in shard `k` of `n` (1-based): a stable split by the id's hash, so the
/// same document always lands in the same shard, whatever else the project holds.
fn in_shard(id: &str, (k, n): (usize, usize)) -> bool {
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

/// Hashes what documents are made from; every file through the run's source cache.
pub(crate) struct InputHasher<'a> {
    cache: &'a SourceCache,
    /// Everything that shapes every document: tool version, options, look, templates, manifest.
    fingerprint: String,
}

/// What shapes every document of a run besides files, serialised for the hash (JSON of these
/// fields in this order: a stable form, unlike `Debug`).
#[derive(Serialize)]
struct RunKey<'a> {
    tool_version: &'static str,
    standards: &'a [PdfStandard],
    attach_sources: bool,
    draft: bool,
    language: &'a str,
    branding: &'a Branding,
}

/// What a manifest document entry says, serialised for its hash.
#[derive(Serialize)]
struct DocumentKey<'a> {
    id: &'a str,
    template: &'a str,
    kind: &'a DocumentKind,
}

/// The JSON of a key. The keys hold only strings, numbers, booleans and lists, which
/// serde_json always writes.
fn json(key: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(key).unwrap_or_else(|e| format!("unserialisable: {e}").into_bytes())
}

impl<'a> InputHasher<'a> {
    pub(crate) fn new(project: &Project, config: &Config, cache: &'a SourceCache) -> Self {
        let mut hasher = InputHasher {
            cache,
            fingerprint: String::new(),
        };
        let mut common = Sha256::new();
        common.update(json(&RunKey {
            tool_version: env!("CARGO_PKG_VERSION"),
            standards: &config.pdf.standards,
            attach_sources: config.attach_sources,
            draft: config.draft.is_some(),
            language: &project.language,
            branding: &project.branding,
        }));
        common.update("\n");
        let mut templates = Vec::new();
        collect_files(&project.templates, &mut templates);
        templates.sort();
        for path in templates {
            common.update(format!("{} {}\n", path.display(), hasher.file(&path)));
        }
        if config.attach_sources {
            common.update(hasher.file(&project.manifest));
        }
        hasher.fingerprint = hex(&common.finalize());
        hasher
    }

    fn file(&self, path: &Path) -> String {
        self.cache
            .read(path)
            .map_or_else(|_| "missing".to_string(), |file| file.sha256.clone())
    }

    /// The hash of one manifest document: its entry and all files it reads.
    pub(crate) fn document(&self, document: &dyn Document, project: &Project) -> String {
        let spec = document.spec();
        let mut hasher = Sha256::new();
        hasher.update(&self.fingerprint);
        hasher.update(json(&DocumentKey {
            id: &spec.id,
            template: &spec.template,
            kind: &spec.kind,
        }));
        hasher.update("\n");
        for path in document.inputs(project, self.cache) {
            hasher.update(format!("{} {}\n", path.display(), self.file(&path)));
        }
        hex(&hasher.finalize())
    }
}

/// Each output of a document gets its own stable hash from the document's.
pub(crate) fn output_hash(document_hash: &str, id: &str) -> String {
    hex(&Sha256::digest(format!("{document_hash} {id}")))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn only(pattern: &str) -> Selection {
        Selection::new(Some(pattern), None).unwrap()
    }

    #[test]
    fn only_patterns() {
        assert!(only("oppdragsbrev-2022").selects("oppdragsbrev-2022/skole"));
        assert!(only("*/skole").selects("oppdragsbrev-2022/skole"));
        assert!(only("evaluering-*").selects("evaluering-2018"));
        assert!(!only("evaluering").selects("evaluering-2018"));
        assert!(only("a*c").selects("a/b/c"));
        assert!(!only("a*c").selects("a/b/cd"));
        assert!(
            only("oppdragsbrev-2022/{skole,helse-og-omsorg}").selects("oppdragsbrev-2022/skole")
        );
        let err = Selection::new(Some("a[b"), None).unwrap_err();
        assert!(
            err.starts_with("--only \"a[b\" is not a pattern: "),
            "{err}"
        );
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

    /// A project of one document reading one CSV, built in memory (its files are missing,
    /// which hashes as "missing" every time).
    fn project() -> Project {
        let origin = crate::diag::Origin::text("input/rapportverk.yaml", 3, 7);
        let source = crate::project::DataSource {
            id: "kpi".into(),
            path: "input/data/kpi.csv".into(),
            read: crate::ingest::ReadOptions::default(),
            layout: None,
            header_rows: None,
            percent_as_fraction: false,
            filters: Vec::new(),
            columns: crate::project::ColumnMapping::default(),
            period: None,
            school_year: None,
            ignore_unknown_kpis: false,
            suppressed: Vec::new(),
            origin: origin.clone(),
            unit: None,
        };
        Project {
            root: ".".into(),
            manifest: "input/rapportverk.yaml".into(),
            language: "nb".into(),
            templates: "no-templates-here".into(),
            kpi_definitions: "input/kpi.csv".into(),
            documents: vec![crate::project::DocumentSpec {
                id: "evaluering".into(),
                template: "evaluering.typ.j2".into(),
                narrative: "input/evaluering.yaml".into(),
                kind: DocumentKind::Report {
                    data: vec![source],
                    per_unit: None,
                    combined: None,
                    overview: None,
                    tables: Vec::new(),
                },
                origin,
            }],
            branding: Branding::default(),
        }
    }

    fn hash(project: &Project, config: &Config) -> String {
        let cache = SourceCache::new();
        let hasher = InputHasher::new(project, config, &cache);
        let document = super::super::kinds::document(&project.documents[0]);
        hasher.document(document.as_ref(), project)
    }

    #[test]
    fn the_input_hash_changes_with_an_option_and_only_then() {
        let config = Config::new("output".into());
        let same = hash(&project(), &config);
        assert_eq!(same, hash(&project(), &config), "same inputs, same hash");
        assert_eq!(same.len(), 64);

        let mut delimiter = project();
        let DocumentKind::Report { data, .. } = &mut delimiter.documents[0].kind;
        data[0].read.delimiter = Some(b',');
        assert_ne!(same, hash(&delimiter, &config), "a data source's delimiter");

        let mut columns = project();
        let DocumentKind::Report { data, .. } = &mut columns.documents[0].kind;
        data[0].columns.value = vec!["tall".into()];
        assert_ne!(
            same,
            hash(&columns, &config),
            "a data source's column names"
        );

        let mut accent = project();
        accent.branding.accent = Some("#225588".into());
        assert_ne!(same, hash(&accent, &config), "the look");

        let mut attach = Config::new("output".into());
        attach.attach_sources = true;
        assert_ne!(same, hash(&project(), &attach), "a build option");

        // Where output goes and how many jobs run shape no document.
        let mut elsewhere = Config::new("elsewhere".into());
        elsewhere.jobs = 7;
        assert_eq!(same, hash(&project(), &elsewhere));
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }
}
