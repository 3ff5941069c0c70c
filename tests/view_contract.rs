//! The contract between view and render: the provenance appendix lists exactly the figures
//! the template printed, and a template's undefined name is told as what it is, whatever
//! the template looked up before it.

mod common;

use std::collections::BTreeSet;

use common::{edit, run, sample_project, stderr};
use rapportverk::load::SourceCache;
use rapportverk::project::Project;

/// Prints one KPI table of the evaluation (the one that starts with `first`) and the appendix.
const ONE_TABLE: &str = r#"{%- from "_blokker.typ.j2" import blocks, datagrunnlag %}
{%- for s in sections recursive %}
{%- for b in s.blocks %}
{%- if b.kind == "kpi_table" and b.rows[0].id == "flyktninger_arbeid_utdanning" %}
{{ blocks([b]) }}
{%- endif %}
{%- endfor %}
{{- loop(s.sections) }}
{%- endfor %}
{{ datagrunnlag(provenance, labels.table.kpi) }}
"#;

#[test]
fn the_appendix_lists_only_the_figures_the_template_prints() {
    let project = sample_project();
    let input = project.path().join("input");
    let cache = SourceCache::new();
    let full = rapportverk::engine::render_output(
        &Project::load(&input).unwrap(),
        &cache,
        "evaluering-2018",
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    std::fs::write(project.path().join("templates/en-tabell.typ.j2"), ONE_TABLE).unwrap();
    edit(
        &input.join("rapportverk.yaml"),
        "template: evaluering.typ.j2",
        "template: en-tabell.typ.j2",
    );
    let one = rapportverk::engine::render_output(
        &Project::load(&input).unwrap(),
        &SourceCache::new(),
        "evaluering-2018",
    )
    .unwrap_or_else(|d| panic!("{d:?}"));

    let listed: BTreeSet<(String, String)> = one
        .provenance
        .rows
        .iter()
        .map(|r| (r.id.clone(), r.period.clone()))
        .collect();
    // The table's two KPIs for 2017 and 2018; the data has no 2017 figure for fritidsstipend,
    // so its cell prints a dash, which is no figure.
    let expected: BTreeSet<(String, String)> = [
        ("flyktninger_arbeid_utdanning", "2017"),
        ("flyktninger_arbeid_utdanning", "2018"),
        ("fritidsstipend", "2018"),
    ]
    .into_iter()
    .map(|(id, year)| (id.to_string(), year.to_string()))
    .collect();
    assert_eq!(listed, expected, "{:#?}", one.provenance.rows);
    // Each listed figure has its cell.
    for row in &one.provenance.rows {
        assert!(row.origin.contains("nokkeltall-2018.csv:"), "{row:?}");
    }
    // The whole evaluation prints many more, from both data files.
    assert!(
        full.provenance.rows.len() > 12,
        "{}",
        full.provenance.rows.len()
    );
    assert!(
        full.provenance.rows.iter().any(|r| r.id == "sykefravaer"),
        "{:#?}",
        full.provenance.rows
    );
}

#[test]
fn a_guarded_section_does_not_blame_a_later_undefined_name_on_the_section() {
    let project = sample_project();
    let template = project.path().join("templates/evaluering.typ.j2");
    let mut text = std::fs::read_to_string(&template).unwrap();
    text.push_str("{% if section.finnes_ikke is defined %}x{% endif %}{{ document.titel }}\n");
    std::fs::write(&template, text).unwrap();
    let line = std::fs::read_to_string(&template).unwrap().lines().count();
    let output = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "error: template error: `document.titel` is undefined\n  --> templates/evaluering.typ.j2:{line}:1\n"
        )),
        "{err}"
    );
    assert!(!err.contains("needs the section"), "{err}");
}
