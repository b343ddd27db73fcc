//! Reading transition plans written by other tools (§11.2 fields), in JSON or RON.

use seamless_model::plan::Plan;

/// Parses a §11.2 plan from JSON; the error says line and column.
pub fn parse_plan_json(text: &str) -> Result<Plan, String> {
    serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = match msg.rfind(" at line ") {
            Some(i) => &msg[..i],
            None => &msg,
        };
        format!("line {}, column {}: {msg}", e.line(), e.column())
    })
}

/// Parses a §11.2 plan from RON (struct names optional; `via` written plainly
/// or as `Some(..)`); the error says line and column.
pub fn parse_plan_ron(text: &str) -> Result<Plan, String> {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e: ron::error::SpannedError| {
            format!(
                "line {}, column {}: {}",
                e.span.start.line, e.span.start.col, e.code
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
  "from": "a", "to": "b", "tick": "1us",
  "request": 5, "switch": 10, "b_start": 10, "complete": 20,
  "migrations": [{"program": "p", "from": {"module": "cm1", "core": 0},
                  "to": {"module": "cm2", "core": 1}, "scheme": "scatter-gather",
                  "via": "cm3", "resume": 15, "eviction": 12, "total_time": 4,
                  "downtime": 5, "bytes": 100, "degradation": 0}],
  "transfers": [{"program": "p", "phase": "scatter", "bytes": 100,
                 "hops": [{"from": "cm1", "to": "sw1", "start": 10, "end": 11}]}],
  "skipped": [{"program": "p", "index": 0}],
  "extended": [{"program": "p", "index": 1, "extra": 7}],
  "programs": [{"program": "p", "action": "migrate", "unavailability": 9, "bound": null}],
  "metrics": {"transition_latency": 15, "eviction_time": 7, "total_migration_time": 4,
              "max_downtime": 5, "bytes": 100, "degradation": 0},
  "from_schedule": {"mode": "a", "tick": "1us", "major_frame": 10, "placement": [], "jobs": [], "transmissions": []},
  "to_schedule": {"mode": "b", "tick": "1us", "major_frame": 10, "placement": [], "jobs": [], "transmissions": []}
}"#;

    #[test]
    fn json_round_trip() {
        let p = parse_plan_json(JSON).expect("parses");
        assert_eq!(p.migrations[0].via.as_deref(), Some("cm3"));
        assert_eq!(p.programs[0].bound, None);
        assert_eq!(p.extended[0].extra, 7);
        let back = parse_plan_json(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }

    /// `seamless plan --worst-case` adds a `worst_case` field: read and
    /// ignored (it is a claim over every request instant, not part of this
    /// plan).
    #[test]
    fn worst_case_field_is_accepted() {
        let p = parse_plan_json(JSON).unwrap();
        let with = JSON.replacen(
            "{",
            r#"{"worst_case": {"transition_latency": {"value": 20, "request": 3},
                "unavailability": [{"program": "p", "value": 9, "request": 0}]},"#,
            1,
        );
        assert_eq!(parse_plan_json(&with).unwrap(), p);
        let text = ron::ser::to_string_pretty(&p, ron::ser::PrettyConfig::default()).unwrap();
        let text = text.trim_end().strip_suffix(')').unwrap().to_string()
            + "    worst_case: (transition_latency: (value: 20, request: 3), unavailability: [(program: \"p\", value: 9, request: 0)]),\n)\n";
        assert_eq!(parse_plan_ron(&text).unwrap(), p);
    }

    #[test]
    fn json_errors_say_where() {
        let bad = JSON.replace("\"request\": 5", "\"request\": -5");
        let e = parse_plan_json(&bad).unwrap_err();
        assert!(e.starts_with("line 3, column "), "{e}");
        let bad = JSON.replace("scatter-gather", "teleport");
        let e = parse_plan_json(&bad).unwrap_err();
        assert!(e.contains("unknown variant"), "{e}");
    }

    #[test]
    fn ron_round_trip_plain_and_some() {
        let p = parse_plan_json(JSON).unwrap();
        let text = ron::ser::to_string_pretty(&p, ron::ser::PrettyConfig::default()).unwrap();
        assert_eq!(parse_plan_ron(&text).unwrap(), p);
        // optional fields written plainly, as the model's input files allow
        let plain = text
            .replace("Some(\"cm3\")", "\"cm3\"")
            .replace("Some(9)", "9");
        assert_ne!(plain, text);
        assert_eq!(parse_plan_ron(&plain).unwrap(), p);
        let e = parse_plan_ron("(from: \"a\",\n to: 3)").unwrap_err();
        assert!(e.starts_with("line 2, column "), "{e}");
    }
}
