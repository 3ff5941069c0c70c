//! The batch benchmark, in one run on this machine: documents per second for N = 100 and 500
//! with `--jobs 1` and `--jobs 2`, the share of time outside typesetting, a no-op rebuild, peak
//! memory at N = 100 and 1000, and (where a `typst` CLI is installed) our rate against it.
//!
//! `cargo build --release && cargo run --release --example bench [-- --quick]`
//! `… --example bench -- --sample [ROUNDS]`: the whole sample against the typst CLI.
//! Results are printed as Markdown for BENCHMARKS.md. A benchmark, never a test.

#[allow(dead_code)]
#[path = "synth.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rapportverk::typeset::{Generated, PdfSettings, SharedWorld, typeset};

fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's own path");
    // target/release/examples/bench → target/release/rapportverk
    exe.parent()
        .and_then(Path::parent)
        .expect("target/release")
        .join("rapportverk")
}

struct Build {
    seconds: f64,
    built: u64,
    unchanged: u64,
    peak_kib: u64,
}

fn build(project: &Path, output: &str, extra: &[&str]) -> Build {
    let started = Instant::now();
    let status = Command::new(binary())
        .args(["build", "--project", "input", "--output", output])
        .args(extra)
        .current_dir(project)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("rapportverk runs (cargo build --release first)");
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "the benchmark build failed");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.join(output).join("build-report.json")).unwrap(),
    )
    .unwrap();
    let totals = &report["totals"];
    Build {
        seconds,
        built: totals["built"].as_u64().unwrap_or(0),
        unchanged: totals["unchanged"].as_u64().unwrap_or(0),
        peak_kib: totals["peak_memory_kib"].as_u64().unwrap_or(0),
    }
}

fn project(root: &Path, units: usize) -> PathBuf {
    let dir = root.join(format!("n{units}"));
    synth::generate(&dir, units, 0).expect("the synthetic project");
    dir
}

/// Typesets already emitted `.typ` sources in-process, over `jobs` threads: typesetting alone.
fn typeset_alone(project: &Path, emitted: &Path, jobs: usize) -> f64 {
    let mut sources: Vec<String> = std::fs::read_dir(emitted)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "typ"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    sources.sort();
    let started = Instant::now();
    let shared = SharedWorld::new(
        &project.join("templates"),
        "/templates",
        &rapportverk::load::SourceCache::new(),
    )
    .unwrap();
    let settings = PdfSettings::archival(false);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some(source) = sources.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let generated = Generated {
                        source: source.clone(),
                        template: Some("bench"),
                        files: &[],
                        label: "bench.typ",
                        map: &Default::default(),
                    };
                    let (pdf, _) = typeset(&shared, generated, "bench", &settings);
                    if pdf.is_none() {
                        *failures.lock().unwrap() += 1;
                    }
                    typst::comemo::evict(10);
                }
            });
        }
    });
    assert_eq!(
        *failures.lock().unwrap(),
        0,
        "emitted sources failed to typeset"
    );
    started.elapsed().as_secs_f64()
}

/// Every emitted `.typ` below `dir`.
fn emitted_sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for path in std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "typ") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// One `typst compile` process per document, as many at a time as there are cores.
fn typst_cli(project: &Path, emitted: &Path, jobs: usize) -> Option<f64> {
    typst_cli_measured(project, emitted, jobs).map(|(seconds, _)| seconds)
}

/// [`typst_cli`], with the largest peak memory of one process (KiB) where `/usr/bin/time`
/// can tell it.
fn typst_cli_measured(project: &Path, emitted: &Path, jobs: usize) -> Option<(f64, u64)> {
    Command::new("typst").arg("--version").output().ok()?;
    let timed = Path::new("/usr/bin/time").exists();
    let files = emitted_sources(emitted);
    let peak = std::sync::atomic::AtomicU64::new(0);
    // The emitted sources import /templates/lib/rapport.typ from the project root.
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let memory = file.with_extension("cli.kib");
                    let mut command = if timed {
                        let mut time = Command::new("/usr/bin/time");
                        time.args(["-f", "%M", "-o"]).arg(&memory).arg("typst");
                        time
                    } else {
                        Command::new("typst")
                    };
                    let status = command
                        .args([
                            "compile",
                            "--pdf-standard",
                            "a-2a,ua-1",
                            "--ignore-system-fonts",
                            "--root",
                        ])
                        .arg(project)
                        .arg(file)
                        .arg(file.with_extension("cli.pdf"))
                        .status()
                        .expect("typst runs");
                    assert!(status.success(), "typst compile {} failed", file.display());
                    let kib = std::fs::read_to_string(&memory)
                        .ok()
                        .and_then(|m| m.trim().parse().ok())
                        .unwrap_or(0);
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
            });
        }
    });
    Some((started.elapsed().as_secs_f64(), peak.into_inner()))
}

