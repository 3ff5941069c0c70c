//! Emitted Typst stands alone: `--emit-typst` output compiles in a plain file-system world
//! rooted at the project folder (as `typst compile --root .` would), with no help from
//! rapportverk, and gives the very PDF the build wrote.

mod common;

use std::path::{Path, PathBuf};

use common::{run, sample_project, stderr};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

/// Files from disk below `root`, fonts embedded in the binary, nothing else.
struct FileSystemWorld {
    root: PathBuf,
    main: FileId,
    library: LazyHash<Library>,
    fonts: FontStore,
}

fn id(path: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).unwrap()).intern()
}

impl FileSystemWorld {
    fn new(root: &Path, main: &str) -> FileSystemWorld {
        let mut fonts = FontStore::new();
        fonts.extend(typst_kit::fonts::embedded());
        FileSystemWorld {
            root: root.to_path_buf(),
            main: id(main),
            library: LazyHash::new(Library::builder().build()),
            fonts,
        }
    }

    fn read(&self, id: FileId) -> FileResult<Vec<u8>> {
        let path = self
            .root
            .join(id.vpath().get_with_slash().trim_start_matches('/'));
        std::fs::read(&path).map_err(|e| FileError::from_io(e, &path))
    }
}

impl World for FileSystemWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let text = String::from_utf8(self.read(id)?).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.read(id).map(Bytes::new)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

#[test]
fn an_emitted_source_compiles_on_its_own_to_the_pdf_the_build_wrote() {
    let project = sample_project();
    let output = run(
        project.path(),
        &[
            "build",
            "--emit-typst",
            "--attach-sources",
            "--only",
            "oppdragsbrev-2022/skole",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let world = FileSystemWorld::new(project.path(), "/output/oppdragsbrev-2022/skole.typ");
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled
        .output
        .unwrap_or_else(|errors| panic!("the emitted source does not compile: {errors:?}"));
    assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
    // Exported as the build exports it, the PDF is the one the build wrote, attachments and all.
    let options = PdfOptions {
        ident: Smart::Custom("oppdragsbrev-2022/skole".to_string()),
        creator: Smart::Custom(Some(format!("rapportverk {}", env!("CARGO_PKG_VERSION")))),
        timestamp: None,
        page_ranges: None,
        standards: PdfStandards::new(&[PdfStandard::A_3a, PdfStandard::Ua_1]).unwrap(),
        tagged: true,
        pretty: false,
    };
    let pdf = typst_pdf::pdf(&document, &options).unwrap();
    let built = std::fs::read(project.path().join("output/oppdragsbrev-2022/skole.pdf")).unwrap();
    assert!(
        pdf == built,
        "the PDFs differ ({} and {} bytes)",
        pdf.len(),
        built.len()
    );
}
