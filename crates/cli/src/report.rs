//! Text and document renderings of library results. Pure functions.

use seamless_model::expand::expand;
use seamless_model::units::{format_bandwidth, format_size_short};
use seamless_model::{SourceFile, System, Timing};
use serde::Serialize;
use std::fmt::Write as _;

/// `num / den` as a percentage with one decimal, rounded down, integers only.
pub fn percent(num: u128, den: u128) -> String {
    if den == 0 {
        return "-".into();
    }
    let tenths = num * 1000 / den;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// `num / den` with two decimals, rounded down.
pub fn ratio(num: u128, den: u128) -> String {
    if den == 0 {
        return "-".into();
    }
    let hundredths = num * 100 / den;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// A bit rate for reading: `21.4Mbit/s`, rounded down to one decimal.
pub fn rate(bps: u128) -> String {
    for (unit, per) in [
        ("Gbit/s", 1_000_000_000u128),
        ("Mbit/s", 1_000_000),
        ("kbit/s", 1_000),
    ] {
        if bps >= per {
            let tenths = bps * 10 / per;
            return format!("{}.{}{unit}", tenths / 10, tenths % 10);
        }
    }
    format!("{bps}bit/s")
}

/// Processor demand of a mode in ticks per frame, and the capacity of the
/// cores its programs may use.
pub fn mode_demand(system: &System, mode: usize) -> (u128, u128, u32) {
    let m = &system.modes[mode];
    let h = u128::from(m.major_frame);
    let demand: u128 = m
        .programs
        .iter()
        .map(|p| {
            u128::from(p.requirement.wcet) * u128::from(p.requirement.timing.count(m.major_frame))
        })
        .sum();
    let mut used = vec![false; system.modules.len()];
    for p in &m.programs {
        for &a in &p.allowed {
            used[a] = true;
        }
    }
    let cores: u32 = system
        .modules
        .iter()
        .zip(&used)
        .filter(|(_, u)| **u)
        .map(|(m, _)| m.cores)
        .sum();
    (demand, h * u128::from(cores), cores)
}

/// `n` and the word in the right number: `1 switch`, `2 switches`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary `seamless validate` prints, and whether some necessary
/// condition of feasibility already fails.
pub fn validation(system: &System, files: &[SourceFile]) -> (String, bool) {
    let mut failed = false;
    let mut s = String::new();
    let cores: u32 = system.modules.iter().map(|m| m.cores).sum();
    let memory: u64 = system.modules.iter().map(|m| m.memory).sum();
    let _ = writeln!(
        s,
        "system `{}`: {} ({} {}, {}), {}, {}, {}, {}, {}, {}; tick {}",
        system.name,
        count(system.modules.len(), "module", "modules"),
        cores,
        if cores == 1 { "core" } else { "cores" },
        format_size_short(memory),
        count(system.switches.len(), "switch", "switches"),
        count(system.network.links.len(), "link", "links"),
        count(system.programs.len(), "program", "programs"),
        count(system.messages.len(), "message", "messages"),
        count(system.modes.len(), "mode", "modes"),
        count(system.transitions.len(), "transition", "transitions"),
        system.tick.text
    );
    for (mi, m) in system.modes.iter().enumerate() {
        let (demand, capacity, cores) = mode_demand(system, mi);
        let h = m.major_frame;
        let bytes: u128 = m
            .messages
            .iter()
            .map(|mm| u128::from(system.messages[mm.message].size) * u128::from(mm.timing.count(h)))
            .sum();
        // bits per second = bytes·8 / (H · tick_ns · 1e-9)
        let bps = bytes * 8 * 1_000_000_000 / (u128::from(h) * u128::from(system.tick.ns));
        let slowest = system.network.links.iter().map(|l| l.bandwidth).min();
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "mode `{}` ({})",
            m.name,
            files.get(m.file).map_or("?", |f| f.name.as_str())
        );
        let _ = writeln!(s, "  programs           {}", m.programs.len());
        let _ = writeln!(s, "  messages           {}", m.messages.len());
        let _ = writeln!(
            s,
            "  major frame        {} ({} ticks)",
            system.tick.format(h),
            h
        );
        let _ = writeln!(s, "  jobs               {}", m.job_count);
        let _ = writeln!(s, "  message instances  {}", m.instance_count);
        let _ = writeln!(
            s,
            "  processor demand   {} of {} cores ({})",
            ratio(demand, u128::from(h)),
            cores,
            percent(demand, capacity)
        );
        let net = match slowest {
            Some(b) => format!(
                "{} per frame, {} ({} of the slowest link, {})",
                format_size_short(bytes.min(u128::from(u64::MAX)) as u64),
                rate(bps),
                percent(bps, u128::from(b)),
                format_bandwidth(b)
            ),
            None => format!(
                "{} per frame (no links)",
                format_size_short(bytes.min(u128::from(u64::MAX)) as u64)
            ),
        };
        let _ = writeln!(s, "  network demand     {net}");
        let findings = seamless_synth::necessary_conditions(system, mi);
        if findings.is_empty() {
            let _ = writeln!(
                s,
                "  necessary conditions: hold (demand, memory, idle-network message times, pairs forced onto one core)"
            );
        } else {
            failed = true;
            let _ = writeln!(
                s,
                "  necessary conditions that fail ({}): no schedule can exist",
                findings.len()
            );
            for f in &findings {
                let text = f.explain(system);
                let mut lines = text.trim_end().lines();
                if let Some(first) = lines.next() {
                    let _ = writeln!(s, "    - {first}");
                }
                for l in lines {
                    let _ = writeln!(s, "      {l}");
                }
            }
        }
    }
    (s, failed)
}

/// What `seamless validate --format json|ron` prints: the system's size and,
/// per mode, its demand and the necessary conditions of feasibility that
/// fail. Times in ticks of `tick`.
#[derive(Debug, Serialize)]
pub struct ValidationDoc {
    /// The system's name.
    pub system: String,
    /// The tick as written in `system.ron` (`"1us"`); every time below counts
    /// these ticks.
    pub tick: String,
    /// Number of computing modules.
    pub modules: usize,
    /// Number of programs in the catalogue.
    pub programs: usize,
    /// Number of messages in the catalogue.
    pub messages: usize,
    /// Number of allowed transitions between modes.
    pub transitions: usize,
    /// No necessary condition fails in any mode.
    pub ok: bool,
    /// One entry per mode, in input order.
    pub modes: Vec<ModeValidation>,
}

/// One mode of a [`ValidationDoc`].
#[derive(Debug, Serialize)]
pub struct ModeValidation {
    /// The mode's name.
    pub mode: String,
    /// Number of programs the mode runs.
    pub programs: usize,
    /// Number of messages the mode sends.
    pub messages: usize,
    /// The mode's major frame, in ticks.
    pub major_frame: u64,
    /// Jobs per major frame, all programs together.
    pub jobs: u64,
    /// Message instances per major frame, all messages together.
    pub message_instances: u64,
    /// Processor time the jobs need per major frame, in ticks.
    pub processor_demand: u64,
    /// Processor time of the cores the mode's programs may use, per frame.
    pub processor_capacity: u64,
    /// Bytes sent per major frame.
    pub network_bytes_per_frame: u64,
    /// Every necessary condition that fails, explained (empty: they hold).
    pub necessary_conditions_failed: Vec<String>,
}

/// The data of [`validation`] as a document.
pub fn validation_doc(system: &System) -> ValidationDoc {
    let modes: Vec<ModeValidation> = system
        .modes
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            let (demand, capacity, _) = mode_demand(system, mi);
            let h = m.major_frame;
            let bytes: u128 = m
                .messages
                .iter()
                .map(|mm| {
                    u128::from(system.messages[mm.message].size) * u128::from(mm.timing.count(h))
                })
                .sum();
            ModeValidation {
                mode: m.name.clone(),
                programs: m.programs.len(),
                messages: m.messages.len(),
                major_frame: h,
                jobs: m.job_count,
                message_instances: m.instance_count,
                processor_demand: u64::try_from(demand).unwrap_or(u64::MAX),
                processor_capacity: u64::try_from(capacity).unwrap_or(u64::MAX),
                network_bytes_per_frame: u64::try_from(bytes).unwrap_or(u64::MAX),
                necessary_conditions_failed: seamless_synth::necessary_conditions(system, mi)
                    .iter()
                    .map(|f| f.explain(system).trim_end().to_string())
                    .collect(),
            }
        })
        .collect();
    ValidationDoc {
        system: system.name.clone(),
        tick: system.tick.text.clone(),
        modules: system.modules.len(),
        programs: system.programs.len(),
        messages: system.messages.len(),
        transitions: system.transitions.len(),
        ok: modes
            .iter()
            .all(|m| m.necessary_conditions_failed.is_empty()),
        modes,
    }
}

