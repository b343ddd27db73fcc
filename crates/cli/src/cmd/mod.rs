//! One function per subcommand: load, call the library, render.

use crate::io::{IoError, read_system};
use crate::report;
use crate::{EXIT_INPUT, EXIT_OK, ExpandFormat};
use seamless_model::diag::render;
use seamless_model::load::load;
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use std::io::Write;
use std::path::Path;

/// Why a command could not run: its text goes to stderr, exit code 2.
#[derive(Debug)]
pub enum Failure {
    Input(String),
}

impl From<IoError> for Failure {
    fn from(e: IoError) -> Self {
        Failure::Input(format!("error: {e}\n"))
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Input(format!("error: cannot write output: {e}\n"))
    }
}

/// Reads and validates a system folder; renders every diagnostic on failure.
pub fn load_system(dir: &Path, limits: Limits) -> Result<(System, Vec<SourceFile>), Failure> {
    let files = read_system(dir)?;
    match load(&files, limits) {
        Ok(s) => Ok((s, files)),
        Err(diags) => {
            let mut text = render(&diags, &files);
            let n = diags.len();
            text.push_str(&format!(
                "\nerror: `{}` is not a valid system: {n} error{}\n",
                dir.display(),
                if n == 1 { "" } else { "s" }
            ));
            Err(Failure::Input(text))
        }
    }
}

pub fn validate(out: &mut dyn Write, dir: &Path, limits: Limits) -> Result<i32, Failure> {
    let (system, files) = load_system(dir, limits)?;
    let text = report::validation(&system, &files);
    out.write_all(text.as_bytes())?;
    Ok(EXIT_OK)
}

pub fn expand(
    out: &mut dyn Write,
    dir: &Path,
    mode: Option<&str>,
    format: ExpandFormat,
    limits: Limits,
) -> Result<i32, Failure> {
    let (system, _) = load_system(dir, limits)?;
    let modes: Vec<usize> = match mode {
        Some(name) => match system.mode_by_name(name) {
            Some(m) => vec![m],
            None => {
                let names: Vec<&str> = system.modes.iter().map(|m| m.name.as_str()).collect();
                return Err(Failure::Input(format!(
                    "error: no mode `{name}` in `{}` (modes: {})\n",
                    dir.display(),
                    names.join(", ")
                )));
            }
        },
        None => (0..system.modes.len()).collect(),
    };
    let text = match format {
        ExpandFormat::Text => report::expansion_text(&system, &modes),
        ExpandFormat::Json => {
            let doc = report::expansion_doc(&system, &modes);
            let mut s = serde_json::to_string_pretty(&doc).map_err(|e| Failure::Input(e.to_string()))?;
            s.push('\n');
            s
        }
        ExpandFormat::Ron => {
            let doc = report::expansion_doc(&system, &modes);
            let mut s = ron::ser::to_string_pretty(&doc, ron::ser::PrettyConfig::default())
                .map_err(|e| Failure::Input(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    out.write_all(text.as_bytes())?;
    let _ = EXIT_INPUT;
    Ok(EXIT_OK)
}
