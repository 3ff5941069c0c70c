//! `rapportverk watch` on a copy of the sample: a saved narrative or CSV gives a new PDF with
//! the change, a YAML syntax error is printed and keeps the old PDF, and fixing it builds again.
//! Every wait has a time bound, and the test stops `watch` itself.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::{edit, has, pdf_text, sample_project};

/// The running `watch`, killed when the test ends however it ends.
struct Watch {
    child: Child,
    out: Receiver<String>,
    err: Receiver<String>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

impl Watch {
    fn start(project: &Path) -> Watch {
        Watch::start_only(project, "evaluering-2018")
    }

    fn start_only(project: &Path, only: &str) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rapportverk"))
            .args(["watch", "--only", only])
            .current_dir(project)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = lines(child.stdout.take().unwrap());
        let err = lines(child.stderr.take().unwrap());
        Watch { child, out, err }
    }

    /// The standard output up to the next "watching …" line (a build finished), at most 60 s.
    fn next_build(&self) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) if line.starts_with("watching ") => return seen,
                Ok(line) => seen.push(line),
                Err(_) => panic!("no build within 60 s; output so far: {seen:?}"),
            }
        }
    }

    /// What `watch` printed on standard error since the last call. Its stderr is read on
    /// another thread than its stdout, so the first line is waited for (at most 5 s).
    fn errors(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .err
            .recv_timeout(Duration::from_secs(5))
            .into_iter()
            .collect();
        // The rest of the message follows at once; a pause ends it.
        while let Ok(line) = self.err.recv_timeout(Duration::from_millis(300)) {
            lines.push(line);
        }
        lines
    }
}

#[test]
fn saves_rebuild_errors_keep_the_old_pdf_and_a_fix_builds_again() {
    let project = sample_project();
    let pdf = project.path().join("output/evaluering-2018.pdf");
    let watch = Watch::start(project.path());
    let first = watch.next_build();
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("built     output/evaluering-2018.pdf")),
        "{first:?}"
    );
    assert!(has(&pdf_text(&pdf), "UTKAST"), "watch builds drafts");

    // A CSV value.
    edit(
        &project.path().join("input/data/nokkeltall-2018.csv"),
        "klimatiltak;2018;67;",
        "klimatiltak;2018;71;",
    );
    let after_csv = watch.next_build();
    assert!(
        after_csv.iter().any(|l| l.contains("67 → 71")),
        "{after_csv:?}"
    );

    // A sentence of the narrative.
    let yaml = project.path().join("input/narrativ/evaluering-2018.yaml");
    edit(
        &yaml,
        "Resultat og utviklingsavtalen bygger på",
        "Resultat- og utviklingsavtalen bygger nå på",
    );
    watch.next_build();
    assert!(has(&pdf_text(&pdf), "utviklingsavtalen bygger nå på"));

    // A syntax error: told at its line, and the PDF stays as it was.
    let good = std::fs::read(&pdf).unwrap();
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{text}\nbroken: [\n")).unwrap();
    let failed = watch.next_build();
    assert!(
        failed
            .iter()
            .any(|l| l.starts_with("FAILED  evaluering-2018")),
        "{failed:?}"
    );
    let errors = watch.errors();
    assert!(
        errors.iter().any(|l| l
            .trim_start()
            .starts_with("--> input/narrativ/evaluering-2018.yaml:"))
            && errors.iter().any(|l| l.starts_with("error: ")),
        "{errors:?}"
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), good, "the old PDF is kept");

    // Fixed: built again.
    std::fs::write(&yaml, text).unwrap();
    let fixed = watch.next_build();
    assert!(
        fixed
            .iter()
            .any(|l| l.starts_with("built     output/evaluering-2018.pdf")),
        "{fixed:?}"
    );
    assert!(
        fixed.iter().any(|l| l == "0 error(s), 0 warning(s)"),
        "{fixed:?}"
    );
}

#[test]
fn watch_holds_the_lock_and_follows_a_replaced_folder() {
    let project = sample_project();
    let watch = Watch::start(project.path());
    watch.next_build();
    // A build into the same output folder while watch runs is refused, naming watch.
    let build = common::run(project.path(), &["build", "--only", "evaluering-2018"]);
    assert_eq!(build.status.code(), Some(2));
    assert!(
        common::stderr(&build).contains(&format!(
            "another build (process {}) is writing to",
            watch.child.id()
        )),
        "{}",
        common::stderr(&build)
    );
    // The data folder replaced by a new one, as a sync client or an export does it.
    let data = project.path().join("input/data");
    let new = project.path().join("input/data-new");
    common::copy_dir(&data, &new);
    std::fs::rename(&data, project.path().join("input/data-old")).unwrap();
    std::fs::rename(&new, &data).unwrap();
    let swapped = watch.next_build();
    assert!(
        swapped
            .iter()
            .any(|l| l == "the folder input/data was replaced; watching the new one"),
        "{swapped:?}"
    );
    edit(
        &data.join("nokkeltall-2018.csv"),
        "klimatiltak;2018;67;",
        "klimatiltak;2018;71;",
    );
    let after = watch.next_build();
    assert!(after.iter().any(|l| l.contains("67 → 71")), "{after:?}");
}

#[test]
fn a_new_unit_narrative_is_seen() {
    let project = sample_project();
    let unit = project
        .path()
        .join("input/narrativ/arsrapport-2018/eiendom.yaml");
    let text = std::fs::read_to_string(&unit).unwrap();
    std::fs::remove_file(&unit).unwrap();
    let watch = Watch::start_only(project.path(), "arsrapport-2018*");
    watch.next_build();
    std::fs::write(
        &unit,
        text.replace("klimaklok kommune", "klimaklok kommune med ny tekst"),
    )
    .unwrap();
    let built = watch.next_build();
    assert!(
        built.iter().any(|l| l.starts_with("changed: ")),
        "{built:?}"
    );
    let pdf = project.path().join("output/arsrapport-2018/eiendom.pdf");
    assert!(has(&pdf_text(&pdf), "klimaklok kommune med ny tekst"));
}

/// `watch --only` that can never build anything says so and exits 2 at once, as `build` does,
/// instead of watching files for a document that does not exist.
#[test]
fn watch_with_only_matching_nothing_exits_2_naming_the_documents() {
    let dir = sample_project();
    let mut watch = Watch::start_only(dir.path(), "evaluring-2018");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = watch.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "watch still runs after 60 s");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(2));
    let err = watch.err.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        err,
        "error: --only \"evaluring-2018\" matches no document of input/rapportverk.yaml"
    );
    assert!(!dir.path().join("output/build-report.json").exists());
}
