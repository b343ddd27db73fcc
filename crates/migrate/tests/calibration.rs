//! The measured goal of the hypervisor model (docs/benchmarks.md): against
//! the 54 measured QEMU 7.2 pre-copy migrations of `tests/data/`, with one
//! fixed final bandwidth for every run (1 GiB/s, not fitted), 100 ms limiter
//! windows, a 1 ms switchover, a 9 µs first-touch cost per page the
//! final copy sends for the first time, and the writer's phase in its cycle
//! not known: the expectation over 16 phases (all fixed for every run; see
//! `calibration::STOP_COST_NS`, `calibration::FIRST_TOUCH_NS`,
//! `hypervisor::WriterPhase`).

use seamless_migrate::calibration::{
    Run, Scored, Settings, Summary, WRITER_LEAD_NS, cross_table, fit, fit_and_hold_out, parse_runs,
    score, summarize, table,
};
use seamless_migrate::hypervisor::{PHASES, PhaseOutcome, WriterPhase};

fn data() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/qemu-precopy.csv");
    std::fs::read_to_string(path).expect("the calibration set is in tests/data")
}

fn fixed() -> (Summary, String) {
    let runs = parse_runs(&data()).unwrap();
    assert_eq!(runs.len(), 54);
    let s = Settings::default();
    let scored = score(&runs, &s).unwrap();
    (summarize(&scored), table(&scored, &s))
}

#[test]
fn total_time_and_bytes() {
    let (m, t) = fixed();
    assert!(m.total_median <= 0.05, "{t}");
    assert!(m.bytes_median <= 0.05, "{t}");
}

fn is_hover(x: &Scored) -> bool {
    x.run.bandwidth == 128 << 20
        && x.run.dirty_percent == 90
        && x.run.working_set == 64 << 20
        && x.run.downtime_limit_ms == 300
}

/// The worst case. The goal is 25 % on total time and bytes over all 54
/// runs; it is met on the 52 runs outside the hovering point (README of the
/// set: B = 128 MiB/s, 90 %, W = 64 MiB, DL = 300 ms took 4.23 s once and
/// 2.84 s the other time, 49 % apart) and **not** on the full set: the
/// model, not knowing the writer's phase, predicts the expectation over 16
/// phases (3.07 s), 27.5 % below the long repetition and 8 % above the
/// short one. Asserted: the 52-run worst within the goal, the 54-run worst
/// within 30 % (it was 49.5 % / 51.2 % with one fixed writer lead), and the
/// hovering point's prediction between its two repetitions.
#[test]
fn total_time_and_bytes_worst() {
    let runs = parse_runs(&data()).unwrap();
    let s = Settings::default();
    let scored = score(&runs, &s).unwrap();
    let all = summarize(&scored);
    let t = table(&scored, &s);
    let calm: Vec<_> = scored.iter().filter(|x| !is_hover(x)).cloned().collect();
    assert_eq!(calm.len(), 52);
    let m = summarize(&calm);
    assert!(m.total_worst <= 0.25, "{t}");
    assert!(m.bytes_worst <= 0.25, "{t}");
    assert!(all.total_worst <= 0.30, "{t}");
    assert!(all.bytes_worst <= 0.30, "{t}");
    // the hovering point: between the two repetitions, in time and bytes
    let hover: Vec<_> = scored.iter().filter(|x| is_hover(x)).collect();
    assert_eq!(hover.len(), 2);
    let (a, b) = (hover[0], hover[1]);
    assert!(a.total.signum() * b.total.signum() < 0.0, "{t}");
    assert!(a.bytes.signum() * b.bytes.signum() < 0.0, "{t}");
}

