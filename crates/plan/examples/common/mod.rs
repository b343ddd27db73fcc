//! What the plan crate's examples share: reading a system folder. (The CLI's
//! `seamless_cli::io::read_system` does this with located errors; the plan
//! crate cannot depend on the CLI, which depends on it, and the model crate
//! does no file I/O by design.)

use seamless_model::System;
use seamless_model::diag::SourceFile;
use seamless_model::load::{load, order_files};
use seamless_model::validate::Limits;
use std::path::Path;

/// Loads the system in the folder `dir` (its `.ron` files); panics with a
/// short message on an unreadable folder or an invalid system (these are
/// measurement scripts, run on known inputs).
pub fn load_dir(dir: &Path) -> System {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).expect("a system folder") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "ron") {
            files.push(SourceFile {
                name: p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text: std::fs::read_to_string(&p).expect("readable"),
            });
        }
    }
    let files = order_files(files).expect("system.ron");
    load(&files, Limits::default()).expect("valid system")
}
