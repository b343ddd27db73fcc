//! ARINC 653 module schedules in the XML shape of AIR's
//! `air_module_a653.xsd` (Part 1 `Module_Schedule`, Part 2 multiple module
//! schedules, AIR's multicore `WindowConfiguration`).

use seamless_model::System;
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;

use crate::decimal::{parse_seconds, parse_time, tick_seconds, ticks_to_ns};
use crate::view::{ModuleView, build};
use crate::xml::{Element, Writer, parse};
use crate::{ReadWindow, windows_of};

const NS_PER_S: u128 = 1_000_000_000;

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// One `ARINC_653_Module` element (indented `depth` levels).
fn module_element(
    system: &System,
    view: &ModuleView,
    depth: usize,
    first_mode: Option<usize>,
) -> String {
    let tick = system.tick.ns;
    let secs = |t: u64| tick_seconds(t, tick);
    let module = &system.modules[view.module];
    let mut w = Writer::fragment(depth);
    w.open(
        "ARINC_653_Module",
        &[
            (
                "xmlns:xsi",
                "http://www.w3.org/2001/XMLSchema-instance".into(),
            ),
            ("ModuleName", module.name.clone()),
        ],
    );
    w.comment(&format!(
        "computing module `{}` of system `{}` (cores: {}); the model's tick is {}",
        module.name, system.name, module.cores, system.tick.text
    ));
    // The coarsest clock that represents every instant exactly.
    let mut g = NS_PER_S;
    for mv in &view.modes {
        w.open(
            "Module_Schedule",
            &[
                ("ScheduleIdentifier", mv.mode.to_string()),
                ("ScheduleName", system.modes[mv.mode].name.clone()),
                (
                    "InitialModuleSchedule",
                    (Some(mv.mode) == first_mode).to_string(),
                ),
                ("MajorFrameSeconds", secs(mv.major_frame)),
            ],
        );
        g = gcd(g, ticks_to_ns(mv.major_frame, tick));
        // Window identifiers in time order over the whole schedule.
        let mut order: Vec<(u64, u32, usize, usize)> = Vec::new();
        for (pi, part) in mv.parts.iter().enumerate() {
            for (ji, &(core, start, _)) in part.jobs.iter().enumerate() {
                order.push((start, core, pi, ji));
            }
        }
        order.sort();
        let mut window_id = vec![Vec::new(); mv.parts.len()];
        for (i, part) in mv.parts.iter().enumerate() {
            window_id[i] = vec![0usize; part.jobs.len()];
        }
        for (n, &(_, _, pi, ji)) in order.iter().enumerate() {
            window_id[pi][ji] = n + 1;
        }
        for (pi, part) in mv.parts.iter().enumerate() {
            let name = &system.programs[part.program].name;
            if !part.reasons.is_empty() {
                let list: Vec<String> = part
                    .reasons
                    .iter()
                    .map(|(from, a)| format!("{} from `{from}`", a.name()))
                    .collect();
                w.comment(&format!(
                    "`{name}` enters this schedule differently by transition ({}); the strongest is used",
                    list.join(", ")
                ));
            }
            w.open(
                "Partition_Schedule",
                &[
                    ("PartitionIdentifier", (part.program + 1).to_string()),
                    ("PartitionName", name.clone()),
                    ("PeriodSeconds", secs(part.period)),
                    ("PeriodDurationSeconds", secs(part.wcet)),
                    ("SetModuleSchedule", "false".into()),
                    ("ScheduleChangeAction", part.action.name().into()),
                ],
            );
            g = gcd(g, ticks_to_ns(part.period, tick));
            let mut last_period: Option<u64> = None;
            for (ji, &(core, start, end)) in part.jobs.iter().enumerate() {
                let period_index = start / part.period.max(1);
                let period_start = last_period != Some(period_index);
                last_period = Some(period_index);
                g = gcd(g, ticks_to_ns(start, tick));
                g = gcd(g, ticks_to_ns(end - start, tick));
                w.open(
                    "Window_Schedule",
                    &[
                        ("WindowIdentifier", window_id[pi][ji].to_string()),
                        ("WindowStartSeconds", secs(start)),
                        ("WindowDurationSeconds", secs(end - start)),
                        ("PartitionPeriodStart", period_start.to_string()),
                    ],
                );
                w.empty("WindowConfiguration", &[("Cores", core.to_string())]);
                w.close("Window_Schedule");
            }
            w.close("Partition_Schedule");
        }
        w.close("Module_Schedule");
    }
    let g = g.max(1);
    w.empty(
        "AIR_Configuration",
        &[
            ("TicksPerSecond", (NS_PER_S / g).to_string()),
            ("RequiredCores", module.cores.to_string()),
        ],
    );
    w.close("ARINC_653_Module");
    w.finish()
}

