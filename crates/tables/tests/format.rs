//! Reader and encoder tests: a hand-written table, rejections, round trips
//! and robustness against arbitrary bytes.

#[path = "support/gen.rs"]
mod generator;

use proptest::prelude::*;
use seamless_tables::{
    Action, ActionKind, EncodeError, ExtendSpec, FORMAT_VERSION, FormatError, JobSpec,
    LinkSlotsSpec, LinkSpec, MAGIC, ModeSpec, ModuleTablesSpec, SlotSpec, Tables, TransitionSpec,
    WindowSpec, encode,
};

fn w(start: u64, end: u64, program: u16) -> WindowSpec {
    WindowSpec {
        start,
        end,
        program,
    }
}

/// Two modes on a two-core module: "standard" (H = 20) and "docking"
/// (H = 10), one link, transitions both ways.
fn example() -> ModuleTablesSpec {
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
                id: 1,
                name: "standard".into(),
                major_frame: 20,
                tick_ns: 1_000_000,
                cores: vec![
                    vec![w(0, 2, 0), w(10, 12, 0)],
                    vec![w(5, 6, 1), w(12, 17, 2)],
                ],
                links: vec![LinkSlotsSpec {
                    link: 4,
                    slots: vec![
                        SlotSpec {
                            start: 2,
                            end: 3,
                            message: 0,
                            instance: 0,
                        },
                        SlotSpec {
                            start: 12,
                            end: 13,
                            message: 0,
                            instance: 1,
                        },
                    ],
                }],
            },
            ModeSpec {
                id: 2,
                name: "docking".into(),
                major_frame: 10,
                tick_ns: 1_000_000,
                cores: vec![vec![w(0, 2, 0)], vec![w(3, 4, 1), w(6, 7, 1)]],
                links: vec![],
            },
        ],
        transitions: vec![
            TransitionSpec {
                from: 1,
                to: 2,
                phi: 3,
                lead: 4,
                complete: 30,
                actions: vec![
                    Action {
                        at: 0,
                        kind: ActionKind::Stop { program: 2 },
                    },
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
                from: 2,
                to: 1,
                phi: 0,
                lead: 0,
                complete: 0,
                ..Default::default()
            },
        ],
    }
}

#[test]
fn reads_back_what_was_written() {
    let bytes = encode(&example()).unwrap();
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), FORMAT_VERSION);
    let t = Tables::parse(&bytes).unwrap();
    assert_eq!(t.module_id(), 7);
    assert_eq!(t.module_name(), "cm1");
    assert_eq!(t.cores(), 2);
    assert_eq!(t.program_name(2), Some("loader"));
    assert_eq!(t.program_name(3), None);
    assert_eq!(t.message_name(0), Some("nav"));
    assert_eq!(t.link_index(4), Some(0));
    assert_eq!(t.link(0).unwrap().name, "cm1->sw1");
    let std = t.mode(1).unwrap();
    assert_eq!(
        (std.name(), std.major_frame(), std.tick_ns()),
        ("standard", 20, 1_000_000)
    );
    let c1: Vec<_> = std
        .windows(1)
        .iter()
        .map(|w| (w.start, w.end, w.program, w.job))
        .collect();
    assert_eq!(c1, [(5, 6, 1, 0), (12, 17, 2, 0)]);
    assert_eq!(std.jobs_per_frame(0), 2);
    assert_eq!(std.job(0, 1).map(|(c, w)| (c, w.start)), Some((0, 10)));
    assert_eq!(std.slots(0).len(), 2);
    assert!(std.windows(2).is_empty());
    let tr = t.transition(1, 2).unwrap();
    assert_eq!((tr.phi(), tr.lead(), tr.complete()), (3, 4, 30));
    // Actions come back sorted by time.
    let ats: Vec<i64> = tr.actions().iter().map(|a| a.at).collect();
    assert_eq!(ats, [-4, 0, 5]);
    assert_eq!(tr.actions_at(0).len(), 1);
    assert_eq!(tr.next_action_after(0), Some(5));
    // Docking job 0 of gnc starts at φ + 0 = 3; display's job 0 at φ + 3 = 6.
    assert_eq!(tr.skip(3, 0).map(|s| s.job), Some(0));
    assert_eq!(tr.extend(6, 1).map(|e| e.extra), Some(2));
    assert!(t.transition(1, 1).is_none());
    assert_eq!(t.transitions().count(), 2);
    let back = ModuleTablesSpec::from_tables(&t);
    let mut canon = example();
    canon.canonicalize();
    assert_eq!(back, canon);
}

