//! Entry point: parse arguments, run the library, print diagnostics and a summary, exit with a code.

mod cli;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use rapportverk::build::{self, Options, Status};
use rapportverk::project::Project;
use rapportverk::typeset::PdfSettings;

use cli::{Cli, Command};

const EXIT_DOCUMENT_FAILED: u8 = 1;
const EXIT_PROJECT_ERROR: u8 = 2;

/// `output/` beside the input folder, written without a leading `./` for readable messages.
fn default_output(root: &Path) -> PathBuf {
    if root == Path::new(".") {
        "output".into()
    } else {
        root.join("output")
    }
}

fn load(path: &Path) -> Result<Project, ExitCode> {
    Project::load(path).map_err(|problems| {
        for problem in problems.iter() {
            eprintln!("{problem}");
        }
        ExitCode::from(EXIT_PROJECT_ERROR)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (project, options) = match &cli.command {
        Command::Build(args) => {
            let project = match load(&args.project.project) {
                Ok(project) => project,
                Err(code) => return code,
            };
            let mut options = Options::new(
                args.output
                    .clone()
                    .unwrap_or_else(|| default_output(&project.root)),
            );
            options.emit_typst = args.emit_typst;
            options.attach_sources = args.attach_sources;
            options.pdf = args
                .pdf_standard
                .clone()
                .unwrap_or_else(|| PdfSettings::archival(args.attach_sources));
            if let Some(jobs) = args.jobs {
                options.jobs = jobs.max(1);
            }
            options.force = args.force;
            options.only = args.only.clone();
            options.shard = args.shard;
            options.draft = args
                .draft
                .then(|| chrono::Local::now().format("%d.%m.%Y %H:%M").to_string());
            options.allow_warnings = args.allow_warnings;
            options.progress = std::io::stderr().is_terminal();
            (project, options)
        }
        Command::Check(args) | Command::List(args) => {
            let project = match load(&args.project) {
                Ok(project) => project,
                Err(code) => return code,
            };
            let mut options = Options::new(default_output(&project.root));
            options.check_only = true;
            (project, options)
        }
    };
    let report = build::run(&project, &options);
    if let Command::List(_) = cli.command {
        for document in &report.documents {
            println!("{}\t{}", document.id, document.output.display());
        }
        return ExitCode::SUCCESS;
    }
    let (mut errors, mut warnings) = (0, 0);
    let mut count = |problem: &rapportverk::diag::Diagnostic| {
        eprintln!("{problem}");
        if problem.is_error() {
            errors += 1;
        } else {
            warnings += 1;
        }
    };
    report.diagnostics.iter().for_each(&mut count);
    let mut changed = Vec::new();
    for document in &report.documents {
        document.diagnostics.iter().for_each(&mut count);
        match document.status {
            Status::Built => println!(
                "built     {} ({} pages, {} bytes, {} ms)",
                document.output.display(),
                document.pages,
                document.bytes,
                document.millis
            ),
            Status::Unchanged => println!("unchanged {}", document.output.display()),
            Status::Checked => println!("checked {}", document.id),
            Status::Failed => println!(
                "FAILED  {} (no PDF written; any earlier PDF is kept)",
                document.id
            ),
        }
        if !document.changes.is_empty() {
            changed.push(document);
        }
    }
    if !changed.is_empty() {
        println!("changes since the previous build:");
        for document in changed {
            println!("  {}:", document.id);
            for change in &document.changes {
                println!("    {}", change.describe());
            }
        }
    }
    println!("{errors} error(s), {warnings} warning(s)");
    if report.aborted {
        return ExitCode::from(EXIT_PROJECT_ERROR);
    }
    if report.failed() {
        ExitCode::from(EXIT_DOCUMENT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
