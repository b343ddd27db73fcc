//! XtratuM `SystemDescription` cyclic plans (XM_CF, xm-3.x namespace).

use std::collections::BTreeMap;

use seamless_model::System;
use seamless_model::schedule::Schedule;

use crate::ReadWindow;
use crate::air::IDLE_PARTITION;
use crate::decimal::{millis, ns_to_ticks, parse_time, ticks_to_ns};
use crate::view::{ModuleView, build};
use crate::xml::{Element, Writer, parse};

/// The XtratuM configuration namespace written on `SystemDescription`.
pub const XM_NAMESPACE: &str = "http://www.xtratum.org/xm-3.x";

/// Where the skeleton's memory map starts (a PLACEHOLDER: LEON boards'
/// SDRAM usually starts here).
pub const XM_RAM_START: u64 = 0x4000_0000;

/// Memory the skeleton gives the hypervisor (a PLACEHOLDER).
pub const XM_HYPERVISOR_BYTES: u64 = 4 << 20;

/// Partition areas start on this boundary (a page).
const XM_AREA_ALIGN: u64 = 4 << 10;

/// The skeleton's memory map of one module: the hypervisor first, then one
/// area per partition (programs in catalogue order, or the idle placeholder).
struct MemoryPlan {
    /// Size of the one SDRAM region, whole MiB.
    region: u64,
    /// (partition name, start, size) per partition, in partition-id order.
    areas: Vec<(String, u64, u64)>,
}

impl MemoryPlan {
    fn of(system: &System, view: &ModuleView) -> MemoryPlan {
        let mut parts: Vec<(String, u64)> = view
            .programs
            .iter()
            .map(|&p| {
                (
                    system.programs[p].name.clone(),
                    system.programs[p].memory.max(1),
                )
            })
            .collect();
        if parts.is_empty() {
            parts.push((IDLE_PARTITION.to_string(), XM_AREA_ALIGN));
        }
        let mut next = u128::from(XM_RAM_START) + u128::from(XM_HYPERVISOR_BYTES);
        let mut areas = Vec::new();
        for (name, size) in parts {
            let start = next.div_ceil(u128::from(XM_AREA_ALIGN)) * u128::from(XM_AREA_ALIGN);
            next = start + u128::from(size);
            areas.push((name, u64::try_from(start).unwrap_or(u64::MAX), size));
        }
        let mib = 1u128 << 20;
        let region = (next - u128::from(XM_RAM_START)).div_ceil(mib) * mib;
        MemoryPlan {
            region: u64::try_from(region).unwrap_or(u64::MAX),
            areas,
        }
    }
}

/// `0x40000000`.
fn hex(x: u64) -> String {
    format!("0x{x:08x}")
}

/// A size as XtratuM reads it: `4MB` (MiB), `12KB` (KiB) or `100B`.
fn size_unit(bytes: u64) -> String {
    if bytes != 0 && bytes.is_multiple_of(1 << 20) {
        format!("{}MB", bytes >> 20)
    } else if bytes != 0 && bytes.is_multiple_of(1 << 10) {
        format!("{}KB", bytes >> 10)
    } else {
        format!("{bytes}B")
    }
}

