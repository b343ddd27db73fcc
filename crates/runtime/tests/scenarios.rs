//! Hand-written scenarios: steady dispatch, a switch with lead, gap, skipped
//! and extended jobs and migration actions, and the second-request rule.

use seamless_runtime::{
    Dispatch, Dispatcher, Event, NewError, Phase, SwitchError, SwitchOutcome, TickError,
};
use seamless_tables::{
    Action, ActionKind, ExtendSpec, JobSpec, LinkSlotsSpec, LinkSpec, ModeSpec, ModuleTablesSpec,
    SlotSpec, Tables, TransitionSpec, WindowSpec, encode,
};

const STD: u16 = 1;
const DOCK: u16 = 2;
const SAFE: u16 = 3;

fn w(start: u64, end: u64, program: u16) -> WindowSpec {
    WindowSpec {
        start,
        end,
        program,
    }
}

/// standard (H = 20): core 0 gnc [0,2) [10,12); core 1 display [5,6), loader [12,17).
/// docking (H = 10): core 0 gnc [0,2); core 1 display [3,4) [6,7).
/// safe (H = 5): core 0 gnc [0,1).
/// standard → docking: φ = 3, lead = 4, complete = 30, a chunk at [-4, -2),
/// stop loader at 0, resume gnc at 5; gnc job 0 skipped, display job 0
/// extended by 2. docking → standard and docking → safe: immediate.
fn spec() -> ModuleTablesSpec {
    ModuleTablesSpec {
        module_id: 7,
        module_name: "cm1".into(),
        cores: 2,
        programs: vec!["gnc".into(), "display".into(), "loader".into()],
        messages: vec!["nav".into()],
        links: vec![LinkSpec {
            id: 4,
            name: "cm1->sw1".into(),
        }],
        modes: vec![
            ModeSpec {
                id: STD,
                name: "standard".into(),
                major_frame: 20,
                tick_ns: 1_000_000,
                cores: vec![
                    vec![w(0, 2, 0), w(10, 12, 0)],
                    vec![w(5, 6, 1), w(12, 17, 2)],
                ],
                links: vec![LinkSlotsSpec {
                    link: 4,
                    slots: vec![SlotSpec {
                        start: 2,
                        end: 3,
                        message: 0,
                        instance: 0,
                    }],
                }],
            },
            ModeSpec {
                id: DOCK,
                name: "docking".into(),
                major_frame: 10,
                tick_ns: 1_000_000,
                cores: vec![vec![w(0, 2, 0)], vec![w(3, 4, 1), w(6, 7, 1)]],
                links: vec![],
            },
            ModeSpec {
                id: SAFE,
                name: "safe".into(),
                major_frame: 5,
                tick_ns: 1_000_000,
                cores: vec![vec![w(0, 1, 0)], vec![]],
                links: vec![],
            },
        ],
        transitions: vec![
            TransitionSpec {
                from: STD,
                to: DOCK,
                phi: 3,
                lead: 4,
                complete: 30,
                actions: vec![
                    Action {
                        at: -4,
                        kind: ActionKind::SendChunk {
                            program: 0,
                            link: 4,
                            bytes: 4096,
                            end: -2,
                        },
                    },
                    Action {
                        at: 0,
                        kind: ActionKind::Stop { program: 2 },
                    },
                    Action {
                        at: 5,
                        kind: ActionKind::Resume { program: 0 },
                    },
                ],
                skips: vec![JobSpec { program: 0, job: 0 }],
                extends: vec![ExtendSpec {
                    program: 1,
                    job: 0,
                    extra: 2,
                }],
            },
            TransitionSpec {
                from: DOCK,
                to: STD,
                ..Default::default()
            },
            TransitionSpec {
                from: DOCK,
                to: SAFE,
                ..Default::default()
            },
        ],
    }
}

fn bytes() -> Vec<u8> {
    encode(&spec()).unwrap()
}

type Events = heapless::Vec<Event, 16>;

fn tick(d: &mut Dispatcher<'_, 2>, now: u64) -> (Dispatch<2>, Events) {
    let mut ev = Events::new();
    let r = d.tick(now, &mut ev).unwrap();
    assert_eq!(r.events_lost, 0);
    (r, ev)
}

