//! How much of Typst's cached work carries over from one document to the next in one process:
//! typesets emitted `.typ` files in the order given and prints each one's time and a hash of
//! its PDF. By default each source is edited from the one before, as `build` does for the
//! documents of one template; `--fresh` parses each afresh; `--evict` empties Typst's cache
//! after each document (cold every time). The hashes show the bytes do not depend on the mode.
//!
//! `cargo run --release --example warm -- [--fresh] [--evict] PROJECT FILE.typ…`
//! (PROJECT is the folder whose `templates/lib` the sources import.) A measurement tool for
//! BENCHMARKS.md, never a test.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::time::Instant;

use rapportverk::typeset::{Generated, PdfSettings, SharedWorld, typeset};

fn main() {
    let mut fresh = false;
    let mut evict = false;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--fresh" => fresh = true,
            "--evict" => evict = true,
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let Some((project, files)) = paths.split_first() else {
        eprintln!("usage: warm [--fresh] [--evict] PROJECT FILE.typ…");
        std::process::exit(2);
    };
    let shared = SharedWorld::new(
        &project.join("templates"),
        "/templates",
        &rapportverk::load::SourceCache::new(),
    )
    .expect("the layout library loads");
    let settings = PdfSettings::archival(false);
    let all = Instant::now();
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(file).expect("an emitted source");
        let started = Instant::now();
        let generated = Generated {
            source,
            template: (!fresh).then_some("one template"),
            files: &[],
            label: "warm.typ",
            map: &Default::default(),
        };
        let (pdf, problems) = typeset(&shared, generated, &name, &settings);
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let Some(pdf) = pdf else {
            eprintln!("{name} did not typeset: {problems:?}");
            std::process::exit(1);
        };
        let mut hasher = DefaultHasher::new();
        pdf.pdf.hash(&mut hasher);
        println!(
            "{name:<40} {:>3} pages {millis:>7.1} ms  pdf {:016x}",
            pdf.pages,
            hasher.finish()
        );
        if evict {
            typst::comemo::evict(0);
        }
    }
    println!("total {:.0} ms", all.elapsed().as_secs_f64() * 1000.0);
}