fn system_description(system: &System, view: &ModuleView, depth: usize) -> String {
    let tick = system.tick.ns;
    let ms = |t: u64| millis(ticks_to_ns(t, tick));
    let module = &system.modules[view.module];
    // partition ids: 0.. over the programs on this module, catalogue order
    let pid: BTreeMap<usize, usize> = view
        .programs
        .iter()
        .enumerate()
        .map(|(i, &p)| (p, i))
        .collect();
    let mut w = Writer::fragment(depth);
    w.open(
        "SystemDescription",
        &[
            ("xmlns", XM_NAMESPACE.into()),
            ("version", "1.0.0".into()),
            ("name", module.name.clone()),
        ],
    );
    w.comment(&format!(
        "computing module `{}` of system `{}`: a complete XM_CF skeleton. seamless wrote the \
         cyclic plans (one Processor per core, one Plan per mode, Plan id = the mode's index, \
         one Slot per job) and the partitions (one per program, its memory size from the \
         model). Everything marked PLACEHOLDER is not known to seamless and must be replaced \
         by the integrator: the memory map, the hypervisor's memory, the devices.",
        module.name, system.name
    ));
    let layout = MemoryPlan::of(system, view);
    w.open("HwDescription", &[]);
    w.comment(&format!(
        "PLACEHOLDER: one SDRAM region from {} holding the hypervisor and every partition's \
         area; write the board's real memory map",
        hex(XM_RAM_START)
    ));
    w.open("MemoryLayout", &[]);
    w.empty(
        "Region",
        &[
            ("type", "sdram".into()),
            ("start", hex(XM_RAM_START)),
            ("size", size_unit(layout.region)),
        ],
    );
    w.close("MemoryLayout");
    w.open("ProcessorTable", &[]);
    for core in 0..module.cores {
        w.open("Processor", &[("id", core.to_string())]);
        w.open("CyclicPlanTable", &[]);
        for mv in &view.modes {
            w.comment(&format!("mode `{}`", system.modes[mv.mode].name));
            w.open(
                "Plan",
                &[
                    ("id", mv.mode.to_string()),
                    ("majorFrame", ms(mv.major_frame)),
                ],
            );
            let mut slots: Vec<(u64, u64, usize)> = Vec::new();
            for part in &mv.parts {
                for &(c, start, end) in &part.jobs {
                    if c == core {
                        slots.push((start, end, pid.get(&part.program).copied().unwrap_or(0)));
                    }
                }
            }
            slots.sort();
            for (i, (start, end, p)) in slots.into_iter().enumerate() {
                w.empty(
                    "Slot",
                    &[
                        ("id", i.to_string()),
                        ("start", ms(start)),
                        ("duration", ms(end - start)),
                        ("partitionId", p.to_string()),
                    ],
                );
            }
            w.close("Plan");
        }
        w.close("CyclicPlanTable");
        w.close("Processor");
    }
    w.close("ProcessorTable");
    w.comment("PLACEHOLDER: the board's devices (UARTs, memory blocks) go here");
    w.empty("Devices", &[]);
    w.close("HwDescription");
    w.comment(&format!(
        "PLACEHOLDER: {} for the hypervisor (XtratuM's own load address is fixed when it is built)",
        size_unit(XM_HYPERVISOR_BYTES)
    ));
    w.open("XMHypervisor", &[]);
    w.empty(
        "PhysicalMemoryArea",
        &[("size", size_unit(XM_HYPERVISOR_BYTES))],
    );
    w.close("XMHypervisor");
    w.open("PartitionTable", &[]);
    if view.programs.is_empty() {
        w.comment(&format!(
            "PLACEHOLDER: `{IDLE_PARTITION}` does nothing; XtratuM needs at least one \
             partition and no program runs on this module"
        ));
    }
    for (i, (name, start, size)) in layout.areas.iter().enumerate() {
        w.open(
            "Partition",
            &[("id", i.to_string()), ("name", name.clone())],
        );
        w.comment("PLACEHOLDER address; the size is the program's memory");
        w.open("PhysicalMemoryAreas", &[]);
        w.empty(
            "Area",
            &[("start", hex(*start)), ("size", size_unit(*size))],
        );
        w.close("PhysicalMemoryAreas");
        w.close("Partition");
    }
    w.close("PartitionTable");
    w.close("SystemDescription");
    w.finish()
}

/// One standalone XtratuM configuration (XM_CF `SystemDescription`, a
/// complete skeleton) per computing module (in `System::modules` order):
/// `(module name, XML)`. See [`xtratum`].
pub fn xtratum_modules(system: &System, schedules: &[Schedule]) -> Vec<(String, String)> {
    let views = build(system, schedules, &[]);
    views
        .modules
        .iter()
        .map(|v| {
            let mut w = Writer::new();
            for n in &views.notes {
                w.comment(n);
            }
            w.raw(&system_description(system, v, 0));
            (system.modules[v.module].name.clone(), w.finish())
        })
        .collect()
}

/// The XtratuM export of every computing module in one document: root
/// `XtratuM_Modules` (attributes `system` and `tick`, the model's tick),
/// first one `Mode plan=".." name=".."` per mode (XtratuM plans carry only
/// a number), then one `SystemDescription` (namespace [`XM_NAMESPACE`],
/// `name` = the module) per computing module, each exactly what
/// [`xtratum_modules`] writes for it.
///
/// Per module: `HwDescription/ProcessorTable` with one `Processor id=".."`
/// per core, each with a `CyclicPlanTable` holding one `Plan id=".."
/// majorFrame=".."` per mode (id = the mode's index; all cores of a module
/// have the same plans) with one `Slot id=".." start=".." duration=".."
/// partitionId=".."` per job on that core (ids from 0 in time order), and a
/// `PartitionTable` with one `Partition id=".." name=".."` per program that
/// runs on the module in any mode (ids from 0, in catalogue order), each
/// with one `PhysicalMemoryAreas/Area` of the program's memory. The rest of
/// a complete XM_CF is written as marked PLACEHOLDERs: a `MemoryLayout` of
/// one SDRAM region from [`XM_RAM_START`], an empty `Devices`, and
/// `XMHypervisor` with [`XM_HYPERVISOR_BYTES`]; a module without programs
/// gets the idle partition. Each `SystemDescription` passes the XM_CF
/// schema (tests/data/schemas/xtratum). Times
/// are exact decimal milliseconds from integer ticks (`"2.5ms"`,
/// `"0.001ms"`). Never fails: what does not resolve against the system is
/// left out and listed in a comment.
pub fn xtratum(system: &System, schedules: &[Schedule]) -> String {
    let views = build(system, schedules, &[]);
    let mut w = Writer::new();
    w.comment(
        "XtratuM cyclic plans generated by seamless, one SystemDescription per computing module",
    );
    for n in &views.notes {
        w.comment(n);
    }
    w.open(
        "XtratuM_Modules",
        &[
            ("system", system.name.clone()),
            ("tick", system.tick.text.clone()),
        ],
    );
    let mut modes: Vec<usize> = views
        .modules
        .iter()
        .flat_map(|m| m.modes.iter().map(|x| x.mode))
        .collect();
    modes.sort_unstable();
    modes.dedup();
    for m in modes {
        w.empty(
            "Mode",
            &[
                ("plan", m.to_string()),
                ("name", system.modes[m].name.clone()),
            ],
        );
    }
    for v in &views.modules {
        w.raw(&system_description(system, v, 1));
    }
    w.close("XtratuM_Modules");
    w.finish()
}

