//! Output files: the one way concord writes a file the user named (`export -o`,
//! `glossary export -o`, `glossary fmt`, `lint --write-baseline`).
//!
//! An [`Output`] is written to a temporary file beside its target and renamed over the
//! target only by [`Output::commit`], so a failed or interrupted write leaves the old file
//! as it was and no partial file behind (the temporary file is removed on every failure,
//! including a drop without commit). On top of that:
//!
//! * **Protected files are never replaced.** A [`Policy`] lists files that must survive
//!   (the open memory and its `-wal`/`-shm` side files, [`Policy::protect_memory`]). They
//!   are compared by file identity (device and inode, following symbolic links), not by
//!   the path string, so `./x/../m.db` or a hard link to the memory is refused as well;
//!   a side file that does not exist yet is recognized by its directory's identity and its
//!   name.
//! * **A read-only file is not replaced** unless the policy says `force`. A replaced file
//!   keeps its permission bits.
//! * **Special files are written in place**: `-` is standard output, and a device or
//!   FIFO (`/dev/stdout`, `>(cat)`) is opened and written, never renamed over.
//! * A symbolic link is followed: the file it points to is replaced, not the link.
//! * A directory is refused before anything is written.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What an output may and may not replace.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Replace a read-only file too.
    pub force: bool,
    /// Files that must never be replaced or written (compared by identity).
    pub protected: Vec<PathBuf>,
}

impl Policy {
    /// A policy that protects the memory at `db` and its side files.
    pub fn protect_memory(mut self, db: &Path) -> Policy {
        self.protected.extend(memory_files(db));
        self
    }

    /// Set `force`.
    pub fn force(mut self, force: bool) -> Policy {
        self.force = force;
        self
    }
}

/// The files of a memory: the database and SQLite's `-wal` and `-shm` side files
/// ([`crate::store::side_files`]).
pub fn memory_files(db: &Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    files.extend(crate::store::side_files(db));
    files
}

/// The identity of a file: device and inode on Unix, the canonical path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

