//! ARINC 653 module schedules in the XML shape of AIR's
//! `air_module_a653.xsd` (Part 1 `Module_Schedule`, Part 2 multiple module
//! schedules, AIR's multicore `WindowConfiguration`).

use seamless_model::System;
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;

use crate::air::{AIR_MAX_TICKS_PER_SECOND, IDLE_PARTITION, configurator_ns};
use crate::decimal::{parse_seconds, parse_time, seconds, tick_seconds, ticks_to_ns};
use crate::view::{ModuleView, build};
use crate::xml::{Element, Writer, parse};
use crate::{ReadWindow, windows_of};

const NS_PER_S: u128 = 1_000_000_000;

/// The `Personality` written on every partition: a placeholder the
/// integrator replaces with the partition's operating system.
pub const PLACEHOLDER_PERSONALITY: &str = "BARE";

/// Why the ARINC 653 export cannot be loaded by AIR as it is: every
/// instant AIR would read differently, or a clock finer than AIR accepts.
/// Quantise the schedules to a coarser tick ([`crate::quantise`]) and export
/// those, or keep the schedules and fix the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AirError {
    /// One line per problem, in document order.
    pub problems: Vec<String>,
}

impl std::fmt::Display for AirError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "AIR cannot load this ARINC 653 export as it is ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for p in self.problems.iter().take(10) {
            writeln!(f, "  {p}")?;
        }
        if n > 10 {
            writeln!(f, "  ... and {} more", n - 10)?;
        }
        Ok(())
    }
}

