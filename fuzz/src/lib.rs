//! The bodies of concord's fuzz targets, one function per reader.
//!
//! Each function takes the fuzzer's bytes, calls the library's public entry point the
//! CLI and the server use, and asserts what must hold beyond "no panic": errors carry a
//! position with 1-based line and column, a TMX or tabular memory that reads writes back
//! and reads again to the same units, a glossary round-trips through the canonical CSV,
//! draft segments come after the languages, sentence ranges lie inside their paragraph.
//!
//! `fuzz_targets/*.rs` wrap them for libFuzzer (nightly, `cargo fuzz run NAME`); the stable
//! test `tests/fuzz_replay.rs` of the main crate includes this file and runs every file of
//! the committed corpus `fuzz/corpus/NAME/` through the same functions.
//!
//! Readers whose API takes a path (drafts, documents) get a file in a scratch directory
//! (on `/dev/shm` where there is one); everything else is read from the bytes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use concord::error::{Error, ErrorKind};
use concord::formats::document::{read_document, DocumentFormat};
use concord::formats::draft::{read_draft, DraftEvent, DraftFormat, DraftRequest};
use concord::formats::glossary::{CsvOptions, Layout};
use concord::formats::{read_memory_bytes, tabular, tmx, Format};
use concord::lang::{LangRange, LangTag};
use concord::unit::Unit;

/// A target's body: the fuzzer's bytes in, a panic when something is wrong.
pub type Body = fn(&[u8]);

/// Every target: its name (the `fuzz_targets/` file and the corpus directory) and body.
pub const TARGETS: &[(&str, Body)] = &[
    ("tmx_memory", tmx_memory),
    ("tsv_memory", tsv_memory),
    ("csv_memory", csv_memory),
    ("glossary", glossary),
    ("tmx_draft", tmx_draft),
    ("xliff_draft", xliff_draft),
    ("tabular_draft", tabular_draft),
    ("baseline", baseline),
    ("srx", srx),
    ("document", document),
    ("server_body", server_body),
    ("tbx", tbx),
    ("job", job),
    ("xliff_memory", xliff_memory),
];

/// An error must say where: the file, and a 1-based line and column when it has them.
fn check_error(e: &Error) {
    let kind = e.kind();
    if matches!(
        kind,
        ErrorKind::Parse | ErrorKind::Limit | ErrorKind::EmptyInput
    ) {
        let pos = e
            .position()
            .unwrap_or_else(|| panic!("a {kind:?} error without a position: {e}"));
        assert!(pos.line != Some(0), "line 0 in {e}");
        assert!(pos.column != Some(0), "column 0 in {e}");
    }
    assert!(!e.to_string().is_empty());
}

fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("concord-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    })
}

/// Remove the scratch directory when it is empty (the replay tests call it at the end;
/// every input's own file is removed after it is read).
pub fn remove_scratch() {
    let _ = std::fs::remove_dir(scratch());
}

