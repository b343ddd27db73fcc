//! [`generate`]: a valid, not necessarily schedulable, system folder.

use crate::desc::{
    MessageDesc, ModeDesc, OverrideDesc, PinDesc, ProgramDesc, SystemDesc, TimingDesc, name, render,
};
use crate::platform::platform;
use crate::rng::Rng;
use crate::{GenParams, Generated};

const MIB: u64 = 1 << 20;
const PAGE: u64 = 4 << 10;

/// The candidate periods: positive, distinct, ascending (default 10 ms).
pub(crate) fn periods(p: &GenParams) -> Vec<u64> {
    let mut v: Vec<u64> = p.periods_us.iter().copied().filter(|&t| t > 0).collect();
    v.sort_unstable();
    v.dedup();
    if v.is_empty() {
        v.push(10_000);
    }
    v
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The least common multiple of the periods (saturating).
pub(crate) fn lcm_all(v: &[u64]) -> u64 {
    v.iter()
        .fold(1u64, |l, &t| (l / gcd(l, t)).saturating_mul(t))
}

/// A program's memory, working set and dirty bytes: whole MiB of memory,
/// dirty ≤ working set ≤ memory.
pub(crate) fn memory_profile(rng: &mut Rng) -> (u64, Option<u64>, Option<u64>) {
    let memory = rng.range(1, 64) * MIB;
    let ws = if rng.chance(60) {
        Some((memory * rng.range(10, 100) / 100 / PAGE).max(1) * PAGE)
    } else {
        None
    };
    let dirty = if rng.chance(60) {
        let w = ws.unwrap_or(memory);
        Some(((w * rng.range(1, 60) / 100 / PAGE).max(1) * PAGE).min(w))
    } else {
        None
    };
    (memory, ws, dirty)
}

/// A window of at least `wcet` inside `[0, span]`.
fn window_around(rng: &mut Rng, wcet: u64, span: u64) -> (u64, u64) {
    let len = rng.range(wcet, span);
    let start = rng.range(0, span - len);
    (start, start + len)
}

/// A random valid system folder for `p`, deterministic for `p.seed`.
pub fn generate(p: &GenParams) -> Generated {
    Generated {
        files: render(&describe(p)),
    }
}

fn describe(p: &GenParams) -> SystemDesc {
    let mut rng = Rng::new(p.seed);
    let plat = platform(p.modules, p.cores, p.switch_ports);
    let nm = plat.modules.len();
    let cores = plat.modules[0].cores;
    let periods = periods(p);
    let frame = lcm_all(&periods);
    let np = p.programs.max(1);
    let nmodes = p.modes.max(1);
    let share = if nmodes == 1 {
        100
    } else {
        u64::from(p.mode_share_percent.clamp(1, 100))
    };
    let capacity = (nm as u64) * u64::from(cores);

    // the catalogue of programs
    let weights: Vec<u64> = (0..np).map(|_| rng.range(500, 1500)).collect();
    let sum_w: u64 = weights.iter().sum();
    let mut programs = Vec::with_capacity(np);
    for (i, &w) in weights.iter().enumerate() {
        let once = rng.chance(p.once_percent);
        let period = if once {
            frame
        } else {
            *rng.pick(&periods).expect("periods are not empty")
        };
        let demand = u128::from(period)
            * u128::from(p.utilisation_percent)
            * u128::from(capacity)
            * u128::from(w)
            / (u128::from(share) * u128::from(sum_w));
        let wcet = (demand.min(u128::from(u64::MAX)) as u64).clamp(1, (period / 2).max(1));
        let timing = if once {
            TimingDesc::Once {
                window: window_around(&mut rng, wcet, period),
            }
        } else {
            let window = rng
                .chance(p.window_percent)
                .then(|| window_around(&mut rng, wcet, period));
            TimingDesc::Periodic {
                period,
                window,
                as_frequency: rng.chance(30),
            }
        };
        let (memory, working_set, dirty_per_job) = memory_profile(&mut rng);
        let max_jitter = rng.chance(p.jitter_percent).then(|| {
            if rng.chance(50) {
                0
            } else {
                rng.range(0, period / 10)
            }
        });
        let modules = (nm > 1 && rng.chance(p.restrict_percent)).then(|| {
            let k = rng.range(1, 3.min(nm as u64)) as usize;
            rng.sample(nm, k)
        });
        programs.push(ProgramDesc {
            name: name("p", i, np),
            memory,
            working_set,
            dirty_per_job,
            wcet,
            timing,
            max_jitter,
            modules,
            max_unavailability: None,
        });
    }

    // modes: subsets of the catalogue, overrides, pins
    let mut modes = Vec::with_capacity(nmodes);
    // effective period per mode and program: None = not in the mode,
    // Some(None) = once per frame
    let mut eff: Vec<Vec<Option<Option<u64>>>> = Vec::with_capacity(nmodes);
    for j in 0..nmodes {
        let mut members: Vec<usize> = if nmodes == 1 {
            (0..np).collect()
        } else {
            (0..np).filter(|_| rng.chance(share as u32)).collect()
        };
        if members.is_empty() {
            members.push(rng.index(np));
        }
        let mut e = vec![None; np];
        let mut overrides = Vec::new();
        let mut pins = Vec::new();
        for &pi in &members {
            let prog = &programs[pi];
            e[pi] = Some(prog.timing.period());
            if let TimingDesc::Periodic { period, window, .. } = prog.timing
                && periods.len() > 1
                && rng.chance(p.override_percent)
            {
                let others: Vec<u64> = periods.iter().copied().filter(|&t| t != period).collect();
                let t2 = *rng.pick(&others).expect("another period");
                let scaled = u128::from(prog.wcet) * u128::from(t2) / u128::from(period);
                let wcet2 = (scaled as u64).clamp(1, (t2 / 2).max(1));
                let window2 = window.map(|(s, en)| {
                    let s2 = (u128::from(s) * u128::from(t2) / u128::from(period)) as u64;
                    let e2 = (u128::from(en) * u128::from(t2) / u128::from(period)) as u64;
                    if e2 >= s2 + wcet2 && e2 <= t2 {
                        (s2, e2)
                    } else {
                        (0, t2)
                    }
                });
                let jitter2 = rng.chance(30).then(|| rng.range(0, t2 / 10));
                overrides.push(OverrideDesc {
                    program: pi,
                    period: Some(t2),
                    wcet: (wcet2 != prog.wcet).then_some(wcet2),
                    window: window2,
                    max_jitter: jitter2,
                });
                e[pi] = Some(Some(t2));
            }
            if rng.chance(p.pin_percent) {
                let allowed: Vec<usize> = match &prog.modules {
                    Some(ms) => ms.clone(),
                    None => (0..nm).collect(),
                };
                let module = *rng.pick(&allowed).expect("allowed modules");
                let core = rng.chance(50).then(|| rng.below(u64::from(cores)) as u32);
                pins.push(PinDesc {
                    program: pi,
                    module,
                    core,
                });
            }
        }
        let has_once = members
            .iter()
            .any(|&pi| matches!(programs[pi].timing, TimingDesc::Once { .. }));
        modes.push(ModeDesc {
            name: name("mode", j, nmodes),
            programs: members,
            messages: Vec::new(),
            overrides,
            pins,
            major_frame: (has_once || rng.chance(10)).then_some(frame),
        });
        eff.push(e);
    }

    // unavailability bounds: at least the period in every mode
    for (pi, prog) in programs.iter_mut().enumerate() {
        if !rng.chance(p.unavailability_percent) {
            continue;
        }
        let mut base = prog.timing.period().unwrap_or(frame);
        for e in &eff {
            if let Some(t) = e[pi] {
                base = base.max(t.unwrap_or(frame));
            }
        }
        prog.max_unavailability = Some(base * rng.range(1, 3) + rng.range(0, base / 2));
    }

    // messages among programs that share a mode
    let mut messages = Vec::with_capacity(p.messages);
    for i in 0..p.messages {
        if np < 2 {
            break;
        }
        let from = rng.index(np);
        let with_sender: Vec<usize> = (0..nmodes).filter(|&j| eff[j][from].is_some()).collect();
        let mut candidates: Vec<usize> = match rng.pick(&with_sender) {
            Some(&j) => modes[j]
                .programs
                .iter()
                .copied()
                .filter(|&x| x != from)
                .collect(),
            None => Vec::new(),
        };
        if candidates.is_empty() {
            candidates = (0..np).filter(|&x| x != from).collect();
        }
        let k = rng.range(1, 3.min(candidates.len() as u64)) as usize;
        let mut to: Vec<usize> = rng
            .sample(candidates.len(), k)
            .into_iter()
            .map(|c| candidates[c])
            .collect();
        rng.shuffle(&mut to);
        let size = rng.range(1, 256) * 64;
        let period = rng
            .chance(20)
            .then(|| *rng.pick(&periods).expect("periods"));
        let window = period.filter(|_| rng.chance(50)).map(|t| {
            let s = rng.range(0, t / 2);
            (s, rng.range(s + 1, t))
        });
        let listed: Vec<usize> = (0..nmodes)
            .filter(|&j| eff[j][from].is_some() && to.iter().all(|&r| eff[j][r].is_some()))
            .collect();
        let precedence = if rng.chance(20) {
            Some(false)
        } else if period.is_none()
            && rng.chance(10)
            && listed
                .iter()
                .all(|&j| to.iter().all(|&r| eff[j][r] == eff[j][from]))
        {
            Some(true)
        } else {
            None
        };
        for &j in &listed {
            modes[j].messages.push(i);
        }
        messages.push(MessageDesc {
            name: name("msg", i, p.messages),
            from,
            to,
            size,
            period,
            window,
            precedence,
        });
    }

    // module memory: every program fits, and a mode's programs fit with room
    let biggest = programs.iter().map(|x| x.memory).max().unwrap_or(MIB);
    let heaviest_mode = modes
        .iter()
        .map(|m| m.programs.iter().map(|&x| programs[x].memory).sum::<u64>())
        .max()
        .unwrap_or(0);
    let room = heaviest_mode * rng.range(130, 200) / 100 / nm as u64;
    let memory = room.div_ceil(64 * MIB).max(1) * 64 * MIB;
    let mut modules = plat.modules;
    for m in &mut modules {
        m.memory = memory.max(biggest);
    }

    let transitions = if nmodes <= 1 {
        None
    } else if nmodes <= 4 {
        Some(
            (0..nmodes)
                .flat_map(|a| (0..nmodes).filter(move |&b| b != a).map(move |b| (a, b)))
                .collect(),
        )
    } else {
        Some(
            (0..nmodes)
                .flat_map(|a| [(a, (a + 1) % nmodes), ((a + 1) % nmodes, a)])
                .collect(),
        )
    };

    SystemDesc {
        name: p.name.clone(),
        modules,
        switches: plat.switches,
        links: plat.links,
        programs,
        messages,
        modes,
        transitions,
    }
}
