//! From the files as written ([`crate::raw`]) to a [`System`]: every rule of
//! §1–§5 of the model checked, every error collected (not only the first),
//! each pointing at the field it is about.
//!
//! One file per idea: `quantity` (quantities and the error collector),
//! `names` (duplicates, undefined references), `timing` (requirements),
//! `topology` (modules, switches, links), `migration` (parameters),
//! `programs` and `messages` (the catalogue), `mode` (one mode: members,
//! overrides, pins, major frame, job limits), `transitions`. This file
//! runs them in order, which is the order of the diagnostics.

mod messages;
mod migration;
mod mode;
mod names;
mod programs;
mod quantity;
mod timing;
mod topology;
mod transitions;

pub(crate) use names::closest;

use crate::diag::Diagnostic;
use crate::raw::{ModeFile, SystemFile};
use crate::system::System;
use crate::units::Tick;
use names::index_names;
use quantity::{Q, V};
use std::collections::HashMap;

/// Limits the user can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most jobs (and, separately, message instances) one mode's major frame
    /// may hold.
    pub max_jobs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_jobs: 10_000_000,
        }
    }
}

/// The largest major frame: it must fit in 63 bits.
pub const MAX_FRAME: u64 = i64::MAX as u64;

/// Checked least common multiple within 63 bits.
pub fn checked_lcm(a: u64, b: u64) -> Option<u64> {
    if a == 0 || b == 0 {
        return None;
    }
    let g = num_integer::gcd(a, b);
    let l = (a / g).checked_mul(b)?;
    (l <= MAX_FRAME).then_some(l)
}

/// Validates the parsed files. `sys_file` and each mode's file index refer
/// to the caller's list of sources, for diagnostics.
pub fn validate(
    sys: &SystemFile,
    sys_file: usize,
    modes: &[(usize, ModeFile)],
    limits: Limits,
) -> Result<System, Vec<Diagnostic>> {
    validate_partial(sys, sys_file, modes, &[], limits)
}

/// [`validate`], knowing that some mode files could not be parsed: `broken`
/// holds the name each of them seems to have (`None` if it could not be
/// read). A transition naming such a mode is not reported again: the error is
/// in that file, which the caller reports.
pub fn validate_partial(
    sys: &SystemFile,
    sys_file: usize,
    modes: &[(usize, ModeFile)],
    broken: &[Option<String>],
    limits: Limits,
) -> Result<System, Vec<Diagnostic>> {
    let f = sys_file;
    // Job and instance indices are 32-bit.
    let limits = Limits {
        max_jobs: limits.max_jobs.min(u64::from(u32::MAX)),
    };
    let mut v = V {
        diags: Vec::new(),
        tick: Tick::micro(),
        unavail_reported: Default::default(),
    };
    if let Some(t) = &sys.tick {
        match Tick::parse(t) {
            Ok(t) => v.tick = t,
            Err(e) => {
                let q = Q {
                    file: f,
                    path: "tick",
                    text: t,
                };
                v.unit_err("the system", "tick", q, e);
            }
        }
    }

    // ---- nodes
    let mut taken: HashMap<&str, (String, usize, String)> = HashMap::new();
    let topology::Topology {
        modules,
        module_ix,
        network,
    } = topology::topology(&mut v, sys, f, &mut taken);

    // ---- migration parameters
    let migration = migration::migration(&mut v, sys, f);

    // ---- programs
    let (prog_paths, program_ix, programs) =
        programs::programs(&mut v, sys, f, &module_ix, &modules, &mut taken);

    // ---- messages
    let (message_ix, messages) = messages::messages(&mut v, sys, f, &program_ix, &mut taken);

    // ---- modes
    let mut mode_taken: HashMap<&str, (String, usize, String)> = HashMap::new();
    let mode_ix = index_names(
        &mut v,
        "mode",
        modes
            .iter()
            .map(|(mf, m)| (m.name.as_str(), *mf, String::new())),
        &mut mode_taken,
    );
    let mut out_modes = Vec::new();
    for (mf, m) in modes {
        if let Some(mode) = mode::mode(
            &mut v,
            *mf,
            m,
            sys,
            f,
            &program_ix,
            &message_ix,
            &module_ix,
            &programs,
            &messages,
            &modules,
            &prog_paths,
            limits,
        ) {
            out_modes.push(mode);
        }
    }

    // ---- transitions
    let transitions = transitions::transitions(&mut v, sys, f, modes, &mode_ix, broken);

    if !v.diags.is_empty() {
        return Err(v.diags);
    }
    // Modes are indexed in file order; every mode validated, so indices agree.
    Ok(System {
        name: sys.name.clone(),
        tick: v.tick,
        modules,
        switches: sys.switches.clone(),
        network,
        migration,
        programs: programs
            .into_iter()
            .map(|p| p.expect("no errors"))
            .collect(),
        messages: messages
            .into_iter()
            .map(|m| m.expect("no errors"))
            .collect(),
        modes: out_modes,
        transitions,
        names: Default::default(),
    })
}
