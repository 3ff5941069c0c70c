//! The command line: `rapportverk build | check`, parsed with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "rapportverk",
    version,
    about = "Turns a municipality's year-end data (CSV, Excel) and narrative (YAML) into typeset PDF documents.",
    after_help = "Exit codes: 0 all documents built (or checked) without errors; 1 a document failed; 2 usage or project error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every document the project's manifest lists into PDFs.
    Build(BuildArgs),
    /// Read, validate and render every document without typesetting; print all problems.
    Check(ProjectArgs),
}

#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The project's input folder (holding rapportverk.yaml) or the manifest file itself.
    #[arg(long, default_value = "input", value_name = "PATH")]
    pub project: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Where the PDFs go [default: output/ beside the input folder].
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Keep the generated Typst source (<document>.typ) beside each PDF.
    #[arg(long)]
    pub emit_typst: bool,
}