/// The writer's phase is unknown, so every figure is the expectation over
/// the 16 phases: the mean of their times and volumes, the rounds of the
/// median phase. A run whose outcome is the same at every phase gets the
/// same prediction as with the writer at the harness's nominal lead
/// (the model before the phases): the spread changes only the runs that
/// depend on the phase.
#[test]
fn spread_is_the_expectation_over_phases() {
    let runs = parse_runs(&data()).unwrap();
    let spread = score(&runs, &Settings::default()).unwrap();
    let lead = Settings {
        writer_phase: WriterPhase::Lead(WRITER_LEAD_NS),
        ..Settings::default()
    };
    let fixed = score(&runs, &lead).unwrap();
    let mut independent = 0;
    for (x, y) in spread.iter().zip(&fixed) {
        let ph = &x.predicted.phases;
        let p = &x.predicted;
        if x.run.dirty_rate == 0 {
            assert_eq!(ph.len(), 1, "{}", x.run.id);
        } else {
            assert_eq!(ph.len(), PHASES as usize, "{}", x.run.id);
        }
        let n = ph.len() as u64;
        let mean = |f: &dyn Fn(&PhaseOutcome) -> u64| (ph.iter().map(f).sum::<u64>() + n / 2) / n;
        assert_eq!(p.total_ns, mean(&|q| q.total_ns), "{}", x.run.id);
        assert_eq!(p.bytes, mean(&|q| q.bytes), "{}", x.run.id);
        assert_eq!(p.downtime_ns, mean(&|q| q.downtime_ns), "{}", x.run.id);
        assert!(ph.iter().any(|q| q.rounds == p.rounds), "{}", x.run.id);
        if ph
            .iter()
            .all(|q| (q.rounds, q.total_ns, q.bytes) == (ph[0].rounds, ph[0].total_ns, ph[0].bytes))
        {
            independent += 1;
            assert_eq!(
                (p.rounds, p.total_ns, p.bytes),
                (y.predicted.rounds, y.predicted.total_ns, y.predicted.bytes),
                "{}",
                x.run.id
            );
        }
    }
    assert!(independent >= 6, "{independent}");
}

/// Why the hovering point's two repetitions differ: where the guest's
/// writer is when the migration starts. With the writer 1.5 s into its
/// cycles (the harness's nominal lead) the model gives repetition 1's 17
/// rounds; 100 ms later (within the harness's own timing, which the set
/// does not record) it gives repetition 2's 5 rounds and its time within
/// 10 %. A demonstration of the mechanism, not a prediction: the scored
/// model uses one lead for every run.
#[test]
fn hover_is_the_writer_position() {
    let runs = parse_runs(&data()).unwrap();
    let hover: Vec<Run> = runs
        .iter()
        .filter(|r| {
            r.bandwidth == 128 << 20
                && r.dirty_percent == 90
                && r.working_set == 64 << 20
                && r.downtime_limit_ms == 300
        })
        .cloned()
        .collect();
    let (long, short) = if hover[0].rounds > hover[1].rounds {
        (&hover[0], &hover[1])
    } else {
        (&hover[1], &hover[0])
    };
    assert_eq!((long.rounds, short.rounds), (17, 5));
    let at = |lead_ms: u64, r: &Run| {
        let s = Settings {
            writer_phase: WriterPhase::Lead(lead_ms * 1_000_000),
            ..Settings::default()
        };
        score(std::slice::from_ref(r), &s).unwrap().remove(0)
    };
    let a = at(1500, long);
    assert!(a.rounds_exact && a.total.abs() < 0.01, "{a:?}");
    let b = at(1600, short);
    assert!(b.rounds_exact && b.total.abs() < 0.10, "{b:?}");
}

#[test]
fn final_copy_bytes() {
    let (m, t) = fixed();
    assert!(m.final_runs >= 20, "{t}");
    assert!(m.final_median.unwrap() <= 0.10, "{t}");
}

/// Downtime within max(25 %, 3 ms) on at least 65 % of the runs (the
/// model reaches 39/54 = 72 %).
#[test]
fn downtime() {
    let (m, t) = fixed();
    assert!(m.downtime_ok * 100 >= m.runs * 65, "{t}");
}

/// The first-touch cost is what separates the slow final copies (a first
/// pass's leftover) from the fast ones (re-sent pages): without it, or
/// without the switchover, the goal is not met.
#[test]
fn downtime_needs_both_mechanisms() {
    let runs = parse_runs(&data()).unwrap();
    for s in [
        Settings {
            first_touch_ns: 0,
            ..Settings::default()
        },
        Settings {
            first_touch_ns: 0,
            stop_cost_ns: 0,
            ..Settings::default()
        },
    ] {
        let m = summarize(&score(&runs, &s).unwrap());
        assert!(m.downtime_ok * 100 < m.runs * 65, "{s:?}");
    }
}

/// Live rounds exact on at least 80 % of the runs (the model: 44/54).
#[test]
fn rounds() {
    let (m, t) = fixed();
    assert!(m.rounds_exact * 100 >= m.runs * 80, "{t}");
}