#[test]
fn encoding_does_not_depend_on_list_order() {
    let a = encode(&example()).unwrap();
    let mut s = example();
    s.modes.reverse();
    s.modes[0].cores[1].reverse();
    s.transitions.reverse();
    s.transitions[1].actions.reverse();
    assert_eq!(encode(&s).unwrap(), a);
}

fn invalid(spec: &ModuleTablesSpec) -> &'static str {
    match encode(spec) {
        Err(EncodeError::Invalid(FormatError::Invalid { what, .. })) => what,
        other => panic!("expected an invalid-format error, got {other:?}"),
    }
}

#[test]
fn rejects_overlapping_windows() {
    let mut s = example();
    s.modes[0].cores[0].push(w(1, 3, 0));
    assert_eq!(
        invalid(&s),
        "window: not sorted or overlaps the previous window"
    );
}

#[test]
fn rejects_windows_outside_the_frame_and_empty_windows() {
    let mut s = example();
    s.modes[1].cores[0].push(w(9, 11, 0));
    assert_eq!(invalid(&s), "window: ends after the major frame");
    let mut s = example();
    s.modes[1].cores[0].push(w(5, 5, 0));
    assert_eq!(invalid(&s), "window: start >= end");
}

#[test]
fn rejects_unknown_program_and_overlapping_slots() {
    let mut s = example();
    s.modes[1].cores[0].push(w(5, 6, 9));
    assert!(encode(&s).is_err());
    let mut s = example();
    s.modes[0].links[0].slots.push(SlotSpec {
        start: 2,
        end: 4,
        message: 0,
        instance: 2,
    });
    assert_eq!(
        invalid(&s),
        "slot: not sorted or overlaps the previous slot"
    );
}

#[test]
fn rejects_bad_plans() {
    let mut s = example();
    s.transitions[0].actions.push(Action {
        at: -5,
        kind: ActionKind::Stop { program: 0 },
    });
    assert_eq!(invalid(&s), "action: time outside [-lead, complete]");
    let mut s = example();
    s.transitions[0].complete = 2;
    assert_eq!(invalid(&s), "transition: complete before b_start");
    let mut s = example();
    s.transitions[0].extends[0].extra = 3; // display job 0 ends at 4 + 3 = 7 > next start 6
    assert_eq!(
        invalid(&s),
        "extend: extended job overlaps the next executed job"
    );
    let mut s = example();
    s.transitions[0].skips.push(JobSpec { program: 1, job: 0 });
    assert_eq!(invalid(&s), "extend: job is also skipped");
    let mut s = example();
    s.transitions[0].skips.push(JobSpec { program: 2, job: 0 });
    assert!(matches!(
        encode(&s),
        Err(EncodeError::UnknownJob { program: 2, .. })
    ));
    let mut s = example();
    s.transitions.push(TransitionSpec {
        from: 1,
        to: 1,
        ..Default::default()
    });
    assert_eq!(invalid(&s), "transition: from == to");
    let mut s = example();
    s.transitions[0].actions.push(Action {
        at: 1,
        kind: ActionKind::SendChunk {
            program: 0,
            link: 5,
            bytes: 1,
            end: 2,
        },
    });
    assert_eq!(
        invalid(&s),
        "action: chunk on a link not leaving this module"
    );
}

#[test]
fn extension_may_cover_a_skipped_job() {
    let mut s = example();
    // Skip display's job 1 (starts at 6), then job 0 may run until 7.
    s.transitions[0].skips.push(JobSpec { program: 1, job: 1 });
    s.transitions[0].extends[0].extra = 3;
    encode(&s).unwrap();
}

