//! The command line: `rapportverk build | check | list | data | watch | init | schema`, parsed
//! with clap into one checked configuration.

use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand};
use rapportverk::engine::Config;
use rapportverk::engine::plan::{Selection, parse_shard};
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
    /// Do everything a build does, typesetting included, in memory; print every problem.
    Check(CheckArgs),
    /// List the documents (output files) the project defines.
    List(ProjectArgs),
    /// List every figure the KPI data sources give (KPI, period, value as printed, origin)
    /// and every row read as no figure, and why: to check a mapping before any narrative.
    Data(DataArgs),
    /// Build drafts, then rebuild on every save of a file they are made from (Ctrl-C stops).
    Watch(WatchArgs),
    /// Write a small project that builds at once, to make your own from.
    Init(InitArgs),
    /// Write the JSON Schemas of the manifest and the narrative, for editors to check and
    /// complete the YAML as you type.
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the project in.
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Where to write manifest.schema.json and narrative.schema.json.
    #[arg(long, default_value = "input/schema", value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The project's input folder (holding rapportverk.yaml) or the manifest file itself.
    #[arg(long, default_value = "input", value_name = "PATH")]
    pub project: PathBuf,
}

#[derive(Debug, Args)]
pub struct DataArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Only the data source with this id.
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// Print JSON (its form is documented in docs/src/data-files.md, "Checking a mapping").
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Where the PDFs go [default: output/ beside the input folder].
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Documents typeset at once [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Rebuild every document, changed or not.
    #[arg(long)]
    pub force: bool,
    /// Build only documents whose id matches this glob (`*`, `?`, `[ab]`, `{a,b}`); a
    /// per-unit document's id selects every unit's PDF.
    #[arg(long, value_name = "PATTERN")]
    pub only: Option<String>,
    /// Build only the K-th of N stable shares of the documents (e.g. 2/4), for split runs.
    #[arg(long, value_name = "K/N", value_parser = shard)]
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

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Check only documents whose id matches this glob (as for build).
    #[arg(long, value_name = "PATTERN")]
    pub only: Option<String>,
}

impl CheckArgs {
    pub fn config(&self, default_output: &Path) -> Result<Config, clap::Error> {
        let mut config = Config::new(default_output.into());
        config.check_only = true;
        config.selection = Selection::new(self.only.as_deref(), None)
            .map_err(|message| Cli::command().error(ErrorKind::ValueValidation, message))?;
        Ok(config)
    }
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Where the PDFs go [default: output/ beside the input folder].
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Watch and build only documents whose id matches this glob (as for build).
    #[arg(long, value_name = "PATTERN")]
    pub only: Option<String>,
    /// Build final documents instead of drafts.
    #[arg(long = "final")]
    pub final_documents: bool,
}

impl WatchArgs {
    /// The configuration of each rebuild (the draft stamp's time is set per build).
    pub fn config(&self, default_output: &Path) -> Result<Config, clap::Error> {
        let mut config = Config::new(self.output.clone().unwrap_or_else(|| default_output.into()));
        config.selection = Selection::new(self.only.as_deref(), None)
            .map_err(|message| Cli::command().error(ErrorKind::ValueValidation, message))?;
        Ok(config)
    }
}

impl BuildArgs {
    /// The run's configuration, with every flag checked against the others before any work;
    /// a conflict is a usage error (exit 2) that names both flags.
    pub fn config(&self, default_output: &Path) -> Result<Config, clap::Error> {
        let usage = |kind, message: String| Cli::command().error(kind, message);
        let mut config = Config::new(self.output.clone().unwrap_or_else(|| default_output.into()));
        config.emit_typst = self.emit_typst;
        config.attach_sources = self.attach_sources;
        config.pdf = match &self.pdf_standard {
            Some(chosen) => {
                if self.attach_sources
                    && let Some(refuses) = chosen.forbidding_attachments()
                {
                    return Err(usage(
                        ErrorKind::ArgumentConflict,
                        format!(
                            "--attach-sources embeds the input files, and --pdf-standard {} does not allow embedded files; use --pdf-standard a-3a,ua-1 (the default with --attach-sources) or leave one of the two out",
                            refuses
                        ),
                    ));
                }
                chosen.clone()
            }
            None => PdfSettings::archival(self.attach_sources),
        };
        if let Some(jobs) = self.jobs {
            config.jobs = usize::from(jobs);
        }
        config.force = self.force;
        config.selection = Selection::new(self.only.as_deref(), self.shard)
            .map_err(|message| usage(ErrorKind::ValueValidation, message))?;
        config.draft = self
            .draft
            .then(|| chrono::Local::now().format("%d.%m.%Y %H:%M").to_string());
        config.allow_warnings = self.allow_warnings;
        Ok(config)
    }
}

fn parse_standards(list: &str) -> Result<PdfSettings, String> {
    PdfSettings::parse(list)
}

fn shard(text: &str) -> Result<(usize, usize), String> {
    parse_shard(text)
}
