//! Necessary conditions: lower bounds on a program's unavailability that
//! hold for every request instant, switch point, phase, migration order and
//! scheme, computed from the two tables, the program's sizes and the
//! network alone (no search). When one exceeds the program's bound, no plan
//! exists, and the planner says so at once (`DESIGN.md`, "Proofs of
//! infeasibility", gives the argument).

use crate::ctx::Ctx;
use seamless_migrate::scheme::MigrationInput;
use seamless_model::ModuleId;
use seamless_model::plan::{Action, Scheme};
use seamless_model::units::tx_ticks;
use serde::Serialize;

/// A lower bound on one program's unavailability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lower {
    /// Index into `Ctx::progs`.
    pub pi: usize,
    /// The least unavailability any plan gives it, in ticks.
    pub at_least: u64,
    /// Its bound, in ticks.
    pub bound: u64,
    /// Why.
    pub why: Why,
}

/// What a [`Lower`] rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// A migration: per scheme, the least time from its suspension to its
    /// first completion on the destination.
    Migration(MigrationLower),
    /// A continuing program: its last job of the old table and its first
    /// job of the new one, with the new table starting at the switch point.
    Stay {
        /// The gap between the two, in ticks.
        gap: u64,
    },
    /// Two consecutive completions of one table are already too far apart.
    Table {
        /// `true`: the new table (its frame repeats), `false`: the old one.
        new: bool,
        /// The gap, in ticks.
        gap: u64,
    },
}

/// The lower bound of one migrated program, scheme by scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationLower {
    /// Per scheme (stop-and-copy, pre-copy, post-copy, hybrid,
    /// scatter-gather): the bytes that must arrive after the suspension
    /// before its first new job can complete, and the least unavailability
    /// that gives, in ticks.
    pub schemes: Vec<SchemeLower>,
    /// Bits per second of the slowest link of the route.
    pub route_bandwidth: u64,
    /// Its shortest job in the new table, in ticks.
    pub job: u64,
    /// Its destination module is full with the old mode's programs until
    /// the switch point: nothing of it can enter before (the bound then
    /// also counts from the switch point, with all its memory for the
    /// schemes that copy it before it runs).
    pub full_until_switch: bool,
}

/// One scheme's share of a [`MigrationLower`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SchemeLower {
    /// The scheme.
    pub scheme: Scheme,
    /// Bytes that must cross a link after the suspension before the first
    /// new job completes (post-copy, hybrid: the CPU state and the missing
    /// working set, fetched at least as slowly by faults as by streaming).
    pub bytes: u64,
    /// The least unavailability with this scheme, in ticks.
    pub at_least: u64,
}

/// Every program whose lower bound exceeds its bound, the largest excess
/// first (then by name). Empty: nothing proven (a plan may or may not
/// exist).
pub fn infeasible(ctx: &Ctx) -> Vec<Lower> {
    let mut out: Vec<Lower> = lower_bounds(ctx)
        .into_iter()
        .filter(|l| l.at_least > l.bound)
        .collect();
    out.sort_by(|x, y| {
        (y.at_least - y.bound)
            .cmp(&(x.at_least - x.bound))
            .then_with(|| ctx.progs[x.pi].name.cmp(&ctx.progs[y.pi].name))
    });
    out
}

/// The lower bound of every program in both modes (`bound` `u64::MAX`
/// when it has none); the largest of its reasons.
pub fn lower_bounds(ctx: &Ctx) -> Vec<Lower> {
    let mut out = Vec::new();
    for (pi, p) in ctx.progs.iter().enumerate() {
        if !matches!(p.action, Action::Continue | Action::Migrate) {
            continue;
        }
        let bound = p.bound.unwrap_or(u64::MAX);
        let mut best: Option<(u64, Why)> = None;
        let mut take = |v: u64, why: Why| {
            if best.as_ref().is_none_or(|b| v > b.0) {
                best = Some((v, why));
            }
        };
        // consecutive completions of the old table's last frame before S
        let a_gap = p
            .a_jobs
            .windows(2)
            .map(|w| w[1].end - w[0].end)
            .max()
            .unwrap_or(0);
        take(
            a_gap,
            Why::Table {
                new: false,
                gap: a_gap,
            },
        );
        match p.action {
            Action::Continue => {
                if let (Some(last), Some(first)) = (p.a_jobs.last(), p.b.jobs.first()) {
                    let gap = (ctx.ha + first.end).saturating_sub(last.end);
                    take(gap, Why::Stay { gap });
                }
                // the new table repeats from its first completion on
                let n = p.b.jobs.len();
                let b_gap = (0..n)
                    .map(|k| {
                        let next = if k + 1 < n {
                            p.b.jobs[k + 1].end
                        } else {
                            p.b.jobs[0].end + ctx.hb
                        };
                        next - p.b.jobs[k].end
                    })
                    .max()
                    .unwrap_or(0);
                take(
                    b_gap,
                    Why::Table {
                        new: true,
                        gap: b_gap,
                    },
                );
            }
            Action::Migrate => {
                if let Some(m) = migration_lower(ctx, pi) {
                    let v = m.schemes.iter().map(|s| s.at_least).min().unwrap_or(0);
                    take(v, Why::Migration(m));
                }
            }
            Action::Stop | Action::Start => {}
        }
        if let Some((at_least, why)) = best {
            out.push(Lower {
                pi,
                at_least,
                bound,
                why,
            });
        }
    }
    out
}

