//! The switched network: nodes, full-duplex links, and the routes of §3.
//!
//! The route from module `a` to module `b` is the path to `b` in the
//! shortest-path tree rooted at `a` (fewest links), in which every node's
//! parent is, among its neighbours one link closer to `a`, the one whose name
//! sorts first byte-wise. Modules do not forward: a route passes through
//! modules only at its ends.

use crate::system::{ModuleId, Ticks};
use crate::units::tx_ticks;
use petgraph::graph::{NodeIndex, UnGraph};

/// A network node: a module or a switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The module's or switch's name.
    pub name: String,
    /// `Some(module id)` for a computing module, `None` for a switch.
    pub module: Option<ModuleId>,
}

/// A full-duplex link between two distinct nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// One end (node index).
    pub a: usize,
    /// The other end (node index).
    pub b: usize,
    /// Bits per second, ≥ 1.
    pub bandwidth: u64,
    /// Added after every transmission on the link.
    pub latency: Ticks,
}

/// One direction of a link: the resource a transmission occupies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hop {
    /// The link (index into [`Network::links`]).
    pub link: usize,
    /// The node it leaves.
    pub from: usize,
    /// The node it reaches.
    pub to: usize,
}

impl Hop {
    /// A dense id for the direction: `2·link` for a→b, `2·link+1` for b→a.
    pub fn dir_id(&self, links: &[Link]) -> usize {
        2 * self.link + usize::from(links[self.link].a != self.from)
    }
}

/// A hop of a multicast tree, with the index of the hop that feeds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHop {
    /// The link direction.
    pub hop: Hop,
    /// Index (in the tree's list) of the hop into `hop.from`; `None` at the root.
    pub parent: Option<usize>,
}

/// The network with precomputed routing trees.
#[derive(Debug, Clone)]
pub struct Network {
    /// Modules first (in module order), then switches.
    pub nodes: Vec<Node>,
    /// The links, in input order.
    pub links: Vec<Link>,
    /// Node index of each module.
    pub module_node: Vec<usize>,
    /// `parent[m][node]`: in the tree rooted at module `m`, the hop into
    /// `node` (from its parent); `None` for the root and unreachable nodes.
    parent: Vec<Vec<Option<Hop>>>,
    /// `dist[m][node]`: links from module `m`, `u32::MAX` if unreachable.
    dist: Vec<Vec<u32>>,
}

impl Network {
    /// Builds the network and every module's routing tree. `nodes` lists
    /// modules first (node `i` = module `i` for `i < modules`), then switches.
    pub fn new(nodes: Vec<Node>, links: Vec<Link>) -> Network {
        let mut graph: UnGraph<(), usize> = UnGraph::with_capacity(nodes.len(), links.len());
        for _ in &nodes {
            graph.add_node(());
        }
        for (i, l) in links.iter().enumerate() {
            graph.add_edge(NodeIndex::new(l.a), NodeIndex::new(l.b), i);
        }
        let module_node: Vec<usize> = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.module.is_some())
            .map(|(i, _)| i)
            .collect();
        let mut parent = Vec::with_capacity(module_node.len());
        let mut dist = Vec::with_capacity(module_node.len());
        for &root in &module_node {
            let (p, d) = routing_tree(&graph, &nodes, root);
            parent.push(p);
            dist.push(d);
        }
        Network {
            nodes,
            links,
            module_node,
            parent,
            dist,
        }
    }

    /// Number of link directions (`2 × links`).
    pub fn directions(&self) -> usize {
        2 * self.links.len()
    }

    /// The hop for direction id `d` (see [`Hop::dir_id`]).
    pub fn direction(&self, d: usize) -> Hop {
        let l = &self.links[d / 2];
        if d.is_multiple_of(2) {
            Hop {
                link: d / 2,
                from: l.a,
                to: l.b,
            }
        } else {
            Hop {
                link: d / 2,
                from: l.b,
                to: l.a,
            }
        }
    }

    /// The link joining two nodes, if any.
    pub fn link_between(&self, x: usize, y: usize) -> Option<usize> {
        self.links
            .iter()
            .position(|l| (l.a == x && l.b == y) || (l.a == y && l.b == x))
    }

    /// Whether module `b` is reachable from module `a`.
    pub fn connected(&self, a: ModuleId, b: ModuleId) -> bool {
        self.dist[a][self.module_node[b]] != u32::MAX
    }

    /// The §3 route from module `a` to module `b`, as hops in order (empty
    /// when `a == b` or `b` is unreachable).
    pub fn route(&self, a: ModuleId, b: ModuleId) -> Vec<Hop> {
        let mut hops = Vec::new();
        let mut node = self.module_node[b];
        while let Some(h) = self.parent[a][node] {
            hops.push(h);
            node = h.from;
        }
        hops.reverse();
        hops
    }

    /// The union of the routes from `a` to each of `targets` (a tree in
    /// module `a`'s routing tree), each link direction once, parents before
    /// children, in a deterministic order.
    pub fn multicast(&self, a: ModuleId, targets: &[ModuleId]) -> Vec<TreeHop> {
        let mut out: Vec<TreeHop> = Vec::new();
        for &t in targets {
            if t == a {
                continue;
            }
            let mut parent_idx: Option<usize> = None;
            for hop in self.route(a, t) {
                if let Some(i) = out.iter().position(|th| th.hop == hop) {
                    parent_idx = Some(i);
                } else {
                    out.push(TreeHop {
                        hop,
                        parent: parent_idx,
                    });
                    parent_idx = Some(out.len() - 1);
                }
            }
        }
        out
    }

    /// Transmission time of `bytes` on `link` for a tick of `tick_ns`.
    pub fn tx_time(&self, link: usize, bytes: u64, tick_ns: u64) -> Ticks {
        tx_ticks(bytes, self.links[link].bandwidth, tick_ns).unwrap_or(Ticks::MAX)
    }

    /// Sum of latencies along a route.
    pub fn route_latency(&self, hops: &[Hop]) -> Ticks {
        hops.iter().map(|h| self.links[h.link].latency).sum()
    }

    /// Ordered module pairs `(a, b)`, `a < b`, with no route between them.
    pub fn unreachable_pairs(&self) -> Vec<(ModuleId, ModuleId)> {
        let m = self.module_node.len();
        let mut out = Vec::new();
        for a in 0..m {
            for b in a + 1..m {
                if !self.connected(a, b) {
                    out.push((a, b));
                }
            }
        }
        out
    }
}