/// Fitting the final bandwidth, the stop cost and the first-touch cost
/// never does worse on the downtime than the fixed settings (which are on
/// the grid). On the first repetitions only, to keep the test short.
#[test]
fn fitted_is_no_worse() {
    let runs: Vec<Run> = parse_runs(&data())
        .unwrap()
        .into_iter()
        .filter(|r| r.id.contains("_rep1_"))
        .collect();
    assert_eq!(runs.len(), 27);
    let f = fit(&runs).unwrap();
    let a = summarize(&score(&runs, &Settings::default()).unwrap());
    let b = summarize(&score(&runs, &f).unwrap());
    assert!(b.downtime_ok >= a.downtime_ok, "{f:?}");
    assert!(f.stop_cost_ns <= 10_000_000);
    assert!(f.first_touch_ns <= 20_000);
    assert!((64 << 20) * 8 <= f.final_bandwidth && f.final_bandwidth <= (4u64 << 30) * 8);
}

/// Held out: each bandwidth's runs scored with the final bandwidth, stop
/// cost and first-touch cost fitted on the other two bandwidths' runs. The
/// goals still hold on runs the fit never saw (downtime within max(25 %,
/// 3 ms) on 41 of 54, against 47 fitted on all and 39 with the fixed
/// settings), and each fold's fit is the one `fit` gives on its training
/// runs alone (the folds share one set of simulations).
#[test]
fn fit_carries_to_a_held_out_bandwidth() {
    let runs = parse_runs(&data()).unwrap();
    let (all, folds) = fit_and_hold_out(&runs).unwrap();
    let t = cross_table(&folds);
    assert_eq!(
        folds.iter().map(|f| f.bandwidth >> 20).collect::<Vec<_>>(),
        [32, 64, 128],
        "{t}"
    );
    let held: Vec<Scored> = folds.iter().flat_map(|f| f.scored.clone()).collect();
    assert_eq!(held.len(), 54);
    let m = summarize(&held);
    assert!(m.total_median <= 0.05 && m.bytes_median <= 0.05, "{t}");
    assert!(m.final_median.unwrap() <= 0.10, "{t}");
    // the goal (65 %) with room: 41 of 54
    assert_eq!(m.downtime_ok, 41, "{t}");
    let fitted_on_all = summarize(&score(&runs, &all).unwrap());
    assert_eq!(fitted_on_all.downtime_ok, 47, "{all:?}");
    let train: Vec<Run> = runs
        .iter()
        .filter(|r| r.bandwidth != 128 << 20)
        .cloned()
        .collect();
    assert_eq!(fit(&train).unwrap(), folds[2].fitted);
}

#[test]
fn bad_files_are_errors() {
    assert!(parse_runs("").is_err());
    assert!(parse_runs("run_id,ram_total\nx,1\n").is_err());
    let text = data();
    let header = text.lines().next().unwrap();
    let bad = format!(
        "{header}\n{}",
        text.lines()
            .nth(1)
            .unwrap()
            .replace(",268967936,", ",lots,")
    );
    let e = parse_runs(&bad).unwrap_err();
    assert!(e.contains("ram_total"), "{e}");
}

/// The range over the writer's phases explains what the point prediction
/// cannot: the measured total time and bytes lie within it (5 % slack) on
/// 53 of the 54 runs, both repetitions of the hovering point included
/// (4.23 s / 17 rounds and 2.84 s / 5 rounds against 2.43–4.24 s).
#[test]
fn measurements_lie_in_the_range_over_phases() {
    let runs = parse_runs(&data()).unwrap();
    let scored = score(&runs, &Settings::default()).unwrap();
    let m = summarize(&scored);
    assert_eq!(m.in_range, 53, "{}", table(&scored, &Settings::default()));
    let hover: Vec<_> = scored.iter().filter(|x| is_hover(x)).collect();
    assert!(hover.iter().all(|x| x.in_range), "{hover:?}");
    // and the check can fail: a known lead collapses the range to a point,
    // which misses the short repetition
    let lead = Settings {
        writer_phase: WriterPhase::Lead(WRITER_LEAD_NS),
        ..Settings::default()
    };
    let one = score(&runs, &lead).unwrap();
    assert!(one.iter().filter(|x| is_hover(x)).any(|x| !x.in_range));
}
