//! The image a `figure` block shows: found relative to its narrative, read once through the
//! run's source cache (so it stays inside the project, symbolic links resolved, and is
//! hashed, listed and watched like every input), and decoded here, so a missing, misnamed or
//! broken image is an error at the narrative's line, not a Typst error at a template's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, Origin};
use crate::ingest::yaml::{Spanned, origin_of};
use crate::load::{SourceCache, SourceFile};

/// The image formats a figure may show, as Typst and PDF/A take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageFormat {
    Svg,
    Png,
    Jpeg,
}

impl ImageFormat {
    fn of(path: &Path) -> Option<ImageFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "svg" => Some(ImageFormat::Svg),
            "png" => Some(ImageFormat::Png),
            "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ImageFormat::Svg => "SVG",
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
        }
    }
}

/// A figure's image, read and decoded.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Where Typst finds it: its path below the project root (`/input/narrativ/figur.svg`),
    /// so an emitted Typst source shows the same file from disk.
    pub(crate) typst_path: String,
    /// The file as read (bytes, hash), served to the Typst world and listed as an input.
    pub(crate) file: Arc<SourceFile>,
}

/// The image `written` names (relative to the narrative `narrative`), read through `cache`
/// and decoded; any problem is told at the narrative's line with how to fix it.
pub(crate) fn read_image(
    cache: &SourceCache,
    narrative: &Path,
    written: &Spanned<String>,
) -> Result<Image, Diagnostic> {
    let at = origin_of(narrative, written);
    let name = written.value.trim();
    if name.is_empty() || Path::new(name).is_absolute() {
        return Err(
            Diagnostic::error(at, format!("\"{name}\" is not a path to an image")).with_hint(
                "write the image's path relative to the narrative, e.g. figurer/styring.svg",
            ),
        );
    }
    let path = narrative.parent().unwrap_or(Path::new("")).join(name);
    let Some(format) = ImageFormat::of(&path) else {
        return Err(Diagnostic::error(
            at,
            format!("\"{name}\" is not an image rapportverk can print (SVG, PNG or JPEG)"),
        )
        .with_hint("export the figure as .svg (best for diagrams), .png or .jpg"));
    };
    let file = cache
        .read(&path)
        .map_err(|d| unreadable(at.clone(), &path, d))?;
    decode(format, &file.bytes).map_err(|why| {
        Diagnostic::error(
            at,
            format!(
                "the image {} is not a readable {} ({why})",
                path.display(),
                format.name()
            ),
        )
        .with_hint(format!(
            "open it in an image program and save it again as {}, or name it by the format it holds",
            format.name()
        ))
    })?;
    Ok(Image {
        typst_path: cache.root_path(&path),
        file,
    })
}

/// The cache's reason for not reading the image (missing, outside the project, too large),
/// told at the narrative's line.
fn unreadable(at: Origin, path: &Path, read: Diagnostic) -> Diagnostic {
    let hint = if path.exists() {
        read.hint.unwrap_or_default()
    } else {
        "check the path: it is relative to the narrative's folder".to_string()
    };
    Diagnostic::error(
        at,
        format!("the figure's image {}: {}", path.display(), read.message),
    )
    .with_hint(hint)
}

