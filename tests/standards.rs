//! Archival, accessible and traceable PDFs: PDF/A-2a + PDF/UA-1 on every sample document, the
//! "Datagrunnlag" appendix, attached sources, and prose checked against the data.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{edit, has, pdf_text, run, sample_project, stderr, stdout};
use rapportverk::ingest::yaml;
use rapportverk::model::prose::{RefFunction, references};

fn pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(pdfs(&path));
        } else if path.extension().is_some_and(|e| e == "pdf") {
            all.push(path);
        }
    }
    all.sort();
    all
}

/// The XMP metadata packet of a PDF (typst writes it uncompressed).
fn xmp(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let start = text.find("<x:xmpmeta").expect("an XMP packet");
    let end = text[start..]
        .find("</x:xmpmeta>")
        .expect("the end of the XMP packet")
        + start;
    text[start..end].to_string()
}

#[test]
fn every_sample_pdf_claims_pdf_a_2a_and_pdf_ua_1_with_language_title_and_structure() {
    let project = sample_project();
    let output = run(project.path(), &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let all = pdfs(&project.path().join("output"));
    assert_eq!(all.len(), 13, "{all:?}");
    for pdf in all {
        let bytes = std::fs::read(&pdf).unwrap();
        let meta = xmp(&bytes);
        assert!(
            meta.contains("<pdfaid:part>2</pdfaid:part>"),
            "{}: {meta}",
            pdf.display()
        );
        assert!(
            meta.contains("<pdfaid:conformance>A</pdfaid:conformance>"),
            "{}",
            pdf.display()
        );
        assert!(
            meta.contains("<pdfuaid:part>1</pdfuaid:part>"),
            "{}",
            pdf.display()
        );
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let catalog = doc.catalog().unwrap();
        assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"nb-NO");
        assert!(
            catalog.get(b"StructTreeRoot").is_ok(),
            "{} has no structure tree",
            pdf.display()
        );
        assert!(
            catalog.get(b"Outlines").is_ok(),
            "{} has no bookmarks",
            pdf.display()
        );
        let info = doc
            .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
            .unwrap();
        assert!(!info.get(b"Title").unwrap().as_str().unwrap().is_empty());
    }
}