impl std::error::Error for AirError {}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// One `ARINC_653_Module` element (indented `depth` levels), and every
/// reason AIR's configurator would not load it as meant.
fn module_element(
    system: &System,
    view: &ModuleView,
    depth: usize,
    first_mode: Option<usize>,
) -> (String, Vec<String>) {
    let tick = system.tick.ns;
    let module = &system.modules[view.module];
    let mut problems: Vec<String> = Vec::new();
    // Every seconds value, checked against how AIR's configurator reads it.
    let mut secs = |t: u64, what: &dyn Fn() -> String| {
        let text = tick_seconds(t, tick);
        let ns = ticks_to_ns(t, tick);
        match configurator_ns(&text) {
            Some(read) if u128::from(read) == ns => {}
            read => problems.push(format!(
                "{}: AIR's configurator reads {text} s as {} (it keeps three decimals of every time, through floating point)",
                what(),
                read.map_or("an error".to_string(), |r| format!("{} s", seconds(u128::from(r))))
            )),
        }
        text
    };
    let idle_id = system.programs.len() + 1;
    let needs_idle = view.modes.iter().any(|m| m.parts.is_empty());
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
    w.comment(
        "PLACEHOLDER (integrator): EntryPoint, Personality, memory, ports, channels and \
         health-monitoring tables. The schedules below are seamless's and verified.",
    );
    for &p in &view.programs {
        w.open(
            "Partition",
            &[
                ("PartitionIdentifier", (p + 1).to_string()),
                ("PartitionName", system.programs[p].name.clone()),
                ("Criticality", "LEVEL_A".into()),
                ("SystemPartition", "false".into()),
                ("EntryPoint", "entry_point".into()),
            ],
        );
        w.empty(
            "PartitionConfiguration",
            &[
                ("xmlns", "PartitionExt".into()),
                ("Personality", PLACEHOLDER_PERSONALITY.into()),
                ("Cores", "1".into()),
            ],
        );
        w.close("Partition");
    }
    if needs_idle {
        w.comment(&format!(
            "`{IDLE_PARTITION}`: a placeholder partition that does nothing, for the modes in which \
             this module hosts no program (AIR needs a Partition_Schedule in every Module_Schedule)"
        ));
        w.open(
            "Partition",
            &[
                ("PartitionIdentifier", idle_id.to_string()),
                ("PartitionName", IDLE_PARTITION.into()),
                ("Criticality", "LEVEL_E".into()),
                ("SystemPartition", "false".into()),
                ("EntryPoint", "entry_point".into()),
            ],
        );
        w.empty(
            "PartitionConfiguration",
            &[
                ("xmlns", "PartitionExt".into()),
                ("Personality", PLACEHOLDER_PERSONALITY.into()),
                ("Cores", "1".into()),
            ],
        );
        w.close("Partition");
    }
    // The coarsest clock that represents every instant exactly.
    let mut g = NS_PER_S;
    for mv in &view.modes {
        let mode_name = &system.modes[mv.mode].name;
        let mtf = secs(mv.major_frame, &|| {
            format!(
                "module `{}`, mode `{mode_name}`: the major frame",
                module.name
            )
        });
        w.open(
            "Module_Schedule",
            &[
                ("ScheduleIdentifier", mv.mode.to_string()),
                ("ScheduleName", mode_name.clone()),
                (
                    "InitialModuleSchedule",
                    (Some(mv.mode) == first_mode).to_string(),
                ),
                ("MajorFrameSeconds", mtf.clone()),
            ],
        );
        g = gcd(g, ticks_to_ns(mv.major_frame, tick));
        if mv.parts.is_empty() {
            w.comment(&format!(
                "this module hosts no program in mode `{mode_name}`: the idle placeholder holds the frame"
            ));
            w.open(
                "Partition_Schedule",
                &[
                    ("PartitionIdentifier", idle_id.to_string()),
                    ("PartitionName", IDLE_PARTITION.into()),
                    ("PeriodSeconds", mtf.clone()),
                    ("PeriodDurationSeconds", mtf.clone()),
                    ("SetModuleSchedule", "false".into()),
                    ("ScheduleChangeAction", "IGNORE".into()),
                ],
            );
            w.empty(
                "Window_Schedule",
                &[
                    ("WindowIdentifier", "1".into()),
                    ("WindowStartSeconds", "0.0".into()),
                    ("WindowDurationSeconds", mtf.clone()),
                    ("PartitionPeriodStart", "true".into()),
                ],
            );
            w.empty(
                "WindowConfiguration",
                &[
                    ("xmlns", "Window_Sched_Ext".into()),
                    ("WindowIdentifier", "1".into()),
                    ("Cores", "0".into()),
                ],
            );
            w.close("Partition_Schedule");
        }
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
            let ctx = || format!("module `{}`, mode `{mode_name}`, `{name}`", module.name);
            w.open(
                "Partition_Schedule",
                &[
                    ("PartitionIdentifier", (part.program + 1).to_string()),
                    ("PartitionName", name.clone()),
                    (
                        "PeriodSeconds",
                        secs(part.period, &|| format!("{}: the period", ctx())),
                    ),
                    (
                        "PeriodDurationSeconds",
                        secs(part.wcet, &|| format!("{}: the wcet", ctx())),
                    ),
                    ("SetModuleSchedule", "false".into()),
                    ("ScheduleChangeAction", part.action.name().into()),
                ],
            );
            g = gcd(g, ticks_to_ns(part.period, tick));
            let mut last_period: Option<u64> = None;
            for (ji, &(_, start, end)) in part.jobs.iter().enumerate() {
                let period_index = start / part.period.max(1);
                let period_start = last_period != Some(period_index);
                last_period = Some(period_index);
                g = gcd(g, ticks_to_ns(start, tick));
                g = gcd(g, ticks_to_ns(end - start, tick));
                let id = window_id[pi][ji];
                w.empty(
                    "Window_Schedule",
                    &[
                        ("WindowIdentifier", id.to_string()),
                        (
                            "WindowStartSeconds",
                            secs(start, &|| format!("{}, window {id}: the start", ctx())),
                        ),
                        (
                            "WindowDurationSeconds",
                            secs(end - start, &|| {
                                format!("{}, window {id}: the duration", ctx())
                            }),
                        ),
                        ("PartitionPeriodStart", period_start.to_string()),
                    ],
                );
            }
            // AIR reads the core of a window from a WindowConfiguration
            // child of the Partition_Schedule, by window identifier;
            // without one, the window runs on core 0.
            for (ji, &(core, _, _)) in part.jobs.iter().enumerate() {
                w.empty(
                    "WindowConfiguration",
                    &[
                        ("xmlns", "Window_Sched_Ext".into()),
                        ("WindowIdentifier", window_id[pi][ji].to_string()),
                        ("Cores", core.to_string()),
                    ],
                );
            }
            w.close("Partition_Schedule");
        }
        w.close("Module_Schedule");
    }
    w.comment("PLACEHOLDER (integrator): channels between partition ports");
    w.empty("Connection_Table", &[]);
    let g = g.max(1);
    let tps = NS_PER_S / g;
    if tps > u128::from(AIR_MAX_TICKS_PER_SECOND) {
        problems.push(format!(
            "module `{}`: its windows need a clock of {tps} ticks per second to be exact; AIR accepts at most {AIR_MAX_TICKS_PER_SECOND}",
            module.name
        ));
    }
    w.empty(
        "AIR_Configuration",
        &[
            ("xmlns", "ModExt".into()),
            ("TicksPerSecond", tps.to_string()),
            ("RequiredCores", module.cores.to_string()),
        ],
    );
    w.close("ARINC_653_Module");
    (w.finish(), problems)
}

fn first_mode(views: &crate::view::Views) -> Option<usize> {
    views
        .modules
        .iter()
        .flat_map(|m| m.modes.iter().map(|x| x.mode))
        .min()
}

