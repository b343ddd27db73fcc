//! The platform: modules and a tree of switches linking them all.

use crate::desc::{LinkDesc, ModuleDesc, name};
use seamless_model::network::{Link, Network, Node};

/// Module–switch links.
pub const EDGE_BANDWIDTH: u64 = 1_000_000_000;
pub const EDGE_LATENCY: u64 = 2;
/// Switch–switch links.
pub const CORE_BANDWIDTH: u64 = 10_000_000_000;
pub const CORE_LATENCY: u64 = 1;

/// Modules (memory still 0: the caller sizes it), switches and links.
pub struct Platform {
    pub modules: Vec<ModuleDesc>,
    pub switches: Vec<String>,
    pub links: Vec<LinkDesc>,
}

/// `modules` modules with `cores` cores each; every `ports` nodes of a level
/// share a switch, up to one root; two top switches are linked directly.
pub fn platform(modules: usize, cores: u32, ports: usize) -> Platform {
    let n = modules.max(1);
    let ports = ports.max(2);
    let mods: Vec<ModuleDesc> = (0..n)
        .map(|i| ModuleDesc {
            name: name("cm", i, n),
            cores: cores.max(1),
            memory: 0,
        })
        .collect();
    // count the switches first, so that names are zero-padded evenly
    let mut count = 0;
    let mut level = n;
    loop {
        let s = level.div_ceil(ports);
        count += s;
        if s <= 2 {
            break;
        }
        level = s;
    }
    let mut switches = Vec::with_capacity(count);
    let mut links = Vec::new();
    let mut frontier: Vec<usize> = (0..n).collect(); // node indices
    let mut is_module_level = true;
    loop {
        let groups: Vec<Vec<usize>> = frontier.chunks(ports).map(|c| c.to_vec()).collect();
        let mut next = Vec::with_capacity(groups.len());
        for g in groups {
            let sw = n + switches.len();
            switches.push(name("sw", switches.len(), count));
            for x in g {
                let (bandwidth, latency) = if is_module_level {
                    (EDGE_BANDWIDTH, EDGE_LATENCY)
                } else {
                    (CORE_BANDWIDTH, CORE_LATENCY)
                };
                links.push(LinkDesc {
                    a: x,
                    b: sw,
                    bandwidth,
                    latency,
                });
            }
            next.push(sw);
        }
        is_module_level = false;
        if next.len() == 2 {
            links.push(LinkDesc {
                a: next[0],
                b: next[1],
                bandwidth: CORE_BANDWIDTH,
                latency: CORE_LATENCY,
            });
            break;
        }
        if next.len() == 1 {
            break;
        }
        frontier = next;
    }
    debug_assert_eq!(switches.len(), count);
    Platform {
        modules: mods,
        switches,
        links,
    }
}

impl Platform {
    /// The model's network for these nodes and links (routes, tx times).
    pub fn network(&self) -> Network {
        let mut nodes: Vec<Node> = self
            .modules
            .iter()
            .enumerate()
            .map(|(i, m)| Node {
                name: m.name.clone(),
                module: Some(i),
            })
            .collect();
        nodes.extend(self.switches.iter().map(|s| Node {
            name: s.clone(),
            module: None,
        }));
        let links = self
            .links
            .iter()
            .map(|l| Link {
                a: l.a,
                b: l.b,
                bandwidth: l.bandwidth,
                latency: l.latency,
            })
            .collect();
        Network::new(nodes, links)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_is_connected() {
        for (m, ports) in [(1, 8), (2, 8), (8, 8), (9, 8), (17, 8), (100, 4), (70, 8)] {
            let p = platform(m, 2, ports);
            let net = p.network();
            assert!(
                net.unreachable_pairs().is_empty(),
                "{m} modules, {ports} ports"
            );
            assert_eq!(p.modules.len(), m);
            // a tree: links = nodes - 1
            assert_eq!(p.links.len(), m + p.switches.len() - 1, "{m} modules");
        }
    }
}
