//! `rapportverk init`: a small, commented project that builds at once (one CSV, KPI
//! definitions, a narrative with a paragraph, a KPI table and a chart, the general template
//! and the layout library), for a new user to change into their own.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Origin};

/// The files of a new project: (path below the project folder, contents).
fn files() -> Vec<(&'static str, String)> {
    let json =
        |value: serde_json::Value| serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
    vec![
        ("input/rapportverk.yaml", MANIFEST.to_string()),
        ("input/data/kpi-definisjoner.csv", DEFINITIONS.to_string()),
        ("input/data/nokkeltall.csv", DATA.to_string()),
        ("input/narrativ/rapport.yaml", NARRATIVE.to_string()),
        (
            "input/schema/manifest.schema.json",
            json(crate::project::manifest_schema()),
        ),
        (
            "input/schema/narrative.schema.json",
            json(crate::model::narrative::narrative_schema()),
        ),
        (
            "templates/rapport.typ.j2",
            include_str!("../templates/rapport.typ.j2").to_string(),
        ),
        (
            "templates/_blokker.typ.j2",
            include_str!("../templates/_blokker.typ.j2").to_string(),
        ),
        (
            "templates/lib/rapport.typ",
            include_str!("../templates/lib/rapport.typ").to_string(),
        ),
        ("output/.gitkeep", String::new()),
    ]
}

/// Writes a new project into `dir` (created if needed) and returns the files written. Refuses
/// a folder that already holds a project, so nothing is overwritten.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let files = files();
    if let Some((taken, _)) = files.iter().find(|(path, _)| dir.join(path).exists()) {
        return Err(Diagnostic::error(
            Origin::file(dir.join(taken)),
            "the folder already holds a project; nothing was written",
        )
        .with_hint("give an empty or new folder: rapportverk init my-report"));
    }
    let mut written = Vec::new();
    for (path, contents) in files {
        let target = dir.join(path);
        let write = || -> std::io::Result<()> {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, contents)
        };
        write().map_err(|e| {
            Diagnostic::error(Origin::file(&target), format!("cannot write the file: {e}"))
                .with_hint("check that the folder is writable")
        })?;
        written.push(target);
    }
    Ok(written)
}

const MANIFEST: &str = r##"# yaml-language-server: $schema=schema/manifest.schema.json
# rapportverk project manifest: which documents to build, and from what. Paths are relative to
# this file. Check with `rapportverk check`, build with `rapportverk build` (see rapportverk's docs/src/commands.md).

language: nb                      # nb (bokmål) or nn (nynorsk): words, hyphenation, PDF language
templates: ../templates           # the templates (*.typ.j2) and the Typst layout library (lib/)
kpi_definitions: data/kpi-definisjoner.csv   # id, navn, enhet, desimaler, retning, mål, kilde

# Your municipality's look (all optional): name, logo (SVG or PNG in the project), colours
# (#rrggbb) and a body font (.ttf/.otf files in a fonts/ folder beside input/).
branding:
  name: Eksempel kommune
  # logo: merke/logo.svg
  # accent: "#1f3a5f"
  # chart: "#3d6a99"

data:
  # One row per KPI and year; columns are found by their header names (kpi, år, verdi, kilde).
  - id: nokkeltall
    file: data/nokkeltall.csv

documents:
  - id: rapport-2024              # output/rapport-2024.pdf
    template: rapport.typ.j2      # the general template: title block, sections, appendix
    narrative: narrativ/rapport.yaml
    data: [nokkeltall]
"##;

const DEFINITIONS: &str = "id;navn;enhet;desimaler;retning;mål;kilde
sykefravaer;Sykefravær;%;1;lavere;6,5;Eksempeltall: bytt med egne
netto_driftsresultat;Netto driftsresultat;mill. kr;0;høyere;ingen;Eksempeltall: bytt med egne
";

const DATA: &str = "kpi;år;verdi;kilde
sykefravaer;2022;7,4;Eksempeltall
sykefravaer;2023;7,1;Eksempeltall
sykefravaer;2024;6,8;Eksempeltall
netto_driftsresultat;2022;112;Eksempeltall
netto_driftsresultat;2023;87;Eksempeltall
netto_driftsresultat;2024;95;Eksempeltall
";

const NARRATIVE: &str = r#"# yaml-language-server: $schema=../schema/narrative.schema.json
# The narrative: the document's metadata and its sections, each a list of blocks. Figures come
# from the data with {{ kpi("id") }} and {{ change("id") }}; rapportverk's
# docs/src/write-your-own-report.md shows every block.

document:
  title: Rapport 2024
  year: 2024                      # the year {{ kpi(...) }} prints
  author: Kommunedirektøren
  subject: "Eksempel på en rapport med nøkkeltall."

sections:
  - id: innledning
    title: Innledning
    blocks:
      - p: "Sykefraværet var {{ kpi(\"sykefravaer\") }} i 2024, en endring på {{ change(\"sykefravaer\") }} fra året før."
      - kpi_table:
          kpis: [sykefravaer, netto_driftsresultat]
          years: 2022-2024        # oldest first
          columns: [unit, target, change, status]
      - chart: { kpi: sykefravaer, type: bar }   # bar or line; the target as a dashed line
"#;