fn first_mode(views: &crate::view::Views) -> Option<usize> {
    views
        .modules
        .iter()
        .flat_map(|m| m.modes.iter().map(|x| x.mode))
        .min()
}

const ABOUT: &str = "ARINC 653 module schedules generated by seamless. One Module_Schedule per mode \
(ScheduleIdentifier = the mode's index), one Partition_Schedule per program on the module \
(PartitionIdentifier = catalogue index + 1), one Window_Schedule per job, on the core given by \
WindowConfiguration. ScheduleChangeAction: IGNORE = continues on this module, COLD_START = starts \
with the mode, WARM_START = migrated here (the strongest when transitions differ). Partitions, \
memory, ports and health-monitoring tables are left to the integrator.";

/// One standalone ARINC 653 document per computing module (in
/// `System::modules` order): `(module name, XML)`, root `ARINC_653_Module`.
/// See [`arinc653`] for what it contains.
pub fn arinc653_modules(
    system: &System,
    schedules: &[Schedule],
    plans: &[Plan],
) -> Vec<(String, String)> {
    let views = build(system, schedules, plans);
    let first = first_mode(&views);
    views
        .modules
        .iter()
        .map(|v| {
            let mut w = Writer::new();
            w.comment(ABOUT);
            for n in &views.notes {
                w.comment(n);
            }
            w.raw(&module_element(system, v, 0, first));
            (system.modules[v.module].name.clone(), w.finish())
        })
        .collect()
}

/// The ARINC 653 export of every computing module in one document: root
/// `ARINC_653_Modules` (attributes `System` and `Tick`, the model's tick,
/// which [`read_arinc653`] needs), holding one `ARINC_653_Module
/// ModuleName=".."` per computing module, each exactly what
/// [`arinc653_modules`] writes for it (an ARINC 653 configuration describes
/// one module: split the document, or use [`arinc653_modules`]).
///
/// Per module: one `Module_Schedule` per mode (`ScheduleIdentifier` = mode
/// index, `ScheduleName`, `InitialModuleSchedule` true for the first mode,
/// `MajorFrameSeconds`), even when nothing of the mode runs on the module;
/// in it one `Partition_Schedule` per program that runs on the module in
/// that mode (`PartitionIdentifier` = catalogue index + 1, `PartitionName`,
/// `PeriodSeconds` = the mode's period, or the major frame for a
/// once-per-frame program, `PeriodDurationSeconds` = the wcet,
/// `SetModuleSchedule="false"`, `ScheduleChangeAction`), in it one
/// `Window_Schedule` per job (`WindowIdentifier` numbered from 1 in time
/// order over the schedule, `WindowStartSeconds`, `WindowDurationSeconds`,
/// `PartitionPeriodStart` true on the first window of each of the
/// partition's periods, i.e. on every job) holding `WindowConfiguration
/// Cores="c"` (the core index). Last, `AIR_Configuration` with
/// `RequiredCores` and `TicksPerSecond`, the coarsest clock that represents
/// every instant of the module's schedules exactly.
///
/// `ScheduleChangeAction`, from the plans of the transitions into the mode
/// (derived from the placements where a transition has no plan):
/// `IGNORE` for a program that continues on this module, `COLD_START` for
/// one that starts with the mode, `WARM_START` for one migrated here; when
/// transitions into the mode disagree, the strongest (`WARM_START` >
/// `COLD_START` > `IGNORE`) is used and a comment lists them; a mode with no
/// transition into it gets `COLD_START`.
///
/// Seconds are exact decimals from integer ticks (`"0.0025"`). Never fails:
/// schedules or plans naming what the system does not have are left out and
/// listed in a comment.
pub fn arinc653(system: &System, schedules: &[Schedule], plans: &[Plan]) -> String {
    let views = build(system, schedules, plans);
    let first = first_mode(&views);
    let mut w = Writer::new();
    w.comment(ABOUT);
    for n in &views.notes {
        w.comment(n);
    }
    w.open(
        "ARINC_653_Modules",
        &[
            ("System", system.name.clone()),
            ("Tick", system.tick.text.clone()),
        ],
    );
    for v in &views.modules {
        w.raw(&module_element(system, v, 1, first));
    }
    w.close("ARINC_653_Modules");
    w.finish()
}

