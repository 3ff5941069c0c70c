//! Data never becomes markup: any string printed by a template reaches the PDF as the same text.

mod common;

use std::path::Path;

use common::{edit, has, normalise, pdf_text, run, sample_project};
use proptest::prelude::*;
use rapportverk::render::Templates;
use rapportverk::typeset::{Generated, PdfSettings, SharedWorld, typeset};

/// The template folder of [`one_value_templates`] with its templates and Typst world, made once.
static ONE_VALUE: std::sync::LazyLock<(tempfile::TempDir, Templates, SharedWorld)> =
    std::sync::LazyLock::new(|| {
        let dir = one_value_templates();
        let cache = rapportverk::load::SourceCache::new();
        let templates = Templates::new(dir.path(), "/lib", &cache);
        let shared = SharedWorld::new(dir.path(), "", &cache).unwrap();
        (dir, templates, shared)
    });

/// A template folder printing `{{ s }}` alone, with an empty layout library.
fn one_value_templates() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    std::fs::write(dir.path().join("lib/empty.typ"), "").unwrap();
    std::fs::write(
        dir.path().join("t.typ.j2"),
        "#set page(width: 30cm, height: auto, margin: 1cm)\n#set text(font: \"Libertinus Serif\", hyphenate: false)\n{{ s }}\n",
    )
    .unwrap();
    dir
}

fn typeset_text(templates: &Templates, shared: &SharedWorld, s: &str, out: &Path) -> String {
    let source = templates
        .render("t.typ.j2", &minijinja::context! { s => s })
        .unwrap();
    // Each source is edited from the one before, as a build's documents of one template are.
    let generated = Generated {
        source,
        template: Some("t.typ.j2"),
        files: &[],
        label: "t.typ",
        map: &Default::default(),
    };
    let (result, problems) = typeset(shared, generated, "prop", &PdfSettings::default());
    let pdf = result.unwrap_or_else(|| panic!("{s:?} did not typeset: {problems:?}"));
    std::fs::write(out, pdf.pdf).unwrap();
    pdf_text(out)
}

#[test]
fn typst_markup_in_data_prints_literally() {
    let dir = one_value_templates();
    let templates = Templates::new(dir.path(), "/lib", &rapportverk::load::SourceCache::new());
    let shared = SharedWorld::new(dir.path(), "", &rapportverk::load::SourceCache::new()).unwrap();
    let nasty =
        "#panic(\"x\") $x$ *a* <b> @c [d] \\ // e = f _u_ `r` ~ -- ... -? 'q' #{1+1} /* c */";
    let text = typeset_text(&templates, &shared, nasty, &dir.path().join("out.pdf"));
    assert_eq!(text, normalise(nasty));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// For any string s of printable text, the PDF built from `{{ s }}` reads back as s.
    /// One template folder and one Typst world serve every case, as one build's documents
    /// share them; each case writes its own PDF.
    #[test]
    fn any_string_round_trips_to_the_same_pdf_text(s in "[ -~æøåÆØÅ«»–—…§]{1,40}") {
        let (dir, templates, shared) = &*ONE_VALUE;
        let out = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        let text = typeset_text(templates, shared, &s, out.path());
        prop_assert_eq!(text, normalise(&s));
    }
}

#[test]
fn markup_in_a_csv_kpi_name_prints_literally_in_the_document() {
    let project = sample_project();
    let nasty = "Sykefravær #panic(\"x\") $x$ *a* <b> @c [d] \\ // e = f";
    let csv_field = format!("\"{}\"", nasty.replace('"', "\"\""));
    edit(
        &project.path().join("input/data/kpi-definisjoner.csv"),
        "sykefravaer;Sykefravær;",
        &format!("sykefravaer;{csv_field};"),
    );
    let output = run(project.path(), &["build"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = pdf_text(&project.path().join("output/evaluering-2018.pdf"));
    assert!(
        has(&text, &normalise(nasty)),
        "escaped name missing from the PDF text"
    );
}
