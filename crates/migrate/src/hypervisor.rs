//! Pre-copy as a real hypervisor runs it: the mechanisms of QEMU's
//! pre-copy live migration, as a what-if model checked against measured
//! migrations (`tests/data/qemu-precopy.csv`, docs/benchmarks.md).
//!
//! This is **not** the §7 contract (that is [`crate::scheme`], used by the
//! planner and its verifier): it answers "how long would this hypervisor
//! take", for `seamless migrate` when one of its hypervisor knobs is given.
//! The mechanisms, each with the knob that describes it:
//!
//! 1. **Zero pages cost a header** (`zero`): during the first pass a page
//!    that is all zeros goes as a [`ZERO_PAGE_WIRE`]-byte header, not as a
//!    page; every other page carries a [`PAGE_HEADER`]-byte header. Zero
//!    pages are counted at the start of the first pass (a guest's untouched
//!    memory), so the first pass's leftover is data.
//! 2. **The live rounds are rate-limited** (`bandwidth`), **the final
//!    stop-and-copy is not** (`final_bandwidth`: the link's own speed).
//! 3. **The limiter works in windows** (`rate_window`): each window allows
//!    `bandwidth × window` bytes, sent in a burst at the link's speed, then
//!    the sender sleeps until the window ends. Without a window the live
//!    rounds are one continuous stream at `bandwidth`, checked chunk by chunk.
//! 4. **The stop rule and the leftover** (`stop`): the hypervisor checks
//!    the pending bytes (whole pages, zero pages included) at the start of
//!    each iteration of its loop: at each window's start, and when a pass
//!    has sent everything. Only when fewer than the threshold remain does
//!    it re-read the dirty bitmap (a *sync*, which ends a live round) and,
//!    if the total is still below the threshold, stop. The threshold is
//!    `bandwidth × downtime_limit` (QEMU) or `stop_below`. So a round ends
//!    with a leftover below the threshold that rides into the next round or
//!    the stop-and-copy.
//! 5. **The dirty set is capped by the working set**: the writer dirties
//!    `min(W, rate × elapsed)` distinct pages between two syncs (the same
//!    `min(W, D·n)` as §7, with `D·n` the bytes written in the interval);
//!    pages already pending are counted again (a sequential writer over `W`
//!    moves ahead of the pages it left pending), and the pending set never
//!    exceeds `W` plus what is left of the first pass.
//!
//! 6. **The switchover and the first touch** (`stop_cost`,
//!    `first_touch_ns`): the stop-and-copy costs a fixed time (stopping the
//!    vCPU, the last sync, the device state), and each data page it sends
//!    for the first time (still pending from the first pass) costs extra:
//!    the destination faults in fresh memory for it, while a re-sent page
//!    lands in memory already mapped.
//!
//! Exact integer arithmetic in nanoseconds and bytes; no floats. The only
//! fitted numbers are the header sizes (QEMU 7.2's) and, when a user runs
//! `seamless migrate --calibrate`, the final bandwidth and the fixed stop
//! cost.

/// Bytes of header each non-zero page carries on the wire (QEMU 7.2: an
/// 8-byte offset-and-flags word).
pub const PAGE_HEADER: u64 = 8;
/// Bytes a zero page costs on the wire (QEMU 7.2: the header and the fill
/// byte).
pub const ZERO_PAGE_WIRE: u64 = 9;

/// When the hypervisor stops the guest for the final copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRule {
    /// When fewer than this many bytes are pending (`--stop-below`).
    Below(u64),
    /// When the pending bytes, sent at the live bandwidth, would take at
    /// most this many nanoseconds (`--downtime-limit`, QEMU's rule).
    DowntimeLimit(u64),
}

/// How the guest dirties its memory, within its working set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Bytes per second, continuously.
    Rate(u64),
    /// Bytes per job, a job every `period_ns`: after `n` jobs, `D·n`.
    PerJob {
        /// Bytes `D` one job dirties.
        bytes: u64,
        /// Nanoseconds from one job to the next.
        period_ns: u64,
    },
}

