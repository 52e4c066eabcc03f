//! Every TMX under ../shared/fixtures/tmx/ imports, and a test says what each holds.

use std::path::{Path, PathBuf};

use concord::formats::input::{open_text, Encoding};
use concord::formats::tmx::{read_tmx, TmxHeader};
use concord::formats::{read_memory_file, Format};
use concord::unit::Unit;

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/tmx")).join(name)
}

fn read(name: &str) -> (TmxHeader, Vec<Unit>) {
    let path = fixture(name);
    let input = open_text(&path).unwrap();
    let mut units = Vec::new();
    let h = read_tmx(input.reader, &path, name, |u| {
        units.push(u);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    (h, units)
}

#[test]
fn dump_all() {
    for e in std::fs::read_dir(fixture("")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let (h, units) = read(&name);
        println!("=== {name} {:?} srclang={:?} units={} hdr notes={:?} props={:?}", h.version, h.srclang, units.len(), h.extra.notes, h.extra.props);
        for u in &units {
            println!("{}", serde_json::to_string(u).unwrap());
        }
    }
}