#[test]
fn a_standard_that_cannot_hold_attachments_is_refused_before_any_work() {
    let project = sample_project();
    let output = run(
        project.path(),
        &["build", "--attach-sources", "--pdf-standard", "a-2a,ua-1"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("error: --attach-sources embeds the input files, and --pdf-standard a-2a does not allow embedded files; use --pdf-standard a-3a,ua-1 (the default with --attach-sources) or leave one of the two out\n"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
    assert!(!project.path().join("output").exists());
}

#[test]
fn attached_sources_round_trip_byte_identical() {
    let project = sample_project();
    let output = run(project.path(), &["build", "--attach-sources"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(project.path().join("output/evaluering-2018.pdf")).unwrap();
    assert!(xmp(&bytes).contains("<pdfaid:part>3</pdfaid:part>"));
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let names = doc.catalog().unwrap().get(b"Names").unwrap();
    let names = doc.dereference(names).unwrap().1.as_dict().unwrap().clone();
    let tree = doc
        .dereference(names.get(b"EmbeddedFiles").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap()
        .clone();
    let entries = tree.get(b"Names").unwrap().as_array().unwrap().clone();
    let mut attached = Vec::new();
    for pair in entries.chunks(2) {
        let spec = doc
            .dereference(&pair[1])
            .unwrap()
            .1
            .as_dict()
            .unwrap()
            .clone();
        let ef = doc
            .dereference(spec.get(b"EF").unwrap())
            .unwrap()
            .1
            .as_dict()
            .unwrap()
            .clone();
        let stream = doc
            .dereference(ef.get(b"F").unwrap())
            .unwrap()
            .1
            .as_stream()
            .unwrap()
            .clone();
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let name = String::from_utf8_lossy(pair[0].as_str().unwrap()).into_owned();
        attached.push((name, content));
    }
    for file in [
        "input/data/kpi-definisjoner.csv",
        "input/data/nokkeltall-2018.csv",
        "input/data/okonomi-2018.xlsx",
        "input/narrativ/evaluering-2018.yaml",
        "input/rapportverk.yaml",
    ] {
        let original = std::fs::read(project.path().join(file)).unwrap();
        assert!(
            attached.iter().any(|(_, content)| *content == original),
            "{file} is not attached byte-identical (attached: {:?})",
            attached
                .iter()
                .map(|(n, c)| (n, c.len()))
                .collect::<Vec<_>>()
        );
    }
    assert_eq!(attached.len(), 5);
}

#[test]
fn a_chart_without_data_is_a_clear_error() {
    let project = sample_project();
    let csv = project.path().join("input/data/nokkeltall-2018.csv");
    edit(&csv, "sykefravaer;2017;7,5;", "sykefravaer;2017;..;");
    edit(&csv, "sykefravaer;2018;7,3;", "sykefravaer;2018;..;");
    let output = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert_eq!(output.status.code(), Some(1));
    let yaml = std::fs::read_to_string(project.path().join("input/narrativ/evaluering-2018.yaml"))
        .unwrap();
    let line = yaml
        .lines()
        .position(|l| l.trim() == "- chart: { kpi: sykefravaer }")
        .unwrap()
        + 1;
    let expected = format!(
        "error: the chart of \"sykefravaer\" has no data to draw\n{}--> input/narrativ/evaluering-2018.yaml:{line}:27\n",
        " ".repeat(line.to_string().len())
    );
    assert!(
        stderr(&output).contains(&expected),
        "expected:\n{expected}\ngot:\n{}",
        stderr(&output)
    );
}

/// What the evaluation prints, worked out from the narrative and the data independently of the
/// view: KPI tables (year, previous year, target), charts (every year, target), references.
fn expected_figures(project: &Path) -> BTreeSet<(String, String)> {
    let source = rapportverk::load::SourceCache::new()
        .read(&project.join("input/narrativ/evaluering-2018.yaml"))
        .unwrap();
    // The narrative as plain YAML values: the test reads it independently of the model's types.
    let evaluation: serde_json::Value = yaml::parse(&source).unwrap();
    let year = evaluation["document"]["year"].as_i64().unwrap() as i32;
    let data = std::fs::read_to_string(project.join("input/data/nokkeltall-2018.csv")).unwrap();
    let mut observed: BTreeSet<(String, String)> = data
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(';');
            (f.next().unwrap().to_string(), f.next().unwrap().to_string())
        })
        .collect();
    // The workbook's rows, read with the tool's own table reader (its reading is tested elsewhere).
    let book = rapportverk::load::SourceCache::new()
        .read(&project.join("input/data/okonomi-2018.xlsx"))
        .unwrap();
    let options = rapportverk::ingest::ReadOptions {
        sheet: Some("Økonomi".to_string()),
        ..Default::default()
    };
    let table = rapportverk::ingest::read_table(&book, &options).unwrap();
    for row in &table.rows {
        observed.insert((row[0].value.as_text(), row[1].value.as_text()));
    }
    let targets: BTreeSet<String> =
        std::fs::read_to_string(project.join("input/data/kpi-definisjoner.csv"))
            .unwrap()
            .lines()
            .skip(1)
            // A target is a number; empty or "ingen" means the KPI has none.
            .filter(|l| {
                l.split(';')
                    .nth(5)
                    .unwrap_or("")
                    .starts_with(|c: char| c.is_ascii_digit())
            })
            .map(|l| l.split(';').next().unwrap().to_string())
            .collect();
    let mut expected = BTreeSet::new();
    let mut add = |id: &str, period: String| {
        if period == "mål" && targets.contains(id)
            || observed.contains(&(id.to_string(), period.clone()))
        {
            expected.insert((id.to_string(), period));
        }
    };
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    // KPI tables and charts, wherever they stand in the sections.
    fn walk(v: &serde_json::Value, found: &mut Vec<(String, serde_json::Value)>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, found)),
            serde_json::Value::Object(o) => {
                for (k, v) in o {
                    if k == "kpi_table" || k == "chart" {
                        found.push((k.clone(), v.clone()));
                    }
                    walk(v, found);
                }
            }
            _ => {}
        }
    }
    let mut blocks = Vec::new();
    walk(&evaluation["sections"], &mut blocks);
    for (kind, block) in &blocks {
        if kind == "kpi_table" {
            let years = block["years"].as_str().unwrap_or("");
            let (first, last) = years.split_once('-').unwrap();
            for kpi in block["kpis"].as_array().unwrap() {
                for y in first.parse::<i32>().unwrap()..=last.parse().unwrap() {
                    add(&text(kpi), y.to_string());
                }
                add(&text(kpi), "mål".to_string());
            }
        } else {
            let kpi = &block["kpi"];
            for y in 1990..=2100 {
                add(&text(kpi), y.to_string());
            }
            add(&text(kpi), "mål".to_string());
        }
    }
    // Figure references stand only in prose; every string is searched.
    fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    strings(&evaluation, &mut all);
    for prose in all {
        for r in references(prose).unwrap() {
            let y = r.year.unwrap_or(year);
            add(&r.kpi, y.to_string());
            if r.function == RefFunction::Change {
                add(&r.kpi, (y - 1).to_string());
            }
        }
    }
    expected
}

#[test]
fn the_appendix_lists_exactly_the_figures_printed_with_their_origins() {
    let project = sample_project();
    assert!(run(project.path(), &["build"]).status.success());
    let expected = expected_figures(project.path());
    let provenance = common::evaluation_provenance(project.path());
    let listed: BTreeSet<(String, String)> = provenance
        .rows
        .iter()
        .map(|r| (r.id.clone(), r.period.clone()))
        .collect();
    assert_eq!(listed, expected);
    // And the PDF's appendix shows each of them with its origin and the files' hashes.
    let text = pdf_text(&project.path().join("output/evaluering-2018.pdf"));
    let appendix = &text[text.find("Vedlegg: Datagrunnlag").expect("the appendix")..];
    let root = format!("{}/", project.path().display());
    for row in &provenance.rows {
        let origin = row.origin.trim_start_matches(&root);
        assert!(has(appendix, origin), "appendix lacks {origin}");
    }
    for file in &provenance.files {
        assert!(
            has(appendix, &file.sha256),
            "appendix lacks the hash of {}",
            file.path
        );
        assert_eq!(
            file.sha256,
            rapportverk::load::SourceCache::new()
                .read(Path::new(&file.path))
                .unwrap()
                .sha256
                .clone()
        );
    }
}

#[test]
fn the_consistency_check_flags_a_changed_figure_and_is_silent_on_the_sample() {
    let project = sample_project();
    let quiet = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert!(quiet.status.success());
    assert!(
        stdout(&quiet).ends_with("0 error(s), 0 warning(s)\n"),
        "{}",
        stdout(&quiet)
    );
    // A figure typed by hand that agrees with the data is fine …
    let yaml = project.path().join("input/narrativ/evaluering-2018.yaml");
    edit(
        &yaml,
        "      - p: \"Rådmannens prioriterte områder og oppgaver:\"",
        "      - p: \"Sykefraværet var 7,3 % i 2018.\"\n      - p: \"Rådmannens prioriterte områder og oppgaver:\"",
    );
    let agreeing = run(project.path(), &["check", "--only", "evaluering-2018"]);
    assert!(
        stdout(&agreeing).ends_with("0 error(s), 0 warning(s)\n"),
        "{}",
        stderr(&agreeing)
    );
    // … until the data changes under it.
    edit(
        &project.path().join("input/data/nokkeltall-2018.csv"),
        "sykefravaer;2018;7,3;",
        "sykefravaer;2018;7,4;",
    );
    let output = run(project.path(), &["check", "--only", "evaluering-2018"]);
    let line = std::fs::read_to_string(&yaml)
        .unwrap()
        .lines()
        .position(|l| l.contains("Sykefraværet var"))
        .unwrap()
        + 1;
    let expected = format!(
        "warning: the text says 7,3 % for Sykefravær 2018; the data says 7,4 % (input/data/nokkeltall-2018.csv:3:18)\n{}--> input/narrativ/evaluering-2018.yaml:{line}:12\n",
        " ".repeat(line.to_string().len())
    );
    let hint = "= hint: print the figure from the data instead: {{ kpi(\"sykefravaer\") }}";
    assert!(
        stderr(&output).contains(&expected) && stderr(&output).contains(hint),
        "expected:\n{expected}\ngot:\n{}",
        stderr(&output)
    );
}