fn read_description(
    d: &Element,
    tick_ns: u64,
    mode_names: &BTreeMap<String, String>,
    out: &mut Vec<ReadWindow>,
) -> Result<(), String> {
    let module = d.req("name")?;
    let mut partitions: BTreeMap<String, String> = BTreeMap::new();
    for t in d.children_named("PartitionTable") {
        for p in t.children_named("Partition") {
            let id = p.req("id")?.to_string();
            if partitions
                .insert(id.clone(), p.req("name")?.to_string())
                .is_some()
            {
                return Err(format!("partition id {id} twice in `{module}`"));
            }
        }
    }
    let ticks = |e: &Element, attr: &str| -> Result<u64, String> {
        let ns = parse_time(e.req(attr)?).map_err(|x| format!("{attr}: {x}"))?;
        ns_to_ticks(ns, tick_ns).map_err(|x| format!("{attr}: {x}"))
    };
    for hw in d.children_named("HwDescription") {
        for table in hw.children_named("ProcessorTable") {
            for proc in table.children_named("Processor") {
                let core: u32 = proc.req("id")?.parse().map_err(|_| {
                    format!(
                        "Processor id `{}` is not a number",
                        proc.attr("id").unwrap_or("")
                    )
                })?;
                for cpt in proc.children_named("CyclicPlanTable") {
                    for plan in cpt.children_named("Plan") {
                        let id = plan.req("id")?;
                        let mode = mode_names
                            .get(id)
                            .cloned()
                            .unwrap_or_else(|| id.to_string());
                        let h = ticks(plan, "majorFrame")?;
                        for slot in plan.children_named("Slot") {
                            let start = ticks(slot, "start")?;
                            let duration = ticks(slot, "duration")?;
                            if duration == 0 || start.checked_add(duration).is_none_or(|e| e > h) {
                                return Err(format!(
                                    "slot {} of plan {id} on processor {core} of `{module}` lies outside the major frame",
                                    slot.attr("id").unwrap_or("?")
                                ));
                            }
                            let pid = slot.req("partitionId")?;
                            let partition = partitions.get(pid).ok_or_else(|| {
                                format!("slot names unknown partition {pid} in `{module}`")
                            })?;
                            out.push(ReadWindow {
                                module: module.to_string(),
                                mode: mode.clone(),
                                core,
                                partition: partition.clone(),
                                start_ticks: start,
                                duration_ticks: duration,
                            });
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Reads the slots of a document written by [`xtratum`] (root
/// `XtratuM_Modules`, whose `tick` gives the tick and whose `Mode` entries
/// name the plans), sorted. A bare `SystemDescription` carries no tick: read
/// it with [`read_xtratum_with_tick`].
pub fn read_xtratum(xml: &str) -> Result<Vec<ReadWindow>, String> {
    let root = parse(xml).map_err(|e| e.to_string())?;
    if root.name != "XtratuM_Modules" {
        return Err(format!(
            "root <{}>: expected <XtratuM_Modules tick=...> (read a single SystemDescription with read_xtratum_with_tick)",
            root.name
        ));
    }
    let tick = parse_time(root.req("tick")?).map_err(|e| format!("tick: {e}"))?;
    let tick = u64::try_from(tick)
        .ok()
        .filter(|&t| t > 0)
        .ok_or("tick: not a positive number of nanoseconds")?;
    read_xtratum_with_tick(xml, tick)
}

/// Reads the slots of an XtratuM document (a bare `SystemDescription`, whose
/// modes are then the plan ids, or an `XtratuM_Modules` collection), with
/// times converted exactly to ticks of `tick_ns` nanoseconds. Sorted.
pub fn read_xtratum_with_tick(xml: &str, tick_ns: u64) -> Result<Vec<ReadWindow>, String> {
    if tick_ns == 0 {
        return Err("zero tick".into());
    }
    let root = parse(xml).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    match root.name.as_str() {
        "SystemDescription" => read_description(&root, tick_ns, &BTreeMap::new(), &mut out)?,
        "XtratuM_Modules" => {
            let mut names = BTreeMap::new();
            for m in root.children_named("Mode") {
                names.insert(m.req("plan")?.to_string(), m.req("name")?.to_string());
            }
            for d in root.children_named("SystemDescription") {
                read_description(d, tick_ns, &names, &mut out)?;
            }
        }
        other => {
            return Err(format!(
                "root <{other}> is not an XtratuM system description"
            ));
        }
    }
    out.sort();
    Ok(out)
}
