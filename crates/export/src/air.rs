//! The rules AIR's configurator applies to an ARINC 653 module file, as
//! checks: what a file must satisfy for `air/tools/configurator` (of
//! `air-gmv/air`: `parsers/a653/parser.py`, `parsers/air/parser.py`,
//! `air/configurations.py`, `utils/parser.py`) to load it and run every
//! window where and when it says.
//!
//! The configurator reads every `…Seconds` attribute through floating point
//! and keeps three decimals (`int(float(s) * 1000) / 1000.0`, then
//! `int(x * 1E9)` nanoseconds): [`configurator_ns`] does exactly the same
//! IEEE-754 double computation, so a check here and the configurator agree
//! bit for bit. This is the only floating point of the crate, and it is
//! there to model the target, never to compute a schedule.

use crate::xml::{Element, parse};

/// The most `TicksPerSecond` AIR's configurator accepts
/// (`validate_ticks_per_second`: `0 < x <= 50000`).
pub const AIR_MAX_TICKS_PER_SECOND: u64 = 50_000;

/// The name of the placeholder partition written on a module that hosts no
/// program in some mode (AIR needs at least one `Partition_Schedule` per
/// `Module_Schedule`): it holds the whole major frame on core 0 and is meant
/// to do nothing. The readers skip it.
pub const IDLE_PARTITION: &str = "seamless_idle";

/// The nanoseconds AIR's configurator takes from a seconds attribute, or
/// `None` if it would reject the text (not a non-negative float). Python 2:
/// `str2float` keeps three decimals through a double, then
/// `int(x * A653_TIMESCALE)` with `A653_TIMESCALE = 1E9`.
pub fn configurator_ns(text: &str) -> Option<u64> {
    let f: f64 = text.trim().parse().ok()?;
    if !f.is_finite() || f < 0.0 {
        return None;
    }
    let kept = (f * 1000.0).trunc() / 1000.0;
    let ns = (kept * 1e9).trunc();
    if ns >= 1.8e19 {
        return None;
    }
    Some(ns as u64)
}

fn int_attr(e: &Element, name: &str) -> Result<Option<i64>, String> {
    match e.attr(name) {
        None => Ok(None),
        Some(v) => {
            let v = v.trim();
            let parsed = if let Some(h) = v.strip_prefix("0x") {
                i64::from_str_radix(h, 16)
            } else {
                v.parse::<i64>()
            };
            parsed
                .map(Some)
                .map_err(|_| format!("<{}> {name}=\"{v}\" is not an integer", e.name))
        }
    }
}

fn secs_attr(e: &Element, name: &str, problems: &mut Vec<String>) -> Option<u64> {
    match e.attr(name) {
        None => {
            problems.push(format!("<{}> has no `{name}`", e.name));
            None
        }
        Some(v) => {
            let r = configurator_ns(v);
            if r.is_none() {
                problems.push(format!(
                    "<{}> {name}=\"{v}\" is not a non-negative number",
                    e.name
                ));
            }
            r
        }
    }
}

fn bool_attr(e: &Element, name: &str) -> Result<Option<bool>, String> {
    match e.attr(name).map(str::to_lowercase).as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(format!(
            "<{}> {name}=\"{other}\" is not true or false",
            e.name
        )),
    }
}

/// A name as the configurator and the schema take it: 1 to 256 characters.
fn name_ok(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 256
}

struct Win {
    id: i64,
    start: u64,
    duration: u64,
    cores: Vec<i64>,
    partition: String,
}

