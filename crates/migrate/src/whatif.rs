//! What-if: the five schemes for one program on an otherwise idle link.
//!
//! The platform is three modules joined pairwise by direct links of the
//! given bandwidth and latency: the source, the destination, and (for
//! scatter-gather) an intermediary. The program's jobs run every `period`
//! for `wcet` from the request (instant 0) on; each dirties `D` bytes (with
//! a dirty *rate*, `D` is the rate times the period). On the destination the
//! program resumes the instant it may run and runs every `period` from there.
//!
//! Two computations, both in exact integers:
//! - **closed form**: every phase is one continuous stream
//!   (`ceil(8·bytes / (bandwidth·tick))` ticks) and pages are dirtied at the
//!   continuous rate: pre-copy round `i` sends `M·λ^(i−1)` (with `λ` = dirty
//!   rate / bandwidth, capped by `W` as §7 caps `D·n`), each round's size
//!   rounded up to whole bytes; it stops when the next dirty set is below
//!   `stop_below` or after `max_rounds` rounds; downtime =
//!   `(last dirty set + C)/B + latency`.
//! - **simulation**: the §7 schemes of [`crate::scheme`], chunk by chunk on
//!   the idle links, dirty pages counted in whole jobs. A what-if pre-copy is
//!   not tied to a switch point: it suspends the program when its last round
//!   has left the source. Hybrid runs `hybrid_rounds` rounds (default 1).
//!
//! With [`Hypervisor`] knobs, the pre-copy row (both tables) is instead the
//! hypervisor model of [`crate::hypervisor`] (QEMU's mechanisms: zero pages,
//! rate windows, the downtime-limit stop rule, an unthrottled final copy),
//! and stop-and-copy, post-copy and scatter-gather run at the final
//! bandwidth.
//!
//! They differ by chunk rounding (at most one tick per chunk), by whole jobs
//! (a round's dirty set is within two jobs' `D` of the continuous value), and
//! by pipelining (none on one hop); `tests` states the tolerance.

use crate::calendar::LinkCalendar;
use crate::route::{LinkModel, Route};
use crate::scheme::{
    self, Criteria, FaultModel, MigrationInput, SourceJobs, Timeline, TimelineError, Transfer,
};
use seamless_model::MigrationParams;
use seamless_model::network::{Link, Network, Node};
use seamless_model::plan::Scheme;
use seamless_model::units::{format_bandwidth, format_ns, format_size_short, tx_ticks};

/// How the program dirties its memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dirty {
    /// Bytes per second.
    Rate {
        /// Bytes dirtied per second, continuously.
        bytes_per_s: u64,
    },
    /// Bytes per job, a job every `period` ticks.
    PerJob {
        /// Bytes `D` one job dirties.
        bytes: u64,
        /// Ticks from one job to the next.
        period: u64,
    },
}

/// The what-if question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIfInput {
    /// `M`, bytes.
    pub memory: u64,
    /// How the program dirties its memory.
    pub dirty: Dirty,
    /// Bits per second of every link.
    pub bandwidth: u64,
    /// `W` (default: `M`).
    pub working_set: Option<u64>,
    /// Latency of every link, ticks.
    pub latency: u64,
    /// Nanoseconds per tick.
    pub tick_ns: u64,
    /// Job period for [`Dirty::Rate`], ticks (default: 1 ms, at least a tick).
    pub period: Option<u64>,
    /// Job length, ticks (≥ 1).
    pub wcet: u64,
    /// The migration parameters (§2; see [`default_params`]).
    pub params: MigrationParams,
    /// Pre-copy rounds before the hybrid's post-copy (≥ 1).
    pub hybrid_rounds: u32,
    /// A real hypervisor's mechanisms (`None`: the §7 model as is).
    pub hypervisor: Option<Hypervisor>,
}

/// The knobs that describe a real hypervisor (QEMU's pre-copy; see
/// [`crate::hypervisor`]). With them, the pre-copy row comes from
/// [`crate::hypervisor::simulate`], and the schemes that move everything
/// while the program is stopped (stop-and-copy, post-copy, scatter-gather)
/// run at the final bandwidth, as the hypervisor lifts its rate limit then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hypervisor {
    /// Bytes of the memory that are zero pages.
    pub zero: u64,
    /// The stop-and-copy's rate, bit/s (default: the bandwidth).
    pub final_bandwidth: Option<u64>,
    /// QEMU's stop rule, ticks: stop when the pending bytes at the
    /// bandwidth fit in it (instead of `stop_below`).
    pub downtime_limit: Option<u64>,
    /// The rate limiter's window, ticks (default: a continuous stream).
    pub rate_window: Option<u64>,
    /// Fixed part of the downtime, ticks (stopping, device state).
    pub stop_cost: u64,
    /// Extra cost of each page the stop-and-copy sends for the first time
    /// (the first pass left it unsent), ticks: the destination faults in
    /// fresh memory for it ([`crate::hypervisor::HvInput::first_touch_ns`]).
    pub first_touch: u64,
    /// How long the writer has been going round the working set when the
    /// migration starts, ticks; `None` (the default): not known, the
    /// expectation over [`crate::hypervisor::PHASES`] phases of its cycle
    /// ([`crate::hypervisor::WriterPhase`]).
    pub writer_lead: Option<u64>,
}

