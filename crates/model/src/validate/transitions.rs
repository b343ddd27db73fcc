//! The system's `transitions` (every ordered pair of modes when left out).

use super::names::undefined;
use super::quantity::V;
use crate::diag::Diagnostic;
use crate::raw::{ModeFile, SystemFile};
use crate::system::ModeId;
use std::collections::HashMap;

/// Checks `sys.transitions` (file `f`) against the modes. A transition naming
/// a mode in `broken` (a file that could not be parsed) is not reported.
pub(super) fn transitions(
    v: &mut V,
    sys: &SystemFile,
    f: usize,
    modes: &[(usize, ModeFile)],
    mode_ix: &HashMap<&str, usize>,
    broken: &[Option<String>],
) -> Vec<(ModeId, ModeId)> {
    let excused = |name: &str| {
        broken
            .iter()
            .any(|b| b.as_deref().is_none_or(|b| b == name))
    };
    let mut transitions = Vec::new();
    let mut transition_src: Vec<usize> = Vec::new();
    match &sys.transitions {
        Some(list) => {
            for (i, (a, b)) in list.iter().enumerate() {
                let p = format!("transitions[{i}]");
                let owner = format!("transition ({a:?}, {b:?})");
                let mode_names: Vec<String> = modes.iter().map(|(_, m)| m.name.clone()).collect();
                let ia = mode_ix.get(a.as_str()).copied();
                let ib = mode_ix.get(b.as_str()).copied();
                if ia.is_none() && !excused(a) {
                    v.err(undefined(
                        f,
                        format!("{p}.0"),
                        "mode",
                        a,
                        &owner,
                        mode_names.clone(),
                    ));
                }
                if ib.is_none() && !excused(b) {
                    v.err(undefined(
                        f,
                        format!("{p}.1"),
                        "mode",
                        b,
                        &owner,
                        mode_names,
                    ));
                }
                if a == b {
                    v.err(
                        Diagnostic::error(
                            "self-transition",
                            format!("{owner} names the same mode twice"),
                        )
                        .at(f, &p, "from and to are the same mode")
                        .help("a transition joins two different modes"),
                    );
                    continue;
                }
                if let (Some(x), Some(y)) = (ia, ib) {
                    if let Some(j) = transitions.iter().position(|&t| t == (x, y)) {
                        v.err(
                            Diagnostic::error(
                                "duplicate-transition",
                                format!("{owner} is listed twice"),
                            )
                            .at(f, &p, "listed again")
                            .also(
                                f,
                                format!("transitions[{}]", transition_src[j]),
                                "first listed here",
                            ),
                        );
                    } else {
                        transitions.push((x, y));
                        transition_src.push(i);
                    }
                }
            }
        }
        None => {
            for a in 0..modes.len() {
                for b in 0..modes.len() {
                    if a != b {
                        transitions.push((a, b));
                    }
                }
            }
        }
    }
    transitions
}