#[test]
fn rejects_broken_headers() {
    let good = encode(&example()).unwrap();
    assert_eq!(
        Tables::parse(&good[..10]).unwrap_err(),
        FormatError::Truncated
    );
    let mut b = good.clone();
    b[0] = b'X';
    assert_eq!(Tables::parse(&b).unwrap_err(), FormatError::BadMagic);
    let mut b = good.clone();
    b[8] = 2;
    assert_eq!(
        Tables::parse(&b).unwrap_err(),
        FormatError::UnsupportedVersion(2)
    );
    let mut b = good.clone();
    b.push(0);
    assert!(matches!(
        Tables::parse(&b).unwrap_err(),
        FormatError::LengthMismatch { .. }
    ));
    // Removing the last directory entry leaves a required section missing.
    let mut b = good.clone();
    b[16] = 15;
    assert_eq!(
        Tables::parse(&b).unwrap_err(),
        FormatError::MissingSection(16)
    );
    // An unknown required kind is an error; an optional one is skipped.
    let mut b = good.clone();
    let last = 20 + 15 * 12;
    b[last] = 17;
    assert_eq!(
        Tables::parse(&b).unwrap_err(),
        FormatError::UnknownSection(17)
    );
    b[last..last + 2].copy_from_slice(&0x8001u16.to_le_bytes());
    assert_eq!(
        Tables::parse(&b).unwrap_err(),
        FormatError::MissingSection(16)
    );
}

#[test]
fn optional_sections_are_skipped() {
    let good = encode(&example()).unwrap();
    // Append an optional section (kind 0x8000) with a directory entry: the
    // directory grows by 12 bytes, so rebuild it.
    let count = u16::from_le_bytes([good[16], good[17]]) as usize;
    let dir_end = 20 + count * 12;
    let mut b = good[..dir_end].to_vec();
    b.extend_from_slice(&[0; 12]);
    let shift = 12usize;
    for i in 0..count {
        let e = 20 + i * 12 + 4;
        let off = u32::from_le_bytes(b[e..e + 4].try_into().unwrap()) as usize + shift;
        b[e..e + 4].copy_from_slice(&(off as u32).to_le_bytes());
    }
    b.extend_from_slice(&good[dir_end..]);
    let extra_off = b.len();
    b.extend_from_slice(b"future data");
    let e = dir_end;
    b[e..e + 2].copy_from_slice(&0x8000u16.to_le_bytes());
    b[e + 4..e + 8].copy_from_slice(&(extra_off as u32).to_le_bytes());
    b[e + 8..e + 12].copy_from_slice(&11u32.to_le_bytes());
    b[16..18].copy_from_slice(&((count + 1) as u16).to_le_bytes());
    let len = b.len() as u32;
    b[12..16].copy_from_slice(&len.to_le_bytes());
    let t = Tables::parse(&b).unwrap();
    assert_eq!(
        ModuleTablesSpec::from_tables(&t),
        ModuleTablesSpec::from_tables(&Tables::parse(&good).unwrap())
    );
}

