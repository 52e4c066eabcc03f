//! Locked segments in a translation job: read flagged from every bilingual flavour
//! (XLIFF 1.2 `translate="no"` on a unit or inherited from a group, XLIFF 2.0
//! `translate="no"` inherited from a file and `subState` locks, SDLXLIFF
//! `sdl:seg locked="true"`, memoQ `mq:locked="locked"`), counted by `analyze` in the
//! locked row and no other band, never written by `pretranslate` (byte-identical, even
//! with `--overwrite`), and imported when translated.

mod common;

use common::{json, shared_fixtures, stderr, Env};
use concord::formats::draft::{read_draft, DraftEvent, DraftRequest};
use concord::formats::import::ImportPlan;
use concord::formats::job::{read_job, JobRequest};
use concord::formats::segment::Lock;
use concord::store::Memory;

/// The memory of every test: these sources, with Korean and French translations.
const TSV: &str = "en\tko\tfr
The ministers met in Seoul.\t장관들이 서울에서 만났다.\tLes ministres se sont réunis à Séoul.
The talks were constructive.\t회담은 건설적이었다.\tLes entretiens ont été constructifs.
The statement was issued today.\t성명은 오늘 발표되었다.\tLa déclaration a été publiée aujourd'hui.
Modify.\t수정.\tModifier.
";

fn env() -> Env {
    let env = Env::new();
    let tsv = env.file("m.tsv", TSV);
    let o = env.import(&[&tsv]);
    assert!(o.status.success(), "{}", stderr(&o));
    env
}

/// XLIFF 1.2 en→ko: unit 2 `translate="no"`, a `translate="no"` group holding unit 3
/// (inherits) and unit 4 (`translate="yes"` overrides), unit 5 `mq:locked="locked"`.
const XLIFF12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:mq="MQXliff">
<file original="t" source-language="en" target-language="ko" datatype="plaintext"><body>
<trans-unit id="1"><source>The ministers met in Seoul.</source></trans-unit>
<trans-unit id="2" translate="no"><source>The talks were constructive.</source></trans-unit>
<group id="g" translate="no">
<trans-unit id="3"><source>The statement was issued today.</source><target>성명은 오늘.</target></trans-unit>
<trans-unit id="4" translate="yes"><source>The talks were constructive.</source></trans-unit>
</group>
<trans-unit id="5" mq:locked="locked" mq:status="ManuallyConfirmed"><source>The ministers met in Seoul.</source><target>잠긴 번역.</target></trans-unit>
<trans-unit id="6" mq:status="NotStarted"><source>Modify.</source></trans-unit>
</body></file></xliff>
"#;

/// XLIFF 2.0 en→ko: a `translate="no"` file whose unit `a` inherits it and whose group
/// says `translate="yes"`; unit `c`'s first segment is `final` with a lock `subState`,
/// its second is only `final`.
const XLIFF20: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="ko">
<file id="f1" translate="no">
<unit id="a"><segment><source>The ministers met in Seoul.</source></segment></unit>
<group id="g" translate="yes">
<unit id="b"><segment><source>The talks were constructive.</source></segment></unit>
<unit id="c">
<segment id="1" state="final" subState="sdl:locked"><source>The statement was issued today.</source><target>잠긴 성명.</target></segment>
<segment id="2" state="final"><source>Modify.</source><target>수정.</target></segment>
</unit>
</group>
</file>
</xliff>
"#;

fn locks(path: &std::path::Path) -> Vec<(String, Lock)> {
    let job = read_job(&JobRequest::files([path])).unwrap();
    job.segments
        .iter()
        .map(|s| (s.id.clone().unwrap_or_default(), s.lock))
        .collect()
}

fn ids(v: &[(String, Lock)], lock: Lock) -> Vec<&str> {
    v.iter()
        .filter(|(_, l)| *l == lock)
        .map(|(i, _)| i.as_str())
        .collect()
}

