//! File I/O of the CLI: reading a system folder, writing outputs atomically.

use seamless_model::SourceFile;
use seamless_model::load::order_files;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// An error reading or writing files; the command exits with code 2.
#[derive(Debug)]
pub struct IoError(pub String);

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a system folder: `system.ron` first, then every other `*.ron` file
/// (a mode each), sorted by file name. File names are shown as
/// `<folder>/<file>` exactly as the user named the folder.
pub fn read_system(dir: &Path) -> Result<Vec<SourceFile>, IoError> {
    let meta = fs::metadata(dir).map_err(|e| {
        IoError(format!(
            "cannot read system folder `{}`: {e}",
            dir.display()
        ))
    })?;
    if !meta.is_dir() {
        return Err(IoError(format!(
            "`{}` is not a folder: a system is a folder holding `system.ron` and one `.ron` file per mode",
            dir.display()
        )));
    }
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| IoError(format!("cannot list `{}`: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && p.is_file())
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        let text = fs::read_to_string(&p)
            .map_err(|e| IoError(format!("cannot read `{}`: {e}", p.display())))?;
        files.push(SourceFile {
            name: p.display().to_string(),
            text,
        });
    }
    order_files(files).ok_or_else(|| IoError(format!("`{}` has no `system.ron`", dir.display())))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// then a rename. Creates the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)
        .map_err(|e| IoError(format!("cannot create `{}`: {e}", dir.display())))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        IoError(format!("cannot write `{}`: {e}", path.display()))
    })
}