/// Breadth-first search from `root` over the petgraph graph for distances,
/// then every node's parent chosen by name among its neighbours one link
/// closer. Modules other than the root do not forward, so edges out of them
/// are not followed.
fn routing_tree(
    graph: &UnGraph<(), usize>,
    nodes: &[Node],
    root: usize,
) -> (Vec<Option<Hop>>, Vec<u32>) {
    use petgraph::visit::EdgeRef;
    let forwards = |n: usize| n == root || nodes[n].module.is_none();
    let n = nodes.len();
    let mut dist = vec![u32::MAX; n];
    dist[root] = 0;
    let mut frontier = vec![root];
    let mut level = 0u32;
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for &u in &frontier {
            if !forwards(u) {
                continue;
            }
            for v in graph.neighbors(NodeIndex::new(u)) {
                let v = v.index();
                if dist[v] == u32::MAX {
                    dist[v] = level + 1;
                    next.push(v);
                }
            }
        }
        next.sort_unstable();
        next.dedup();
        frontier = next;
        level += 1;
    }
    let mut parent = vec![None; n];
    for v in 0..n {
        if v == root || dist[v] == u32::MAX {
            continue;
        }
        let mut best: Option<(usize, usize)> = None; // (node, link)
        for e in graph.edges(NodeIndex::new(v)) {
            let u = if e.source().index() == v {
                e.target().index()
            } else {
                e.source().index()
            };
            if dist[u] != u32::MAX && dist[u] + 1 == dist[v] && forwards(u) {
                let better = match best {
                    None => true,
                    Some((b, _)) => nodes[u].name.as_bytes() < nodes[b].name.as_bytes(),
                };
                if better {
                    best = Some((u, *e.weight()));
                }
            }
        }
        parent[v] = best.map(|(u, link)| Hop {
            link,
            from: u,
            to: v,
        });
    }
    (parent, dist)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, module: Option<usize>) -> Node {
        Node {
            name: name.into(),
            module,
        }
    }
    fn link(a: usize, b: usize) -> Link {
        Link {
            a,
            b,
            bandwidth: 100_000_000,
            latency: 5,
        }
    }

    /// cm0, cm1, cm2 each linked to swB and swA; swA–swB linked.
    fn redundant() -> Network {
        let nodes = vec![
            node("cm0", Some(0)),
            node("cm1", Some(1)),
            node("cm2", Some(2)),
            node("swB", None),
            node("swA", None),
        ];
        let links = vec![
            link(0, 3),
            link(0, 4),
            link(1, 3),
            link(1, 4),
            link(2, 4),
            link(3, 4),
        ];
        Network::new(nodes, links)
    }

    #[test]
    fn tie_break_by_name() {
        let n = redundant();
        let r = n.route(0, 1);
        // two 2-link routes via swA or swB: swA sorts first
        assert_eq!(r.len(), 2);
        assert_eq!(n.nodes[r[0].to].name, "swA");
        assert_eq!(n.route(0, 0), vec![]);
        assert_eq!(n.route(0, 2).len(), 2);
    }

    #[test]
    fn modules_do_not_forward() {
        // cm0 - cm1 - cm2 in a line: cm0 cannot reach cm2 through cm1.
        let nodes = vec![
            node("cm0", Some(0)),
            node("cm1", Some(1)),
            node("cm2", Some(2)),
        ];
        let n = Network::new(nodes, vec![link(0, 1), link(1, 2)]);
        assert!(n.connected(0, 1));
        assert!(!n.connected(0, 2));
        assert_eq!(n.unreachable_pairs(), vec![(0, 2)]);
    }

    #[test]
    fn multicast_shares_hops() {
        let n = redundant();
        let t = n.multicast(0, &[1, 2]);
        // cm0->swA shared, swA->cm1, swA->cm2
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].parent, None);
        assert_eq!(t[1].parent, Some(0));
        assert_eq!(t[2].parent, Some(0));
    }
}