/// Run `f` on a scratch file named `name.ext` holding `bytes`.
fn with_file<T>(ext: &str, bytes: &[u8], f: impl FnOnce(&Path) -> T) -> T {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = scratch().join(N.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&dir).expect("scratch file directory");
    let path = dir.join(format!("fuzz.{ext}"));
    std::fs::write(&path, bytes).expect("scratch file");
    let out = f(&path);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn read_units(bytes: &[u8], name: &str, format: Format) -> Result<Vec<Unit>, Error> {
    let mut units = Vec::new();
    read_memory_bytes(bytes.to_vec(), Path::new(name), format, |u| {
        units.push(u);
        Ok(())
    })?;
    Ok(units)
}

/// TMX memory import (`concord import x.tmx`): a TMX that reads writes back (the export's
/// writer) and reads again to the same units.
pub fn tmx_memory(data: &[u8]) {
    let units = match read_units(data, "fuzz.tmx", Format::Tmx) {
        Ok(u) => u,
        Err(e) => return check_error(&e),
    };
    let mut w = tmx::TmxWriter::new(Vec::new(), "*all*").expect("TMX header");
    for u in &units {
        w.write_unit(u).expect("a unit read from TMX writes");
    }
    let replaced = w.replaced_chars;
    let out = w.finish().expect("TMX end");
    if units.is_empty() {
        return;
    }
    let again = read_units(&out, "fuzz.tmx", Format::Tmx).unwrap_or_else(|e| {
        panic!(
            "the export of what was read does not read: {e}\n{}",
            String::from_utf8_lossy(&out)
        )
    });
    if replaced == 0 {
        // What the export does not carry by design: a `tuid` (the writer writes the
        // memory's own unit id) and a unit's source language where the unit has no
        // variant in exactly that tag (the header's srclang then stands).
        let norm = |us: &[Unit]| -> Vec<Unit> {
            us.iter()
                .map(|u| {
                    let mut u = u.clone();
                    u.meta.extra.attrs.retain(|(k, _)| k != "tuid");
                    u.meta.source_lang = None;
                    u
                })
                .collect()
        };
        assert_eq!(
            norm(&units),
            norm(&again),
            "TMX read → write → read changed the units\n{}",
            String::from_utf8_lossy(&out)
        );
    } else {
        assert_eq!(units.len(), again.len());
    }
}

fn tabular_memory(data: &[u8], tsv: bool) {
    let (name, format) = if tsv {
        ("fuzz.tsv", Format::Tsv)
    } else {
        ("fuzz.csv", Format::Csv)
    };
    let units = match read_units(data, name, format) {
        Ok(u) => u,
        Err(e) => return check_error(&e),
    };
    // Written back with its language columns (no metadata), the table reads again to
    // the same texts. Units with fewer than two texts are not memory units (the import
    // skips them; a row may have empty cells).
    let units: Vec<Unit> = units
        .into_iter()
        .filter(|u| u.variants.len() >= 2)
        .collect();
    if units.is_empty() {
        return;
    }
    let mut langs: Vec<LangTag> = Vec::new();
    for u in &units {
        for v in &u.variants {
            if !langs.contains(&v.lang) {
                langs.push(v.lang.clone());
            }
        }
    }
    let mut w =
        tabular::TableWriter::new(Vec::new(), tsv, langs, false).expect("a table header writes");
    for u in &units {
        w.write_unit(u).expect("a unit read writes");
    }
    let flattened = w.flattened;
    let out = w.finish().expect("table end");
    if flattened > 0 {
        return;
    }
    let again = read_units(&out, name, format).unwrap_or_else(|e| {
        panic!(
            "the table written from what was read does not read: {e}\n{}",
            String::from_utf8_lossy(&out)
        )
    });
    let texts = |us: &[Unit]| -> Vec<Vec<(String, String)>> {
        us.iter()
            .map(|u| {
                let mut v: Vec<(String, String)> = u
                    .variants
                    .iter()
                    .map(|v| (v.lang.to_string(), v.text.clone()))
                    .collect();
                v.sort();
                v
            })
            .collect()
    };
    assert_eq!(
        texts(&units),
        texts(&again),
        "table read → write → read changed the texts"
    );
}

/// TSV memory import.
pub fn tsv_memory(data: &[u8]) {
    tabular_memory(data, true)
}

/// CSV memory import (delimiter sniffed).
pub fn csv_memory(data: &[u8]) {
    tabular_memory(data, false)
}

/// Glossary files in every layout: the first byte picks the layout, the languages of a
/// headerless file and the delimiter; the rest is the file. A glossary that reads also
/// passes `glossary check` and round-trips through the canonical CSV.
pub fn glossary(data: &[u8]) {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let layout = match sel & 7 {
        0 | 5 | 6 | 7 => None,
        1 => Some(Layout::Canonical),
        2 => Some(Layout::Google),
        3 => Some(Layout::Headerless),
        _ => Some(Layout::DeepL),
    };
    let langs = if layout == Some(Layout::Headerless) || sel & 8 != 0 {
        vec![LangTag::parse("en").unwrap(), LangTag::parse("ko").unwrap()]
    } else {
        Vec::new()
    };
    let delimiter = match (sel >> 4) & 3 {
        0 => None,
        1 => Some(b','),
        2 => Some(b'\t'),
        _ => Some(b';'),
    };
    let name = if sel & 64 != 0 {
        "fuzz.tsv"
    } else {
        "fuzz.csv"
    };
    let opts = CsvOptions {
        langs,
        delimiter,
        layout,
    };
    let path = Path::new(name);
    let g = match concord::formats::glossary::read_bytes(bytes, path, &opts) {
        Ok(g) => g,
        Err(e) => return check_error(&e),
    };
    let report = concord::formats::glossary::check_bytes(bytes, path, &opts)
        .expect("a glossary that reads can be checked");
    assert_eq!(report.entries, g.entries.len());
    if g.entries.is_empty() {
        return;
    }
    let csv = g.to_csv_string();
    let again = concord::formats::glossary::read_bytes(
        csv.as_bytes(),
        Path::new("canonical.csv"),
        &CsvOptions::default(),
    )
    .unwrap_or_else(|e| panic!("the canonical CSV of what was read does not read: {e}\n{csv}"));
    // The order of an entry's languages is the file's column order, which the
    // canonical CSV sets anew; it means nothing.
    let norm = |es: &[concord::glossary::Entry]| {
        let mut es = es.to_vec();
        for e in &mut es {
            e.terms.sort_by(|a, b| a.0.cmp(&b.0));
            e.props.sort();
        }
        es
    };
    assert_eq!(
        norm(&g.entries),
        norm(&again.entries),
        "glossary → canonical CSV → glossary changed the entries\n{csv}"
    );
}

/// Read a draft from `data`: its first byte says whether `--from en --to ko` is given
/// (bit 0) and, through `pick` (bits 1 and up), the extension and format; the rest is the
/// file.
fn draft(data: &[u8], pick: impl FnOnce(u8) -> (&'static str, DraftFormat)) {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let (ext, format) = pick(sel >> 1);
    with_file(ext, bytes, |path| {
        let mut req = DraftRequest::file(path);
        req.format = Some(format);
        if sel & 1 != 0 {
            req.from = Some(LangRange::parse("en").unwrap());
            req.to = Some(LangRange::parse("ko").unwrap());
        }
        let mut started = false;
        let res = read_draft(&req, |ev| {
            match ev {
                DraftEvent::Start(_) => {
                    assert!(!started, "two Start events");
                    started = true;
                }
                DraftEvent::Segment(s) => {
                    assert!(started, "a segment before the languages");
                    assert!(s.line >= 1, "segment at line 0");
                    for t in [&s.source, &s.target].into_iter().flatten() {
                        for a in &t.anchors {
                            assert!(a.offset <= t.text.len(), "anchor past the text");
                            assert!(a.line >= 1 && a.column >= 1, "anchor at 0");
                        }
                        for tag in &t.tags {
                            assert!(tag.offset <= t.text.len(), "inline code past the text");
                        }
                    }
                }
            }
            Ok(())
        });
        if let Err(e) = res {
            check_error(&e);
        }
    })
}

/// TMX read as a lint draft.
pub fn tmx_draft(data: &[u8]) {
    draft(data, |_| ("tmx", DraftFormat::Tmx))
}

/// XLIFF 1.2 and 2.0 drafts, SDLXLIFF and MQXLIFF included (the reader tells the flavour
/// from the content; the first byte also picks the extension the file is given).
pub fn xliff_draft(data: &[u8]) {
    draft(data, |sel| match sel % 3 {
        1 => ("sdlxliff", DraftFormat::Xliff),
        2 => ("mqxliff", DraftFormat::Xliff),
        _ => ("xlf", DraftFormat::Xliff),
    })
}

/// Bilingual TSV/CSV drafts and target-only plain text (the first byte picks which).
pub fn tabular_draft(data: &[u8]) {
    draft(data, |sel| match sel % 3 {
        1 => ("csv", DraftFormat::Csv),
        2 => ("txt", DraftFormat::Text),
        _ => ("tsv", DraftFormat::Tsv),
    })
}

/// Lint baselines.
pub fn baseline(data: &[u8]) {
    if let Err(e) =
        concord::lint::baseline::Baseline::from_bytes(Path::new("fuzz.baseline"), data.to_vec())
    {
        check_error(&e);
    }
}

const SAMPLE: &str =
    "Mr. Kim met the U.N. envoy on 3 Jan. 2024. 회담은 끝났다. 他说：“好。”第二句！\n\
                      The talks (Geneva, 1954) ended... Then? Yes.";

/// SRX rules: parsed, put in front of the shipped ones, and used to split a sample in each
/// language; the sentences are ordered, non-empty ranges of the text.
pub fn srx(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let rules = match concord::segment::Rules::from_srx_str(&text, Path::new("fuzz.srx")) {
        Ok(r) => r,
        Err(e) => return check_error(&e),
    };
    let rules = concord::segment::Rules::default().extended_by(rules);
    for lang in ["en", "ko", "zh-Hans"] {
        let seg = concord::segment::Segmenter::new(&rules, &LangTag::parse(lang).unwrap());
        let mut end = 0;
        for r in seg.split(SAMPLE) {
            assert!(r.start >= end && r.start < r.end && r.end <= SAMPLE.len());
            assert!(SAMPLE.is_char_boundary(r.start) && SAMPLE.is_char_boundary(r.end));
            end = r.end;
        }
    }
}

/// Documents for segmentation and alignment: the first byte picks plain text, Markdown,
/// HTML or DOCX (a zip file); paragraphs are then split into sentences with the shipped
/// rules.
pub fn document(data: &[u8]) {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let (ext, format) = match sel & 3 {
        0 => ("txt", DocumentFormat::Text),
        1 => ("md", DocumentFormat::Markdown),
        2 => ("html", DocumentFormat::Html),
        _ => ("docx", DocumentFormat::Docx),
    };
    let doc = match with_file(ext, bytes, |p| read_document(p, Some(format))) {
        Ok(d) => d,
        Err(e) => return check_error(&e),
    };
    assert!(!doc.paragraphs.is_empty());
    let rules = concord::segment::Rules::default();
    let seg = concord::segment::Segmenter::new(&rules, &LangTag::parse("en").unwrap());
    for p in &doc.paragraphs {
        assert!(p.line >= 1, "paragraph at line 0");
        assert!(!p.text.trim().is_empty(), "an empty paragraph");
        for s in seg.sentences(&p.text) {
            assert!(!s.is_empty());
        }
    }
}

/// The server's request bodies (not the network): the first byte picks `POST /v1/match`,
/// `POST /v1/lint`, `POST /v1/units` (JSON) or `POST /v1/glossary` (CSV); the rest is the
/// body. Language fields go through the parsers the handlers use.
pub fn server_body(data: &[u8]) {
    use concord::server::api;
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let lang = |s: &Option<String>| {
        if let Some(s) = s {
            let _ = LangRange::parse(s);
        }
    };
    match sel & 3 {
        0 => {
            if let Ok(b) = api::json_body::<api::MatchBatch>(body) {
                lang(&b.from);
                lang(&b.to);
            }
        }
        1 => {
            if let Ok(r) = api::json_body::<api::LintRequest>(body) {
                lang(&r.from);
                lang(&r.to);
                for id in r.rules.iter().chain(&r.skip) {
                    let _ = concord::lint::Rule::parse(id);
                }
            }
        }
        2 => {
            if let Ok(n) = api::json_body::<api::NewUnit>(body) {
                for tag in n.variants.keys() {
                    let _ = LangTag::parse(tag);
                }
            }
        }
        _ => {
            let _ = api::glossary_body("fuzz.csv", body);
        }
    }
}

/// TBX glossaries (TBX-Basic/Core v3, TBX 2008 `martif`): a TBX that reads is written as
/// TBX-Basic and reads again to the same entries (the first byte picks the flavor
/// written: bit 0 set, `martif`).
pub fn tbx(data: &[u8]) {
    use concord::formats::tbx::{read_tbx, write_tbx, TbxFlavor};
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let g = match read_tbx(bytes, Path::new("fuzz.tbx")) {
        Ok(g) => g,
        Err(e) => return check_error(&e),
    };
    let flavor = if sel & 1 != 0 {
        TbxFlavor::Martif
    } else {
        TbxFlavor::Basic
    };
    let mut out = Vec::new();
    let written = write_tbx(&g, flavor, &mut out).expect("a glossary read from TBX writes");
    if written.replaced > 0 || written.without_terms > 0 || g.entries.is_empty() {
        return;
    }
    let again = read_tbx(&out, Path::new("written.tbx")).unwrap_or_else(|e| {
        panic!(
            "the TBX written from what was read does not read: {e}\n{}",
            String::from_utf8_lossy(&out)
        )
    });
    // Parts of speech are left out: the reader keeps one `pos` for the entry when every
    // term has the same, else the first per language (`pos:<tag>`), and the writer puts
    // that on every term of the language, so a language whose terms differ reads back
    // as entry-level `pos` (found by fuzzing; a documented simplification of the TBX
    // mapping, not a loss of terms).
    let norm = |es: &[concord::glossary::Entry]| {
        let mut es = es.to_vec();
        for e in &mut es {
            e.terms.sort_by(|a, b| a.0.cmp(&b.0));
            e.props
                .retain(|(k, _)| k != "pos" && !k.starts_with("pos:"));
            e.props.sort();
        }
        es
    };
    assert_eq!(
        norm(&g.entries),
        norm(&again.entries),
        "TBX read → write → read changed the entries\n{}",
        String::from_utf8_lossy(&out)
    );
}

/// Translation jobs (`formats::job`): one file whose format the first byte picks (bits
/// 1-3), with or without `--from en --to ko` (bit 0).
pub fn job(data: &[u8]) {
    use concord::formats::job::{read_job, JobRequest};
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let ext = ["tsv", "csv", "xlf", "tmx", "txt", "md", "html", "docx"][usize::from(sel >> 1) & 7];
    let res = with_file(ext, bytes, |path| {
        let mut req = JobRequest::files([path.to_path_buf()]);
        if sel & 1 != 0 {
            req.from = Some(LangRange::parse("en").unwrap());
            req.to = Some(LangRange::parse("ko").unwrap());
        }
        read_job(&req)
    });
    match res {
        Ok(job) => {
            for seg in job.file_segments(0) {
                assert!(seg.line >= 1, "job segment at line 0");
                assert!(seg.number >= 1, "job segment number 0");
            }
        }
        Err(e) => check_error(&e),
    }
}

/// XLIFF 1.2/2.0, SDLXLIFF and MQXLIFF imported as a memory (`concord import x.xlf`): every
/// unit has a source and a target text (the first byte picks the extension).
pub fn xliff_memory(data: &[u8]) {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let ext = ["xlf", "sdlxliff", "mqxliff"][usize::from(sel % 3)];
    let res = with_file(ext, bytes, |path| {
        let mut units = Vec::new();
        concord::formats::read_memory_file(path, Format::Xliff, |u| {
            units.push(u);
            Ok(())
        })
        .map(|()| units)
    });
    match res {
        Ok(units) => {
            for u in units {
                assert!(u.variants.len() >= 2, "an XLIFF unit without two texts");
            }
        }
        Err(e) => check_error(&e),
    }
}