fn read_module(m: &Element, tick_ns: u64, out: &mut Vec<ReadWindow>) -> Result<(), String> {
    let module = m.req("ModuleName")?;
    let ticks = |e: &Element, attr: &str| -> Result<u64, String> {
        let v = e.req(attr)?;
        let ns = parse_seconds(v).map_err(|x| format!("{attr}: {x}"))?;
        crate::decimal::ns_to_ticks(ns, tick_ns).map_err(|x| format!("{attr}: {x}"))
    };
    for s in m.children_named("Module_Schedule") {
        let mode = s.req("ScheduleName")?;
        let h = ticks(s, "MajorFrameSeconds")?;
        for p in s.children_named("Partition_Schedule") {
            let partition = p.req("PartitionName")?;
            for win in p.children_named("Window_Schedule") {
                let start = ticks(win, "WindowStartSeconds")?;
                let duration = ticks(win, "WindowDurationSeconds")?;
                if duration == 0 || start.checked_add(duration).is_none_or(|e| e > h) {
                    return Err(format!(
                        "window {} of `{partition}` in `{mode}` lies outside the major frame",
                        win.attr("WindowIdentifier").unwrap_or("?")
                    ));
                }
                let mut cores = Vec::new();
                for c in win.children_named("WindowConfiguration") {
                    for part in c
                        .req("Cores")?
                        .split([';', ',', ' '])
                        .filter(|x| !x.is_empty())
                    {
                        cores.push(
                            part.trim()
                                .parse::<u32>()
                                .map_err(|_| format!("Cores: `{part}` is not a core index"))?,
                        );
                    }
                }
                if cores.is_empty() {
                    cores.push(0);
                }
                for core in cores {
                    out.push(ReadWindow {
                        module: module.to_string(),
                        mode: mode.to_string(),
                        core,
                        partition: partition.to_string(),
                        start_ticks: start,
                        duration_ticks: duration,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Reads the windows of an ARINC 653 document written by [`arinc653`] (root
/// `ARINC_653_Modules`, whose `Tick` gives the tick), sorted. A bare
/// `ARINC_653_Module` document carries no tick: read it with
/// [`read_arinc653_with_tick`].
pub fn read_arinc653(xml: &str) -> Result<Vec<ReadWindow>, String> {
    let root = parse(xml).map_err(|e| e.to_string())?;
    if root.name != "ARINC_653_Modules" {
        return Err(format!(
            "root <{}>: expected <ARINC_653_Modules Tick=...> (read a single module with read_arinc653_with_tick)",
            root.name
        ));
    }
    let tick = parse_time(root.req("Tick")?).map_err(|e| format!("Tick: {e}"))?;
    let tick = u64::try_from(tick)
        .ok()
        .filter(|&t| t > 0)
        .ok_or("Tick: not a positive number of nanoseconds")?;
    read_arinc653_with_tick(xml, tick)
}

/// Reads the windows of an ARINC 653 document (a bare `ARINC_653_Module` or
/// an `ARINC_653_Modules` collection), converting seconds to ticks of
/// `tick_ns` nanoseconds exactly (an instant that is not a whole number of
/// ticks is an error). Sorted.
pub fn read_arinc653_with_tick(xml: &str, tick_ns: u64) -> Result<Vec<ReadWindow>, String> {
    if tick_ns == 0 {
        return Err("zero tick".into());
    }
    let root = parse(xml).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    match root.name.as_str() {
        "ARINC_653_Module" => read_module(&root, tick_ns, &mut out)?,
        "ARINC_653_Modules" => {
            for m in root.children_named("ARINC_653_Module") {
                read_module(m, tick_ns, &mut out)?;
            }
        }
        other => return Err(format!("root <{other}> is not an ARINC 653 module")),
    }
    out.sort();
    Ok(out)
}

/// The windows [`arinc653`] and [`crate::xtratum`] should show for these
/// schedules: one per job (module, mode, core, program, start, duration),
/// sorted.
pub fn expected_windows(schedules: &[Schedule]) -> Vec<ReadWindow> {
    windows_of(schedules)
}