#[derive(Debug, Serialize)]
/// What `seamless expand --format json|ron` prints: every job and message
/// instance of the chosen modes, times in ticks from the start of the
/// major frame.
pub struct ExpansionDoc {
    /// The system's name.
    pub system: String,
    /// The tick as written in `system.ron` (`"1us"`).
    pub tick: String,
    /// One entry per mode asked for, in input order.
    pub modes: Vec<ModeExpansion>,
}

#[derive(Debug, Serialize)]
/// One mode of an [`ExpansionDoc`].
pub struct ModeExpansion {
    /// The mode's name.
    pub mode: String,
    /// The mode's major frame, in ticks.
    pub major_frame: u64,
    /// Every job of the frame, by program in mode order, then by index.
    pub jobs: Vec<JobOut>,
    /// Every message instance of the frame, by message in mode order, then by
    /// index.
    pub instances: Vec<InstanceOut>,
}

#[derive(Debug, Serialize)]
/// One job of an [`ExpansionDoc`].
pub struct JobOut {
    /// The program's name.
    pub program: String,
    /// `k`: which of the program's jobs in the frame, counted from 0.
    pub index: u32,
    /// Earliest start, in ticks from the start of the frame.
    pub release: u64,
    /// Latest end, in ticks from the start of the frame.
    pub deadline: u64,
    /// The program's worst-case execution time in this mode, in ticks.
    pub wcet: u64,
}