/// Program per core at `now`, as a compact string ("g", "d", "l", "-").
fn show(r: &Dispatch<2>) -> String {
    r.running
        .iter()
        .map(|x| match x.map(|r| r.program) {
            Some(0) => 'g',
            Some(1) => 'd',
            Some(2) => 'l',
            Some(_) => '?',
            None => '-',
        })
        .collect()
}

#[test]
fn steady_state_repeats_the_frame() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, STD).unwrap();
    let mut seen = String::new();
    for now in 0..40 {
        let (r, _) = tick(&mut d, now);
        assert_eq!(r.mode, Some(STD));
        seen.push_str(&show(&r));
        seen.push(' ');
    }
    let frame = "g- g- -- -- -- -d -- -- -- -- g- g- -l -l -l -l -l -- -- -- ";
    assert_eq!(seen, format!("{frame}{frame}"));
    // Job indices count from the mode's start.
    let mut d = Dispatcher::<2>::new(t, STD).unwrap();
    for now in 0..30 {
        d.poll(now).unwrap();
    }
    let r = d.poll(30).unwrap();
    assert_eq!(
        r.running[0].map(|r| (r.program, r.job, r.start, r.end)),
        Some((0, 3, 30, 32))
    );
}

#[test]
fn events_at_boundaries() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, STD).unwrap();
    let (_, ev) = tick(&mut d, 0);
    assert_eq!(
        ev.as_slice(),
        [Event::JobStart {
            core: 0,
            program: 0,
            job: 0,
            end: 2
        }]
    );
    tick(&mut d, 1);
    let (_, ev) = tick(&mut d, 2);
    assert_eq!(
        ev.as_slice(),
        [
            Event::JobEnd {
                core: 0,
                program: 0,
                job: 0
            },
            Event::SlotStart {
                link: 4,
                message: 0,
                frame: 0,
                instance: 0,
                end: 3
            }
        ]
    );
    let (_, ev) = tick(&mut d, 3);
    assert_eq!(
        ev.as_slice(),
        [Event::SlotEnd {
            link: 4,
            message: 0,
            frame: 0,
            instance: 0
        }]
    );
    // The frame's last job ends at the next frame's first tick.
    for now in 4..20 {
        tick(&mut d, now);
    }
    let (_, ev) = tick(&mut d, 20);
    assert_eq!(
        ev.as_slice(),
        [Event::JobStart {
            core: 0,
            program: 0,
            job: 2,
            end: 22
        }],
        "loader ended at 17, nothing ends at 20"
    );
}