/// One hypervisor pre-copy question. Sizes in bytes, rates in bit/s, times
/// in nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HvInput {
    /// `M`.
    pub memory: u64,
    /// Bytes of `M` that are zero pages.
    pub zero: u64,
    /// `W` (at most `M`).
    pub working_set: u64,
    /// The guest's writer.
    pub writer: Writer,
    /// Page size.
    pub page_size: u64,
    /// CPU (device) state, sent in the stop-and-copy.
    pub cpu_state: u64,
    /// Chunk size: the check granularity without a rate window.
    pub chunk: u64,
    /// The live rounds' rate limit, bit/s.
    pub bandwidth: u64,
    /// The stop-and-copy's rate, bit/s (the link's speed).
    pub final_bandwidth: u64,
    /// One-way latency, ns (added once to the arrival of the last byte).
    pub latency_ns: u64,
    /// The stop rule.
    pub stop: StopRule,
    /// The limiter's window, ns (`None`: a continuous stream).
    pub rate_window_ns: Option<u64>,
    /// Most live rounds (syncs) before the hypervisor stops anyway.
    pub max_rounds: u32,
    /// Fixed part of the downtime, ns (stopping the guest, saving devices).
    pub stop_cost_ns: u64,
    /// Extra cost, ns, of each data page the stop-and-copy sends for the
    /// first time (a page the first pass left unsent): the destination
    /// touches its memory there for the first time (a page fault and the
    /// kernel zeroing a fresh page before QEMU writes it), which a re-sent
    /// page, already mapped, does not pay. 0: no such cost.
    pub first_touch_ns: u64,
}

/// The answer, in nanoseconds and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HvResult {
    /// Start → the last byte arrives.
    pub total_ns: u64,
    /// Guest stopped → the last byte arrives.
    pub downtime_ns: u64,
    /// Start → the source has sent its last byte.
    pub eviction_ns: u64,
    /// Bytes on the wire, headers and re-sends included.
    pub bytes: u64,
    /// Bytes of the stop-and-copy (pending pages and CPU state).
    pub final_bytes: u64,
    /// Live rounds: syncs before the stop (the first pass included).
    pub rounds: u32,
    /// Data pages of the stop-and-copy sent for the first time (left
    /// unsent by the first pass): each costs `first_touch_ns`.
    pub fresh_pages: u64,
    /// Wire bytes of each live round.
    pub round_bytes: Vec<u64>,
}

/// Why the question has no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HvError {
    /// A field is zero or out of range.
    Invalid(&'static str),
    /// The pre-copy never stops (more than [`MAX_STEPS`] iterations of
    /// the migration loop).
    NoConvergence,
}

impl std::fmt::Display for HvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HvError::Invalid(s) => write!(f, "{s}"),
            HvError::NoConvergence => write!(
                f,
                "the pre-copy never stops: the pending bytes never fall below the threshold (raise --downtime-limit or --stop-below, or lower --max-rounds)"
            ),
        }
    }
}

impl std::error::Error for HvError {}

