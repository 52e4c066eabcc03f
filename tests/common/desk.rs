//! The set-up the lint and pretranslate tests share (`cli_lint`, `lint_fix`,
//! `cli_pretranslate`): a scratch directory holding a glossary `g.csv` and the drafts
//! written beside it, with `concord lint --glossary g.csv` run there ([`Desk`]), and
//! `concord --json pretranslate … --glossary g.csv` of a document against a memory
//! ([`Env::pretranslate_json`]).

use std::path::{Path, PathBuf};

use super::{json, run_code, stderr, write, Env};

/// The glossary the lint tests start from: DPRK, with the forbidden variants 북조선 (ko)
/// and 北韩 (zh).
pub const DPRK_GLOSSARY: &str =
    "id,en,ko,zh,ko:forbidden,zh:forbidden\ndprk,DPRK,북한,朝鲜,북조선,北韩\n";

/// A scratch directory holding the glossary `g.csv`. No memory is named: `concord` runs
/// there as a user in a directory without one.
pub struct Desk {
    pub dir: tempfile::TempDir,
}

impl Desk {
    /// A new directory with `glossary` as `g.csv`.
    pub fn new(glossary: &str) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "g.csv", glossary);
        Desk { dir }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file (a draft, another glossary) into the directory.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        write(self.dir.path(), name, bytes)
    }

    /// `concord lint --glossary g.csv ARGS` in the directory, as (exit code, stdout,
    /// stderr).
    pub fn lint(&self, args: &[&str]) -> (i32, String, String) {
        self.run(&[&["lint", "--glossary", "g.csv"], args].concat())
    }

    /// `concord ARGS` in the directory, as (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        run_code(self.dir.path(), args)
    }
}

impl Env {
    /// `concord --json pretranslate DOC --from en --to TO -o out.xlf --glossary g.csv
    /// EXTRA` in the directory, against its memory: the report. The command must succeed.
    pub fn pretranslate_json(&self, doc: &str, to: &str, extra: &[&str]) -> serde_json::Value {
        let base = [
            "--json",
            "pretranslate",
            doc,
            "--from",
            "en",
            "--to",
            to,
            "-o",
            "out.xlf",
            "--glossary",
            "g.csv",
        ];
        let o = self.run(&[&base[..], extra].concat());
        assert!(o.status.success(), "{doc}: {}", stderr(&o));
        json(&o)
    }
}