#[test]
fn switch_with_lead_gap_skip_extend_and_actions() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, STD).unwrap();
    for now in 0..17 {
        d.poll(now).unwrap();
    }
    // r = 17, lead 4: S is the first boundary >= 21, i.e. 40; b_start = 43.
    let out = d.request_switch(DOCK, 17).unwrap();
    let SwitchOutcome::Planned(p) = out else {
        panic!("{out:?}")
    };
    assert_eq!(
        (p.commit, p.switch_point, p.b_start, p.complete),
        (36, 40, 43, 70)
    );
    assert_eq!(d.phase(), Phase::Pending(p));
    let mut log = Vec::new();
    for now in 17..75 {
        let (r, ev) = tick(&mut d, now);
        log.push((now, show(&r), r.mode, ev));
    }
    let at = |n: u64| log.iter().find(|x| x.0 == n).unwrap().clone();
    // Old mode runs until S = 40 (second frame of standard: 20..40).
    assert_eq!(at(30).1, "g-");
    assert_eq!(
        at(36).3.as_slice(),
        [
            Event::TransitionBegin {
                from: STD,
                to: DOCK,
                switch_point: 40,
                b_start: 43
            },
            Event::SendChunk {
                program: 0,
                link: 4,
                bytes: 4096,
                end: 38
            },
        ]
    );
    assert_eq!(at(39).1, "--");
    // At S: loader's last job ended at 37; switch point and stop loader.
    assert_eq!(
        at(40).3.as_slice(),
        [
            Event::SwitchPoint {
                from: STD,
                to: DOCK
            },
            Event::Stop { program: 2 }
        ]
    );
    assert_eq!((at(40).1.as_str(), at(40).2), ("--", None));
    assert_eq!(at(42).2, None);
    // b_start = 43: gnc job 0 is skipped.
    assert_eq!(
        at(43).3.as_slice(),
        [
            Event::ModeStart { mode: DOCK },
            Event::JobSkipped {
                core: 0,
                program: 0,
                job: 0
            },
        ]
    );
    assert_eq!((at(43).1.as_str(), at(43).2), ("--", Some(DOCK)));
    assert_eq!(at(45).3.as_slice(), [Event::Resume { program: 0 }]);
    // display job 0 at 46, extended by 2: runs [46, 49).
    assert_eq!(
        at(46).3.as_slice(),
        [Event::JobStart {
            core: 1,
            program: 1,
            job: 0,
            end: 49
        }]
    );
    assert_eq!(at(48).1, "-d");
    assert_eq!(
        at(49).3.as_slice(),
        [
            Event::JobEnd {
                core: 1,
                program: 1,
                job: 0
            },
            Event::JobStart {
                core: 1,
                program: 1,
                job: 1,
                end: 50
            },
        ]
    );
    // Second docking frame: gnc runs normally.
    assert_eq!(
        at(53).3.as_slice(),
        [Event::JobStart {
            core: 0,
            program: 0,
            job: 1,
            end: 55
        }]
    );
    assert_eq!(
        at(70).3.last(),
        Some(&Event::TransitionComplete {
            from: STD,
            to: DOCK
        })
    );
    assert_eq!(d.phase(), Phase::Steady { mode: DOCK });
}

#[test]
fn switch_points_are_frame_boundaries_at_or_after_the_request() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    for r in 0..30 {
        let mut d = Dispatcher::<2>::new(t, DOCK).unwrap();
        let Ok(SwitchOutcome::Planned(p)) = d.request_switch(SAFE, r) else {
            panic!()
        };
        assert_eq!(p.switch_point, r.div_ceil(10) * 10);
        assert_eq!(p.b_start, p.switch_point);
    }
}

#[test]
fn second_request_rule() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, DOCK).unwrap();
    // Unknown and disallowed targets.
    assert_eq!(d.request_switch(99, 0), Err(SwitchError::UnknownMode(99)));
    assert_eq!(
        d.request_switch(DOCK, 0),
        Err(SwitchError::NotAllowed {
            from: DOCK,
            to: DOCK
        })
    );
    // Pending: replaced by an allowed target, kept on a disallowed one.
    let Ok(SwitchOutcome::Planned(p1)) = d.request_switch(SAFE, 3) else {
        panic!()
    };
    assert_eq!(p1.switch_point, 10);
    let Ok(SwitchOutcome::Replaced { old, new }) = d.request_switch(STD, 5) else {
        panic!()
    };
    assert_eq!((old, new.to, new.switch_point), (p1, STD, 10));
    // Requesting the current mode cancels.
    assert_eq!(d.request_switch(DOCK, 6), Ok(SwitchOutcome::Cancelled(new)));
    assert_eq!(d.phase(), Phase::Steady { mode: DOCK });
    // A switch to standard, committed at 10 (no lead): in progress from there.
    d.request_switch(STD, 6).unwrap();
    for now in 0..=10 {
        d.poll(now).unwrap();
    }
    assert!(
        matches!(d.phase(), Phase::Steady { mode: STD }),
        "immediate transition done at 10"
    );
    // standard → docking has lead 4: a request at 11 switches at 30, commits at 26.
    let Ok(SwitchOutcome::Planned(p)) = d.request_switch(DOCK, 11) else {
        panic!()
    };
    assert_eq!((p.commit, p.switch_point), (26, 30));
    for now in 11..=27 {
        d.poll(now).unwrap();
    }
    assert_eq!(d.phase(), Phase::Switching(p));
    // In progress: the request is queued behind it.
    let Ok(SwitchOutcome::Queued(q)) = d.request_switch(SAFE, 28) else {
        panic!()
    };
    // Taken at the first docking boundary at or after completion (60):
    // docking starts at 33, so boundaries are 33 + 10k: 63.
    assert_eq!((q.from, q.to, q.switch_point), (DOCK, SAFE, 63));
    assert_eq!(d.queued(), Some(q));
    // The queue holds one: the next request is handed back.
    assert_eq!(d.request_switch(STD, 29), Err(SwitchError::QueueFull(STD)));
    assert_eq!(d.cancel_queued(), Some(q));
    assert_eq!(d.queued(), None);
    let Ok(SwitchOutcome::Queued(q)) = d.request_switch(STD, 29) else {
        panic!()
    };
    assert_eq!(q.switch_point, 63);
    for now in 28..=63 {
        d.poll(now).unwrap();
    }
    assert_eq!(d.phase(), Phase::Steady { mode: STD });
    let r = d.poll(64).unwrap();
    assert_eq!(r.mode, Some(STD));
    assert_eq!(
        r.running[0].map(|r| (r.program, r.job, r.start)),
        Some((0, 0, 63))
    );
}