impl WhatIfInput {
    /// A question with the §2 defaults: tick 1 µs, no latency, jobs of one
    /// tick, migration parameters 4 KiB pages, 16 KiB CPU state, 64 KiB
    /// chunks, 5 rounds, stop below 256 KiB, 20 µs fault handling.
    pub fn new(memory: u64, dirty: Dirty, bandwidth: u64) -> WhatIfInput {
        WhatIfInput {
            memory,
            dirty,
            bandwidth,
            working_set: None,
            latency: 0,
            tick_ns: 1000,
            period: None,
            wcet: 1,
            params: default_params(1000),
            hybrid_rounds: 1,
            hypervisor: None,
        }
    }
}

/// The §2 migration defaults for a tick of `tick_ns` nanoseconds.
pub fn default_params(tick_ns: u64) -> MigrationParams {
    MigrationParams {
        page_size: 4 << 10,
        cpu_state: 16 << 10,
        chunk: 64 << 10,
        max_rounds: 5,
        stop_below: 256 << 10,
        fault_handling: 20_000u64.div_ceil(tick_ns.max(1)),
    }
}

/// One scheme's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIfRow {
    /// The scheme the row is about.
    pub scheme: Scheme,
    /// Chunk by chunk (§7).
    pub simulated: Criteria,
    /// Continuous streams.
    pub closed: Criteria,
    /// Pre-copy, hybrid: bytes of each round, simulated.
    pub rounds: Vec<u64>,
    /// Pre-copy, hybrid: bytes of each round, closed form.
    pub closed_rounds: Vec<u64>,
    /// Bytes sent once the program is stopped (simulated): pre-copy's final
    /// set, hybrid's post-copy part, everything for the other schemes.
    pub final_bytes: u64,
}

/// The answer for the five schemes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIf {
    /// The question, as asked.
    pub input: WhatIfInput,
    /// The job period used, ticks.
    pub period: u64,
    /// Dirty bytes per job used by the simulation.
    pub dirty_per_job: u64,
    /// One row per scheme, in the order stop-and-copy, pre-copy, post-copy,
    /// hybrid, scatter-gather.
    pub rows: Vec<WhatIfRow>,
    /// With hypervisor knobs: the pre-copy outcome at each writer phase
    /// simulated ([`crate::hypervisor::HvResult::phases`]; the pre-copy row
    /// is their expectation). Empty without them.
    pub pre_copy_phases: Vec<crate::hypervisor::PhaseOutcome>,
}

/// Why a what-if cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhatIfError {
    /// A field is zero or out of range.
    Invalid(String),
    /// A transfer could not be placed (arithmetic overflow).
    Overflow,
}

impl std::fmt::Display for WhatIfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WhatIfError::Invalid(s) => write!(f, "invalid what-if: {s}"),
            WhatIfError::Overflow => write!(f, "the transfer does not fit in 64-bit ticks"),
        }
    }
}

impl std::error::Error for WhatIfError {}

/// Dirty bytes per tick as the exact fraction `num/den`.
fn rate(inp: &WhatIfInput) -> (u128, u128) {
    match inp.dirty {
        Dirty::Rate { bytes_per_s } => (
            u128::from(bytes_per_s) * u128::from(inp.tick_ns),
            1_000_000_000,
        ),
        Dirty::PerJob { bytes, period } => (u128::from(bytes), u128::from(period.max(1))),
    }
}

