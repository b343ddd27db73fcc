//! Plans switches of a system folder from tables saved once by
//! `seamless schedule DIR --out TABLES` (synthesis of large systems takes
//! minutes; planning is what this measures):
//! `cargo run --release -p seamless-plan --example cached -- DIR TABLES [FROM TO] [REQUEST] [BUDGET]`.
//! Without `FROM TO`, every allowed transition whose two tables are saved.
//! Prints each outcome's first lines and the planning time (wall clock, with a
//! 10 s time limit as `seamless plan` has).

mod common;

use common::load_dir;
use seamless_model::schedule::Schedule;
use seamless_plan::{PlanOptions, plan_transition};
use std::path::Path;
use std::time::{Duration, Instant};

fn table(dir: &Path, mode: &str) -> Option<Schedule> {
    let text = std::fs::read_to_string(dir.join(format!("{mode}.schedule.json"))).ok()?;
    seamless_verify::parse_schedule_json(&text).ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sys = load_dir(Path::new(&args[0]));
    let tables = Path::new(&args[1]);
    let pairs: Vec<(usize, usize)> = match (args.get(2), args.get(3)) {
        (Some(f), Some(t)) => vec![(
            sys.mode_by_name(f).expect("mode"),
            sys.mode_by_name(t).expect("mode"),
        )],
        _ => sys.transitions.clone(),
    };
    let request: u64 = args.get(4).and_then(|x| x.parse().ok()).unwrap_or(0);
    let mut opts = PlanOptions {
        time_limit: Some(Duration::from_secs(10)),
        ..PlanOptions::default()
    };
    if let Some(b) = args.get(5).and_then(|x| x.parse().ok()) {
        opts.budget = b;
    }
    for (f, t) in pairs {
        let (fa, ta) = (&sys.modes[f].name, &sys.modes[t].name);
        let (Some(a), Some(b)) = (table(tables, fa), table(tables, ta)) else {
            println!("{fa} → {ta}: a table is missing");
            continue;
        };
        let start = Instant::now();
        let r = plan_transition(&sys, f, t, &a, &b, request, &opts);
        let el = start.elapsed();
        match r {
            Ok(p) => {
                let ok = seamless_verify::verify_plan(&sys, &p).is_valid();
                println!(
                    "{fa} → {ta}: plan in {el:.2?}: {} migrations, latency {} ticks, verified: {ok}",
                    p.migrations.len(),
                    p.metrics.transition_latency
                );
            }
            Err(e) => {
                println!("{fa} → {ta}: no plan in {el:.2?}:");
                for l in e.to_string().lines().take(12) {
                    println!("  {l}");
                }
            }
        }
    }
}
