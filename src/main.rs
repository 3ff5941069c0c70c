//! Entry point: parse arguments, run the library, print diagnostics and a summary, exit with a code.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use rapportverk::build::{self, Options, Status};
use rapportverk::project::Project;
use rapportverk::typeset::PdfSettings;

use cli::{Cli, Command};

const EXIT_DOCUMENT_FAILED: u8 = 1;
const EXIT_PROJECT_ERROR: u8 = 2;

/// `output/` beside the input folder, written without a leading `./` for readable messages.
fn default_output(root: &std::path::Path) -> std::path::PathBuf {
    if root == std::path::Path::new(".") {
        "output".into()
    } else {
        root.join("output")
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (project_path, output, emit_typst, check_only) = match &cli.command {
        Command::Build(args) => (
            &args.project.project,
            args.output.clone(),
            args.emit_typst,
            false,
        ),
        Command::Check(args) => (&args.project, None, false, true),
    };
    let project = match Project::load(project_path) {
        Ok(project) => project,
        Err(problems) => {
            for problem in problems.iter() {
                eprintln!("{problem}");
            }
            return ExitCode::from(EXIT_PROJECT_ERROR);
        }
    };
    let options = Options {
        output: output.unwrap_or_else(|| default_output(&project.root)),
        emit_typst,
        check_only,
        pdf: PdfSettings::default(),
    };
    let report = build::run(&project, &options);
    for problem in &report.diagnostics {
        eprintln!("{problem}");
    }
    let (mut errors, mut warnings) = (0, 0);
    for document in &report.documents {
        for problem in &document.diagnostics {
            eprintln!("{problem}");
            if problem.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
        }
        match document.status {
            Status::Built => println!(
                "built   {} ({} pages, {} bytes, {} ms)",
                document.output.display(),
                document.pages,
                document.bytes,
                document.millis
            ),
            Status::Checked => println!("checked {}", document.id),
            Status::Failed => println!(
                "FAILED  {} (no PDF written; any earlier PDF is kept)",
                document.id
            ),
        }
    }
    println!("{errors} error(s), {warnings} warning(s)");
    if !report.diagnostics.is_empty() && report.documents.is_empty() {
        return ExitCode::from(EXIT_PROJECT_ERROR);
    }
    if report.failed() {
        ExitCode::from(EXIT_DOCUMENT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