fn sat(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// Answers the question for the five schemes.
pub fn what_if(inp: &WhatIfInput) -> Result<WhatIf, WhatIfError> {
    let mut w = schemes(inp)?;
    let Some(hv) = inp.hypervisor else {
        return Ok(w);
    };
    if let Some(fb) = hv.final_bandwidth
        && fb != inp.bandwidth
    {
        let mut stopped = inp.clone();
        stopped.bandwidth = fb;
        let s = schemes(&stopped)?;
        for k in [0usize, 2, 4] {
            w.rows[k] = s.rows[k].clone();
        }
    }
    let r = crate::hypervisor::simulate(&hv_input(inp, &hv, w.dirty_per_job, w.period))
        .map_err(|e| WhatIfError::Invalid(e.to_string()))?;
    let ticks = |ns: u64| ns.div_ceil(inp.tick_ns);
    let c = Criteria {
        resume: ticks(r.total_ns),
        eviction_time: ticks(r.eviction_ns),
        total_time: ticks(r.total_ns),
        downtime: ticks(r.downtime_ns),
        bytes: r.bytes,
        degradation: 0,
    };
    let pre = &mut w.rows[1];
    pre.simulated = c;
    pre.closed = c;
    pre.rounds = r.round_bytes.clone();
    pre.closed_rounds = r.round_bytes;
    pre.final_bytes = r.final_bytes;
    w.pre_copy_phases = r.phases;
    // stop-and-copy: everything unthrottled, zero pages as headers
    let hvi = hv_input(inp, &hv, w.dirty_per_job, w.period);
    let r =
        crate::hypervisor::stop_and_copy(&hvi).map_err(|e| WhatIfError::Invalid(e.to_string()))?;
    let c = Criteria {
        resume: ticks(r.total_ns),
        eviction_time: ticks(r.eviction_ns),
        total_time: ticks(r.total_ns),
        downtime: ticks(r.downtime_ns),
        bytes: r.bytes,
        degradation: 0,
    };
    let sc = &mut w.rows[0];
    sc.simulated = c;
    sc.closed = c;
    sc.final_bytes = r.final_bytes;
    Ok(w)
}

/// The hypervisor question for a what-if.
fn hv_input(
    inp: &WhatIfInput,
    hv: &Hypervisor,
    dirty_per_job: u64,
    period: u64,
) -> crate::hypervisor::HvInput {
    use crate::hypervisor::{HvInput, StopRule, Writer, WriterPhase};
    let ns = |t: u64| t.saturating_mul(inp.tick_ns);
    HvInput {
        memory: inp.memory,
        zero: hv.zero,
        working_set: inp.working_set.unwrap_or(inp.memory),
        writer: match inp.dirty {
            Dirty::Rate { bytes_per_s } => Writer::Rate(bytes_per_s),
            Dirty::PerJob { .. } => Writer::PerJob {
                bytes: dirty_per_job,
                period_ns: ns(period),
            },
        },
        page_size: inp.params.page_size,
        cpu_state: inp.params.cpu_state,
        chunk: inp.params.chunk,
        bandwidth: inp.bandwidth,
        final_bandwidth: hv.final_bandwidth.unwrap_or(inp.bandwidth),
        latency_ns: ns(inp.latency),
        stop: match hv.downtime_limit {
            Some(d) => StopRule::DowntimeLimit(ns(d)),
            None => StopRule::Below(inp.params.stop_below),
        },
        rate_window_ns: hv.rate_window.map(ns),
        max_rounds: inp.params.max_rounds.max(1),
        stop_cost_ns: ns(hv.stop_cost),
        first_touch_ns: ns(hv.first_touch),
        writer_phase: match hv.writer_lead {
            Some(t) => WriterPhase::Lead(ns(t)),
            None => WriterPhase::Spread,
        },
    }
}

/// The five schemes under the §7 rules on idle links of `inp.bandwidth`.
fn schemes(inp: &WhatIfInput) -> Result<WhatIf, WhatIfError> {
    if inp.memory == 0 || inp.bandwidth == 0 || inp.tick_ns == 0 {
        return Err(WhatIfError::Invalid(
            "memory, bandwidth and tick must be positive".into(),
        ));
    }
    if inp.params.chunk == 0 || inp.params.page_size == 0 {
        return Err(WhatIfError::Invalid(
            "chunk and page size must be positive".into(),
        ));
    }
    let w = inp.working_set.unwrap_or(inp.memory);
    if w == 0 || w > inp.memory {
        return Err(WhatIfError::Invalid(
            "the working set must be between 1 byte and the memory".into(),
        ));
    }
    let (period, per_job) = match inp.dirty {
        Dirty::PerJob { bytes, period } => (period, bytes),
        Dirty::Rate { bytes_per_s } => {
            let p = inp.period.unwrap_or((1_000_000 / inp.tick_ns).max(1));
            let d = (u128::from(bytes_per_s) * u128::from(p) * u128::from(inp.tick_ns))
                .div_ceil(1_000_000_000);
            (p, sat(d))
        }
    };
    if period == 0 || inp.wcet == 0 || inp.wcet > period {
        return Err(WhatIfError::Invalid("jobs need 0 < wcet ≤ period".into()));
    }
    let per_job = per_job.min(w);
    let prog = MigrationInput {
        memory: inp.memory,
        working_set: w,
        dirty_per_job: per_job,
        cpu_state: inp.params.cpu_state,
        page_size: inp.params.page_size,
        chunk: inp.params.chunk,
        max_rounds: inp.params.max_rounds.max(1),
        stop_below: inp.params.stop_below,
        fault_handling: inp.params.fault_handling,
    };
    let net = triangle(inp.bandwidth, inp.latency);
    let model = LinkModel {
        network: &net,
        tick_ns: inp.tick_ns,
    };
    let direct = Route::between(&model, 0, 1, prog.chunk).ok_or(WhatIfError::Overflow)?;
    let to_via = Route::between(&model, 0, 2, prog.chunk).ok_or(WhatIfError::Overflow)?;
    let from_via = Route::between(&model, 2, 1, prog.chunk).ok_or(WhatIfError::Overflow)?;
    // jobs until the simulation surely ends: enough to cover max_rounds
    // rounds of M each plus the final, on the slowest estimate
    let horizon = tx_ticks(
        inp.memory.saturating_mul(u64::from(prog.max_rounds) + 2),
        inp.bandwidth,
        inp.tick_ns,
    )
    .ok_or(WhatIfError::Overflow)?
    .saturating_mul(2)
    .saturating_add(period.saturating_mul(4));
    let njobs = (horizon / period).saturating_add(2).min(50_000_000);
    let jobs: Vec<(u64, u64)> = (0..njobs)
        .map(|k| (k * period, k * period + inp.wcet))
        .collect();
    let t = Transfer {
        model,
        route: &direct,
        input: &prog,
        jobs: SourceJobs { jobs: &jobs },
        request: 0,
        suspension: None,
        dest_from: 0,
    };
    let idle = || LinkCalendar::new(net.directions());
    let err = |_: TimelineError| WhatIfError::Overflow;
    let sims: Vec<Timeline> = vec![
        scheme::stop_and_copy(&mut idle(), &t, 0).map_err(err)?,
        scheme::pre_copy(&mut idle(), &t, 0).map_err(err)?,
        scheme::post_copy(&mut idle(), &t, 0, 0, false).map_err(err)?,
        scheme::hybrid(&mut idle(), &t, 0, inp.hybrid_rounds.max(1), 0, false).map_err(err)?,
        scheme::scatter_gather(&mut idle(), &t, &to_via, &from_via, 0).map_err(err)?,
    ];
    let closed = closed_form(inp, &prog, period);
    let rows = sims
        .iter()
        .zip(closed)
        .map(|(tl, (cl, closed_rounds))| {
            let rounds: Vec<u64> = tl.rounds.iter().map(|r| r.bytes).collect();
            let simulated = simulated_criteria(tl, period);
            WhatIfRow {
                scheme: tl.scheme,
                simulated,
                closed: cl,
                final_bytes: simulated.bytes.saturating_sub(rounds.iter().sum()),
                rounds,
                closed_rounds,
            }
        })
        .collect();
    Ok(WhatIf {
        input: inp.clone(),
        period,
        dirty_per_job: per_job,
        rows,
        pre_copy_phases: Vec::new(),
    })
}

/// Source cm0, destination cm1, intermediary cm2, pairwise direct links.
fn triangle(bandwidth: u64, latency: u64) -> Network {
    let nodes = ["src", "dst", "via"]
        .iter()
        .enumerate()
        .map(|(i, n)| Node {
            name: (*n).into(),
            module: Some(i),
        })
        .collect();
    let links = [(0, 1), (0, 2), (2, 1)]
        .iter()
        .map(|&(a, b)| Link {
            a,
            b,
            bandwidth,
            latency,
        })
        .collect();
    Network::new(nodes, links)
}

/// The destination resumes when it may run and runs every `period`.
fn simulated_criteria(tl: &Timeline, period: u64) -> Criteria {
    let mut starts = vec![tl.may_run];
    if let Some(f) = &tl.faults {
        let end = f.complete_at();
        let mut s = tl.may_run;
        while s < end && starts.len() < 10_000_000 {
            s = s.saturating_add(period);
            starts.push(s);
        }
    }
    tl.criteria(0, &starts)
}

/// Degradation with a continuous page stream: `C` then pages from
/// `post_start`, arriving `latency` after they are sent; jobs at
/// `resume + k·period`.
#[allow(clippy::too_many_arguments)]
fn closed_degradation(
    inp: &WhatIfInput,
    prog: &MigrationInput,
    post_start: u64,
    resume: u64,
    initial_missing: u64,
    period: u64,
    fault_cost: u64,
) -> u64 {
    // bytes sent by time t of a stream at B: floor((t − start)·B·tick / 8e9)
    let sent = |t: u64| -> u64 {
        let d = u128::from(t.saturating_sub(post_start));
        sat(d * u128::from(inp.bandwidth) * u128::from(inp.tick_ns) / 8_000_000_000)
    };
    let fm = FaultModel {
        initial_missing,
        cpu: prog.cpu_state,
        page_size: prog.page_size,
        fault_cost,
        arrivals: Vec::new(),
    };
    let mut total = 0u64;
    let mut s = resume;
    for _ in 0..10_000_000u32 {
        let arrived = sent(s.saturating_sub(inp.latency));
        let x = fm
            .initial_missing
            .saturating_sub(arrived.saturating_sub(fm.cpu));
        if x == 0 {
            break;
        }
        total = total.saturating_add(x.div_ceil(fm.page_size).saturating_mul(fault_cost));
        s = s.saturating_add(period);
    }
    total
}

/// The closed forms, in scheme order, with the round sizes.
fn closed_form(inp: &WhatIfInput, prog: &MigrationInput, period: u64) -> Vec<(Criteria, Vec<u64>)> {
    let tx = |b: u64| tx_ticks(b, inp.bandwidth, inp.tick_ns).unwrap_or(u64::MAX);
    let (num, den) = rate(inp);
    let dirtied =
        |ticks: u64| -> u64 { sat((num * u128::from(ticks)).div_ceil(den)).min(prog.working_set) };
    let l = inp.latency;
    let m = prog.memory;
    let c = prog.cpu_state;
    let fault = 2 * l + tx(prog.page_size) + prog.fault_handling;
    let mut out = Vec::new();
    // stop-and-copy
    let e = tx(m + c);
    out.push((
        Criteria {
            resume: e + l,
            eviction_time: e,
            total_time: e + l,
            downtime: e + l,
            bytes: m + c,
            degradation: 0,
        },
        Vec::new(),
    ));
    // pre-copy series: round i sends s_i; the next dirty set is the rate
    // times round i's duration
    let series = |max: u32, stop: Option<u64>| -> (Vec<u64>, u64, u64) {
        let mut rounds = Vec::new();
        let mut s = m;
        let mut elapsed = 0u64;
        loop {
            rounds.push(s);
            let d = tx(s);
            elapsed = elapsed.saturating_add(d);
            let next = dirtied(d);
            if rounds.len() as u32 >= max || next == 0 || stop.is_some_and(|sb| next < sb) {
                return (rounds, elapsed, next);
            }
            s = next;
        }
    };
    let (rounds, elapsed, last) = series(prog.max_rounds, Some(prog.stop_below));
    let fin = tx(last + c);
    out.push((
        Criteria {
            resume: elapsed + fin + l,
            eviction_time: elapsed + fin,
            total_time: elapsed + fin + l,
            downtime: fin + l,
            bytes: rounds.iter().sum::<u64>() + last + c,
            degradation: 0,
        },
        rounds,
    ));
    // post-copy
    let down = tx(c) + l;
    let wm = prog.working_set.min(m);
    out.push((
        Criteria {
            resume: down,
            eviction_time: tx(m + c),
            total_time: tx(m + c) + l,
            downtime: down,
            bytes: m + c,
            degradation: closed_degradation(inp, prog, 0, down, wm, period, fault),
        },
        Vec::new(),
    ));
    // hybrid
    let (hr, helapsed, hlast) = series(inp.hybrid_rounds.max(1).min(prog.max_rounds), None);
    let hmiss = prog.working_set.min(hlast);
    let resume = helapsed + tx(c) + l;
    out.push((
        Criteria {
            resume,
            eviction_time: helapsed + tx(c + hlast),
            total_time: helapsed + tx(c + hlast) + l,
            downtime: tx(c) + l,
            bytes: hr.iter().sum::<u64>() + c + hlast,
            degradation: closed_degradation(inp, prog, helapsed, resume, hmiss, period, fault),
        },
        hr,
    ));
    // scatter-gather: the gather pipelines one chunk behind the scatter
    let total = m + c;
    let last_chunk = match total % prog.chunk {
        0 => prog.chunk,
        r => r,
    };
    let sg = e + l + tx(last_chunk) + l;
    out.push((
        Criteria {
            resume: sg,
            eviction_time: e,
            total_time: sg,
            downtime: sg,
            bytes: total,
            degradation: 0,
        },
        Vec::new(),
    ));
    out
}

/// The seed's Table 1 with numbers instead of ranks: the five schemes side
/// by side (simulated chunk by chunk), then the closed form.
pub fn render_what_if(w: &WhatIf) -> String {
    let ns = w.input.tick_ns;
    let time = |t: u64| format_ns(u128::from(t) * u128::from(ns));
    let mut s = String::new();
    let i = &w.input;
    let dirty = match i.dirty {
        Dirty::Rate { bytes_per_s } => format!("{}/s", format_size_short(bytes_per_s)),
        Dirty::PerJob { bytes, period } => format!(
            "{} per job every {}",
            format_size_short(bytes),
            time(period)
        ),
    };
    s.push_str(&format!(
        "memory {}, working set {}, dirty {}, link {} (latency {})\n",
        format_size_short(i.memory),
        format_size_short(i.working_set.unwrap_or(i.memory)),
        dirty,
        format_bandwidth(i.bandwidth),
        time(i.latency),
    ));
    if let Some(hv) = &i.hypervisor {
        s.push_str(&format!(
            "hypervisor: zero pages {}, final bandwidth {}, stop {}, rate window {}, stop cost {}, first touch {} a page\n",
            format_size_short(hv.zero),
            format_bandwidth(hv.final_bandwidth.unwrap_or(i.bandwidth)),
            match hv.downtime_limit {
                Some(d) => format!("when the pending bytes fit in {} at the bandwidth", time(d)),
                None => format!("below {}", format_size_short(i.params.stop_below)),
            },
            hv.rate_window.map_or("none".to_string(), time),
            time(hv.stop_cost),
            time(hv.first_touch),
        ));
        s.push_str(&match hv.writer_lead {
            Some(l) => format!(
                "writer: {} into its cycle over the working set when the migration starts\n",
                time(l)
            ),
            None => format!(
                "writer: its phase unknown; pre-copy is the expectation over {} phases of its cycle\n",
                w.pre_copy_phases.len()
            ),
        });
    }
    s.push_str(&format!(
        "jobs every {} ({} dirtied each); chunks {}, pages {}, CPU state {}, at most {} rounds, stop below {}\n\n",
        time(w.period),
        format_size_short(w.dirty_per_job),
        format_size_short(i.params.chunk),
        format_size_short(i.params.page_size),
        format_size_short(i.params.cpu_state),
        i.params.max_rounds,
        format_size_short(i.params.stop_below),
    ));
    let table = |s: &mut String, title: &str, pick: &dyn Fn(&WhatIfRow) -> Criteria| {
        s.push_str(title);
        s.push('\n');
        s.push_str(&format!(
            "{:<16}{:>14}{:>14}{:>14}{:>14}{:>14}\n",
            "scheme", "eviction", "total time", "downtime", "bytes", "degradation"
        ));
        for r in &w.rows {
            let c = pick(r);
            s.push_str(&format!(
                "{:<16}{:>14}{:>14}{:>14}{:>14}{:>14}\n",
                r.scheme.name(),
                time(c.eviction_time),
                time(c.total_time),
                time(c.downtime),
                format_size_short(c.bytes),
                time(c.degradation),
            ));
        }
    };
    table(&mut s, "simulated, chunk by chunk:", &|r| r.simulated);
    s.push('\n');
    table(&mut s, "closed form, continuous streams:", &|r| r.closed);
    for r in &w.rows {
        if !r.rounds.is_empty() {
            // long lists (a hypervisor that never converges runs up to
            // max_rounds rounds): the first and last few, and the count
            let list = |v: &[u64]| {
                let f = |x: &[u64]| {
                    x.iter()
                        .map(|&b| format_size_short(b))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if v.len() <= 12 {
                    f(v)
                } else {
                    format!(
                        "{}, … {} rounds in all …, {}",
                        f(&v[..5]),
                        v.len(),
                        f(&v[v.len() - 3..])
                    )
                }
            };
            s.push_str(&format!(
                "\n{} rounds: {} (closed form: {})",
                r.scheme.name(),
                list(&r.rounds),
                list(&r.closed_rounds)
            ));
        }
    }
    // how much the writer's phase matters: the range over the phases
    let ph = &w.pre_copy_phases;
    if ph.len() > 1 {
        let range = |f: &dyn Fn(&crate::hypervisor::PhaseOutcome) -> u64| {
            let lo = ph.iter().map(f).min().unwrap_or(0);
            let hi = ph.iter().map(f).max().unwrap_or(0);
            (lo, hi)
        };
        let t = |(a, b): (u64, u64)| {
            let f = |x: u64| time(x.div_ceil(ns.max(1)));
            if a == b {
                f(a)
            } else {
                format!("{}–{}", f(a), f(b))
            }
        };
        let (r0, r1) = range(&|p| u64::from(p.rounds));
        s.push_str(&format!(
            "\npre-copy over the writer's {} phases (the rows above: their mean; rounds: the median phase's): total time {}, downtime {}, rounds {}",
            ph.len(),
            t(range(&|p| p.total_ns)),
            t(range(&|p| p.downtime_ns)),
            if r0 == r1 { r0.to_string() } else { format!("{r0}–{r1}") },
        ));
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn cli_example() {
        let inp = WhatIfInput::new(
            256 * MIB,
            Dirty::Rate {
                bytes_per_s: 20 * MIB,
            },
            1_000_000_000,
        );
        let w = what_if(&inp).unwrap();
        assert_eq!(w.rows.len(), 5);
        let by = |s: Scheme| w.rows.iter().find(|r| r.scheme == s).unwrap();
        let sc = by(Scheme::StopAndCopy);
        let pre = by(Scheme::PreCopy);
        let post = by(Scheme::PostCopy);
        let sg = by(Scheme::ScatterGather);
        // 256 MiB + 16 KiB at 1 Gbit/s: 2.147 s
        assert_eq!(
            sc.closed.total_time,
            tx_ticks(256 * MIB + 16 * 1024, 1_000_000_000, 1000).unwrap()
        );
        // pre-copy: far smaller downtime, more bytes
        assert!(pre.simulated.downtime * 10 < sc.simulated.downtime);
        assert!(pre.simulated.bytes > sc.simulated.bytes);
        // post-copy: smallest downtime, degradation > 0
        assert!(post.simulated.downtime < pre.simulated.downtime);
        assert!(post.simulated.degradation > 0);
        // scatter-gather: eviction earlier than total migration time
        assert!(sg.simulated.eviction_time < sg.simulated.total_time);
        // λ = 20 MiB/s / 125 MB/s ≈ 0.168: rounds shrink
        assert!(pre.rounds.windows(2).all(|w| w[1] < w[0]));
        let text = render_what_if(&w);
        for name in [
            "stop-and-copy",
            "pre-copy",
            "post-copy",
            "hybrid",
            "scatter-gather",
            "downtime",
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    /// With hypervisor knobs the pre-copy row is the hypervisor model;
    /// the schemes that send while stopped run at the final bandwidth.
    #[test]
    fn hypervisor_knobs() {
        let mut inp = WhatIfInput::new(
            64 * MIB,
            Dirty::Rate {
                bytes_per_s: 8 * MIB,
            },
            64 * MIB * 8,
        );
        inp.working_set = Some(16 * MIB);
        let plain = what_if(&inp).unwrap();
        inp.hypervisor = Some(Hypervisor {
            zero: 16 * MIB,
            final_bandwidth: Some(1024 * MIB * 8),
            downtime_limit: Some(300_000),
            rate_window: Some(100_000),
            stop_cost: 0,
            first_touch: 0,
            writer_lead: None,
        });
        let hv = what_if(&inp).unwrap();
        // stop-and-copy at 1 GiB/s instead of 64 MiB/s, its 16 MiB of zero
        // pages as headers
        assert!(hv.rows[0].simulated.total_time * 10 < plain.rows[0].simulated.total_time);
        let sc = &hv.rows[0];
        assert_eq!(
            sc.simulated.bytes,
            4096 * 9 + 12288 * (4096 + 8) + (16 << 10),
            "{sc:?}"
        );
        assert_eq!(sc.final_bytes, sc.simulated.bytes);
        let pre = &hv.rows[1];
        assert_eq!(pre.simulated, pre.closed);
        assert!(!pre.rounds.is_empty());
        // the final set is below bandwidth × limit (19.2 MiB) plus headers
        assert!(pre.final_bytes < 20 * MIB, "{pre:?}");
        // hybrid keeps the live bandwidth
        assert_eq!(hv.rows[3], plain.rows[3]);
        // a writer faster than the link never converges: max_rounds rounds,
        // listed short
        inp.dirty = Dirty::Rate {
            bytes_per_s: 200 * MIB,
        };
        inp.params.max_rounds = 100;
        if let Some(h) = inp.hypervisor.as_mut() {
            h.downtime_limit = Some(0);
        }
        let w = what_if(&inp).unwrap();
        assert_eq!(w.rows[1].rounds.len(), 100);
        assert!(render_what_if(&w).contains("100 rounds in all"));
    }

    #[test]
    fn rejects_nonsense() {
        let mut inp = WhatIfInput::new(0, Dirty::Rate { bytes_per_s: 1 }, 1);
        assert!(what_if(&inp).is_err());
        inp.memory = 10;
        inp.working_set = Some(11);
        assert!(what_if(&inp).is_err());
    }

    /// Per-round tolerance (see the module docs): the simulation's rounds
    /// follow the closed form's within `slack` bytes each, where `slack`
    /// grows by `λ` per round plus two jobs' `D` plus the bytes dirtied in one
    /// tick per chunk of rounding; times within one tick per chunk plus the
    /// transmission of the byte slack.
    fn check_agreement(w: &WhatIf) -> Result<bool, TestCaseError> {
        let i = &w.input;
        let (num, den) = rate(i);
        let tx = |b: u64| tx_ticks(b, i.bandwidth, i.tick_ns).unwrap();
        let pre = &w.rows[1];
        let d = w.dirty_per_job;
        let chunks = |b: u64| b.div_ceil(i.params.chunk);
        // byte slack per round
        let mut slack = 0u64;
        let mut time_slack = 0u64;
        let mut slacks = Vec::new();
        for &cl in &pre.closed_rounds {
            slacks.push(slack);
            let rounding = chunks(cl + slack) + 1;
            let dur = tx(cl + slack) + rounding;
            time_slack += rounding + tx(slack);
            // next round: the rate over the extra time, two jobs at the
            // edges, and `D` rounded up to whole bytes in every job
            let lam = sat((num * u128::from(tx(slack) + rounding)).div_ceil(den));
            slack = lam + 2 * d + 1 + dur / w.period + 2;
        }
        // the stop decision: skip cases where the closed form's next set is
        // within the slack of the threshold or of M
        let next_closed = {
            let last = *pre.closed_rounds.last().unwrap();
            sat((num * u128::from(tx(last))).div_ceil(den)).min(i.memory)
        };
        let sb = i.params.stop_below;
        for (k, &cl) in pre.closed_rounds.iter().enumerate().skip(1) {
            if cl.abs_diff(sb) <= slacks[k] {
                return Ok(false);
            }
        }
        if next_closed.abs_diff(sb) <= slack
            || (pre.closed_rounds.len() as u32) < i.params.max_rounds && next_closed <= slack
        {
            return Ok(false);
        }
        prop_assert_eq!(
            pre.rounds.len(),
            pre.closed_rounds.len(),
            "rounds {:?} vs {:?}",
            &pre.rounds,
            &pre.closed_rounds
        );
        for (k, (&a, &b)) in pre.rounds.iter().zip(&pre.closed_rounds).enumerate() {
            prop_assert!(
                a.abs_diff(b) <= slacks[k],
                "round {}: {} vs {} (slack {})",
                k + 1,
                a,
                b,
                slacks[k]
            );
        }
        let fin_slack =
            time_slack + chunks(next_closed + slack + i.params.cpu_state) + 1 + tx(slack);
        prop_assert!(
            pre.simulated.downtime.abs_diff(pre.closed.downtime)
                <= chunks(next_closed + slack + i.params.cpu_state) + 1 + tx(slack),
            "downtime {} vs {}",
            pre.simulated.downtime,
            pre.closed.downtime
        );
        prop_assert!(
            pre.simulated.total_time.abs_diff(pre.closed.total_time) <= fin_slack,
            "total {} vs {} (slack {})",
            pre.simulated.total_time,
            pre.closed.total_time,
            fin_slack
        );
        // stop-and-copy and post-copy: one tick per chunk
        let sc = &w.rows[0];
        let n = chunks(i.memory + i.params.cpu_state);
        prop_assert!(sc.simulated.total_time >= sc.closed.total_time);
        prop_assert!(sc.simulated.total_time <= sc.closed.total_time + n);
        prop_assert_eq!(sc.simulated.bytes, sc.closed.bytes);
        Ok(true)
    }

    /// The tolerance is tight enough that most questions are compared, not
    /// waved through as near a threshold.
    #[test]
    fn agreement_mostly_applies() {
        let mut compared = 0;
        let mut total = 0;
        for mem in [1u64, 4, 16, 64, 256] {
            for rate in [1u64, 5, 20, 60] {
                for bw in [100u64, 1000] {
                    let inp = WhatIfInput::new(
                        mem * MIB,
                        Dirty::Rate {
                            bytes_per_s: rate * MIB,
                        },
                        bw * 1_000_000,
                    );
                    let w = what_if(&inp).unwrap();
                    total += 1;
                    if check_agreement(&w).unwrap() {
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared * 4 >= total * 3, "{compared} of {total} compared");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn closed_form_agrees_with_simulation(
            mem_kib in 64u64..16_384,
            rate_kib in 1u64..40_000,
            bw_mbit in 10u64..2_000,
            chunk_kib in 4u64..128,
            stop_kib in 16u64..512,
            rounds in 1u32..6,
        ) {
            let mut inp = WhatIfInput::new(mem_kib << 10, Dirty::Rate { bytes_per_s: rate_kib << 10 }, bw_mbit * 1_000_000);
            inp.params.chunk = chunk_kib << 10;
            inp.params.stop_below = stop_kib << 10;
            inp.params.max_rounds = rounds;
            inp.period = Some(100); // 100 µs jobs: fine-grained dirtying
            let w = what_if(&inp).unwrap();
            let _ = check_agreement(&w)?;
        }

        /// More bandwidth never increases the total migration time of
        /// stop-and-copy, post-copy or scatter-gather on an idle link, nor
        /// pre-copy's downtime.
        #[test]
        fn more_bandwidth_never_slower(
            mem_kib in 64u64..8_192,
            rate_kib in 1u64..20_000,
            bw_mbit in 10u64..1_000,
            more in 1u64..1_000,
        ) {
            let mk = |bw: u64| {
                let mut inp = WhatIfInput::new(mem_kib << 10, Dirty::Rate { bytes_per_s: rate_kib << 10 }, bw * 1_000_000);
                inp.period = Some(500);
                what_if(&inp).unwrap()
            };
            let a = mk(bw_mbit);
            let b = mk(bw_mbit + more);
            for k in [0usize, 2, 4] {
                prop_assert!(b.rows[k].simulated.total_time <= a.rows[k].simulated.total_time,
                    "{}: {} > {}", a.rows[k].scheme.name(), b.rows[k].simulated.total_time, a.rows[k].simulated.total_time);
                prop_assert!(b.rows[k].closed.total_time <= a.rows[k].closed.total_time);
            }
            prop_assert!(b.rows[2].simulated.downtime <= a.rows[2].simulated.downtime);
        }
    }
}