/// Checks one ARINC 653 module document (root `ARINC_653_Module`) against
/// the rules of AIR's configurator; returns every problem found (empty: AIR
/// loads it). Checked: `AIR_Configuration` (`0 < TicksPerSecond <= 50000`,
/// `RequiredCores >= 1`); at least one `Partition`, each with a unique
/// identifier, a name, an `EntryPoint` and exactly one
/// `PartitionConfiguration` (`Personality`, `Cores`); at least one
/// `Module_Schedule`, each with a unique `ScheduleIdentifier`, a
/// `ScheduleName`, `InitialModuleSchedule` when there are several (exactly
/// one true), a `MajorFrameSeconds`, and at least one `Partition_Schedule`;
/// every `Partition_Schedule` names a defined partition (identifier and
/// name), at most once per schedule, its period divides the major frame, it
/// has at least one `Window_Schedule`, no window crosses the end of its
/// period, at most one `PartitionPeriodStart` per period, and the windows of
/// every period add up to `PeriodDurationSeconds`; every
/// `WindowConfiguration` (a child of `Partition_Schedule`) names a window of
/// that partition schedule and lists as many distinct cores, each below
/// `RequiredCores`, as the partition has (a window without one runs on core
/// 0); per core, windows do not overlap and end within the major frame; and
/// every window, and every idle gap the configurator fills, starts and lasts
/// a whole number of `TicksPerSecond` ticks. Times are read exactly as
/// [`configurator_ns`] does.
pub fn check_air_module(xml: &str) -> Vec<String> {
    let mut p = Vec::new();
    let root = match parse(xml) {
        Ok(r) => r,
        Err(e) => return vec![format!("not well-formed XML: {e}")],
    };
    if root.name != "ARINC_653_Module" {
        return vec![format!("root <{}> is not <ARINC_653_Module>", root.name)];
    }
    // module extension
    let mut tps: i64 = 100;
    let mut cores: i64 = 1;
    let ext: Vec<&Element> = root.children_named("AIR_Configuration").collect();
    if ext.len() > 1 {
        p.push("more than one <AIR_Configuration>".into());
    }
    if let Some(x) = ext.first() {
        match int_attr(x, "TicksPerSecond") {
            Ok(Some(t)) if t > 0 && t as u64 <= AIR_MAX_TICKS_PER_SECOND => tps = t,
            Ok(Some(t)) => p.push(format!(
                "TicksPerSecond=\"{t}\": AIR accepts 1 to {AIR_MAX_TICKS_PER_SECOND}"
            )),
            Ok(None) => p.push("<AIR_Configuration> has no TicksPerSecond".into()),
            Err(e) => p.push(e),
        }
        match int_attr(x, "RequiredCores") {
            Ok(Some(c)) if c > 0 => cores = c,
            Ok(Some(c)) => p.push(format!("RequiredCores=\"{c}\" is not positive")),
            Ok(None) => {}
            Err(e) => p.push(e),
        }
    }
    // partitions: (id, name, core count)
    let mut parts: Vec<(i64, String, i64)> = Vec::new();
    let xml_parts: Vec<&Element> = root.children_named("Partition").collect();
    if xml_parts.is_empty() {
        p.push("no <Partition>: AIR needs at least one".into());
    }
    for x in xml_parts {
        let id = match int_attr(x, "PartitionIdentifier") {
            Ok(Some(i)) if (0..=2_147_483_647).contains(&i) => i,
            Ok(_) => {
                p.push("<Partition> without a valid PartitionIdentifier".into());
                continue;
            }
            Err(e) => {
                p.push(e);
                continue;
            }
        };
        let name = x.attr("PartitionName").unwrap_or("").to_string();
        if !name.is_empty() && !name_ok(&name) {
            p.push(format!("partition {id}: name longer than 256 characters"));
        }
        if x.attr("EntryPoint").is_none_or(|e| !name_ok(e)) {
            p.push(format!("partition {id} `{name}` has no EntryPoint"));
        }
        let confs: Vec<&Element> = x.children_named("PartitionConfiguration").collect();
        let mut pc = 1;
        if confs.len() != 1 {
            p.push(format!(
                "partition {id} `{name}`: {} <PartitionConfiguration>, AIR needs exactly one",
                confs.len()
            ));
        } else {
            if confs[0].attr("Personality").is_none_or(str::is_empty) {
                p.push(format!("partition {id} `{name}` has no Personality"));
            }
            match int_attr(confs[0], "Cores") {
                Ok(Some(c)) if c > 0 && c <= cores => pc = c,
                Ok(None) => {}
                Ok(Some(c)) => p.push(format!(
                    "partition {id} `{name}`: Cores=\"{c}\" is not in 1..={cores}"
                )),
                Err(e) => p.push(e),
            }
        }
        if parts.iter().any(|(i, _, _)| *i == id) {
            p.push(format!("partition {id} defined twice"));
        }
        parts.push((id, name, pc));
    }
    // schedules
    let schedules: Vec<&Element> = root.children_named("Module_Schedule").collect();
    if schedules.is_empty() {
        p.push("no <Module_Schedule>: AIR needs at least one".into());
    }
    let multiple = schedules.len() > 1;
    let mut ids = Vec::new();
    let mut initial = 0;
    for s in schedules {
        let sid = match int_attr(s, "ScheduleIdentifier") {
            Ok(Some(i)) if i >= 0 => i,
            Ok(_) => {
                p.push("<Module_Schedule> without a ScheduleIdentifier".into());
                continue;
            }
            Err(e) => {
                p.push(e);
                continue;
            }
        };
        if ids.contains(&sid) {
            p.push(format!("schedule {sid} defined twice"));
        }
        ids.push(sid);
        let sname = s.attr("ScheduleName").unwrap_or("");
        if !name_ok(sname) {
            p.push(format!("schedule {sid} has no ScheduleName"));
        }
        match bool_attr(s, "InitialModuleSchedule") {
            Ok(Some(true)) => initial += 1,
            Ok(Some(false)) => {}
            Ok(None) if multiple => p.push(format!(
                "schedule {sid}: InitialModuleSchedule is required when there are several schedules"
            )),
            Ok(None) => initial += 1,
            Err(e) => p.push(e),
        }
        let Some(mtf) = secs_attr(s, "MajorFrameSeconds", &mut p) else {
            continue;
        };
        if mtf == 0 {
            p.push(format!("schedule {sid}: the major frame is 0"));
            continue;
        }
        let ctx = format!("schedule {sid} `{sname}`");
        let ps: Vec<&Element> = s.children_named("Partition_Schedule").collect();
        if ps.is_empty() {
            p.push(format!(
                "{ctx}: no <Partition_Schedule>, AIR needs at least one"
            ));
        }
        let mut windows: Vec<Win> = Vec::new();
        let mut seen: Vec<i64> = Vec::new();
        for x in ps {
            let pid = match int_attr(x, "PartitionIdentifier") {
                Ok(Some(i)) => i,
                Ok(None) => {
                    p.push(format!("{ctx}: <Partition_Schedule> without identifier"));
                    continue;
                }
                Err(e) => {
                    p.push(e);
                    continue;
                }
            };
            let pname = x.attr("PartitionName");
            let Some(&(_, ref name, pcores)) = parts
                .iter()
                .find(|(i, n, _)| *i == pid && pname.is_none_or(|pn| pn == n))
            else {
                p.push(format!(
                    "{ctx}: partition {pid} `{}` is not defined",
                    pname.unwrap_or("")
                ));
                continue;
            };
            let name = name.clone();
            let pctx = format!("{ctx}, partition `{name}`");
            if seen.contains(&pid) {
                p.push(format!("{pctx}: scheduled twice"));
            }
            seen.push(pid);
            let (Some(period), Some(duration)) = (
                secs_attr(x, "PeriodSeconds", &mut p),
                secs_attr(x, "PeriodDurationSeconds", &mut p),
            ) else {
                continue;
            };
            if period == 0 || mtf % period != 0 {
                p.push(format!(
                    "{pctx}: period {period} ns does not divide the major frame {mtf} ns"
                ));
                continue;
            }
            if let Err(e) = bool_attr(x, "SetModuleSchedule") {
                p.push(e);
            }
            if let Some(a) = x.attr("ScheduleChangeAction")
                && !["IGNORE", "IDLE", "WARM_START", "COLD_START"].contains(&a)
            {
                p.push(format!("{pctx}: ScheduleChangeAction \"{a}\" is not known"));
            }
            let count = (mtf / period) as usize;
            let mut started = vec![false; count];
            let mut sums = vec![0u64; count];
            let mut mine: Vec<Win> = Vec::new();
            let xw: Vec<&Element> = x.children_named("Window_Schedule").collect();
            if xw.is_empty() {
                p.push(format!("{pctx}: no <Window_Schedule>"));
            }
            for w in xw {
                let id = match int_attr(w, "WindowIdentifier") {
                    Ok(Some(i)) => i,
                    Ok(None) => {
                        p.push(format!("{pctx}: a window without WindowIdentifier"));
                        continue;
                    }
                    Err(e) => {
                        p.push(e);
                        continue;
                    }
                };
                let (Some(start), Some(dur)) = (
                    secs_attr(w, "WindowStartSeconds", &mut p),
                    secs_attr(w, "WindowDurationSeconds", &mut p),
                ) else {
                    continue;
                };
                let end = start + dur;
                let si = (start / period) as usize;
                let ei = if end == mtf {
                    count - 1
                } else if end == (si as u64 + 1) * period {
                    si
                } else {
                    (end / period) as usize
                };
                if si != ei || si >= count {
                    p.push(format!("{pctx}: window {id} crosses the end of its period"));
                    continue;
                }
                match bool_attr(w, "PartitionPeriodStart") {
                    Ok(Some(true)) => {
                        if started[si] {
                            p.push(format!(
                                "{pctx}: window {id} starts period {si} a second time"
                            ));
                        }
                        started[si] = true;
                    }
                    Ok(_) => {}
                    Err(e) => p.push(e),
                }
                sums[si] += dur;
                mine.push(Win {
                    id,
                    start,
                    duration: dur,
                    cores: vec![0],
                    partition: name.clone(),
                });
            }
            for (i, s) in sums.iter().enumerate() {
                if *s != duration {
                    p.push(format!(
                        "{pctx}: the windows of period {i} last {s} ns, PeriodDurationSeconds says {duration} ns"
                    ));
                    break;
                }
            }
            for c in x.children_named("WindowConfiguration") {
                let wid = match int_attr(c, "WindowIdentifier") {
                    Ok(Some(i)) => i,
                    Ok(None) => {
                        p.push(format!(
                            "{pctx}: <WindowConfiguration> without WindowIdentifier"
                        ));
                        continue;
                    }
                    Err(e) => {
                        p.push(e);
                        continue;
                    }
                };
                let list: Result<Vec<i64>, String> = c
                    .attr("Cores")
                    .unwrap_or("")
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<i64>().map_err(|_| format!("Cores: `{s}`")))
                    .collect();
                let list = match list {
                    Ok(l) => l,
                    Err(e) => {
                        p.push(format!("{pctx}, window {wid}: {e} is not a core"));
                        continue;
                    }
                };
                let mut dedup = list.clone();
                dedup.sort_unstable();
                dedup.dedup();
                if list.is_empty()
                    || dedup.len() != list.len()
                    || list.iter().any(|&c| c < 0 || c >= cores)
                {
                    p.push(format!(
                        "{pctx}, window {wid}: Cores {list:?} must be distinct cores in 0..{cores}"
                    ));
                    continue;
                }
                if list.len() as i64 != pcores {
                    p.push(format!(
                        "{pctx}, window {wid}: {} cores for a partition of {pcores}",
                        list.len()
                    ));
                    continue;
                }
                match mine.iter_mut().find(|w| w.id == wid) {
                    Some(w) => w.cores = list,
                    None => p.push(format!("{pctx}: WindowConfiguration names no window {wid}")),
                }
            }
            for w in &mine {
                if w.cores.len() as i64 != pcores {
                    p.push(format!(
                        "{pctx}, window {}: runs on {} cores, the partition has {pcores}",
                        w.id,
                        w.cores.len()
                    ));
                }
            }
            windows.extend(mine);
        }
        // per core: no overlap, within the frame, on the tick
        let on_tick = |t: u64| {
            let x = (t as f64 / 1e9) * tps as f64;
            x == x.trunc()
        };
        for core in 0..cores {
            let mut ws: Vec<&Win> = windows.iter().filter(|w| w.cores.contains(&core)).collect();
            ws.sort_by_key(|w| w.start);
            let mut offset = 0u64;
            for (i, w) in ws.iter().enumerate() {
                let end = w.start + w.duration;
                if let Some(next) = ws.get(i + 1)
                    && end > next.start
                {
                    p.push(format!(
                        "{ctx}, core {core}: window {} of `{}` overlaps window {} of `{}`",
                        w.id, w.partition, next.id, next.partition
                    ));
                }
                if end > mtf {
                    p.push(format!(
                        "{ctx}, core {core}: window {} of `{}` ends after the major frame",
                        w.id, w.partition
                    ));
                }
                if w.start > offset && !(on_tick(offset) && on_tick(w.start - offset)) {
                    p.push(format!(
                        "{ctx}, core {core}: the idle gap before window {} is not on the {tps}/s tick",
                        w.id
                    ));
                }
                if !(on_tick(w.start) && on_tick(w.duration)) {
                    p.push(format!(
                        "{ctx}, core {core}: window {} of `{}` is not on the {tps}/s tick",
                        w.id, w.partition
                    ));
                }
                offset = offset.max(end);
            }
            if offset < mtf && !(on_tick(offset) && on_tick(mtf - offset)) {
                p.push(format!(
                    "{ctx}, core {core}: the idle time at the end of the frame is not on the {tps}/s tick"
                ));
            }
        }
    }
    if multiple && initial != 1 {
        p.push(format!(
            "{initial} schedules say InitialModuleSchedule=\"true\"; one must"
        ));
    }
    if root.children_named("Connection_Table").count() > 1 {
        p.push("more than one <Connection_Table>".into());
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seconds_like_the_configurator() {
        assert_eq!(configurator_ns("0.0025"), Some(2_000_000), "three decimals");
        assert_eq!(configurator_ns("0.02"), Some(20_000_000));
        assert_eq!(configurator_ns("1.0"), Some(1_000_000_000));
        // 1.001 * 1000 = 1000.99999… truncated: 1 s
        assert_eq!(configurator_ns("1.001"), Some(1_000_000_000));
        // 1001 ms kept, then 1.001 * 1E9 = 1000999999.99… truncated
        assert_eq!(configurator_ns("1.0010001"), Some(1_000_999_999));
        assert_eq!(configurator_ns("-1"), None);
        assert_eq!(configurator_ns("x"), None);
    }

    #[test]
    fn an_empty_schedule_and_a_missing_partition_are_refused() {
        let doc = r#"<ARINC_653_Module><Module_Schedule ScheduleIdentifier="0" ScheduleName="a" MajorFrameSeconds="0.02"/><AIR_Configuration TicksPerSecond="1000000"/></ARINC_653_Module>"#;
        let p = check_air_module(doc);
        assert!(p.iter().any(|x| x.contains("TicksPerSecond")), "{p:?}");
        assert!(p.iter().any(|x| x.contains("no <Partition>")), "{p:?}");
        assert!(
            p.iter().any(|x| x.contains("no <Partition_Schedule>")),
            "{p:?}"
        );
    }
}
