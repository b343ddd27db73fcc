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
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match read_source(&p) {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(IoError(errors.join("\nerror: ")));
    }
    order_files(files).ok_or_else(|| IoError(format!("`{}` has no `system.ron`", dir.display())))
}

/// Reads one `.ron` file of a system folder. A folder, a dangling or looping
/// symbolic link, or an unreadable file is an error (never skipped), and a
/// file that is not UTF-8 is reported with the line and column of its first
/// bad byte.
pub fn read_source(p: &Path) -> Result<SourceFile, IoError> {
    let shown = p.display();
    let meta = match fs::metadata(p) {
        Ok(m) => m,
        Err(e) => {
            let link = fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
            return Err(IoError(if link {
                format!(
                    "cannot read `{shown}`: it is a symbolic link that cannot be followed, dangling or looping ({e})"
                )
            } else {
                format!("cannot read `{shown}`: {e}")
            }));
        }
    };
    if meta.is_dir() {
        return Err(IoError(format!(
            "`{shown}` is a folder, not a file: every `.ron` entry of a system folder must be a file (`system.ron` or a mode)"
        )));
    }
    if !meta.is_file() {
        return Err(IoError(format!(
            "`{shown}` is not a regular file: every `.ron` entry of a system folder must be a file"
        )));
    }
    let bytes = fs::read(p).map_err(|e| IoError(format!("cannot read `{shown}`: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let good = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let (line, col) = seamless_model::diag::line_col(good, good.len());
        IoError(format!(
            "`{shown}`:{line}:{col}: not UTF-8 text (byte 0x{:02X} at offset {at}); save the file as UTF-8",
            bytes[at]
        ))
    })?;
    Ok(SourceFile {
        name: shown.to_string(),
        text,
    })
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
    remove_stale_temps(dir);
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

/// The process id in a name of the form `write_atomic` gives its temporary
/// files (`.NAME.PID.tmp`), or `None` for any other name.
pub fn temp_owner(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (name, pid) = rest.rsplit_once('.')?;
    if name.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether the process `pid` is gone, so that its temporary files are stale.
/// Known only where `/proc` lists processes (Linux); elsewhere nothing is
/// called stale and nothing is removed.
fn process_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Removes the temporary files an interrupted earlier run left in `dir`:
/// only names of the form `.NAME.PID.tmp` whose process is gone, never
/// anything else. Done once per folder per run; failures are ignored.
pub fn remove_stale_temps(dir: &Path) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static DONE: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    if let Ok(mut done) = DONE.lock()
        && !done
            .get_or_insert_with(HashSet::new)
            .insert(dir.to_path_buf())
    {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else {
            continue;
        };
        if pid != me && process_gone(pid) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::temp_owner;

    #[test]
    fn temp_names() {
        assert_eq!(temp_owner(".a.schedule.json.123.tmp"), Some(123));
        assert_eq!(temp_owner(".x.1.tmp"), Some(1));
        assert_eq!(temp_owner("a.123.tmp"), None);
        assert_eq!(temp_owner(".a.12x.tmp"), None);
        assert_eq!(temp_owner("..123.tmp"), None);
        assert_eq!(temp_owner(".a.123.tmp.bak"), None);
        assert_eq!(temp_owner(".a..tmp"), None);
    }
}