/// Touches every accessor of a parsed table (none may panic).
fn walk(t: &Tables<'_>) -> u64 {
    let mut acc = u64::from(t.module_id()) + u64::from(t.cores()) + t.module_name().len() as u64;
    for p in 0..=t.program_count() as u16 {
        acc += t.program_name(p).map_or(0, |n| n.len() as u64);
    }
    for m in 0..=t.message_count() as u16 {
        acc += t.message_name(m).map_or(0, |n| n.len() as u64);
    }
    for l in t.links() {
        acc += u64::from(l.id) + t.link_index(l.id).unwrap() as u64;
    }
    for m in t.modes() {
        acc += m.major_frame() + m.tick_ns() + m.name().len() as u64;
        for c in 0..=t.cores() {
            for w in m.windows(c) {
                acc = acc.wrapping_add(w.start ^ w.end);
                let (core, w2) = m.job(w.program, w.job).unwrap();
                assert_eq!((core, w2), (c, w));
            }
        }
        for l in 0..=m.link_count() {
            acc = acc.wrapping_add(m.slots(l).iter().map(|s| s.end).sum::<u64>());
        }
        for p in 0..=t.program_count() as u16 {
            acc += u64::from(m.jobs_per_frame(p));
        }
    }
    for tr in t.transitions() {
        assert!(t.transition(tr.from(), tr.to()).is_some());
        acc = acc.wrapping_add(tr.phi() + tr.lead() + tr.complete());
        for a in tr.actions() {
            acc = acc.wrapping_add(tr.actions_at(a.at).len() as u64);
            let _ = tr.next_action_after(a.at);
        }
        for s in tr.skips() {
            assert!(tr.skip(s.at, s.program).is_some());
        }
        for e in tr.extends() {
            assert!(tr.extend(e.at, e.program).is_some());
        }
    }
    acc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(t) = Tables::parse(&bytes) {
            walk(&t);
        }
    }

    #[test]
    fn random_bytes_behind_a_valid_header_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..600),
        count in 0u16..20,
    ) {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&((20 + body.len()) as u32).to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&body);
        if let Ok(t) = Tables::parse(&b) {
            walk(&t);
        }
    }

    #[test]
    fn mutations_of_a_valid_table_never_panic(
        seed in any::<u64>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut b = encode(&generator::spec(seed)).unwrap();
        for (i, v) in edits {
            let i = i.index(b.len());
            b[i] = v;
        }
        if truncate {
            b.truncate(cut.index(b.len()));
        }
        if let Ok(t) = Tables::parse(&b) {
            walk(&t);
        }
    }

    #[test]
    fn valid_field_mutations_never_panic(seed in any::<u64>(), at in any::<prop::sample::Index>(), v in any::<u64>()) {
        // Overwrite a whole little-endian u64 inside the sections (keeps the
        // header intact, so validation goes deep).
        let mut b = encode(&generator::spec(seed)).unwrap();
        let lo = 20 + 16 * 12;
        if b.len() > lo + 8 {
            let i = lo + at.index(b.len() - lo - 8);
            b[i..i + 8].copy_from_slice(&v.to_le_bytes());
        }
        if let Ok(t) = Tables::parse(&b) {
            walk(&t);
        }
    }

    #[test]
    fn encode_parse_round_trip(seed in any::<u64>()) {
        let spec = generator::spec(seed);
        let bytes = encode(&spec).unwrap();
        let t = Tables::parse(&bytes).unwrap();
        walk(&t);
        let back = ModuleTablesSpec::from_tables(&t);
        let mut canon = spec.clone();
        canon.canonicalize();
        prop_assert_eq!(&back, &canon);
        prop_assert_eq!(encode(&back).unwrap(), bytes);
    }
}

#[test]
fn generator_exercises_every_feature() {
    let (mut tr, mut skips, mut extends, mut chunks, mut slots, mut lead) = (0, 0, 0, 0, 0, 0);
    for seed in 0..200 {
        let s = generator::spec(seed);
        encode(&s).unwrap();
        tr += s.transitions.len();
        skips += s.transitions.iter().map(|t| t.skips.len()).sum::<usize>();
        extends += s.transitions.iter().map(|t| t.extends.len()).sum::<usize>();
        lead += s.transitions.iter().filter(|t| t.lead > 0).count();
        chunks += s
            .transitions
            .iter()
            .flat_map(|t| &t.actions)
            .filter(|a| matches!(a.kind, ActionKind::SendChunk { .. }))
            .count();
        slots += s
            .modes
            .iter()
            .flat_map(|m| &m.links)
            .map(|l| l.slots.len())
            .sum::<usize>();
    }
    assert!(
        tr > 100 && skips > 100 && extends > 100 && chunks > 20 && slots > 100 && lead > 50,
        "{tr} {skips} {extends} {chunks} {slots} {lead}"
    );
}
