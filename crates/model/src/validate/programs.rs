//! The program catalogue: memory, working and dirty sets, allowed modules
//! and the catalogue timing requirement of each program.

use super::names::{index_names, undefined};
use super::quantity::{Q, V};
use super::timing::{FieldPaths, ReqSrc, resolve_req, window_src};
use crate::diag::Diagnostic;
use crate::raw::{ProgramDef, SystemFile};
use crate::system::{Module, Program};
use crate::units;
use std::collections::HashMap;

/// The checked catalogue: each program's field paths, the name index, and
/// each program (`None` when it had an error).
pub(super) type Programs<'a> = (
    Vec<FieldPaths>,
    HashMap<&'a str, usize>,
    Vec<Option<Program>>,
);

/// Checks every program of `sys` (file `f`).
pub(super) fn programs<'a>(
    v: &mut V,
    sys: &'a SystemFile,
    f: usize,
    module_ix: &HashMap<&str, usize>,
    modules: &[Module],
    taken: &mut HashMap<&'a str, (String, usize, String)>,
) -> Programs<'a> {
    let prog_paths: Vec<FieldPaths> = (0..sys.programs.len())
        .map(|i| FieldPaths::new(format!("programs[{i}]")))
        .collect();
    let program_ix = index_names(
        v,
        "program",
        sys.programs
            .iter()
            .zip(&prog_paths)
            .map(|(p, fp)| (p.name.as_str(), f, fp.owner.clone())),
        taken,
    );
    let mut programs: Vec<Option<Program>> = Vec::new();
    for (i, p) in sys.programs.iter().enumerate() {
        programs.push(program(
            v,
            f,
            p,
            &prog_paths[i],
            module_ix,
            modules,
            &sys.modules,
        ));
    }
    (prog_paths, program_ix, programs)
}