/// The fastest link touching a module (any route into or out of it uses
/// one of them).
fn fastest_at(ctx: &Ctx, module: ModuleId) -> u64 {
    let net = &ctx.sys.network;
    let node = net.module_node[module];
    net.links
        .iter()
        .filter(|l| l.a == node || l.b == node)
        .map(|l| l.bandwidth)
        .max()
        .unwrap_or(0)
}

/// The lower bound of migration `pi`, per scheme (see `DESIGN.md`).
pub fn migration_lower(ctx: &Ctx, pi: usize) -> Option<MigrationLower> {
    let p = &ctx.progs[pi];
    let sys = ctx.sys;
    let ns = sys.tick.ns.max(1);
    let (src, dst) = (p.a_slot?.0, p.b_slot?.0);
    let last_a = p.a_jobs.last()?;
    let job = p.b.jobs.iter().map(|j| j.end - j.start).min()?;
    let hops = sys.network.route(src, dst);
    let route_bw = hops
        .iter()
        .map(|h| sys.network.links[h.link].bandwidth)
        .min()?;
    let into_dst = sys.network.links[hops.last()?.link].bandwidth;
    let inp = MigrationInput::new(&sys.programs[p.id], &sys.migration);
    let (m, c) = (inp.memory, inp.cpu_state);
    let w = inp.working_set.min(m);
    // one job's dirty pages: the final set (pre-copy) or the missing
    // working set (hybrid) counts at least the job that ends at the
    // suspension
    let d = inp.dirty(1);
    let tx = |bytes: u64, bw: u64| tx_ticks(bytes, bw, ns).unwrap_or(u64::MAX);
    let (fast_src, fast_dst) = (fastest_at(ctx, src), fastest_at(ctx, dst));
    // the destination holds the old mode's programs until S: with them and
    // this one it overflows, so nothing of this one enters it before S
    let a_on_dst: u64 = ctx
        .progs
        .iter()
        .filter(|q| q.a_slot.map(|s| s.0) == Some(dst))
        .map(|q| q.memory)
        .fold(0, u64::saturating_add);
    // S − suspension: the suspension is the end of the last old job before
    // S. (`last_a.end <= ha` always holds for a valid table, where no job
    // runs past the frame's end; the guard only keeps the bound unused on a
    // table that would break that.)
    let full = a_on_dst.saturating_add(m) > sys.modules[dst].memory && last_a.end <= ctx.ha;
    let wait = ctx.ha - last_a.end.min(ctx.ha);
    // (scheme, bytes after the suspension on the route, bytes entering the
    // destination after S when it is full, whether an intermediary carries it)
    let cases = [
        (
            Scheme::StopAndCopy,
            m.saturating_add(c),
            m.saturating_add(c),
            false,
        ),
        (
            Scheme::PreCopy,
            d.saturating_add(c),
            m.saturating_add(c),
            false,
        ),
        (
            Scheme::PostCopy,
            w.saturating_add(c),
            w.saturating_add(c),
            false,
        ),
        (
            Scheme::Hybrid,
            w.min(inp.dirty_per_job).saturating_add(c),
            m.saturating_add(c),
            false,
        ),
        (
            Scheme::ScatterGather,
            m.saturating_add(c),
            m.saturating_add(c),
            true,
        ),
    ];
    let schemes = cases
        .iter()
        .map(|&(scheme, bytes, full_bytes, via)| {
            let after = if via {
                tx(bytes, fast_src).max(tx(bytes, fast_dst))
            } else {
                tx(bytes, route_bw)
            };
            let from_s = if full {
                let bw = if via { fast_dst } else { into_dst };
                wait.saturating_add(tx(full_bytes, bw))
            } else {
                0
            };
            SchemeLower {
                scheme,
                bytes: if full && from_s > after {
                    full_bytes
                } else {
                    bytes
                },
                at_least: after.max(from_s).saturating_add(job),
            }
        })
        .collect();
    Some(MigrationLower {
        schemes,
        route_bandwidth: route_bw,
        job,
        full_until_switch: full,
    })
}
