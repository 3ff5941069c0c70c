//! The command line: `rapportverk build | check | list`, parsed with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use rapportverk::typeset::PdfSettings;

#[derive(Debug, Parser)]
#[command(
    name = "rapportverk",
    version,
    about = "Turns a municipality's year-end data (CSV, Excel) and narrative (YAML) into typeset PDF documents.",
    after_help = "Exit codes: 0 all selected documents built (or checked) without errors; 1 a document failed; 2 usage or project error (also: another build holds the output folder)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every document the project's manifest lists into PDFs (unchanged ones are skipped).
    Build(BuildArgs),
    /// Read, validate and render every document without typesetting; print all problems.
    Check(ProjectArgs),
    /// List the documents (output files) the project defines.
    List(ProjectArgs),
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
    /// Documents typeset at once [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Rebuild every document, changed or not.
    #[arg(long)]
    pub force: bool,
    /// Build only documents whose id matches (`*` is a wildcard; a letter batch's id selects its letters).
    #[arg(long, value_name = "PATTERN")]
    pub only: Option<String>,
    /// Build only the K-th of N stable shares of the documents (e.g. 2/4), for split runs.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// A draft: UTKAST on every page and a stamp with the build time and the inputs' hash.
    #[arg(long)]
    pub draft: bool,
    /// Write final documents even when they have warnings.
    #[arg(long)]
    pub allow_warnings: bool,
    /// Keep the generated Typst source (<document>.typ) beside each PDF.
    #[arg(long)]
    pub emit_typst: bool,
    /// Embed the input files (data, narrative, manifest) in each PDF; the PDFs are then PDF/A-3a.
    #[arg(long)]
    pub attach_sources: bool,
    /// PDF standards to meet, comma-separated: a-2a, a-3a, ua-1, a-2b, 1.7, … or none
    /// [default: a-2a,ua-1; a-3a,ua-1 with --attach-sources].
    #[arg(long, value_name = "LIST", value_parser = parse_standards)]
    pub pdf_standard: Option<PdfSettings>,
}

fn parse_standards(list: &str) -> Result<PdfSettings, String> {
    PdfSettings::parse(list)
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    rapportverk::build::plan::parse_shard(text)
}