fn program(
    v: &mut V,
    f: usize,
    p: &ProgramDef,
    fp: &FieldPaths,
    module_ix: &HashMap<&str, usize>,
    modules: &[Module],
    raw_modules: &[crate::raw::ModuleDef],
) -> Option<Program> {
    let owner = format!("program `{}`", p.name);
    let o = &fp.owner;
    let memory = v.size(
        &owner,
        "memory",
        Q {
            file: f,
            path: &format!("{o}.memory"),
            text: &p.memory,
        },
        false,
    );
    let src = ReqSrc {
        period: p.period.as_deref().map(|t| Q {
            file: f,
            path: &fp.period,
            text: t,
        }),
        frequency: p.frequency.as_deref().map(|t| Q {
            file: f,
            path: &fp.frequency,
            text: t,
        }),
        window: window_src(f, &fp.window, &p.window),
        wcet: Some(Q {
            file: f,
            path: &fp.wcet,
            text: &p.wcet,
        }),
        jitter: p.max_jitter.as_deref().map(|t| Q {
            file: f,
            path: &fp.jitter,
            text: t,
        }),
    };
    let req = resolve_req(v, &owner, (f, o), &src);
    let mut ok = true;
    let (allowed, explicit) = match &p.modules {
        None => ((0..raw_modules.len()).collect::<Vec<_>>(), false),
        Some(list) => {
            if list.is_empty() {
                v.err(
                    Diagnostic::error(
                        "no-allowed-modules",
                        format!("{owner} may run on no module"),
                    )
                    .at(f, format!("{o}.modules"), "empty list")
                    .help("leave `modules` out to allow every module, or name at least one"),
                );
                ok = false;
            }
            let mut out = Vec::new();
            for (j, name) in list.iter().enumerate() {
                match module_ix.get(name.as_str()) {
                    Some(&m) => {
                        if !out.contains(&m) {
                            out.push(m);
                        }
                    }
                    None => {
                        v.err(undefined(
                            f,
                            format!("{o}.modules[{j}]"),
                            "module",
                            name,
                            &owner,
                            raw_modules.iter().map(|m| m.name.clone()).collect(),
                        ));
                        ok = false;
                    }
                }
            }
            out.sort_unstable();
            (out, true)
        }
    };
    let ws = match &p.working_set {
        Some(t) => v.size(
            &owner,
            "working_set",
            Q {
                file: f,
                path: &format!("{o}.working_set"),
                text: t,
            },
            true,
        ),
        None => memory,
    };
    let dirty = match &p.dirty_per_job {
        Some(t) => v.size(
            &owner,
            "dirty_per_job",
            Q {
                file: f,
                path: &format!("{o}.dirty_per_job"),
                text: t,
            },
            true,
        ),
        None => ws,
    };
    let unavail = match &p.max_unavailability {
        Some(t) => v
            .pos_dur(
                &owner,
                "max_unavailability",
                Q {
                    file: f,
                    path: &format!("{o}.max_unavailability"),
                    text: t,
                },
            )
            .map(Some),
        None => Some(None),
    };
    if let Some(mem) = memory {
        if let Some(w) = ws
            && p.working_set.is_some()
            && w > mem
        {
            v.err(
                Diagnostic::error(
                    "working-set-above-memory",
                    format!(
                        "{owner}: `working_set` {} is larger than its memory {}",
                        units::format_size(w),
                        units::format_size(mem)
                    ),
                )
                .at(f, format!("{o}.working_set"), "larger than `memory`")
                .also(f, format!("{o}.memory"), "the program's memory"),
            );
            ok = false;
        }
        // `dirty_per_job` lies inside the working set (§4, "Changes"
        // 2026-12): the dirty set is capped by `W`, so a larger `D` is
        // an input error, not silently capped. A working set that is
        // itself above memory is reported above; do not pile on.
        if let (Some(d), Some(w)) = (dirty, ws)
            && p.dirty_per_job.is_some()
            && d > w
            && w <= mem
        {
            let given = p.working_set.is_some();
            let d = Diagnostic::error(
                "dirty-above-working-set",
                format!(
                    "{owner}: `dirty_per_job` {} is larger than its working set {}{}",
                    units::format_size(d),
                    units::format_size(w),
                    if given {
                        ""
                    } else {
                        " (`working_set` defaults to `memory`)"
                    }
                ),
            )
            .at(f, format!("{o}.dirty_per_job"), "larger than `working_set`");
            let d = if given {
                d.also(f, format!("{o}.working_set"), "the program's working set")
            } else {
                d.also(
                    f,
                    format!("{o}.memory"),
                    "the working set defaults to this memory",
                )
            };
            v.err(d.help(
                "a job's writes lie in its working set: lower `dirty_per_job`, or raise `working_set`",
            ));
            ok = false;
        }
        let biggest = allowed
            .iter()
            .filter_map(|&m| modules.get(m))
            .map(|m| m.memory)
            .max();
        if let Some(big) = biggest
            && big > 0
            && mem > big
        {
            let d = Diagnostic::error(
                "program-too-large",
                format!(
                    "{owner} needs {} of memory, more than any module it may use has (largest: {})",
                    units::format_size(mem),
                    units::format_size(big)
                ),
            )
            .at(
                f,
                format!("{o}.memory"),
                "does not fit in any allowed module",
            );
            let d = if explicit {
                d.also(f, format!("{o}.modules"), "allowed modules")
                    .help("allow a larger module, or reduce the program's memory")
            } else {
                d.help("add a module with more memory, or reduce the program's memory")
            };
            v.err(d);
            ok = false;
        }
    }
    // `max_unavailability` is checked against the effective period in
    // every mode the program runs in (an override may change the period).
    if !ok {
        return None;
    }
    Some(Program {
        name: p.name.clone(),
        memory: memory?,
        working_set: ws?,
        dirty_per_job: dirty?,
        max_unavailability: unavail?,
        modules: allowed,
        modules_explicit: explicit,
        requirement: req?,
    })
}
