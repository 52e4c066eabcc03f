//! Our TBX-Basic output validates against TBX-Basic v3 DCA: the structure of the
//! TBX-Basic integrated RELAX NG grammar (TBXcoreStructV03 with TBX-Basic's data
//! categories) and the rules of the TBX-Basic DCA Schematron, written here from the
//! standard (ISO 30042:2019 and the TBX-Basic dialect definition): no registry package
//! ships the schemas, and they cannot be fetched in CI. The checker is tested on invalid
//! documents too, so that it cannot pass everything.

use std::collections::HashSet;
use std::path::Path;

use concord::formats::glossary::CsvOptions;
use concord::formats::tbx::{write_tbx, TbxFlavor, TBX_V3_NAMESPACE};
use concord::glossary::Glossary;
use quick_xml::events::Event;

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
    line: usize,
}

impl Node {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

fn parse(xml: &str) -> Node {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    let (mut counted, mut line) = (0, 1);
    loop {
        let pos = r.buffer_position() as usize;
        line += xml[counted..pos].matches('\n').count();
        counted = pos;
        let node = |e: &quick_xml::events::BytesStart<'_>| Node {
            name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.unescape_value().unwrap().into_owned(),
                    )
                })
                .collect(),
            line,
            ..Node::default()
        };
        match r.read_event().unwrap() {
            Event::Start(e) => stack.push(node(&e)),
            Event::Empty(e) => {
                let n = node(&e);
                stack.last_mut().unwrap().children.push(n);
            }
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Text(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.unescape().unwrap()),
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap().children.pop().expect("a root element")
}

struct Checker {
    errors: Vec<String>,
    ids: HashSet<String>,
}

const AUX: [&str; 8] = [
    "descrip",
    "descripGrp",
    "admin",
    "adminGrp",
    "transacGrp",
    "note",
    "ref",
    "xref",
];
const TERMNOTE_TYPES: [&str; 6] = [
    "administrativeStatus",
    "grammaticalGender",
    "geographicalUsage",
    "partOfSpeech",
    "termLocation",
    "termType",
];
const DESCRIP_TYPES: [&str; 3] = ["context", "definition", "subjectField"];
const ADMIN_TYPES: [&str; 3] = ["customerSubset", "projectSubset", "source"];
const STATUS: [&str; 4] = [
    "admittedTerm-admn-sts",
    "deprecatedTerm-admn-sts",
    "supersededTerm-admn-sts",
    "preferredTerm-admn-sts",
];
const POS: [&str; 5] = ["adjective", "noun", "other", "verb", "adverb"];

fn is_ncname(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_alphabetic() || f == '_')
        && c.all(|x| x.is_alphanumeric() || matches!(x, '_' | '-' | '.'))
}