fn identity(meta: &std::fs::Metadata, path: &Path) -> Identity {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Identity::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Identity::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// The identity of an existing file (following symbolic links).
fn file_identity(path: &Path) -> Option<Identity> {
    std::fs::metadata(path).ok().map(|m| identity(&m, path))
}

/// The identity of a directory entry that may not exist: its directory's identity and
/// its name.
fn entry_identity(path: &Path) -> Option<(Identity, OsString)> {
    let name = path.file_name()?.to_os_string();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some((file_identity(dir)?, name))
}

/// True when writing `target` would touch one of `protected`.
fn touches(target: &Path, protected: &[PathBuf]) -> bool {
    let target_id = file_identity(target);
    let target_entry = entry_identity(target);
    protected.iter().any(|p| {
        if let (Some(t), Some(q)) = (&target_id, file_identity(p)) {
            if *t == q {
                return true;
            }
        }
        matches!((&target_entry, entry_identity(p)), (Some(t), Some(q)) if *t == q)
    })
}

enum Sink {
    Stream(BufWriter<Box<dyn Write>>),
    Direct(BufWriter<File>),
    Temp {
        file: BufWriter<File>,
        tmp: PathBuf,
        /// The permissions of the file being replaced.
        keep: Option<std::fs::Permissions>,
    },
}

/// An output being written; see the [module documentation](self). Write to it, then call
/// [`Output::commit`]; dropping it without a commit removes the temporary file and leaves
/// the target untouched.
pub struct Output {
    sink: Option<Sink>,
    path: PathBuf,
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Output {
        Output::stream("<stdout>", Box::new(io::stdout()))
    }

    /// An output to a stream (a pipe, standard output), named `name` in errors.
    pub fn stream(name: &str, stream: Box<dyn Write>) -> Output {
        Output {
            sink: Some(Sink::Stream(BufWriter::new(stream))),
            path: PathBuf::from(name),
        }
    }

    /// Start writing `path` (`-` is standard output) under `policy`. Refusals (a
    /// protected file, a read-only file without force, a directory) happen here, before
    /// anything is written.
    pub fn create(path: &Path, policy: &Policy) -> Result<Output> {
        if path.as_os_str() == "-" {
            return Ok(Output::stdout());
        }
        if touches(path, &policy.protected) {
            return Err(Error::bad_request(format!(
                "{}: this is the memory (or one of its files); refusing to write over it",
                path.display()
            )));
        }
        let meta = std::fs::metadata(path).ok();
        if let Some(m) = &meta {
            if m.is_dir() {
                return Err(Error::bad_request(format!(
                    "{}: is a directory; name a file to write",
                    path.display()
                )));
            }
            if !m.is_file() {
                // A device or FIFO: write in place.
                let file = OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(path)
                    .map_err(|e| Error::io(path, e))?;
                return Ok(Output {
                    sink: Some(Sink::Direct(BufWriter::new(file))),
                    path: path.to_path_buf(),
                });
            }
            if m.permissions().readonly() && !policy.force {
                return Err(Error::bad_request(format!(
                    "{}: the file is read-only; it is replaced only when forced",
                    path.display()
                ))
                .with_hint(crate::error::Hint::UseForce));
            }
        }
        // Follow a symbolic link: replace the file it points to.
        let target = match &meta {
            Some(_) => std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?,
            None => path.to_path_buf(),
        };
        let (file, tmp) = temp_beside(&target)?;
        Ok(Output {
            sink: Some(Sink::Temp {
                file: BufWriter::new(file),
                tmp,
                keep: meta.map(|m| m.permissions()),
            }),
            path: target,
        })
    }

    /// The file being written (after following a symbolic link), or the stream's name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this output is a file (not a stream).
    pub fn is_file(&self) -> bool {
        !matches!(self.sink, Some(Sink::Stream(_)))
    }

    /// Finish: flush, and for a replaced file sync it, give it the old file's permissions
    /// and rename it over the target. On error nothing of the new content is left.
    pub fn commit(mut self) -> Result<()> {
        match self.sink.take().expect("an output is committed once") {
            Sink::Stream(mut w) => w.flush().map_err(|e| Error::io(&self.path, e)),
            Sink::Direct(mut w) => w.flush().map_err(|e| Error::io(&self.path, e)),
            Sink::Temp { file, tmp, keep } => {
                let result = finish_temp(file, &tmp, keep, &self.path);
                if result.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                result
            }
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self.sink.as_mut().expect("not committed") {
            Sink::Stream(w) => w,
            Sink::Direct(w) => w,
            Sink::Temp { file, .. } => file,
        }
    }
}

fn finish_temp(
    file: BufWriter<File>,
    tmp: &Path,
    keep: Option<std::fs::Permissions>,
    target: &Path,
) -> Result<()> {
    let file = file
        .into_inner()
        .map_err(|e| Error::io(target, e.into_error()))?;
    if let Some(perms) = keep {
        file.set_permissions(perms)
            .map_err(|e| Error::io(target, e))?;
    }
    file.sync_all().map_err(|e| Error::io(target, e))?;
    drop(file);
    std::fs::rename(tmp, target).map_err(|e| Error::io(target, e))
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(Sink::Temp { tmp, .. }) = &self.sink {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer().write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}

/// A new temporary file in the directory of `target` (hidden, named after it).
fn temp_beside(target: &Path) -> Result<(File, PathBuf)> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let mut last = None;
    for n in 0..100u32 {
        let tmp = dir.join(format!(".{name}.concord-{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(Error::io(target, e)),
        }
    }
    Err(Error::io(
        target,
        last.unwrap_or_else(|| io::Error::other("no temporary file name free")),
    ))
}

/// Write `bytes` to `path` under `policy` (one [`Output`], committed).
pub fn write_bytes(path: &Path, policy: &Policy, bytes: &[u8]) -> Result<()> {
    let mut out = Output::create(path, policy)?;
    out.write_all(bytes).map_err(|e| Error::io(path, e))?;
    out.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_only_on_commit() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.tsv");
        std::fs::write(&p, "old").unwrap();
        let mut o = Output::create(&p, &Policy::default()).unwrap();
        o.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(names(d.path()), ["out.tsv"]);
    }

    #[test]
    fn dropped_output_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.tsv");
        let mut o = Output::create(&p, &Policy::default()).unwrap();
        o.write_all(b"partial").unwrap();
        drop(o);
        assert!(names(d.path()).is_empty());
    }

    #[test]
    fn memory_files_are_protected_by_identity() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("m.db");
        std::fs::write(&db, "db").unwrap();
        std::fs::create_dir(d.path().join("x")).unwrap();
        let policy = Policy::default().protect_memory(&db);
        for target in [
            db.clone(),
            d.path().join("x/../m.db"),
            d.path().join("m.db-wal"),
            d.path().join("x/../m.db-shm"),
        ] {
            assert!(
                Output::create(&target, &policy).is_err(),
                "{}",
                target.display()
            );
        }
        #[cfg(unix)]
        {
            let link = d.path().join("hard.db");
            std::fs::hard_link(&db, &link).unwrap();
            assert!(Output::create(&link, &policy).is_err());
        }
        assert_eq!(std::fs::read_to_string(&db).unwrap(), "db");
        assert!(Output::create(&d.path().join("m.tsv"), &policy).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn read_only_file_is_refused_unless_forced_and_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mine.tsv");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o440)).unwrap();
        assert!(write_bytes(&p, &Policy::default(), b"new").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        write_bytes(&p, &Policy::default().force(true), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o440);
        assert_eq!(names(d.path()), ["mine.tsv"]);
    }

    #[test]
    fn directory_is_refused_before_writing() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("somedir");
        std::fs::create_dir(&sub).unwrap();
        assert!(write_bytes(&sub, &Policy::default(), b"x").is_err());
        assert_eq!(names(d.path()), ["somedir"]);
    }
}
