//! A change to the look is a change to the PDF: after an edit of `branding:` (accent, font),
//! of the logo's bytes or of the project's locale words, `build` builds the document again
//! (never "unchanged" with the old look), and `watch` rebuilds on each save. The branded
//! fixture `tests/fixtures/projects/sogndal` is copied per test.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::{copy_dir, edit, has, pdf_text, repo, run, stderr, stdout};

const BUILT: &str = "built     output/arsmelding-2018.pdf";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures/projects/sogndal"), dir.path());
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    dir
}

/// The decoded content streams of every page, as text.
fn page_contents(pdf: &Path) -> String {
    let document = lopdf::Document::load(pdf).unwrap();
    document
        .get_pages()
        .values()
        .map(|id| String::from_utf8_lossy(&document.get_page_content(*id).unwrap()).into_owned())
        .collect()
}

/// `build` in `dir`: whether it built the document again (its stdout says so).
fn builds_again(dir: &Path) -> bool {
    let output = run(dir, &["build"]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output).contains(BUILT)
}

/// #225588 as the PDF's colour operators write it.
const NEW_ACCENT: &str = "0.13333334 0.33333334 0.53333336";

#[test]
fn build_rebuilds_after_each_change_to_the_look() {
    let dir = project();
    let root = dir.path();
    let manifest = root.join("input/rapportverk.yaml");
    let pdf = root.join("output/arsmelding-2018.pdf");
    assert!(builds_again(root));
    assert!(!builds_again(root), "nothing changed: nothing is built");

    // The accent colour.
    edit(&manifest, "accent: \"#7a1f2b\"", "accent: \"#225588\"");
    assert!(builds_again(root), "an accent edit builds again");
    let contents = page_contents(&pdf);
    assert!(contents.contains(NEW_ACCENT), "the new accent is not used");

    // The font: back to the library's Libertinus Serif.
    let fonts = || {
        let raw = String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).into_owned();
        (
            raw.matches("NewCM").count(),
            raw.matches("Libertinus").count(),
        )
    };
    let (branded, _) = fonts();
    edit(&manifest, "  font: New Computer Modern\n", "");
    assert!(builds_again(root), "a font edit builds again");
    let (after, library) = fonts();
    assert!(
        after < branded && library > 0,
        "NewCM {branded} → {after}, Libertinus {library}"
    );

    // The logo's bytes, its name unchanged.
    let logo = root.join("input/merke/logo.svg");
    let svg = std::fs::read_to_string(&logo).unwrap();
    std::fs::write(&logo, svg.replacen("<svg", "<!-- ny farge -->\n<svg", 1)).unwrap();
    assert!(builds_again(root), "a new logo builds again");

    // The project's own words for its language.
    edit(
        &root.join("templates/locale/nn.yaml"),
        "  kpi: Nøkkeltal\n",
        "  kpi: Nøkkeltala\n",
    );
    assert!(builds_again(root), "a locale word builds again");
    assert!(has(&pdf_text(&pdf), "Nøkkeltala"));
}

/// The running `watch`, killed when the test ends however it ends.
struct Watch {
    child: Child,
    out: Receiver<String>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watch {
    fn start(project: &Path) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rapportverk"))
            .args(["watch"])
            .current_dir(project)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (send, out) = mpsc::channel();
        let stream = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, out }
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
}

#[test]
fn watch_rebuilds_on_an_accent_a_logo_and_a_locale_edit() {
    let dir = project();
    let root = dir.path();
    let pdf = root.join("output/arsmelding-2018.pdf");
    let watch = Watch::start(root);
    let first = watch.next_build();
    assert!(first.iter().any(|l| l.starts_with(BUILT)), "{first:?}");

    edit(
        &root.join("input/rapportverk.yaml"),
        "accent: \"#7a1f2b\"",
        "accent: \"#225588\"",
    );
    let after = watch.next_build();
    assert!(after.iter().any(|l| l.starts_with(BUILT)), "{after:?}");
    assert!(
        page_contents(&pdf).contains(NEW_ACCENT),
        "watch kept the old accent"
    );

    let logo = root.join("input/merke/logo.svg");
    let svg = std::fs::read_to_string(&logo).unwrap();
    std::fs::write(&logo, svg.replacen("<svg", "<!-- ny -->\n<svg", 1)).unwrap();
    let after = watch.next_build();
    assert!(after.iter().any(|l| l.starts_with(BUILT)), "{after:?}");

    edit(
        &root.join("templates/locale/nn.yaml"),
        "  kpi: Nøkkeltal\n",
        "  kpi: Nøkkeltala\n",
    );
    let after = watch.next_build();
    assert!(after.iter().any(|l| l.starts_with(BUILT)), "{after:?}");
    assert!(has(&pdf_text(&pdf), "Nøkkeltala"));
}

#[test]
fn a_font_typo_is_told_at_branding_font_with_the_fonts_there_are() {
    let dir = project();
    let root = dir.path();
    edit(
        &root.join("input/rapportverk.yaml"),
        "font: New Computer Modern",
        "font: New Computer Modrn",
    );
    let output = run(root, &["check"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains(
            "error: branding: font: \"New Computer Modrn\" is not a font of the project or of rapportverk\n  --> input/rapportverk.yaml:"
        ),
        "{err}"
    );
    assert!(
        err.contains("= hint: did you mean \"New Computer Modern\"? the fonts are: DejaVu Sans Mono, Libertinus Serif, New Computer Modern"),
        "{err}"
    );
    assert!(
        !err.contains("templates/lib"),
        "told at the library's line: {err}"
    );
}
