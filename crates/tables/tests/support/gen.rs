//! Deterministic generator of random *valid* module tables, for property
//! tests (shared by `seamless-tables` and `seamless-runtime` tests through
//! `#[path]`). A seed drives a small xorshift generator, so every choice can
//! depend on the earlier ones and the result is valid by construction.
#![allow(dead_code)]

use seamless_tables::{
    Action, ActionKind, ExtendSpec, JobSpec, LinkSlotsSpec, LinkSpec, ModeSpec, ModuleTablesSpec,
    SlotSpec, TransitionSpec, WindowSpec,
};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform in `lo ..= hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A random valid spec: 1–3 cores, 1–5 programs (each on at most one core
/// per mode), 0–3 messages, 0–2 links, 1–3 modes with frames of 8–40 ticks,
/// and random transitions with actions, skipped and extended jobs.
pub fn spec(seed: u64) -> ModuleTablesSpec {
    let mut rng = Rng::new(seed);
    let cores = rng.range(1, 3) as u16;
    let n_programs = rng.range(1, 5) as usize;
    let n_messages = rng.range(0, 3) as usize;
    let n_links = rng.range(0, 2) as usize;
    let n_modes = rng.range(1, 3) as usize;
    let links: Vec<LinkSpec> = (0..n_links)
        .map(|i| LinkSpec {
            id: (10 + 3 * i) as u16,
            name: format!("cm->sw{i}"),
        })
        .collect();
    let mut modes = Vec::new();
    for mi in 0..n_modes {
        let h = rng.range(8, 40);
        // Program -> core (or absent).
        let place: Vec<Option<u16>> = (0..n_programs)
            .map(|_| {
                if rng.chance(20) {
                    None
                } else {
                    Some(rng.range(0, u64::from(cores) - 1) as u16)
                }
            })
            .collect();
        let mut core_lists = Vec::new();
        for c in 0..cores {
            let here: Vec<u16> = (0..n_programs as u16)
                .filter(|&p| place[p as usize] == Some(c))
                .collect();
            let mut list = Vec::new();
            if !here.is_empty() {
                let mut t = rng.range(0, 3);
                loop {
                    let len = rng.range(1, 4);
                    if t + len > h {
                        break;
                    }
                    let program = here[rng.range(0, here.len() as u64 - 1) as usize];
                    list.push(WindowSpec {
                        start: t,
                        end: t + len,
                        program,
                    });
                    t += len + rng.range(0, 3);
                }
            }
            core_lists.push(list);
        }
        let mut mode_links = Vec::new();
        for l in &links {
            let mut slots = Vec::new();
            if n_messages > 0 {
                let mut t = rng.range(0, 4);
                let mut instance = 0;
                loop {
                    let len = rng.range(1, 3);
                    if t + len > h {
                        break;
                    }
                    let message = rng.range(0, n_messages as u64 - 1) as u16;
                    slots.push(SlotSpec {
                        start: t,
                        end: t + len,
                        message,
                        instance,
                    });
                    instance += 1;
                    t += len + rng.range(0, 5);
                }
            }
            mode_links.push(LinkSlotsSpec { link: l.id, slots });
        }
        modes.push(ModeSpec {
            id: (mi * 2 + 1) as u16,
            name: format!("mode{mi}"),
            major_frame: h,
            tick_ns: 1000,
            cores: core_lists,
            links: mode_links,
        });
    }
    let mut transitions = Vec::new();
    for a in 0..n_modes {
        for b in 0..n_modes {
            if a == b || !rng.chance(75) {
                continue;
            }
            transitions.push(transition(
                &mut rng, &modes[a], &modes[b], n_programs, &links,
            ));
        }
    }
    ModuleTablesSpec {
        module_id: rng.range(0, 100) as u16,
        module_name: "cm1".into(),
        cores,
        programs: (0..n_programs).map(|i| format!("p{i}")).collect(),
        messages: (0..n_messages).map(|i| format!("m{i}")).collect(),
        links,
        modes,
        transitions,
    }
}

fn transition(
    rng: &mut Rng,
    a: &ModeSpec,
    b: &ModeSpec,
    n_programs: usize,
    links: &[LinkSpec],
) -> TransitionSpec {
    let phi = rng.range(0, 6);
    let lead = if rng.chance(50) { 0 } else { rng.range(1, 8) };
    let h = b.major_frame;
    // Jobs per frame of each program in B, and each window's job index.
    let mut n = vec![0u64; n_programs];
    for list in &b.cores {
        for w in list {
            n[w.program as usize] += 1;
        }
    }
    let mut skips = Vec::new();
    let mut extends = Vec::new();
    let mut latest = phi;
    for f in 0..2u64 {
        for list in &b.cores {
            // k of each window (a program lives on one core, so core order is start order).
            let mut seen = vec![0u64; n_programs];
            let ks: Vec<u64> = list
                .iter()
                .map(|w| {
                    let k = seen[w.program as usize];
                    seen[w.program as usize] += 1;
                    k
                })
                .collect();
            let mut next_exec = h;
            for (i, w) in list.iter().enumerate().rev() {
                let job = f * n[w.program as usize] + ks[i];
                let base = phi + f * h;
                let roll = rng.range(0, 9);
                if roll < 2 {
                    skips.push(JobSpec {
                        program: w.program,
                        job,
                    });
                    latest = latest.max(base + w.end);
                } else if roll < 4 && next_exec > w.end {
                    let extra = rng.range(1, next_exec - w.end);
                    extends.push(ExtendSpec {
                        program: w.program,
                        job,
                        extra,
                    });
                    latest = latest.max(base + w.end + extra);
                    next_exec = w.start;
                } else {
                    next_exec = w.start;
                }
            }
        }
    }
    let mut actions = Vec::new();
    let _ = a;
    for _ in 0..rng.range(0, 4) {
        let at = rng.range(0, lead + phi + h) as i64 - lead as i64;
        let program = rng.range(0, n_programs as u64 - 1) as u16;
        let kind = match rng.range(0, 3) {
            0 => ActionKind::Stop { program },
            1 => ActionKind::Suspend { program },
            2 if !links.is_empty() => {
                let link = links[rng.range(0, links.len() as u64 - 1) as usize].id;
                let end = at + rng.range(1, 5) as i64;
                latest = latest.max(end.max(0) as u64);
                ActionKind::SendChunk {
                    program,
                    link,
                    bytes: rng.range(1, 65536),
                    end,
                }
            }
            _ => ActionKind::Resume { program },
        };
        latest = latest.max(at.max(0) as u64);
        actions.push(Action { at, kind });
    }
    TransitionSpec {
        from: a.id,
        to: b.id,
        phi,
        lead,
        complete: latest + rng.range(0, 5),
        actions,
        skips,
        extends,
    }
}