fn sat(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// Nanoseconds to send `bytes` at `bps` bit/s, rounded up.
fn send_ns(bytes: u64, bps: u64) -> u64 {
    sat((u128::from(bytes) * 8_000_000_000).div_ceil(u128::from(bps.max(1))))
}

/// Bytes `bps` bit/s carry in `ns`, rounded down.
fn bytes_in(ns: u64, bps: u64) -> u64 {
    sat(u128::from(ns) * u128::from(bps) / 8_000_000_000)
}

/// Most iterations of the migration loop before [`HvError::NoConvergence`].
pub const MAX_STEPS: u64 = 100_000_000;

/// Simulates the hypervisor's pre-copy, window by window, page by page.
pub fn simulate(inp: &HvInput) -> Result<HvResult, HvError> {
    simulate_capped(inp, MAX_STEPS)
}

fn simulate_capped(inp: &HvInput, max_steps: u64) -> Result<HvResult, HvError> {
    if inp.memory == 0 || inp.page_size == 0 || inp.chunk == 0 {
        return Err(HvError::Invalid(
            "memory, page size and chunk must be positive",
        ));
    }
    if inp.bandwidth == 0 || inp.final_bandwidth == 0 {
        return Err(HvError::Invalid("bandwidths must be positive"));
    }
    if inp.zero > inp.memory {
        return Err(HvError::Invalid("--zero must be at most the memory"));
    }
    if inp.working_set > inp.memory {
        return Err(HvError::Invalid(
            "the working set must be at most the memory",
        ));
    }
    if inp.rate_window_ns == Some(0) {
        return Err(HvError::Invalid("--rate-window must be positive"));
    }
    let page = inp.page_size;
    let data_cost = page.saturating_add(PAGE_HEADER);
    let w_pages = inp.working_set.div_ceil(page);
    let mut zero = inp.zero / page;
    let mut cold = inp.memory.div_ceil(page).saturating_sub(zero);
    let mut hot = 0u64;
    // pages the writer dirtied in `dt` ns
    let dirtied = |dt: u64| -> u64 {
        let bytes = match inp.writer {
            Writer::Rate(bps) => sat(u128::from(bps) * u128::from(dt) / 1_000_000_000),
            Writer::PerJob { bytes, period_ns } => bytes.saturating_mul(dt / period_ns.max(1)),
        };
        (bytes / page).min(w_pages)
    };
    let threshold = match inp.stop {
        StopRule::Below(b) => b,
        StopRule::DowntimeLimit(ns) => bytes_in(ns, inp.bandwidth),
    };
    // a window: its length, its byte budget, and the burst rate within it
    let (window, budget, burst) = match inp.rate_window_ns {
        Some(w) => (w, bytes_in(w, inp.bandwidth).max(1), inp.final_bandwidth),
        None => (send_ns(inp.chunk, inp.bandwidth), inp.chunk, inp.bandwidth),
    };
    let mut t = 0u64;
    let mut window_start = 0u64;
    let mut left = budget;
    let mut last_sync = 0u64;
    let mut rounds = 0u32;
    let mut round_bytes = Vec::new();
    let mut cur = 0u64;
    let mut sent = 0u64;
    let mut steps = 0u64;
    let pending =
        |z: u64, c: u64, h: u64| z.saturating_add(c).saturating_add(h).saturating_mul(page);
    loop {
        steps += 1;
        if steps > max_steps {
            return Err(HvError::NoConvergence);
        }
        // an iteration of the migration loop: check, maybe sync, maybe stop
        if pending(zero, cold, hot) < threshold || pending(zero, cold, hot) == 0 {
            rounds += 1;
            round_bytes.push(cur);
            cur = 0;
            hot = hot.saturating_add(dirtied(t - last_sync)).min(w_pages);
            last_sync = t;
            let p = pending(zero, cold, hot);
            if p < threshold || p == 0 || rounds >= inp.max_rounds.max(1) {
                break;
            }
        }
        // send what the window still allows, as a burst
        let mut burst_bytes = 0u64;
        for (count, cost) in [
            (&mut zero, ZERO_PAGE_WIRE),
            (&mut cold, data_cost),
            (&mut hot, data_cost),
        ] {
            if left == 0 {
                break;
            }
            // the limiter is checked after each page: the last one overshoots
            let n = (*count).min(left.div_ceil(cost));
            *count -= n;
            let b = n.saturating_mul(cost);
            burst_bytes = burst_bytes.saturating_add(b);
            left = left.saturating_sub(b);
        }
        t = t.saturating_add(send_ns(burst_bytes, burst));
        sent = sent.saturating_add(burst_bytes);
        cur = cur.saturating_add(burst_bytes);
        if left == 0 {
            // sleep until the window ends
            window_start = window_start.saturating_add(window);
            t = t.max(window_start);
            left = budget;
        }
        // else: everything pending was sent; the loop checks again at once
    }
    let final_bytes = zero
        .saturating_mul(ZERO_PAGE_WIRE)
        .saturating_add(cold.saturating_add(hot).saturating_mul(data_cost))
        .saturating_add(inp.cpu_state);
    // pages still `cold` were never sent: the destination touches them now
    let copy = inp
        .stop_cost_ns
        .saturating_add(send_ns(final_bytes, inp.final_bandwidth))
        .saturating_add(cold.saturating_mul(inp.first_touch_ns));
    let eviction = t.saturating_add(copy);
    Ok(HvResult {
        total_ns: eviction.saturating_add(inp.latency_ns),
        downtime_ns: copy.saturating_add(inp.latency_ns),
        eviction_ns: eviction,
        bytes: sent.saturating_add(final_bytes),
        final_bytes,
        rounds,
        fresh_pages: cold,
        round_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    fn qemu(rate_pps: u64, w_mib: u64, b_mib: u64, dl_ms: u64) -> HvInput {
        HvInput {
            memory: 268_967_936,
            zero: 4172 * 4096,
            working_set: w_mib * MIB,
            writer: Writer::Rate(rate_pps * 4096),
            page_size: 4096,
            cpu_state: 0,
            chunk: 64 << 10,
            bandwidth: b_mib * MIB * 8,
            final_bandwidth: (1 << 30) * 8,
            latency_ns: 0,
            stop: StopRule::DowntimeLimit(dl_ms * 1_000_000),
            rate_window_ns: Some(100_000_000),
            max_rounds: 1000,
            stop_cost_ns: 0,
            first_touch_ns: 0,
        }
    }

    /// The README's example: an idle guest at 64 MiB/s, DL 300 ms stops
    /// with about 16.6 MiB of its first pass unsent; at DL 50 ms with
    /// almost nothing.
    #[test]
    fn idle_leftover_rides_into_the_stop_and_copy() {
        let r = simulate(&qemu(0, 16, 64, 300)).unwrap();
        assert_eq!(r.rounds, 1);
        assert!(
            (16 * MIB..17 * MIB + MIB / 2).contains(&r.final_bytes),
            "{}",
            r.final_bytes
        );
        let r = simulate(&qemu(0, 16, 64, 50)).unwrap();
        assert!(r.final_bytes < MIB, "{}", r.final_bytes);
        // 37.5 windows of 6.4 MiB (the measured total is 3.71 s)
        assert!(
            (3_600_000_000..3_900_000_000).contains(&r.total_ns),
            "{}",
            r.total_ns
        );
    }

    /// Zero pages cost a header: more zero pages, fewer bytes and less time.
    #[test]
    fn zero_pages_are_cheap() {
        let mut a = qemu(0, 16, 64, 50);
        a.zero = 0;
        let b = qemu(0, 16, 64, 50);
        let (ra, rb) = (simulate(&a).unwrap(), simulate(&b).unwrap());
        assert!(rb.bytes + 16 * MIB < ra.bytes);
        assert!(rb.total_ns < ra.total_ns);
    }

    /// The dirty set never exceeds the working set: a writer at 90 % of the
    /// bandwidth over 16 MiB converges, and no round after the first
    /// carries more than W plus headers.
    #[test]
    fn dirty_set_capped_by_working_set() {
        let r = simulate(&qemu(14746, 16, 64, 50)).unwrap();
        let cap = 16 * MIB / 4096 * (4096 + PAGE_HEADER);
        assert!(r.rounds > 2);
        // rounds end when the pending set falls below B·DL: a round
        // carries at most what was pending plus one window's overshoot
        for &b in &r.round_bytes[2..] {
            assert!(b <= cap + 7 * MIB, "{b}");
        }
    }

    /// The final copy goes at the final bandwidth: a faster link, a
    /// shorter downtime, the same live rounds.
    #[test]
    fn final_copy_not_rate_limited() {
        let mut a = qemu(0, 16, 64, 300);
        a.final_bandwidth = 64 * MIB * 8;
        let b = qemu(0, 16, 64, 300);
        let (ra, rb) = (simulate(&a).unwrap(), simulate(&b).unwrap());
        assert_eq!(ra.rounds, rb.rounds);
        assert_eq!(ra.final_bytes, rb.final_bytes);
        assert!(rb.downtime_ns * 10 < ra.downtime_ns);
    }

    /// The first-touch cost is paid by the pages the first pass left
    /// unsent (an idle guest's leftover), not by re-sent pages (a guest
    /// whose final set is its re-dirtied working set).
    #[test]
    fn first_touch_only_for_never_sent_pages() {
        let mut a = qemu(0, 16, 64, 300);
        a.first_touch_ns = 9_000;
        let (r0, r1) = (
            simulate(&qemu(0, 16, 64, 300)).unwrap(),
            simulate(&a).unwrap(),
        );
        let pages = r0.final_bytes / (4096 + PAGE_HEADER);
        assert!(pages > 4000);
        assert_eq!(r1.downtime_ns, r0.downtime_ns + pages * 9_000);
        assert_eq!(r1.bytes, r0.bytes);
        // 30 % at 64 MiB/s over 16 MiB: the final set is mostly re-dirtied
        let mut b = qemu(4915, 16, 64, 300);
        let rb0 = simulate(&b).unwrap();
        b.first_touch_ns = 9_000;
        let rb1 = simulate(&b).unwrap();
        assert!(rb1.downtime_ns - rb0.downtime_ns < 4000 * 9_000 / 4);
    }

    /// A writer faster than the link with no downtime allowance never
    /// converges: an error, not a hang.
    #[test]
    fn no_convergence_is_an_error() {
        let mut a = qemu(30_000, 64, 32, 0);
        a.stop = StopRule::Below(0);
        a.max_rounds = u32::MAX;
        assert_eq!(simulate_capped(&a, 100_000), Err(HvError::NoConvergence));
    }
}
