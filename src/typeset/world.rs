//! The Typst world: fonts and standard library loaded once per run and shared; a cheap
//! per-document world that owns only its generated main source.
//!
//! The world reads nothing from disk while typesetting: the shared Typst layout library
//! (`templates/lib/`) is loaded into memory up front, and packages are refused (no network).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Dict, Duration, Value};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

use crate::diag::{Diagnostic, Origin};
use crate::load::{SourceCache, SourceFile};

/// The virtual path of every document's generated source. Reusing one path keeps the
/// process-wide file-id interner from growing with the number of documents.
pub(crate) const MAIN_PATH: &str = "/main.typ";

/// What every document of a run shares: library, fonts and the layout library's files.
pub struct SharedWorld {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: HashMap<FileId, FileSlot>,
    /// Where each library file was read from, for messages.
    paths: HashMap<FileId, PathBuf>,
    main_id: FileId,
    /// The last generated source of each template, to edit the next one from
    /// ([`super::incremental`]): kept as long as the world (a whole `watch`).
    last_sources: Mutex<HashMap<String, Source>>,
}

enum FileSlot {
    Source(Source),
    Bytes(Bytes),
}

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl SharedWorld {
    /// Loads the embedded fonts and every file below `templates/lib`, served at
    /// `{templates_at}/lib/…` (`templates_at` is the templates folder's path from the project
    /// root, e.g. `/templates`, as the Typst CLI sees it). Files are read through the run's
    /// source cache (they are also hashed for the plan).
    pub fn new(
        templates_dir: &Path,
        templates_at: &str,
        cache: &SourceCache,
    ) -> Result<SharedWorld, Diagnostic> {
        let mut fonts = FontStore::new();
        fonts.extend(typst_kit::fonts::embedded());
        let mut files = HashMap::new();
        let mut paths = HashMap::new();
        let lib_dir = templates_dir.join("lib");
        // A project whose templates import no library needs no lib/ folder; an import of a
        // missing file is then Typst's "file not found" at the import.
        let mut pending: Vec<_> = lib_dir
            .exists()
            .then(|| lib_dir.clone())
            .into_iter()
            .collect();
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| {
                Diagnostic::error(
                    Origin::file(&dir),
                    format!("cannot read the Typst layout library: {e}"),
                )
                .with_hint("the templates folder must hold lib/ with the shared .typ files")
            })?;
            let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            entries.sort();
            for path in entries {
                // A real folder is walked; a link to a folder is not followed (it could lead
                // out of the project, or round in a loop); a linked file is read through the
                // cache, which refuses one that leads out of the project.
                let is_link = path.symlink_metadata().is_ok_and(|m| m.is_symlink());
                if path.is_dir() && !is_link {
                    pending.push(path);
                    continue;
                }
                if path.is_dir() {
                    return Err(Diagnostic::error(
                        Origin::file(&path),
                        "the layout library holds a symbolic link to a folder, which is not followed",
                    )
                    .with_hint("put the folder itself in templates/lib"));
                }
                let relative = path.strip_prefix(templates_dir).unwrap_or(&path);
                let virtual_path = format!(
                    "{}/{}",
                    templates_at.trim_end_matches('/'),
                    relative.to_string_lossy().replace('\\', "/")
                );
                let Some(id) = file_id(&virtual_path) else {
                    continue;
                };
                let bytes = cache.read(&path)?.bytes.clone();
                let slot = if path.extension().is_some_and(|e| e == "typ") {
                    let text = String::from_utf8(bytes).map_err(|_| {
                        Diagnostic::error(Origin::file(&path), "the Typst file is not valid UTF-8")
                    })?;
                    FileSlot::Source(Source::new(id, text))
                } else {
                    FileSlot::Bytes(Bytes::new(bytes))
                };
                files.insert(id, slot);
                paths.insert(id, path);
            }
        }
        let main_id = file_id(MAIN_PATH).expect("a constant, valid virtual path");
        Ok(SharedWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            files,
            paths,
            main_id,
            last_sources: Mutex::default(),
        })
    }

    /// The municipality's look on top of the library's: `inputs` the layout library reads as
    /// `sys.inputs` (colours, font name), `fonts` font files from the project (added after the
    /// embedded fonts, which stay the default), `files` project files documents show (the
    /// logo), served at their root-relative Typst path.
    pub fn with_look(
        mut self,
        inputs: &[(&str, String)],
        fonts: &[Arc<SourceFile>],
        files: &[(String, Arc<SourceFile>)],
    ) -> Result<SharedWorld, Diagnostic> {
        let mut dict = Dict::new();
        for (key, value) in inputs {
            dict.insert((*key).into(), Value::Str(value.as_str().into()));
        }
        self.library = LazyHash::new(Library::builder().with_inputs(dict).build());
        for font_file in fonts {
            let found: Vec<Font> = Font::iter(Bytes::new(font_file.bytes.clone())).collect();
            if found.is_empty() {
                return Err(Diagnostic::error(
                    Origin::file(&font_file.path),
                    "not a font file Typst can read",
                )
                .with_hint("put only .ttf or .otf fonts in the fonts folder"));
            }
            for font in found {
                let info = font.info().clone();
                self.fonts.push((font, info));
            }
        }
        for (virtual_path, file) in files {
            let Some(id) = file_id(virtual_path) else {
                continue;
            };
            self.files
                .insert(id, FileSlot::Bytes(Bytes::new(file.bytes.clone())));
            self.paths.insert(id, file.path.clone());
        }
        Ok(self)
    }

    /// The family names of every font the world has (embedded and the project's), sorted,
    /// for the message when `branding: font:` names none of them.
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .fonts
            .book()
            .families()
            .map(|(name, _)| name.to_string())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// A world for one document whose generated source is `text`; `files` are extra files the
    /// source may read (input files to attach), by virtual path. With a `template`, the source
    /// is edited from the last one that template generated, so what the two share keeps its
    /// spans and Typst's cached layout of it is reused.
    pub fn document(
        &self,
        text: String,
        template: Option<&str>,
        files: &[(String, Vec<u8>)],
    ) -> DocumentWorld<'_> {
        let main = match template {
            Some(template) => self.edited_source(template, text),
            None => Source::new(self.main_id, text),
        };
        DocumentWorld {
            shared: self,
            main,
            files: files
                .iter()
                .filter_map(|(path, bytes)| Some((file_id(path)?, Bytes::new(bytes.clone()))))
                .collect(),
        }
    }

    /// A source with `text`, edited from `template`'s last one (which it then replaces).
    fn edited_source(&self, template: &str, text: String) -> Source {
        let last = self.last_sources().get(template).cloned();
        // Edited outside the lock: another worker may edit from the same source meanwhile.
        let source = match last {
            Some(mut source) => {
                if super::incremental::edit_to(&mut source, &text) {
                    source
                } else {
                    Source::new(self.main_id, text)
                }
            }
            None => Source::new(self.main_id, text),
        };
        self.last_sources()
            .insert(template.to_string(), source.clone());
        source
    }

    fn last_sources(&self) -> std::sync::MutexGuard<'_, HashMap<String, Source>> {
        // A worker that panicked while holding the lock left a whole map (inserts are atomic).
        self.last_sources
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The file a layout-library file was read from.
    pub(crate) fn library_path(&self, id: FileId) -> Option<&Path> {
        self.paths.get(&id).map(PathBuf::as_path)
    }

    pub(crate) fn library_source(&self, id: FileId) -> Option<&Source> {
        match self.files.get(&id)? {
            FileSlot::Source(source) => Some(source),
            FileSlot::Bytes(_) => None,
        }
    }
}