const ABOUT: &str = "ARINC 653 module configuration for AIR, generated by seamless (one file per computing module). \
One Partition per program that runs on the module in some mode (PartitionIdentifier = catalogue index + 1), \
one Module_Schedule per mode (ScheduleIdentifier = the mode's index), one Partition_Schedule per program \
running in that mode, one Window_Schedule per job; the core of each window is given by the \
WindowConfiguration with its WindowIdentifier. ScheduleChangeAction: IGNORE = continues on this module, \
COLD_START = starts with the mode, WARM_START = migrated here (the strongest when transitions differ). \
Elements marked PLACEHOLDER are left to the integrator.";

/// One standalone ARINC 653 document per computing module (in
/// `System::modules` order): `(module name, XML)`, root `ARINC_653_Module`,
/// in the shape AIR's configurator loads (see [`arinc653`] for the
/// content), or every reason it would not load them as meant: an instant
/// AIR's configurator would read differently ([`crate::air::configurator_ns`]:
/// it keeps three decimals of every time) or a clock finer than
/// [`AIR_MAX_TICKS_PER_SECOND`]. Each document passes
/// [`crate::air::check_air_module`].
pub fn arinc653_modules(
    system: &System,
    schedules: &[Schedule],
    plans: &[Plan],
) -> Result<Vec<(String, String)>, AirError> {
    let views = build(system, schedules, plans);
    let first = first_mode(&views);
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for v in &views.modules {
        let mut w = Writer::new();
        w.comment(ABOUT);
        for n in &views.notes {
            w.comment(n);
        }
        let (text, p) = module_element(system, v, 0, first);
        problems.extend(p);
        w.raw(&text);
        out.push((system.modules[v.module].name.clone(), w.finish()));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AirError { problems })
    }
}

/// The ARINC 653 export of every computing module in one document: root
/// `ARINC_653_Modules` (attributes `System` and `Tick`, the model's tick,
/// which [`read_arinc653`] needs), holding one `ARINC_653_Module
/// ModuleName=".."` per computing module, each exactly what
/// [`arinc653_modules`] writes for it (an ARINC 653 configuration describes
/// one module: split the document, or use [`arinc653_modules`]).
///
/// It is for reading back ([`read_arinc653`]) and review: AIR loads one
/// module per file, from [`arinc653_modules`], which also refuses what AIR
/// would read differently; this document is written whatever the clock.
///
/// Per module: one `Partition` per program that runs on the module in some
/// mode (`PartitionIdentifier` = catalogue index + 1, placeholder
/// `EntryPoint` and `PartitionConfiguration Personality`), one
/// `Module_Schedule` per mode (`ScheduleIdentifier` = mode index,
/// `ScheduleName`, `InitialModuleSchedule` true for the first mode,
/// `MajorFrameSeconds`); a mode in which the module hosts nothing gets the
/// placeholder partition [`IDLE_PARTITION`] over the whole frame;
/// in it one `Partition_Schedule` per program that runs on the module in
/// that mode (`PartitionIdentifier` = catalogue index + 1, `PartitionName`,
/// `PeriodSeconds` = the mode's period, or the major frame for a
/// once-per-frame program, `PeriodDurationSeconds` = the wcet,
/// `SetModuleSchedule="false"`, `ScheduleChangeAction`), in it one
/// `Window_Schedule` per job (`WindowIdentifier` numbered from 1 in time
/// order over the schedule, `WindowStartSeconds`, `WindowDurationSeconds`,
/// `PartitionPeriodStart` true on the first window of each of the
/// partition's periods, i.e. on every job), followed by one
/// `WindowConfiguration WindowIdentifier Cores="c"` per window (the core
/// index; namespace `Window_Sched_Ext`). Then an empty `Connection_Table`,
/// last `AIR_Configuration` (namespace `ModExt`) with
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
        w.raw(&module_element(system, v, 1, first).0);
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
            if partition == IDLE_PARTITION {
                continue;
            }
            // the cores of each window, by window identifier
            let mut cores_of: Vec<(&str, Vec<u32>)> = Vec::new();
            for c in p.children_named("WindowConfiguration") {
                let mut cores = Vec::new();
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
                cores_of.push((c.req("WindowIdentifier")?, cores));
            }
            for win in p.children_named("Window_Schedule") {
                let start = ticks(win, "WindowStartSeconds")?;
                let duration = ticks(win, "WindowDurationSeconds")?;
                let id = win.req("WindowIdentifier")?;
                if duration == 0 || start.checked_add(duration).is_none_or(|e| e > h) {
                    return Err(format!(
                        "window {id} of `{partition}` in `{mode}` lies outside the major frame"
                    ));
                }
                let mut cores: Vec<u32> = cores_of
                    .iter()
                    .filter(|(w, _)| *w == id)
                    .flat_map(|(_, c)| c.iter().copied())
                    .collect();
                if cores.is_empty() {
                    // AIR runs a window without a WindowConfiguration on core 0
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
