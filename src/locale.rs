//! The words documents print that are not in the narrative (statuses, table headers, month
//! names, "side X av Y", appendix headings, chart labels), per language: bokmål and nynorsk
//! are built in (`templates/locale/*.yaml`), and a project's own `templates/locale/<lang>.yaml`
//! overrides single words.

use serde_json::Value;

use crate::diag::{Diagnostic, Origin, closest};
use crate::load::SourceFile;

/// The languages with built-in words.
pub const LANGUAGES: [&str; 2] = ["nb", "nn"];

fn built_in(language: &str) -> Option<&'static str> {
    match language {
        "nb" => Some(include_str!("../templates/locale/nb.yaml")),
        "nn" => Some(include_str!("../templates/locale/nn.yaml")),
        _ => None,
    }
}

/// One language's words, as a tree the templates read (`labels.table.target`).
#[derive(Debug, Clone)]
pub struct Locale {
    tree: Value,
}

impl Locale {
    /// The built-in words of `language` (bokmål for a language without its own).
    pub fn built_in(language: &str) -> Locale {
        let text = built_in(language).unwrap_or(built_in("nb").unwrap_or_default());
        let tree = serde_saphyr::from_str(text).unwrap_or(Value::Null);
        Locale { tree }
    }

    /// The built-in words with a project's `overrides` laid over them. A key the built-in
    /// file does not have is an error naming it (a misspelt key would silently do nothing).
    pub fn with_overrides(language: &str, overrides: &SourceFile) -> Result<Locale, Diagnostic> {
        let mut locale = Locale::built_in(language);
        let own: Value = crate::ingest::yaml::parse_documented(
            overrides,
            "docs/src/write-your-own-report.md (\"Words and languages\")",
        )?;
        let mut unknown = Vec::new();
        merge(&mut locale.tree, &own, "", &mut unknown);
        if let Some(key) = unknown.first() {
            let known = keys(&Locale::built_in(language).tree, "");
            let mut d =
                Diagnostic::error(place_of(overrides, key), format!("unknown label \"{key}\""));
            d = match closest(key, known.iter().map(String::as_str)) {
                Some(near) => d.with_hint(format!("did you mean \"{near}\"?")),
                None => d.with_hint(format!("the labels are: {}", known.join(", "))),
            };
            return Err(d);
        }
        Ok(locale)
    }

    /// The word at `group.key`, or the key itself when there is none (never empty).
    pub fn text(&self, group: &str, key: &str) -> String {
        self.tree
            .get(group)
            .and_then(|g| g.get(key))
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string()
    }

    /// The twelve month names.
    pub fn months(&self) -> Vec<String> {
        let names: Vec<String> = self
            .tree
            .get("months")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if names.len() == 12 {
            names
        } else {
            crate::norsk::MONTHS.iter().map(|m| m.to_string()).collect()
        }
    }

    /// The whole tree, for templates.
    pub fn tree(&self) -> &Value {
        &self.tree
    }
}

/// Where the key `a.b.c` is written: the first line (after the line of `a:`) that starts the
/// mapping entry `c:`; the file alone when it cannot be found (a JSON value keeps no place).
fn place_of(file: &SourceFile, key: &str) -> Origin {
    let text = String::from_utf8_lossy(&file.bytes);
    let mut from = 0;
    let mut found = None;
    for part in key.split('.') {
        found = text.lines().enumerate().skip(from).find_map(|(i, line)| {
            let trimmed = line.trim_start();
            let column = line.len() - trimmed.len();
            trimmed
                .strip_prefix(part)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
                .then_some((i, column))
                .or_else(|| {
                    // In a flow mapping on one line: `table: { kpi: Indikator }`.
                    line.find(&format!("{part}:")).map(|c| (i, c))
                })
        });
        match found {
            Some((line, _)) => from = line,
            None => return Origin::file(&file.path),
        }
    }
    match found {
        Some((line, column)) => Origin::text(&file.path, line + 1, column + 1),
        None => Origin::file(&file.path),
    }
}

fn merge(base: &mut Value, own: &Value, path: &str, unknown: &mut Vec<String>) {
    let Some(own) = own.as_object() else {
        return;
    };
    for (key, value) in own {
        let at = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match base.get_mut(key) {
            Some(slot) if slot.is_object() && value.is_object() => merge(slot, value, &at, unknown),
            Some(slot) => *slot = value.clone(),
            None => unknown.push(at),
        }
    }
}

fn keys(tree: &Value, path: &str) -> Vec<String> {
    match tree.as_object() {
        Some(map) => map
            .iter()
            .flat_map(|(k, v)| {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if v.is_object() {
                    keys(v, &at)
                } else {
                    vec![at]
                }
            })
            .collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nynorsk_has_its_own_status_words() {
        assert_eq!(
            Locale::built_in("nb").text("task_status", "ikke-oppnaadd"),
            "ikke oppnådd"
        );
        assert_eq!(
            Locale::built_in("nn").text("task_status", "ikke-oppnaadd"),
            "ikkje oppnådd"
        );
        assert_eq!(
            Locale::built_in("nn").text("kpi_status", "uten-maal"),
            "utan mål"
        );
        assert_eq!(Locale::built_in("nn").months()[11], "desember");
    }

    #[test]
    fn an_unknown_label_is_told_at_its_line() {
        let file = SourceFile {
            path: "templates/locale/nb.yaml".into(),
            bytes: b"# own words\ntable:\n  kpi: Indikator\n  unitt: Eining\n".to_vec(),
            sha256: String::new(),
        };
        let problem = Locale::with_overrides("nb", &file).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "templates/locale/nb.yaml:4:3: error: unknown label \"table.unitt\"\n  hint: did you mean \"table.unit\"?"
        );
        // A known key is taken, the others stay built in.
        let good = SourceFile {
            bytes: b"table: { kpi: Indikator }\n".to_vec(),
            ..file
        };
        let locale = Locale::with_overrides("nb", &good).unwrap();
        assert_eq!(locale.text("table", "kpi"), "Indikator");
        assert_eq!(locale.text("table", "unit"), "Enhet");
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        assert_eq!(
            keys(Locale::built_in("nb").tree(), ""),
            keys(Locale::built_in("nn").tree(), "")
        );
    }
}
