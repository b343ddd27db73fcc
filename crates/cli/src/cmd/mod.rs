//! One function per subcommand: load, call the library, render.

pub mod schedule;

use crate::io::{IoError, read_system, write_atomic};
use crate::report;
use crate::{EXIT_INPUT, EXIT_OK, ExpandFormat, GenerateArgs};
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
    let (text, failed) = report::validation(&system, &files);
    out.write_all(text.as_bytes())?;
    Ok(if failed { crate::EXIT_FINDING } else { EXIT_OK })
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
        Some(name) => vec![mode_index(&system, dir, name)?],
        None => (0..system.modes.len()).collect(),
    };
    let text = match format {
        ExpandFormat::Text => report::expansion_text(&system, &modes),
        ExpandFormat::Json => {
            let doc = report::expansion_doc(&system, &modes);
            let mut s =
                serde_json::to_string_pretty(&doc).map_err(|e| Failure::Input(e.to_string()))?;
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

pub fn generate(out: &mut dyn Write, args: &GenerateArgs) -> Result<i32, Failure> {
    let name = args
        .out
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty())
        .unwrap_or("synthetic")
        .to_string();
    let params = seamless_gen::GenParams {
        name,
        programs: args.programs,
        modules: args.modules,
        cores: args.cores,
        messages: args.messages,
        modes: args.modes,
        utilisation_percent: args.utilisation,
        seed: args.seed,
        ..seamless_gen::GenParams::default()
    };
    if args.programs == 0 || args.modules == 0 || args.cores == 0 || args.modes == 0 {
        return Err(Failure::Input(
            "error: --programs, --modules, --cores and --modes must be at least 1\n".into(),
        ));
    }
    if args.utilisation == 0 || args.utilisation > 100 {
        return Err(Failure::Input(
            "error: --utilisation must be between 1 and 100\n".into(),
        ));
    }
    let (generated, witness) = if args.feasible {
        let (g, w) = seamless_gen::feasible(&params);
        (g, Some(w))
    } else {
        (seamless_gen::generate(&params), None)
    };
    for (file, text) in &generated.files {
        write_atomic(&args.out.join(file), text.as_bytes())?;
    }
    let mut written = generated.files.len();
    if let Some(schedules) = witness {
        for s in &schedules {
            let mut text =
                serde_json::to_string_pretty(s).map_err(|e| Failure::Input(e.to_string()))?;
            text.push('\n');
            write_atomic(
                &args
                    .out
                    .join("witness")
                    .join(format!("{}.schedule.json", s.mode)),
                text.as_bytes(),
            )?;
            written += 1;
        }
    }
    writeln!(out, "wrote {written} files to {}", args.out.display())?;
    Ok(EXIT_OK)
}

/// The index of a mode named on the command line.
pub fn mode_index(system: &System, dir: &Path, name: &str) -> Result<usize, Failure> {
    system.mode_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = system.modes.iter().map(|m| m.name.as_str()).collect();
        Failure::Input(format!(
            "error: no mode `{name}` in `{}` (modes: {})\n",
            dir.display(),
            names.join(", ")
        ))
    })
}
