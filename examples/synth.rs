//! A large synthetic project for benchmarks: per-unit evaluations (5–8 pages each, with KPI
//! tables and a chart) and an assignments table with as many departments as asked.
//!
//! `cargo run --release --example synth -- --units 500 [--departments 20] DIR`
//! writes DIR/input (manifest, data, narratives) and DIR/templates (the project's templates).
//!
//! `cargo run --release --example synth -- --national 400 DIR` writes instead the national
//! shape: one file `kommune;kpi;år;verdi` of 30 KPIs × 5 years for N municipalities and one
//! document made per municipality (a 30-row KPI table and two charts), as a county or KS
//! would run it over a KOSTRA export.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let mut units = 100usize;
    let mut departments = 0usize;
    let mut national: Option<usize> = None;
    let mut dir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--units" => units = args.next().and_then(|n| n.parse().ok()).expect("--units N"),
            "--departments" => {
                departments = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--departments N")
            }
            "--national" => {
                national = Some(
                    args.next()
                        .and_then(|n| n.parse().ok())
                        .expect("--national N"),
                )
            }
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir.expect("usage: synth --units N [--departments N] DIR | synth --national N DIR");
    if let Some(n) = national {
        generate_national(&dir, n).expect("the national project is written");
        println!("wrote {n} municipalities to {}", dir.display());
        return;
    }
    generate(&dir, units, departments).expect("the synthetic project is written");
    println!(
        "wrote {} units and {} departments to {}",
        units,
        departments,
        dir.display()
    );
}

/// A small deterministic pseudo-random generator, so the same arguments give the same project.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "tjenestene",
    "innbyggerne",
    "samarbeid",
    "utvikling",
    "kvalitet",
    "omstilling",
    "digitale",
    "løsninger",
    "arbeidet",
    "enhetene",
    "mestring",
    "læring",
    "bærekraft",
    "klima",
    "frivillige",
    "ressursene",
    "planen",
    "gjennomført",
    "videreført",
    "styrket",
    "etablert",
    "rutiner",
    "oppfølging",
    "kompetanse",
    "medarbeidere",
    "ledere",
    "brukerne",
    "tiltak",
    "resultater",
    "økonomi",
    "rammene",
    "prioritert",
    "helhetlig",
    "tverrfaglig",
    "lokalsamfunnet",
    "året",
];