/// `--sample [ROUNDS]`: the whole sample project (every document of `input/`) built by
/// `rapportverk build --jobs 2 --force`, against the typst CLI compiling the same emitted
/// sources, one process per document, two at a time: wall time of each round and peak memory.
fn sample(rounds: usize) {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Inside the project root: the typst CLI compiles only sources below its --root.
    let root = repository.join("target/bench-sample");
    let _ = std::fs::remove_dir_all(&root);
    let emitted = root.join("emit");
    build(
        repository,
        &emitted.to_string_lossy(),
        &["--force", "--emit-typst"],
    );
    let documents = emitted_sources(&emitted).len();
    println!(
        "| round | rapportverk --jobs 2 | peak | typst CLI, 2 processes | largest process peak | ratio |"
    );
    println!("|---|---|---|---|---|---|");
    for round in 1..=rounds {
        let output = root.join(format!("out-{round}"));
        let run = build(
            repository,
            &output.to_string_lossy(),
            &["--force", "--jobs", "2"],
        );
        let (ours, peak) = (run.seconds, run.peak_kib);
        let Some((cli, cli_peak)) = typst_cli_measured(repository, &emitted, 2) else {
            println!(
                "| {round} | {:.0} ms | {} MiB | not run: no `typst` on PATH | | |",
                ours * 1000.0,
                peak / 1024
            );
            continue;
        };
        println!(
            "| {round} | {:.0} ms | {} MiB | {:.0} ms | {} MiB | {:.2}× |",
            ours * 1000.0,
            peak / 1024,
            cli * 1000.0,
            cli_peak / 1024,
            cli / ours
        );
    }
    println!("({documents} documents)");
    let _ = std::fs::remove_dir_all(&root);
}

/// `--cli N`: only the typst CLI comparison, on N documents.
fn cli_only(units: usize) {
    let root = std::env::temp_dir().join("rapportverk-bench-cli");
    let _ = std::fs::remove_dir_all(&root);
    let dir = project(&root, units);
    let ours = build(&dir, "out-j2", &["--jobs", "2", "--force"]);
    let _ = build(
        &dir,
        "out-emit",
        &["--jobs", "2", "--force", "--emit-typst"],
    );
    match typst_cli(&dir, &dir.join("out-emit"), 2) {
        Some(cli) => println!(
            "| N = {units}: rapportverk --jobs 2 against typst CLI (one process per document, 2 at a time) | {:.2} s against {cli:.2} s: rapportverk is {:.2}× faster (aim ≥ 3×) |",
            ours.seconds,
            cli / ours.seconds
        ),
        None => println!("| typst CLI comparison | not run: no `typst` on PATH |"),
    }
    let _ = std::fs::remove_dir_all(&root);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--sample") {
        sample(args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(5));
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--cli") {
        cli_only(args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(100));
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (small, large, huge) = if quick {
        (20, 60, 120)
    } else {
        (100, 500, 1000)
    };
    let root = std::env::temp_dir().join("rapportverk-bench");
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "machine: {} cores; binary: {}",
        std::thread::available_parallelism().map_or(1, usize::from),
        binary().display()
    );
    println!();
    println!("| measurement | value |");
    println!("|---|---|");

    let mut rates = Vec::new();
    for units in [small, large] {
        let dir = project(&root, units);
        for jobs in [1, 2] {
            let run = build(
                &dir,
                &format!("out-j{jobs}"),
                &["--jobs", &jobs.to_string(), "--force"],
            );
            assert_eq!(run.built, units as u64);
            let rate = units as f64 / run.seconds;
            rates.push((units, jobs, rate));
            println!(
                "| N = {units}, --jobs {jobs}: full build | {:.2} s, {rate:.1} documents/s |",
                run.seconds
            );
        }
        if units == large {
            let j1 = rates
                .iter()
                .find(|r| r.0 == units && r.1 == 1)
                .map_or(1.0, |r| r.2);
            let j2 = rates
                .iter()
                .find(|r| r.0 == units && r.1 == 2)
                .map_or(1.0, |r| r.2);
            println!(
                "| N = {units}: --jobs 2 rate / --jobs 1 rate | {:.2}× (target ≥ 1.5×) |",
                j2 / j1
            );
            // Typesetting alone, from the sources the same build emits.
            let full = build(
                &dir,
                "out-emit",
                &["--jobs", "2", "--force", "--emit-typst"],
            );
            let alone = typeset_alone(&dir, &dir.join("out-emit"), 2);
            let outside = (full.seconds - alone).max(0.0) / full.seconds * 100.0;
            println!(
                "| N = {units}, --jobs 2: typesetting the emitted sources alone | {alone:.2} s of a {:.2} s build: {outside:.1} % outside typesetting (target ≤ 15 %) |",
                full.seconds
            );
            let noop = build(&dir, "out-j2", &["--jobs", "2"]);
            assert_eq!(noop.unchanged, units as u64);
            let full_j2 = units as f64 / j2;
            println!(
                "| N = {units}: no-op rebuild | {:.3} s = {:.1} % of the full build (target ≤ 3 %) |",
                noop.seconds,
                noop.seconds / full_j2 * 100.0
            );
            match typst_cli(&dir, &dir.join("out-emit"), 2) {
                Some(cli) => println!(
                    "| N = {units}: typst CLI, one process per document, 2 at a time | {cli:.2} s; rapportverk is {:.2}× faster (aim ≥ 3×) |",
                    cli / full_j2
                ),
                None => println!("| typst CLI comparison | not run: no `typst` on PATH |"),
            }
        }
    }
    let mut peaks = Vec::new();
    for units in [small, huge] {
        let dir = if units == small {
            root.join(format!("n{small}"))
        } else {
            project(&root, units)
        };
        let run = build(&dir, "out-mem", &["--jobs", "2", "--force"]);
        peaks.push(run.peak_kib);
        println!(
            "| N = {units}, --jobs 2: peak memory | {:.0} MiB ({:.1} documents/s) |",
            run.peak_kib as f64 / 1024.0,
            units as f64 / run.seconds
        );
    }
    println!(
        "| peak memory N = {huge} / N = {small} | {:.2}× (target ≤ 1.3×) |",
        peaks[1] as f64 / peaks[0].max(1) as f64
    );
    let _ = std::fs::remove_dir_all(&root);
}