pub struct DocumentWorld<'a> {
    shared: &'a SharedWorld,
    main: Source,
    files: Vec<(FileId, Bytes)>,
}

impl DocumentWorld<'_> {
    pub(crate) fn main_source(&self) -> &Source {
        &self.main
    }
}

fn refuse_packages(id: FileId) -> Option<FileError> {
    match id.root() {
        VirtualRoot::Project => None,
        VirtualRoot::Package(spec) => Some(FileError::Package(PackageError::Other(Some(
            format!("{spec}: rapportverk does not download Typst packages; put the code in templates/lib").into(),
        )))),
    }
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.shared.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        if let Some(error) = refuse_packages(id) {
            return Err(error);
        }
        match self.shared.files.get(&id) {
            Some(FileSlot::Source(source)) => Ok(source.clone()),
            Some(FileSlot::Bytes(_)) => Err(FileError::NotSource),
            None => Err(FileError::NotFound(id.vpath().get_with_slash().into())),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(error) = refuse_packages(id) {
            return Err(error);
        }
        if let Some((_, bytes)) = self.files.iter().find(|(file, _)| *file == id) {
            return Ok(bytes.clone());
        }
        match self.shared.files.get(&id) {
            Some(FileSlot::Bytes(bytes)) => Ok(bytes.clone()),
            Some(FileSlot::Source(source)) => Ok(Bytes::from_string(source.text().to_string())),
            None => Err(FileError::NotFound(id.vpath().get_with_slash().into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.font(index)
    }

    /// No wall clock: the same inputs must give the same bytes.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