fn sentence(rng: &mut Lcg, words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        let word = WORDS[rng.below(WORDS.len() as u64) as usize];
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push('.');
    out
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

const KPIS: &[(&str, f64, f64)] = &[
    ("sykefravaer", 7.5, 0.8),
    ("flyktninger_arbeid_utdanning", 60.0, 10.0),
    ("fritidsstipend", 200.0, 60.0),
    ("digitaliseringsprosjekter", 50.0, 15.0),
    ("klimatiltak", 60.0, 10.0),
    ("ladepunkter_borettslag", 140.0, 30.0),
    ("oljetanker_fjernet", 150.0, 30.0),
    ("netto_driftsresultat", 550.0, 60.0),
    ("resultatgrad", 5.0, 1.0),
    ("egenkapitalfinansiering", 50.0, 8.0),
    ("bufferfond", 450.0, 30.0),
    ("likviditetsreserve", 1800.0, 150.0),
    ("forvaltningsfond", 2400.0, 150.0),
    ("merforbruk_tjenester", 30.0, 15.0),
    ("lup_ledergrupper", 150.0, 20.0),
    ("energibruk_bygg_endring", -3.0, 1.5),
];

pub fn generate(dir: &Path, units: usize, departments: usize) -> std::io::Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let input = dir.join("input");
    std::fs::create_dir_all(input.join("data"))?;
    std::fs::create_dir_all(input.join("narrativ"))?;
    copy_dir(&repo.join("templates"), &dir.join("templates"))?;
    std::fs::copy(
        repo.join("input/data/kpi-definisjoner.csv"),
        input.join("data/kpi-definisjoner.csv"),
    )?;
    let mut manifest = String::from(
        "# Synthetic benchmark project (generated by examples/synth.rs; illustrative data).\nlanguage: nb\ntemplates: ../templates\nkpi_definitions: data/kpi-definisjoner.csv\ndata:\n",
    );
    let mut documents = String::from("documents:\n");
    let mut rng = Lcg(2018);
    for unit in 1..=units {
        let name = format!("enhet-{unit:04}");
        let mut csv = String::from("kpi;år;verdi;kilde\n");
        for (id, base, spread) in KPIS {
            for year in [2017, 2018] {
                let value = base + (rng.below(1000) as f64 / 1000.0 - 0.5) * spread;
                let decimals = if matches!(
                    *id,
                    "sykefravaer" | "resultatgrad" | "energibruk_bygg_endring"
                ) {
                    1
                } else {
                    0
                };
                let text = format!("{value:.decimals$}").replace('.', ",");
                writeln!(csv, "{id};{year};{text};Syntetisk (illustrativ)").ok();
            }
        }
        std::fs::write(input.join(format!("data/{name}.csv")), csv)?;
        std::fs::write(
            input.join(format!("narrativ/{name}.yaml")),
            narrative(&mut rng, unit),
        )?;
        writeln!(manifest, "  - id: {name}\n    file: data/{name}.csv").ok();
        writeln!(
            documents,
            "  - id: {name}\n    template: evaluering.typ.j2\n    narrative: narrativ/{name}.yaml\n    data: [{name}]"
        )
        .ok();
    }
    if departments > 0 {
        let mut table = String::from(
            "id;kommunalsjefområde;tittel;beskrivelse;opphav;frist;ansvarlig;klimatiltak;co2e_tonn;samarbeid;kilde\n",
        );
        let mut id = 0;
        for d in 1..=departments {
            for _ in 0..5 {
                id += 1;
                let month = 1 + rng.below(12);
                let climate = rng.below(4) == 0;
                writeln!(
                    table,
                    "OPP-{id:05};Avdeling {d:03};{};{};Budsjettvedtak;2022-{month:02}-15;Kommunalsjef {d:03};{};{};;Syntetisk",
                    sentence(&mut rng, 5).trim_end_matches('.'),
                    sentence(&mut rng, 14),
                    if climate { "ja" } else { "nei" },
                    if climate { format!("{},5", 5 + rng.below(100)) } else { String::new() },
                )
                .ok();
            }
        }
        std::fs::write(input.join("data/oppdrag.csv"), table)?;
        std::fs::copy(
            repo.join("input/narrativ/oppdragsbrev-2022.yaml"),
            input.join("narrativ/oppdragsbrev-2022.yaml"),
        )?;
        manifest.push_str("  - id: oppdrag\n    file: data/oppdrag.csv\n");
        documents.push_str("  - id: oppdragsbrev-2022\n    template: oppdragsbrev.typ.j2\n    narrative: narrativ/oppdragsbrev-2022.yaml\n    per_unit: { source: oppdrag, column: kommunalsjefområde }\n    overview: oppdragsbrev-oversikt.typ.j2\n");
    }
    manifest.push_str(&documents);
    std::fs::write(input.join("rapportverk.yaml"), manifest)
}

/// How many KPIs and years each municipality of the national file has.
const NATIONAL_KPIS: usize = 30;
const NATIONAL_YEARS: std::ops::RangeInclusive<i32> = 2020..=2024;

/// The national shape: one long file with a municipality column, one document per municipality.
pub fn generate_national(dir: &Path, municipalities: usize) -> std::io::Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let input = dir.join("input");
    std::fs::create_dir_all(input.join("data"))?;
    std::fs::create_dir_all(input.join("narrativ"))?;
    copy_dir(&repo.join("templates"), &dir.join("templates"))?;
    let mut definitions = String::from("id;navn;enhet;desimaler;retning;mål;kilde\n");
    for k in 1..=NATIONAL_KPIS {
        writeln!(
            definitions,
            "nk{k:02};Nøkkeltall {k};%;1;høyere;ingen;Syntetisk (illustrativ)"
        )
        .ok();
    }
    std::fs::write(input.join("data/kpi-definisjoner.csv"), definitions)?;
    let mut rng = Lcg(2024);
    let mut csv = String::from("kommune;kpi;år;verdi\n");
    for m in 1..=municipalities {
        for k in 1..=NATIONAL_KPIS {
            for year in NATIONAL_YEARS {
                let value = 10.0 + rng.below(9000) as f64 / 100.0;
                let text = format!("{value:.1}").replace('.', ",");
                writeln!(csv, "Kommune {m:04};nk{k:02};{year};{text}").ok();
            }
        }
    }
    std::fs::write(input.join("data/nasjonal.csv"), csv)?;
    let kpis: Vec<String> = (1..=NATIONAL_KPIS).map(|k| format!("nk{k:02}")).collect();
    let narrative = format!(
        "document:\n  title: Kommunebilde 2024\n  municipality: Syntetisk fylke\n  year: 2024\n\
         sections:\n  - title: Nøkkeltall\n    blocks:\n\
         \x20     - p: \"Syntetiske nøkkeltall for hver kommune (illustrative).\"\n\
         \x20     - kpi_table: {{ kpis: [{}], years: 2020-2024, columns: [unit] }}\n\
         \x20     - chart: {{ kpi: nk01 }}\n\
         \x20     - chart: {{ kpi: nk02, type: line }}\n",
        kpis.join(", ")
    );
    std::fs::write(input.join("narrativ/kommunebilde.yaml"), narrative)?;
    let manifest = "# National benchmark project (generated by examples/synth.rs --national; illustrative data).\n\
        language: nb\ntemplates: ../templates\nkpi_definitions: data/kpi-definisjoner.csv\n\
        data:\n  - id: nasjonal\n    file: data/nasjonal.csv\n\
        documents:\n  - id: kommunebilde-2024\n    template: arsrapport.typ.j2\n    narrative: narrativ/kommunebilde.yaml\n\
        \x20   data: [nasjonal]\n    per_unit: { source: nasjonal, column: kommune }\n";
    std::fs::write(input.join("rapportverk.yaml"), manifest)
}