#[test]
fn xliff12_and_mqxliff_locks_are_read_flagged() {
    let env = Env::new();
    let p = env.file("j.xlf", XLIFF12);
    let l = locks(&p);
    assert_eq!(l.len(), 6, "{l:?}");
    assert_eq!(ids(&l, Lock::NoTranslate), ["2", "3"]);
    assert_eq!(ids(&l, Lock::Locked), ["5"]);
    assert_eq!(ids(&l, Lock::Open), ["1", "4", "6"]);
    // A draft to lint leaves translate="no" out, and keeps the memoQ lock flagged.
    let mut seen = Vec::new();
    read_draft(&DraftRequest::file(&p), |ev| {
        if let DraftEvent::Segment(s) = ev {
            seen.push((s.id.unwrap_or_default(), s.lock));
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(ids(&seen, Lock::Open), ["1", "4", "6"]);
    assert_eq!(ids(&seen, Lock::Locked), ["5"]);
    assert!(ids(&seen, Lock::NoTranslate).is_empty());
}

#[test]
fn xliff20_locks_inherit_and_sub_state_locks() {
    let env = Env::new();
    let p = env.file("j.xlf", XLIFF20);
    let l = locks(&p);
    assert_eq!(ids(&l, Lock::NoTranslate), ["a"]);
    assert_eq!(ids(&l, Lock::Locked), ["c#1"]);
    // `final` alone is a state, not a lock.
    assert_eq!(ids(&l, Lock::Open), ["b", "c#2"]);
}

#[test]
fn oasis_xliff20_translate_yes_overrides_the_file() {
    let Some(dir) = shared_fixtures("xliff") else {
        return;
    };
    let l = locks(&dir.join("oasis-xliff20-everything-core.xlf"));
    assert!(!l.is_empty());
    // The file says translate="no", but its unit and group say yes.
    assert!(l.iter().all(|(_, k)| *k == Lock::Open), "{l:?}");
}

#[test]
fn sdlxliff_locked_sub_segment_is_read_flagged() {
    let Some(dir) = shared_fixtures("xliff") else {
        return;
    };
    let l = locks(&dir.join("okapi-test.txt_en-US_fr-FR.sdlxliff"));
    let locked = ids(&l, Lock::Locked);
    assert_eq!(locked.len(), 1, "{l:?}");
    assert!(locked[0].ends_with("#4"), "{l:?}");
    // The translate="no" unit holds only an inline code: nothing to count.
    assert!(ids(&l, Lock::NoTranslate).is_empty(), "{l:?}");
    assert_eq!(ids(&l, Lock::Open).len(), 4, "{l:?}");
}

#[test]
fn analyze_counts_locked_segments_in_their_own_row() {
    let env = env();
    env.file("j.xlf", XLIFF12);
    let o = env.run(&["--json", "analyze", "j.xlf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let t = &v["total"];
    // Units 2, 3 and 5: 4 + 5 + 5 words.
    assert_eq!(t["locked"]["segments"], 3, "{v:#}");
    assert_eq!(t["locked"]["words"], 14, "{v:#}");
    // Unit 1 is a context match (first in its file, as in the memory); 4 and 6 are
    // 100%: 4 is not a repetition of unit 2, which is locked.
    assert_eq!(t["context"]["segments"], 1, "{v:#}");
    assert_eq!(t["exact"]["segments"], 2, "{v:#}");
    assert_eq!(t["cross_file_repetitions"]["segments"], 0, "{v:#}");
    assert_eq!(t["repetitions"]["segments"], 0, "{v:#}");
    assert_eq!(t["total"]["segments"], 6, "{v:#}");
    assert!(
        v["rules_text"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("locked")),
        "{v:#}"
    );
    // CSV and Trados XML carry the row.
    let o = env.run(&["analyze", "j.xlf", "--csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.contains("*total*,locked,0,0,3,14,"), "{csv}");
    let o = env.run(&["analyze", "j.xlf", "--trados-xml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let xml = String::from_utf8(o.stdout).unwrap();
    assert!(xml.contains("<locked segments=\"3\" words=\"14\""), "{xml}");
    assert!(
        xml.contains("reportLockedSegmentsSeparately=\"yes\""),
        "{xml}"
    );
}

/// The `<trans-unit>` (or `<unit>`) of `id` in `text`, start tag to end tag.
fn unit_bytes<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let a = text
        .find(open)
        .unwrap_or_else(|| panic!("{open} in {text}"));
    let b = a + text[a..].find(close).unwrap() + close.len();
    &text[a..b]
}

#[test]
fn pretranslate_never_writes_into_a_locked_segment() {
    let env = env();
    env.file("j.xlf", XLIFF12);
    for extra in [&[][..], &["--overwrite"][..]] {
        let mut args = vec![
            "--json",
            "pretranslate",
            "j.xlf",
            "-o",
            "out.xlf",
            "--force",
        ];
        args.extend_from_slice(extra);
        let o = env.run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["summary"]["locked"], 3, "{v:#}");
        let out = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
        for (open, close) in [
            ("<trans-unit id=\"2\"", "</trans-unit>"),
            ("<group id=\"g\"", "<trans-unit id=\"4\""),
            ("<trans-unit id=\"5\"", "</trans-unit>"),
        ] {
            assert_eq!(
                unit_bytes(&out, open, close),
                unit_bytes(XLIFF12, open, close),
                "{out}"
            );
        }
        // The open units are filled.
        assert!(
            unit_bytes(&out, "<trans-unit id=\"1\"", "</trans-unit>")
                .contains("장관들이 서울에서 만났다."),
            "{out}"
        );
        assert!(
            unit_bytes(&out, "<trans-unit id=\"4\"", "</trans-unit>")
                .contains("회담은 건설적이었다."),
            "{out}"
        );
    }
    // A new XLIFF 1.2 file keeps them protected.
    let o = env.run(&[
        "pretranslate",
        "j.xlf",
        "-o",
        "new.xlf",
        "--output-format",
        "xliff",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(env.path().join("new.xlf")).unwrap();
    assert!(
        out.contains("<trans-unit id=\"5\" translate=\"no\">"),
        "{out}"
    );
    assert!(out.contains("잠긴 번역."), "{out}");
}

#[test]
fn pretranslate_leaves_xliff20_sub_state_locks() {
    let env = env();
    env.file("j.xlf", XLIFF20);
    let o = env.run(&["pretranslate", "j.xlf", "-o", "out.xlf", "--overwrite"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(env.path().join("out.xlf")).unwrap();
    let seg =
        |t: &str| unit_bytes(t, "<segment id=\"1\" state=\"final\"", "</segment>").to_string();
    assert_eq!(seg(&out), seg(XLIFF20), "{out}");
    assert_eq!(
        unit_bytes(&out, "<unit id=\"a\"", "</unit>"),
        unit_bytes(XLIFF20, "<unit id=\"a\"", "</unit>")
    );
    // The open segment with a target is overwritten.
    assert!(
        unit_bytes(&out, "<segment id=\"2\"", "</segment>").contains("수정."),
        "{out}"
    );
    assert!(
        unit_bytes(&out, "<unit id=\"b\"", "</unit>").contains("회담은 건설적이었다."),
        "{out}"
    );
}

#[test]
fn pretranslate_sdlxliff_keeps_the_locked_sub_segment() {
    let Some(dir) = shared_fixtures("xliff") else {
        return;
    };
    let env = env();
    let input = std::fs::read_to_string(dir.join("okapi-test.txt_en-US_fr-FR.sdlxliff")).unwrap();
    env.file("t.sdlxliff", &input);
    // "Modify." is in the memory (100%): only the lock keeps it out.
    let o = env.run(&[
        "--json",
        "pretranslate",
        "t.sdlxliff",
        "-o",
        "out.sdlxliff",
        "--overwrite",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    // The #4 sub-segment, and the two translate="no" units (inline codes only).
    assert_eq!(v["summary"]["locked"], 3, "{v:#}");
    let seg4 = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str().unwrap().ends_with("#4"))
        .unwrap();
    assert_eq!(seg4["outcome"], "locked", "{v:#}");
    let out = std::fs::read_to_string(env.path().join("out.sdlxliff")).unwrap();
    let mrk = "<mrk mtype=\"seg\" mid=\"4\">Modifier </mrk>";
    assert!(out.contains(mrk), "{out}");
    let def = |t: &str| unit_bytes(t, "<sdl:seg id=\"4\"", "</sdl:seg>").to_string();
    assert_eq!(def(&out), def(&input));
}

#[test]
fn import_keeps_translated_locked_segments_as_units() {
    let env = Env::new();
    let p = env.file("j.mqxliff", XLIFF12);
    let mut mem = Memory::open_in_memory().unwrap();
    let r = ImportPlan::new(&[p], None)
        .and_then(|p| p.import(&mut mem, |_, _| {}))
        .unwrap();
    // Unit 5 (locked, confirmed) is a translation; 2 and 3 (translate="no") are not
    // translations and are left out uncounted; 1, 4 and 6 have no target.
    assert_eq!((r.added, r.untranslated), (1, 3));
    let mut units = Vec::new();
    mem.for_each_unit(&[], 2, |u| {
        units.push(u);
        Ok(())
    })
    .unwrap();
    assert_eq!(units.len(), 1);
    let props = &units[0].meta.extra.props;
    assert!(
        props
            .iter()
            .any(|p| p.kind == "x-locked" && p.value == "true"),
        "{props:?}"
    );
}

#[test]
fn import_sdlxliff_locked_approved_segment_is_a_unit() {
    let Some(dir) = shared_fixtures("xliff") else {
        return;
    };
    let mut mem = Memory::open_in_memory().unwrap();
    ImportPlan::new(&[dir.join("okapi-test.txt_en-US_fr-FR.sdlxliff")], None)
        .and_then(|p| p.import(&mut mem, |_, _| {}))
        .unwrap();
    let mut locked = Vec::new();
    mem.for_each_unit(&[], 2, |u| {
        if u.meta.extra.props.iter().any(|p| p.kind == "x-locked") {
            locked.push(u);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(locked.len(), 1);
    assert!(locked[0]
        .variants
        .iter()
        .any(|v| v.text.trim() == "Modifier"));
}