/// xsd:language: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
fn is_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (1..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

impl Checker {
    fn err(&mut self, n: &Node, m: impl Into<String>) {
        self.errors
            .push(format!("line {}: <{}>: {}", n.line, n.name, m.into()));
    }

    /// Attributes: only these, the required ones present; `id` an unique NCName.
    fn attrs(&mut self, n: &Node, allowed: &[&str], required: &[&str]) {
        for (k, v) in &n.attrs {
            if !allowed.contains(&k.as_str()) {
                self.err(n, format!("attribute {k} not allowed"));
            }
            if k == "id" && (!is_ncname(v) || !self.ids.insert(v.clone())) {
                self.err(n, format!("id {v:?} is not a unique xsd:ID"));
            }
            if k == "type" && v.is_empty() {
                self.err(n, "empty type (Schematron coreEnforcement)");
            }
        }
        for r in required {
            if n.attr(r).is_none() {
                self.err(n, format!("attribute {r} required"));
            }
        }
    }

    /// Children in this order: each group is (names, min, max).
    fn sequence(&mut self, n: &Node, groups: &[(&[&str], usize, usize)]) {
        let mut i = 0;
        for (names, min, max) in groups {
            let mut k = 0;
            while i < n.children.len() && k < *max && names.contains(&n.children[i].name.as_str()) {
                i += 1;
                k += 1;
            }
            if k < *min {
                self.err(n, format!("expected {min}+ of {names:?}"));
            }
        }
        if i < n.children.len() {
            let c = &n.children[i];
            self.err(n, format!("unexpected child <{}>", c.name));
        }
        if groups.iter().all(|(names, _, _)| !names.contains(&"#text")) && !n.text.trim().is_empty()
        {
            self.err(n, "text not allowed here");
        }
    }

    fn text_only(&mut self, n: &Node) {
        if let Some(c) = n.children.iter().find(|c| c.name != "hi") {
            self.err(n, format!("unexpected child <{}> in text", c.name));
        }
    }

    fn tbx(&mut self, n: &Node) {
        if n.name != "tbx" {
            return self.err(n, "the root must be <tbx>");
        }
        self.attrs(
            n,
            &["style", "type", "xml:lang", "xmlns"],
            &["style", "type", "xml:lang"],
        );
        if n.attr("xmlns") != Some(TBX_V3_NAMESPACE) {
            self.err(
                n,
                "not in the TBX v3 namespace (Schematron dialectEnforcement)",
            );
        }
        if n.attr("type") != Some("TBX-Basic") {
            self.err(n, "type must be TBX-Basic");
        }
        if n.attr("style") != Some("dca") {
            self.err(n, "style must be dca");
        }
        self.sequence(n, &[(&["tbxHeader"], 1, 1), (&["text"], 1, 1)]);
        for c in &n.children {
            match c.name.as_str() {
                "tbxHeader" => self.header(c),
                "text" => self.text(c),
                _ => {}
            }
        }
    }

    fn header(&mut self, n: &Node) {
        self.attrs(n, &["id"], &[]);
        self.sequence(
            n,
            &[
                (&["fileDesc"], 1, 1),
                (&["encodingDesc"], 0, 1),
                (&["revisionDesc"], 0, 1),
            ],
        );
        for fd in n.children.iter().filter(|c| c.name == "fileDesc") {
            self.attrs(fd, &["id"], &[]);
            self.sequence(
                fd,
                &[
                    (&["titleStmt"], 0, 1),
                    (&["publicationStmt"], 0, 1),
                    (&["sourceDesc"], 1, usize::MAX),
                ],
            );
            for sd in fd.children.iter().filter(|c| c.name == "sourceDesc") {
                self.attrs(sd, &["id", "xml:lang"], &[]);
                self.sequence(sd, &[(&["p"], 1, usize::MAX)]);
                for p in &sd.children {
                    self.attrs(p, &["id", "xml:lang", "type"], &[]);
                    self.text_only(p);
                }
            }
        }
    }

    fn text(&mut self, n: &Node) {
        self.attrs(n, &["id"], &[]);
        self.sequence(n, &[(&["body"], 1, 1), (&["back"], 0, 1)]);
        for body in n.children.iter().filter(|c| c.name == "body") {
            self.attrs(body, &["id"], &[]);
            self.sequence(body, &[(&["conceptEntry"], 1, usize::MAX)]);
            for ce in &body.children {
                self.concept(ce);
            }
        }
    }

    fn aux(&mut self, n: &Node, level: &str) {
        match n.name.as_str() {
            "note" => {
                self.attrs(n, &["id", "xml:lang"], &[]);
                self.text_only(n);
            }
            "descrip" => {
                self.attrs(
                    n,
                    &["id", "xml:lang", "target", "datatype", "type", "module"],
                    &["type"],
                );
                let t = n.attr("type").unwrap_or("");
                if !DESCRIP_TYPES.contains(&t) {
                    self.err(
                        n,
                        format!("descrip type {t:?} is not a TBX-Basic data category"),
                    );
                }
                let ok = match t {
                    "subjectField" => level == "conceptEntry",
                    "definition" => level == "conceptEntry" || level == "langSec",
                    "context" => level == "termSec",
                    _ => true,
                };
                if !ok {
                    self.err(
                        n,
                        format!("{t} is not allowed at the {level} level (Schematron)"),
                    );
                }
                self.text_only(n);
            }
            "admin" => {
                self.attrs(
                    n,
                    &["id", "xml:lang", "target", "datatype", "type", "module"],
                    &["type"],
                );
                let t = n.attr("type").unwrap_or("");
                if !ADMIN_TYPES.contains(&t) {
                    self.err(
                        n,
                        format!("admin type {t:?} is not a TBX-Basic data category"),
                    );
                }
                if matches!(t, "customerSubset" | "projectSubset") && level != "termSec" {
                    self.err(n, format!("{t} only at the termSec level (Schematron)"));
                }
            }
            other => self.err(
                n,
                format!("concord does not write <{other}>; the checker does not know it"),
            ),
        }
    }

    fn concept(&mut self, n: &Node) {
        self.attrs(n, &["id"], &[]);
        self.sequence(n, &[(&AUX, 0, usize::MAX), (&["langSec"], 1, usize::MAX)]);
        for c in &n.children {
            if c.name == "langSec" {
                self.lang(c);
            } else {
                self.aux(c, "conceptEntry");
            }
        }
    }

    fn lang(&mut self, n: &Node) {
        self.attrs(n, &["xml:lang"], &["xml:lang"]);
        if !n.attr("xml:lang").is_some_and(is_language) {
            self.err(n, "xml:lang is not a language tag");
        }
        self.sequence(n, &[(&AUX, 0, usize::MAX), (&["termSec"], 1, usize::MAX)]);
        for c in &n.children {
            if c.name == "termSec" {
                self.term_sec(c);
            } else {
                self.aux(c, "langSec");
            }
        }
    }

    fn term_sec(&mut self, n: &Node) {
        self.attrs(n, &["id"], &[]);
        self.sequence(
            n,
            &[
                (&["term"], 1, 1),
                (&["termNote", "termNoteGrp"], 0, usize::MAX),
                (&AUX, 0, usize::MAX),
            ],
        );
        for c in &n.children {
            match c.name.as_str() {
                "term" => {
                    self.attrs(c, &["id"], &[]);
                    self.text_only(c);
                    if c.text.trim().is_empty() {
                        self.err(c, "empty term");
                    }
                }
                "termNote" => {
                    self.attrs(
                        c,
                        &["id", "xml:lang", "target", "datatype", "type", "module"],
                        &["type"],
                    );
                    let t = c.attr("type").unwrap_or("");
                    if !TERMNOTE_TYPES.contains(&t) {
                        self.err(
                            c,
                            format!("termNote type {t:?} is not a TBX-Basic data category"),
                        );
                    }
                    let v = c.text.as_str();
                    if t == "administrativeStatus" && !STATUS.contains(&v) {
                        self.err(
                            c,
                            format!("administrativeStatus {v:?} (Schematron module.min)"),
                        );
                    }
                    if t == "partOfSpeech" && !POS.contains(&v) {
                        self.err(c, format!("partOfSpeech {v:?} (Schematron module.min)"));
                    }
                    self.text_only(c);
                }
                _ => self.aux(c, "termSec"),
            }
        }
        // A termNote anywhere else is caught by the content models above.
    }
}

fn validate(xml: &str) -> Vec<String> {
    let root = parse(xml);
    let mut c = Checker {
        errors: Vec::new(),
        ids: HashSet::new(),
    };
    c.tbx(&root);
    c.errors
}

fn basic(g: &Glossary) -> String {
    let mut out = Vec::new();
    write_tbx(g, TbxFlavor::Basic, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn tbx_basic_export_of_the_team_glossary_validates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("glossaries/diplomatic.csv");
    let g = Glossary::from_csv_file(&path, &CsvOptions::default()).unwrap();
    let xml = basic(&g);
    assert_eq!(validate(&xml), Vec::<String>::new());
}

#[test]
fn tbx_basic_export_with_every_field_validates() {
    let csv = "id,en,ko,zh-Hant,en:forbidden,ko:forbidden,note,domain,case,strict,pos,definition,definition:ko,source\n\
               dprk,DPRK|North Korea,북한,北韓,N. Korea,북조선,\"a <note> &\nmore\",politics,sensitive,ko,noun,the northern state,북쪽,UN\n\
               dprk,Seoul,서울,首爾,,,,,,,verb,,,\n\
               1 bad id,Busan,부산,,,,,,,,n.,,,\n\
               ,,,,,,only a note,,,,,,,\n";
    let g = Glossary::from_csv_str(csv, Path::new("g.csv"), &CsvOptions::default()).unwrap();
    let xml = basic(&g);
    assert_eq!(validate(&xml), Vec::<String>::new(), "{xml}");
}

/// The checker rejects what the RNG and the Schematron reject.
#[test]
fn tbx_basic_checker_rejects_invalid_documents() {
    let g = Glossary::from_csv_str(
        "id,en,ko,ko:forbidden,domain,definition:ko,pos\nkp,Korean Peninsula,한반도,조선반도,geo,반도,noun\n",
        Path::new("g.csv"),
        &CsvOptions::default(),
    )
    .unwrap();
    let good = basic(&g);
    assert_eq!(validate(&good), Vec::<String>::new());
    let bad = [
        ("style=\"dca\"", "style=\"dct\""),
        (TBX_V3_NAMESPACE, "urn:iso:std:iso:30042:ed-2"),
        ("preferredTerm-admn-sts", "preferred"),
        (
            "<termNote type=\"partOfSpeech\">noun",
            "<termNote type=\"partOfSpeech\">properNoun",
        ),
        (
            "<termNote type=\"partOfSpeech\">",
            "<termNote type=\"pos\">",
        ),
        ("id=\"kp\"", "id=\"1kp\""),
        (
            "<langSec xml:lang=\"ko\">",
            "<langSec xml:lang=\"ko\"><termNote type=\"termType\">fullForm</termNote>",
        ),
        ("<descrip type=\"subjectField\">geo</descrip>", ""),
        (
            "<descrip type=\"definition\">반도</descrip>",
            "<descrip type=\"subjectField\">반도</descrip>",
        ),
        ("<body>", "<body><conceptEntry/>"),
        ("</tbxHeader>", "</tbxHeader><tbxHeader/>"),
    ];
    for (from, to) in bad {
        assert!(good.contains(from), "{from}");
        let doc = good.replacen(from, to, 1);
        if from.contains("subjectField") && to.is_empty() {
            // Removing the subject field leaves a valid document: the control case.
            assert_eq!(validate(&doc), Vec::<String>::new());
            continue;
        }
        assert!(
            !validate(&doc).is_empty(),
            "accepted: {from} -> {to}\n{doc}"
        );
    }
}