/// A unit's evaluation in the sample's general form: sections with four goals, KPI tables, a
/// chart, tasks, about 5–8 pages.
fn narrative(rng: &mut Lcg, unit: usize) -> String {
    let mut y = format!(
        "document:\n  municipality: Syntetisk kommune\n  title: Evaluering av lederavtale for enhet {unit:04}\n  subtitle: Evaluering for avtaleperioden 01.04.2018–31.03.2019\n  period: {{ from: 2018-04-01, to: 2019-03-31 }}\n  year: 2018\n  date: 2019-04-26\n  author: Enhetsleder {unit:04}\n  subject: Syntetisk evaluering for ytelsesmåling.\n  keywords: [syntetisk]\n  fields:\n    - {{ label: Grunnlag, value: \"Handlingsprogram 2018-2021, Virksomhetsplan 2018\" }}\nsections:\n  - id: innledning\n    title: Innledning\n    blocks:\n      - p: \"Avtalen bygger på:\"\n      - list: [\"Handlingsprogram 2018-2021\", \"Virksomhetsplan 2018\"]\n      - p: \"{}\"\n  - id: avtalen\n    title: Avtalen for 2018\n    blocks:\n      - p: \"{}\"\n      - page_break\n  - id: maloppnaelse\n    title: Oversikt over måloppnåelse\n    blocks:\n      - p: \"Tabellen viser alle oppgavene.\"\n  - id: evaluering\n    title: Evaluering\n    blocks:\n      - p: \"{}\"\n    sections:\n",
        sentence(rng, 40),
        sentence(rng, 40),
        sentence(rng, 30)
    );
    let goal_kpis = [
        "[flyktninger_arbeid_utdanning, fritidsstipend, digitaliseringsprosjekter]",
        "[klimatiltak, ladepunkter_borettslag, oljetanker_fjernet, energibruk_bygg_endring]",
        "[netto_driftsresultat, resultatgrad, egenkapitalfinansiering, bufferfond, likviditetsreserve, forvaltningsfond, merforbruk_tjenester, sykefravaer]",
        "[lup_ledergrupper]",
    ];
    let statuses = [
        "oppnådd",
        "oppnådd",
        "oppnådd",
        "delvis",
        "pågår",
        "ikke oppnådd",
    ];
    for (g, kpis) in goal_kpis.iter().enumerate() {
        writeln!(
            y,
            "      - number: {}\n        title: \"Hovedmål {}: {}\"\n        blocks:\n          - p: \"{}\"\n          - kpi_table: {{ kpis: {kpis}, years: 2017-2018 }}",
            g + 1,
            g + 1,
            sentence(rng, 10),
            sentence(rng, 60)
        )
        .ok();
        if g == 2 {
            y.push_str("          - chart: { kpi: sykefravaer }\n");
        }
        y.push_str("          - tasks:\n");
        for t in 1..=3 {
            let status = statuses[rng.below(statuses.len() as u64) as usize];
            writeln!(
                y,
                "              - id: m{}-o{t}\n                title: \"{}\"\n                status: {status}",
                g + 1,
                sentence(rng, 12)
            )
            .ok();
            if status != "oppnådd" {
                writeln!(y, "                status_note: \"{}\"", sentence(rng, 8)).ok();
            }
            y.push_str("                blocks:\n                  - list:\n");
            for _ in 0..5 {
                writeln!(y, "                      - \"{}\"", sentence(rng, 14)).ok();
            }
        }
    }
    writeln!(y, "  - id: samspill\n    title: Samspillet\n    blocks:\n      - p: \"{}\"\n      - signature: {{ date: 2019-04-26, name: Enhetsleder {unit:04}, role: Enhetsleder }}", sentence(rng, 40)).ok();
    y
}
