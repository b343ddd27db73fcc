//! Modules, switches and links: the nodes of the network, its links, and
//! that every two modules are connected.

use super::names::{all_names, index_names, undefined};
use super::quantity::{Q, V};
use crate::diag::Diagnostic;
use crate::network::{Link, Network, Node};
use crate::raw::SystemFile;
use crate::system::Module;
use crate::units;
use std::collections::HashMap;

/// The validated hardware: modules (by index), their names, and the network.
pub(super) struct Topology<'a> {
    pub(super) modules: Vec<Module>,
    pub(super) module_ix: HashMap<&'a str, usize>,
    pub(super) network: Network,
}

/// Checks the modules, switches and links of `sys` (file `f`).
pub(super) fn topology<'a>(
    v: &mut V,
    sys: &'a SystemFile,
    f: usize,
    taken: &mut HashMap<&'a str, (String, usize, String)>,
) -> Topology<'a> {
    let module_paths: Vec<String> = (0..sys.modules.len())
        .map(|i| format!("modules[{i}]"))
        .collect();
    let module_ix = index_names(
        v,
        "module",
        sys.modules
            .iter()
            .zip(&module_paths)
            .map(|(m, p)| (m.name.as_str(), f, p.clone())),
        taken,
    );
    let switch_paths: Vec<String> = (0..sys.switches.len())
        .map(|i| format!("switches[{i}]"))
        .collect();
    // switches are plain strings: the "name" path suffix falls back to the string itself
    let switch_ix = index_names(
        v,
        "switch",
        sys.switches
            .iter()
            .zip(&switch_paths)
            .map(|(s, p)| (s.as_str(), f, p.clone())),
        taken,
    );
    let mut modules = Vec::new();
    for (i, m) in sys.modules.iter().enumerate() {
        let owner = format!("module `{}`", m.name);
        let p = &module_paths[i];
        let cores =
            if m.cores == 0 {
                v.err(
                    Diagnostic::error("zero-cores", format!("{owner} has zero cores")).at(
                        f,
                        format!("{p}.cores"),
                        "must be at least 1",
                    ),
                );
                0
            } else if m.cores > u64::from(u16::MAX) {
                v.err(
                    Diagnostic::error("too-many-cores", format!("{owner} has {} cores", m.cores))
                        .at(f, format!("{p}.cores"), "at most 65535 cores per module"),
                );
                0
            } else {
                m.cores as u32
            };
        let mp = format!("{p}.memory");
        let memory = match units::parse_size(&m.memory) {
            Ok(0) => {
                v.err(
                    Diagnostic::error("zero-memory", format!("{owner} has zero memory"))
                        .at(f, &mp, "must be positive")
                        .help("give the module's memory, e.g. \"256MiB\""),
                );
                0
            }
            Ok(b) => b,
            Err(e) => {
                v.unit_err(
                    &owner,
                    "memory",
                    Q {
                        file: f,
                        path: &mp,
                        text: &m.memory,
                    },
                    e,
                );
                0
            }
        };
        modules.push(Module {
            name: m.name.clone(),
            cores,
            memory,
        });
    }
    let mut nodes: Vec<Node> = sys
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| Node {
            name: m.name.clone(),
            module: Some(i),
        })
        .collect();
    nodes.extend(sys.switches.iter().map(|s| Node {
        name: s.clone(),
        module: None,
    }));
    let node_of = |name: &str| -> Option<usize> {
        module_ix
            .get(name)
            .copied()
            .or_else(|| switch_ix.get(name).map(|s| sys.modules.len() + s))
    };

    // ---- links
    let mut links = Vec::new();
    let mut link_ok = true;
    let mut pairs: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, l) in sys.links.iter().enumerate() {
        let p = format!("links[{i}]");
        let owner = format!("link {} from `{}` to `{}`", i + 1, l.from, l.to);
        let a = node_of(&l.from);
        let b = node_of(&l.to);
        for (end, name, node) in [("from", &l.from, a), ("to", &l.to, b)] {
            if node.is_none() {
                v.err(undefined(
                    f,
                    format!("{p}.{end}"),
                    "module or switch",
                    name,
                    &owner,
                    all_names(&nodes),
                ));
                link_ok = false;
            }
        }
        let bw = v.bandwidth(
            &owner,
            Q {
                file: f,
                path: &format!("{p}.bandwidth"),
                text: &l.bandwidth,
            },
        );
        let lat = match &l.latency {
            Some(t) => v.dur(
                &owner,
                "latency",
                Q {
                    file: f,
                    path: &format!("{p}.latency"),
                    text: t,
                },
            ),
            None => Some(0),
        };
        let (Some(a), Some(b)) = (a, b) else { continue };
        if a == b {
            v.err(
                Diagnostic::error("self-link", format!("{owner} joins `{}` to itself", l.from))
                    .at(f, format!("{p}.to"), "same node as `from`")
                    .help("a link joins two distinct nodes"),
            );
            link_ok = false;
            continue;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&first) = pairs.get(&key) {
            v.err(
                Diagnostic::error(
                    "duplicate-link",
                    format!(
                        "`{}` and `{}` are joined by more than one link",
                        l.from, l.to
                    ),
                )
                .at(f, &p, "second link")
                .also(f, format!("links[{first}]"), "first link")
                .help("at most one link joins two nodes; give one link the combined bandwidth"),
            );
            link_ok = false;
            continue;
        }
        pairs.insert(key, i);
        if let (Some(bw), Some(lat)) = (bw, lat) {
            links.push(Link {
                a,
                b,
                bandwidth: bw,
                latency: lat,
            });
        } else {
            link_ok = false;
        }
    }
    let network = Network::new(nodes, links);
    if link_ok && v.diags.iter().all(|d| d.code != "duplicate-name") {
        let pairs = network.unreachable_pairs();
        if !pairs.is_empty() {
            let shown: Vec<String> = pairs
                .iter()
                .take(5)
                .map(|&(a, b)| format!("`{}`–`{}`", modules[a].name, modules[b].name))
                .collect();
            let (a, b) = pairs[0];
            v.err(
                Diagnostic::error(
                    "disconnected",
                    format!(
                        "the network does not connect every two modules: no route for {}{}",
                        shown.join(", "),
                        if pairs.len() > 5 {
                            format!(" and {} more pairs", pairs.len() - 5)
                        } else {
                            String::new()
                        }
                    ),
                )
                .at(f, format!("modules[{a}].name"), "cannot reach ...")
                .also(f, format!("modules[{b}].name"), "... this module")
                .note("routes pass through switches only; a module does not forward traffic")
                .help("add links so that every module reaches every other through switches"),
            );
        }
    }
    Topology {
        modules,
        module_ix,
        network,
    }
}