/// Whether the bytes decode as `format`; why not, when they do not.
fn decode(format: ImageFormat, bytes: &[u8]) -> Result<(), String> {
    match format {
        ImageFormat::Svg => usvg::Tree::from_data(bytes, &usvg::Options::default())
            .map(|_| ())
            .map_err(|e| e.to_string()),
        ImageFormat::Png | ImageFormat::Jpeg => {
            let raster = if format == ImageFormat::Png {
                ::image::ImageFormat::Png
            } else {
                ::image::ImageFormat::Jpeg
            };
            ::image::load_from_memory_with_format(bytes, raster)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    }
}

/// The image files the `figure` blocks of a narrative name, for the document's input hash:
/// read from the YAML as plain values, so a narrative with errors elsewhere still names its
/// images (and one that does not parse names none; the build tells why).
pub fn figure_files(narrative: &SourceFile) -> Vec<PathBuf> {
    fn walk(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(file) = map
                    .get("figure")
                    .and_then(|f| f.get("file"))
                    .and_then(|f| f.as_str())
                {
                    found.push(file.to_string());
                }
                map.values().for_each(|v| walk(v, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let Ok(value) = crate::ingest::yaml::parse::<serde_json::Value>(narrative) else {
        return Vec::new();
    };
    let mut written = Vec::new();
    walk(&value, &mut written);
    let folder = narrative.path.parent().unwrap_or(Path::new(""));
    written
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty() && !Path::new(w).is_absolute())
        .map(|w| folder.join(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>"#;

    fn written(text: &str) -> Spanned<String> {
        let file = SourceFile::new("n.yaml", format!("file: {text}\n").into_bytes());
        #[derive(serde::Deserialize)]
        struct F {
            file: Spanned<String>,
        }
        crate::ingest::yaml::parse::<F>(&file).unwrap().file
    }

    fn project() -> (tempfile::TempDir, PathBuf, SourceCache) {
        let dir = tempfile::tempdir().unwrap();
        let narrative = dir.path().join("input/narrativ/n.yaml");
        std::fs::create_dir_all(narrative.parent().unwrap().join("figurer")).unwrap();
        let cache = SourceCache::confined(dir.path());
        (dir, narrative, cache)
    }

    #[test]
    fn an_svg_beside_the_narrative_is_read_and_served_at_its_project_path() {
        let (_dir, narrative, cache) = project();
        let folder = narrative.parent().unwrap();
        std::fs::write(folder.join("figurer/a.svg"), SVG).unwrap();
        let image = read_image(&cache, &narrative, &written("figurer/a.svg")).unwrap();
        assert_eq!(image.typst_path, "/input/narrativ/figurer/a.svg");
        assert_eq!(image.file.bytes, SVG.as_bytes());
    }

    #[test]
    fn a_missing_a_misnamed_and_a_broken_image_are_errors_at_the_line() {
        let (_dir, narrative, cache) = project();
        let folder = narrative.parent().unwrap();
        let missing = read_image(&cache, &narrative, &written("figurer/nei.svg")).unwrap_err();
        assert!(
            missing.to_string().starts_with(&format!(
                "{}:1:7: error: the figure's image {}: cannot read the file",
                narrative.display(),
                folder.join("figurer/nei.svg").display()
            )),
            "{missing}"
        );
        assert_eq!(
            missing.hint.as_deref(),
            Some("check the path: it is relative to the narrative's folder")
        );
        let gif = read_image(&cache, &narrative, &written("a.gif")).unwrap_err();
        assert_eq!(
            gif.message,
            "\"a.gif\" is not an image rapportverk can print (SVG, PNG or JPEG)"
        );
        std::fs::write(folder.join("b.png"), SVG).unwrap();
        let png = read_image(&cache, &narrative, &written("b.png")).unwrap_err();
        assert!(
            png.message.contains("b.png is not a readable PNG ("),
            "{png}"
        );
        std::fs::write(folder.join("c.svg"), "<svg").unwrap();
        let svg = read_image(&cache, &narrative, &written("c.svg")).unwrap_err();
        assert!(
            svg.message.contains("c.svg is not a readable SVG ("),
            "{svg}"
        );
    }

    #[test]
    fn an_image_linked_from_outside_the_project_is_refused() {
        let (_dir, narrative, cache) = project();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.svg"), SVG).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("x.svg"),
            narrative.parent().unwrap().join("x.svg"),
        )
        .unwrap();
        let err = read_image(&cache, &narrative, &written("x.svg")).unwrap_err();
        assert!(
            err.message
                .contains("the file leads outside the project folder"),
            "{err}"
        );
        assert_eq!(err.origin, Some(Origin::text(&narrative, 1, 7)));
    }
}
