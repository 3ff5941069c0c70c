//! Warnings a narrative acknowledges (`acknowledge:` with a part of the message and a
//! reason): taken out of the document's warnings, so a final build proceeds on purpose, and
//! kept with their reason for the build report. An acknowledgment that matches no warning is
//! a warning at its own line, so none outlives the warning it was written for.

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics, Origin, Severity};

/// One `acknowledge:` entry as checked: what it matches, why, and where it is written.
#[derive(Debug, Clone)]
pub struct Acknowledgment {
    pub(crate) warning: String,
    pub(crate) reason: String,
    pub(crate) origin: Origin,
}

/// A warning a narrative acknowledged, as the build report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Acknowledged {
    /// Where the warning is (`data/okonomiplan.csv:3:4`).
    pub origin: Option<String>,
    pub message: String,
    /// The narrative's reason.
    pub reason: String,
    /// Where the narrative acknowledges it.
    pub acknowledged_at: String,
}

/// `problems` without the warnings `acknowledgments` match (case aside, anywhere in the
/// warning as printed: origin, message or hint), and those warnings with their reasons.
pub(crate) fn apply(
    problems: Diagnostics,
    acknowledgments: &[Acknowledgment],
) -> (Diagnostics, Vec<Acknowledged>) {
    let mut kept = Diagnostics::default();
    let mut acknowledged = Vec::new();
    let mut used = vec![false; acknowledgments.len()];
    for problem in problems.into_vec() {
        let printed = problem.to_string().to_lowercase();
        let matching = acknowledgments.iter().position(|a| {
            let needle = a.warning.trim().to_lowercase();
            !needle.is_empty() && printed.contains(&needle)
        });
        match matching {
            Some(i) if problem.severity == Severity::Warning => {
                used[i] = true;
                acknowledged.push(Acknowledged {
                    origin: problem.origin.as_ref().map(ToString::to_string),
                    message: problem.message.clone(),
                    reason: acknowledgments[i].reason.clone(),
                    acknowledged_at: acknowledgments[i].origin.to_string(),
                });
            }
            _ => kept.push(problem),
        }
    }
    for (a, used) in acknowledgments.iter().zip(used) {
        if !used {
            kept.push(
                Diagnostic::warning(
                    a.origin.clone(),
                    format!("acknowledge: \"{}\" matches no warning of this document", a.warning.trim()),
                )
                .with_hint("remove the entry, or copy a part of the warning's message as `rapportverk check` prints it"),
            );
        }
    }
    (kept, acknowledged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_warning_is_acknowledged_an_unused_entry_is_told() {
        let mut problems = Diagnostics::default();
        problems.push(Diagnostic::warning(
            Origin::text("d.csv", 3, 4),
            "3 figures are for 2022, after the report year 2021",
        ));
        problems.push(Diagnostic::error(
            Origin::text("d.csv", 4, 4),
            "after the report year",
        ));
        let acks = [
            Acknowledgment {
                warning: "After the report year".into(),
                reason: "the plan".into(),
                origin: Origin::text("n.yaml", 9, 14),
            },
            Acknowledgment {
                warning: "nothing like it".into(),
                reason: "r".into(),
                origin: Origin::text("n.yaml", 11, 14),
            },
        ];
        let (kept, acknowledged) = apply(problems, &acks);
        assert_eq!(acknowledged.len(), 1, "errors are never acknowledged");
        assert_eq!(acknowledged[0].acknowledged_at, "n.yaml:9:14");
        let kept: Vec<String> = kept.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            kept,
            [
                "after the report year",
                "acknowledge: \"nothing like it\" matches no warning of this document"
            ]
        );
    }
}