#[derive(Debug, Serialize)]
/// One message instance of an [`ExpansionDoc`].
pub struct InstanceOut {
    /// The message's name.
    pub message: String,
    /// `k`: which of the message's instances in the frame, counted from 0.
    pub index: u32,
    /// Earliest departure of its first hop, in ticks from the start of the frame.
    pub release: u64,
    /// Latest arrival at every receiver's module, in ticks from the start of
    /// the frame.
    pub deadline: u64,
    /// Bytes the instance carries.
    pub size: u64,
    /// Whether receiver job `k` must wait for instance `k` (`false`: it may
    /// use the previous value).
    pub precedence: bool,
}

/// The expansion of the given modes as a serializable document.
pub fn expansion_doc(system: &System, modes: &[usize]) -> ExpansionDoc {
    ExpansionDoc {
        system: system.name.clone(),
        tick: system.tick.text.clone(),
        modes: modes
            .iter()
            .map(|&mi| {
                let m = &system.modes[mi];
                let e = expand(m);
                ModeExpansion {
                    mode: m.name.clone(),
                    major_frame: m.major_frame,
                    jobs: e
                        .jobs
                        .iter()
                        .map(|j| {
                            let mp = &m.programs[j.slot as usize];
                            JobOut {
                                program: system.programs[mp.program].name.clone(),
                                index: j.index,
                                release: j.release,
                                deadline: j.deadline,
                                wcet: mp.requirement.wcet,
                            }
                        })
                        .collect(),
                    instances: e
                        .instances
                        .iter()
                        .map(|i| {
                            let mm = &m.messages[i.slot as usize];
                            InstanceOut {
                                message: system.messages[mm.message].name.clone(),
                                index: i.index,
                                release: i.release,
                                deadline: i.deadline,
                                size: system.messages[mm.message].size,
                                precedence: mm.precedence,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The expansion as aligned text.
pub fn expansion_text(system: &System, modes: &[usize]) -> String {
    let mut s = String::new();
    for (n, &mi) in modes.iter().enumerate() {
        let m = &system.modes[mi];
        let e = expand(m);
        if n > 0 {
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "mode `{}`: major frame {} ticks ({}), {} jobs, {} message instances (times in ticks of {})",
            m.name,
            m.major_frame,
            system.tick.format(m.major_frame),
            e.jobs.len(),
            e.instances.len(),
            system.tick.text
        );
        for (slot, mp) in m.programs.iter().enumerate() {
            let name = &system.programs[mp.program].name;
            let kind = match mp.requirement.timing {
                Timing::Periodic { period, .. } => format!("period {period}"),
                Timing::Once { .. } => "once per frame".to_string(),
            };
            let _ = writeln!(s, "  program {name} ({kind}, wcet {})", mp.requirement.wcet);
            for j in e.jobs_of(slot) {
                let _ = writeln!(
                    s,
                    "    job {:>6}  window [{}, {}]",
                    j.index, j.release, j.deadline
                );
            }
        }
        for (slot, mm) in m.messages.iter().enumerate() {
            let msg = &system.messages[mm.message];
            let _ = writeln!(
                s,
                "  message {} ({} bytes, {}precedence)",
                msg.name,
                msg.size,
                if mm.precedence { "" } else { "no " }
            );
            for i in e.instances_of(slot) {
                let _ = writeln!(
                    s,
                    "    instance {:>6}  window [{}, {}]",
                    i.index, i.release, i.deadline
                );
            }
        }
    }
    s
}
