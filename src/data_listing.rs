//! The face of `rapportverk data`: the engine's listing of what the data sources give,
//! printed as text for a person or as JSON for a script.

use std::process::ExitCode;

use rapportverk::engine::data_listing::{DataListing, data};
use rapportverk::project::Project;

use crate::cli::DataArgs;
use crate::{EXIT_DOCUMENT_FAILED, EXIT_PROJECT_ERROR};

/// Prints the listing; exit 1 when a data source has errors, 2 when `--source` names none.
pub(crate) fn print(project: &Project, args: &DataArgs) -> ExitCode {
    let listing = match data(project, args.source.as_deref()) {
        Ok(listing) => listing,
        Err(problem) => {
            err!("{problem}");
            return ExitCode::from(EXIT_PROJECT_ERROR);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&listing) {
            Ok(json) => out!("{json}"),
            Err(e) => {
                err!("error: the listing cannot be written as JSON: {e}");
                return ExitCode::from(EXIT_PROJECT_ERROR);
            }
        }
    } else {
        print_text(&listing);
    }
    if listing.problems.iter().any(|p| p.severity == "error") {
        ExitCode::from(EXIT_DOCUMENT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// One line per figure (`kpi  period  value  origin`, with the unit first in a document made
/// per unit), then the rows read as no figure summed up by reason and one by one, then
/// the problems on standard error as `check` prints them.
fn print_text(listing: &DataListing) {
    for source in &listing.sources {
        out!(
            "{} ({}): {} figure(s), {} row(s) or cell(s) skipped",
            source.id,
            source.file,
            source.observations.len(),
            source.skipped.len()
        );
        for o in &source.observations {
            // Terminals show the document's no-break spaces as plain ones anyway.
            let value = o.value.replace('\u{a0}', " ");
            match &o.unit {
                Some(unit) => out!("  {unit}\t{}\t{}\t{value}\t{}", o.kpi, o.period, o.origin),
                None => out!("  {}\t{}\t{value}\t{}", o.kpi, o.period, o.origin),
            }
        }
        for kind in &source.skipped_by_reason {
            let more = match kind.count.saturating_sub(kind.first.len()) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            out!(
                "  {}: {} ({}{more})",
                kind.reason,
                kind.count,
                kind.first.join(", ")
            );
        }
        for s in &source.skipped {
            out!("  skipped\t{}\t{}", s.origin, s.reason);
        }
    }
    for p in &listing.problems {
        let origin = p
            .origin
            .as_ref()
            .map(|o| format!("{o}: "))
            .unwrap_or_default();
        err!("{origin}{}: {}", p.severity, p.message);
        if let Some(hint) = &p.hint {
            err!("  hint: {hint}");
        }
    }
}