#[test]
fn queued_request_becomes_pending_again_after_completion() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, STD).unwrap();
    d.request_switch(DOCK, 0).unwrap(); // S = 20 (0 + lead 4 -> 20), complete 50, b 23
    for now in 0..=17 {
        d.poll(now).unwrap();
    }
    let Ok(SwitchOutcome::Queued(q)) = d.request_switch(SAFE, 18) else {
        panic!()
    };
    assert_eq!(q.switch_point, 53);
    for now in 18..=50 {
        d.poll(now).unwrap();
    }
    assert_eq!(d.phase(), Phase::Pending(q));
    // Before its switch point it can be replaced like any pending plan.
    let Ok(SwitchOutcome::Replaced { new, .. }) = d.request_switch(STD, 51) else {
        panic!()
    };
    assert_eq!((new.to, new.switch_point), (STD, 53));
}

#[test]
fn requests_never_rewrite_the_past() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, DOCK).unwrap();
    for now in 0..=10 {
        d.poll(now).unwrap();
    }
    // A request stamped 5 counts from 11: S = 20, not 10.
    let Ok(SwitchOutcome::Planned(p)) = d.request_switch(SAFE, 5) else {
        panic!()
    };
    assert_eq!((p.requested, p.switch_point), (11, 20));
    assert_eq!(
        d.poll(10),
        Err(TickError::TimeWentBackwards {
            now: 10,
            earliest: 11
        })
    );
}

#[test]
fn construction_errors_and_origin() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    assert_eq!(
        Dispatcher::<1>::new(t, STD).unwrap_err(),
        NewError::TooManyCores {
            table: 2,
            capacity: 1
        }
    );
    assert_eq!(
        Dispatcher::<2>::new(t, 42).unwrap_err(),
        NewError::UnknownMode(42)
    );
    let mut d = Dispatcher::<4>::with_origin(t, SAFE, 100).unwrap();
    assert_eq!(d.poll(99).unwrap().mode, None);
    let r = d.poll(100).unwrap();
    assert_eq!(
        (r.mode, r.running[0].map(|r| r.start), r.running[3]),
        (Some(SAFE), Some(100), None)
    );
    assert_eq!(d.next_boundary(100), Some(101));
}

#[test]
fn lost_events_are_counted() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, STD).unwrap();
    d.poll(0).unwrap();
    d.poll(1).unwrap();
    let mut ev = heapless::Vec::<Event, 1>::new();
    let r = d.tick(2, &mut ev).unwrap();
    assert_eq!((ev.len(), r.events_lost), (1, 1));
}

#[test]
fn next_boundary_lands_on_window_edges() {
    let b = bytes();
    let t = Tables::parse(&b).unwrap();
    let mut d = Dispatcher::<2>::new(t, STD).unwrap();
    let mut now = 0;
    let mut stops = Vec::new();
    while now < 40 {
        d.poll(now).unwrap();
        stops.push(now);
        now = d.next_boundary(now).unwrap();
    }
    assert_eq!(
        stops,
        [0, 2, 3, 5, 6, 10, 12, 17, 20, 22, 23, 25, 26, 30, 32, 37]
    );
}
