//! The sample project end to end: the 2018 evaluation is built, reads right, and is the same
//! bytes every time.

mod common;

use common::{has, pdf_pages, pdf_text, run, sample_project, stderr, stdout};

#[test]
fn sample_evaluation_holds_goals_statuses_figures_and_signature() {
    let project = sample_project();
    let output = run(project.path(), &["build"]);
    assert!(
        output.status.success(),
        "build failed:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
    let pdf = project.path().join("output/evaluering-2018.pdf");
    let text = pdf_text(&pdf);

    for expected in [
        // title block and period
        "Evaluering av inngått resultat- og utviklingsavtale for rådmannen",
        "01.04.2018–31.03.2019",
        "13. april og 9. november",
        // all four main goals
        "Hovedmål 1: Sikre bærekraftige tjenester",
        "Hovedmål 2: Sikre en balansert samfunnsutvikling som er mangfoldig, grønn og urban.",
        "Hovedmål 3: Være en innovativ og endringsdyktig organisasjon",
        "Hovedmål 4: Legge dialog og medvirkning til grunn",
        // the overview and task statuses, as words
        "Oversikt over måloppnåelse",
        "2.5 Fremme mobilitetsplan. ✗ ikke oppnådd",
        "oppnådd",
        "pågår",
        // figures, formatted the Norwegian way (no-break spaces read back as spaces)
        "1 893",
        "2 433",
        "7,3 %",
        "558 mill. kr",
        "−41",
        "fra 53 % i 2017 til 68 % i 2018",
        // the politics/administration section and the signature
        "Samspillet politikk og administrasjon",
        "26. april 2019",
        "Erik Kjeldstadli",
        "Rådmann",
        // page numbers
        "side 1 av",
    ] {
        assert!(has(&text, expected), "PDF text lacks {expected:?}");
    }
    // A figure typed by hand in the seed ("5.3 %") is printed from the data instead.
    assert!(
        has(&text, "Resultatgrad: 5,3 %"),
        "resultatgrad not formatted from data"
    );
    assert!(!has(&text, "5.3 %"));
}

#[test]
fn sample_pdf_carries_title_author_and_language() {
    let project = sample_project();
    assert!(run(project.path(), &["build"]).status.success());
    let doc = lopdf::Document::load(project.path().join("output/evaluering-2018.pdf")).unwrap();
    let info_ref = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_ref).unwrap();
    let text_of = |key: &[u8]| {
        let bytes = info.get(key).unwrap().as_str().unwrap();
        // PDF text strings are UTF-16BE with a byte-order mark, or PDFDocEncoding.
        if bytes.starts_with(&[0xFE, 0xFF]) {
            let units: Vec<u16> = bytes[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).unwrap()
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    assert_eq!(
        text_of(b"Title"),
        "Evaluering av inngått resultat- og utviklingsavtale for rådmannen"
    );
    assert_eq!(text_of(b"Author"), "Erik Kjeldstadli");
    let catalog = doc.catalog().unwrap();
    let lang = catalog.get(b"Lang").unwrap().as_str().unwrap();
    assert_eq!(lang, b"nb-NO");
}

#[test]
fn two_builds_give_identical_bytes() {
    let project = sample_project();
    assert!(
        run(project.path(), &["build", "--output", "first"])
            .status
            .success()
    );
    assert!(
        run(project.path(), &["build", "--output", "second"])
            .status
            .success()
    );
    let first = std::fs::read(project.path().join("first/evaluering-2018.pdf")).unwrap();
    let second = std::fs::read(project.path().join("second/evaluering-2018.pdf")).unwrap();
    assert!(first.len() > 10_000);
    assert!(first == second, "two builds of the same inputs differ");
}

/// In one build each letter's source is edited from the letter before, so Typst reuses the
/// layout of the text they share; a letter built alone is parsed and laid out afresh. The bytes
/// must not tell which.
#[test]
fn a_letter_typeset_after_the_others_has_the_bytes_of_the_letter_built_alone() {
    let project = sample_project();
    let all = run(
        project.path(),
        &[
            "build",
            "--jobs",
            "1",
            "--only",
            "oppdragsbrev-2022/*",
            "--output",
            "all",
        ],
    );
    assert!(all.status.success(), "{}", stderr(&all));
    let out = stdout(&all);
    let letters: Vec<&str> = out
        .lines()
        .filter_map(|line| line.strip_prefix("built     all/oppdragsbrev-2022/"))
        .filter_map(|rest| rest.split(".pdf").next())
        .filter(|name| *name != "oversikt")
        .collect();
    assert_eq!(letters.len(), 7, "{out}");
    let last = letters[6];
    let alone = run(
        project.path(),
        &[
            "build",
            "--only",
            &format!("oppdragsbrev-2022/{last}"),
            "--output",
            "alone",
        ],
    );
    assert!(alone.status.success(), "{}", stderr(&alone));
    let file = format!("oppdragsbrev-2022/{last}.pdf");
    let warm = std::fs::read(project.path().join("all").join(&file)).unwrap();
    let cold = std::fs::read(project.path().join("alone").join(&file)).unwrap();
    assert!(warm.len() > 10_000);
    assert!(
        warm == cold,
        "{file} built after six other letters differs from it built alone"
    );
}

#[test]
fn check_reports_without_writing() {
    let project = sample_project();
    let output = run(project.path(), &["check"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"checked evaluering-2018"), "{out}");
    assert!(lines.contains(&"checked oppdragsbrev-2022/skole"), "{out}");
    assert!(
        lines.contains(&"checked oppdragsbrev-2022/oversikt"),
        "{out}"
    );
    assert_eq!(lines.last(), Some(&"0 error(s), 0 warning(s)"), "{out}");
    assert!(
        !project.path().join("output").exists(),
        "check wrote output"
    );
}

/// The years of a KPI table row as printed: the first run of `n` year-like numbers after
/// `label` in the text.
fn years_after(text: &str, label: &str, n: usize) -> Vec<i32> {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{text}"));
    text[at..]
        .split_whitespace()
        .filter_map(|w| w.parse::<i32>().ok())
        .filter(|y| (2000..2100).contains(y))
        .take(n)
        .collect()
}

#[test]
fn the_annual_report_is_built_per_sector_and_as_one_volume_in_the_same_run() {
    let project = sample_project();
    let output = run(project.path(), &["build"]);
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let out = project.path().join("output");
    // The evaluation and the letters are built by the same run.
    assert!(out.join("evaluering-2018.pdf").is_file());
    assert!(out.join("oppdragsbrev-2022/oversikt.pdf").is_file());
    let sectors = [
        (
            "organisasjon-styring-og-utvikling",
            "Organisasjon, styring og utvikling",
            "ETT Bærum handler om",
        ),
        (
            "eiendom",
            "Eiendom",
            "Eiendomsvirksomheten har en sentral rolle",
        ),
    ];
    for (slug, name, opening) in sectors {
        let text = pdf_text(&out.join(format!("arsrapport-2018/{slug}.pdf")));
        for expected in [
            name,
            "Viktige resultater og innsatser i 2018",
            "Nøkkeltall",
            "Vedlegg: Datagrunnlag",
        ] {
            assert!(has(&text, expected), "{slug} lacks {expected:?}:\n{text}");
        }
        // Years as columns, oldest first.
        assert_eq!(years_after(&text, "Enhet", 3), [2016, 2017, 2018], "{slug}");
        // This sector's text, and no other's.
        assert!(has(&text, opening), "{slug}");
        let other = sectors.iter().find(|(s, ..)| *s != slug).unwrap().2;
        assert!(!has(&text, other), "{slug} holds {other:?}");
    }
    let osu = pdf_text(&out.join("arsrapport-2018/organisasjon-styring-og-utvikling.pdf"));
    // Sick leave as the source gives it: 7,5 in 2017, 7,3 in 2018, target 7,0.
    assert!(has(&osu, "Sykefravær % 7,6 7,5 7,3 7,0"), "{osu}");
    assert!(has(&osu, "Utfordringer fremover"), "{osu}");

    let volume = pdf_text(&out.join("arsrapport-2018.pdf"));
    let contents = volume.find("Innhold").expect("a table of contents");
    let chapter_one = volume.find("ETT Bærum handler om").unwrap();
    let chapter_two = volume
        .find("Eiendomsvirksomheten har en sentral rolle")
        .unwrap();
    assert!(
        contents < chapter_one && chapter_one < chapter_two,
        "{volume}"
    );
    // Page numbers run through the volume.
    let pages = pdf_pages(&out.join("arsrapport-2018.pdf"));
    let sector_pages: usize = sectors
        .iter()
        .map(|(slug, ..)| pdf_pages(&out.join(format!("arsrapport-2018/{slug}.pdf"))))
        .sum();
    assert!(pages >= sector_pages, "{pages} pages in the volume");
    assert!(
        has(&volume, &format!("side {pages} av {pages}")),
        "{volume}"
    );
    // The appendix names each figure's sector.
    assert!(has(&volume, "Sykefravær (Eiendom)"), "{volume}");
}

/// The letters' own sentences are the locale's: a nynorsk project's letters and overview say
/// them in nynorsk, with the department, year and counts filled in, and no bokmål left.
#[test]
fn a_nynorsk_project_writes_its_letters_in_nynorsk() {
    let project = sample_project();
    common::edit(
        &project.path().join("input/rapportverk.yaml"),
        "language: nb ",
        "language: nn ",
    );
    let output = run(project.path(), &["build", "--only", "oppdragsbrev-2022"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let letters = project.path().join("output/oppdragsbrev-2022");
    let skole = pdf_text(&letters.join("skole.pdf"));
    for expected in [
        "Oppdrag for Skole",
        "Skole har 5 oppdrag i 2022, sorterte etter frist.",
        "Anslått samla reduksjon er 0 tonn CO₂-ekvivalentar; 1 tiltak har enno ikkje anslag.",
        "Tverrgåande oppdrag der Skole er med",
        "Desse oppdraga er eigde av eit anna kommunalsjefområde; Skole bidreg.",
        "Rapporteringsmånadene og fristane for Skole gjennom året.",
    ] {
        assert!(has(&skole, expected), "skole.pdf lacks {expected:?}");
    }
    let bistand = pdf_text(&letters.join("bistand-og-mestring.pdf"));
    assert!(has(
        &bistand,
        "Bistand og mestring har ingen klimatiltak i klimabudsjettet for 2022."
    ));
    let overview = pdf_text(&letters.join("oversikt.pdf"));
    assert!(has(
        &overview,
        "Her er alle oppdraga i oppdragsbreva for 2022 samla"
    ));
    assert!(has(
        &overview,
        "42 oppdrag fordelte på 7 kommunalsjefområde"
    ));
    // (The narrative and the rows stay bokmål: "deltar" alone is in a row's description.)
    for bokmal in [
        "sortert etter",
        "samlet reduksjon",
        "der Skole deltar",
        "eies av",
        "Oversikten samler",
    ] {
        for (name, text) in [("skole", &skole), ("oversikt", &overview)] {
            assert!(!has(text, bokmal), "bokmål {bokmal:?} in {name}.pdf");
        }
    }
}

/// A sentence's places are filled from the data once: a value that holds a place's name is
/// printed as written, and a place the template does not fill shows in the PDF as typed.
#[test]
fn a_letter_sentence_fills_its_places_once_and_shows_an_unknown_one() {
    let project = sample_project();
    common::edit(
        &project.path().join("input/narrativ/oppdragsbrev-2022.yaml"),
        "title: \"Kommunedirektørens oppdragsbrev 2022 - bærekraftige Bærum i praksis\"",
        "title: \"Brev {year} {count} #strong[x]\"",
    );
    common::edit(
        &project.path().join("templates/locale/nb.yaml"),
        "overview_title: \"Oversikt over oppdrag {year}\"",
        "overview_title: \"Oversikt over oppdrag {year} {aar}\"",
    );
    let output = run(
        project.path(),
        &["build", "--only", "oppdragsbrev-2022/oversikt"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(&project.path().join("output/oppdragsbrev-2022/oversikt.pdf"));
    assert!(has(&text, "Oversikt over oppdrag 2022 {aar}"), "{text}");
    assert!(
        has(
            &text,
            "for 2022 (Brev {year} {count} #strong[x]): 42 oppdrag"
        ),
        "{text}"
    );
}
