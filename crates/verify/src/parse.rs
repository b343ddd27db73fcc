//! Reading schedules written by other tools (§11.1 fields), in JSON or RON.

use seamless_model::schedule::Schedule;

/// Parses a §11.1 schedule from JSON; the error says line and column.
pub fn parse_schedule_json(text: &str) -> Result<Schedule, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        )
    })
}

/// Parses a §11.1 schedule from RON (struct names optional); the error says
/// line and column.
pub fn parse_schedule_ron(text: &str) -> Result<Schedule, String> {
    ron::Options::default()
        .from_str(text)
        .map_err(|e: ron::error::SpannedError| {
            format!(
                "line {}, column {}: {}",
                e.span.start.line, e.span.start.col, e.code
            )
        })
}

/// serde_json appends " at line L column C"; the position is given first.
fn strip_position(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
  "mode": "m",
  "tick": "1us",
  "major_frame": 100,
  "placement": [{"program": "a", "module": "cm1", "core": 0}],
  "jobs": [{"program": "a", "index": 0, "module": "cm1", "core": 0, "start": 0, "end": 10}],
  "transmissions": [{"message": "x", "index": 0, "hops": [{"from": "cm1", "to": "sw", "start": 10, "end": 20}]}]
}"#;

    #[test]
    fn json_round_trip() {
        let s = parse_schedule_json(JSON).expect("parses");
        assert_eq!(s.major_frame, 100);
        assert_eq!(s.jobs[0].end, 10);
        assert_eq!(s.transmissions[0].hops[0].to, "sw");
        let back = parse_schedule_json(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn json_errors_say_where() {
        let bad = JSON.replace("\"major_frame\": 100", "\"major_frame\": \"100\"");
        let e = parse_schedule_json(&bad).unwrap_err();
        assert!(e.starts_with("line 4, column "), "{e}");
        assert!(e.contains("invalid type"), "{e}");
        let e = parse_schedule_json("{\"mode\": \"m\"}").unwrap_err();
        assert!(e.starts_with("line 1, column"), "{e}");
        assert!(e.contains("missing field"), "{e}");
    }

    #[test]
    fn ron_round_trip_and_errors() {
        let s = parse_schedule_json(JSON).unwrap();
        let text = ron::ser::to_string_pretty(&s, ron::ser::PrettyConfig::default()).unwrap();
        assert_eq!(parse_schedule_ron(&text).unwrap(), s);
        // struct names may be left out
        let bare = "(mode: \"m\", tick: \"1us\", major_frame: 5, placement: [], jobs: [], transmissions: [])";
        assert_eq!(parse_schedule_ron(bare).unwrap().major_frame, 5);
        let e = parse_schedule_ron("(mode: \"m\",\n tick: 3)").unwrap_err();
        assert!(e.starts_with("line 2, column "), "{e}");
    }
}
