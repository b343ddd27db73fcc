//! Exact decimal times: integer ticks to `"0.0025"` seconds or `"2.5ms"`
//! and back, through integer nanoseconds (never floating point).

const NS_PER_S: u128 = 1_000_000_000;
const NS_PER_MS: u128 = 1_000_000;
const NS_PER_US: u128 = 1_000;

/// `ticks · tick_ns` nanoseconds (cannot overflow a `u128`).
pub fn ticks_to_ns(ticks: u64, tick_ns: u64) -> u128 {
    u128::from(ticks) * u128::from(tick_ns)
}

/// The whole number of ticks in `ns`, or an error if `ns` is not a multiple
/// of the tick or the count does not fit in a `u64`.
pub fn ns_to_ticks(ns: u128, tick_ns: u64) -> Result<u64, String> {
    if tick_ns == 0 {
        return Err("zero tick length".into());
    }
    let t = u128::from(tick_ns);
    if !ns.is_multiple_of(t) {
        return Err(format!(
            "{ns} ns is not a whole number of {tick_ns} ns ticks"
        ));
    }
    u64::try_from(ns / t).map_err(|_| format!("{ns} ns: too many ticks"))
}

/// `whole.fraction` with `digits` fraction digits, trailing zeros dropped;
/// at least one fraction digit when `keep_point`.
fn format_scaled(value: u128, scale: u128, digits: usize, keep_point: bool) -> String {
    let whole = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return if keep_point {
            format!("{whole}.0")
        } else {
            format!("{whole}")
        };
    }
    let f = format!("{frac:0digits$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// Seconds as an exact decimal string: `"0.0025"`, `"1.0"`, `"0.0"`.
pub fn seconds(ns: u128) -> String {
    format_scaled(ns, NS_PER_S, 9, true)
}

/// `ticks` of `tick_ns` as exact decimal seconds.
pub fn tick_seconds(ticks: u64, tick_ns: u64) -> String {
    seconds(ticks_to_ns(ticks, tick_ns))
}

/// Milliseconds with unit, exact: `"2.5ms"`, `"0.000001ms"`, `"20ms"`.
pub fn millis(ns: u128) -> String {
    format!("{}ms", format_scaled(ns, NS_PER_MS, 6, false))
}

/// Parses a plain decimal number (`digits[.digits]`, nothing else) into an
/// integer count of `1/scale` units; more fraction digits than the scale
/// holds are accepted only when they are zeros (the value stays exact).
fn parse_scaled(text: &str, scale: u128, digits: usize) -> Result<u128, String> {
    let bad = || format!("`{text}` is not a plain decimal number");
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if text.contains('.') && frac.is_empty() {
        return Err(bad());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (kept, rest) = frac.split_at(frac.len().min(digits));
    if rest.bytes().any(|b| b != b'0') {
        return Err(format!(
            "`{text}` is finer than a nanosecond: not an exact time"
        ));
    }
    let whole = whole.trim_start_matches('0');
    let w: u128 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| format!("`{text}` is too large"))?
    };
    let mut f: u128 = 0;
    for b in kept.bytes() {
        f = f * 10 + u128::from(b - b'0');
    }
    for _ in kept.len()..digits {
        f *= 10;
    }
    w.checked_mul(scale)
        .and_then(|x| x.checked_add(f))
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Parses exact decimal seconds (`"0.0025"`, `"1"`, `"1.0"`) to nanoseconds.
pub fn parse_seconds(text: &str) -> Result<u128, String> {
    parse_scaled(text.trim(), NS_PER_S, 9)
}

/// Parses a time with unit, `s`, `ms`, `us` or `ns` (`"2.5ms"`), to
/// nanoseconds, exactly.
pub fn parse_time(text: &str) -> Result<u128, String> {
    let t = text.trim();
    let (num, scale, digits) = if let Some(n) = t.strip_suffix("ms") {
        (n, NS_PER_MS, 6)
    } else if let Some(n) = t.strip_suffix("us") {
        (n, NS_PER_US, 3)
    } else if let Some(n) = t.strip_suffix("ns") {
        (n, 1, 0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, NS_PER_S, 9)
    } else {
        return Err(format!("`{text}`: a time needs a unit (s, ms, us, ns)"));
    };
    parse_scaled(num, scale, digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats() {
        assert_eq!(tick_seconds(2500, 1000), "0.0025");
        assert_eq!(tick_seconds(0, 1000), "0.0");
        assert_eq!(tick_seconds(1_000_000, 1000), "1.0");
        assert_eq!(tick_seconds(1_500_000, 1000), "1.5");
        assert_eq!(tick_seconds(1, 1), "0.000000001");
        assert_eq!(tick_seconds(u64::MAX, u64::MAX), {
            let ns = u128::from(u64::MAX) * u128::from(u64::MAX);
            format!(
                "{}.{}",
                ns / NS_PER_S,
                format!("{:09}", ns % NS_PER_S).trim_end_matches('0')
            )
        });
        assert_eq!(millis(2_500_000), "2.5ms");
        assert_eq!(millis(20_000_000), "20ms");
        assert_eq!(millis(1_000), "0.001ms");
        assert_eq!(millis(1), "0.000001ms");
        assert_eq!(millis(0), "0ms");
    }

    #[test]
    fn parses() {
        assert_eq!(parse_seconds("0.0025"), Ok(2_500_000));
        assert_eq!(parse_seconds("1"), Ok(NS_PER_S));
        assert_eq!(parse_seconds("1.000000000000"), Ok(NS_PER_S));
        assert_eq!(parse_seconds("007.5"), Ok(7_500_000_000));
        for bad in [
            "",
            ".5",
            "1.",
            "-1",
            "+1",
            "1e3",
            "1.5.2",
            " ",
            "0x10",
            "1,5",
            "0.0000000001",
        ] {
            assert!(parse_seconds(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(parse_time("2.5ms"), Ok(2_500_000));
        assert_eq!(parse_time("250us"), Ok(250_000));
        assert_eq!(parse_time("1s"), Ok(NS_PER_S));
        assert_eq!(parse_time("7ns"), Ok(7));
        assert!(parse_time("7").is_err());
        assert!(parse_time("1.5ns").is_err());
        assert!(parse_time("ms").is_err());
        assert!(parse_seconds("99999999999999999999999999999999999999999").is_err());
        assert_eq!(ns_to_ticks(2_500_000, 1000), Ok(2500));
        assert!(ns_to_ticks(2_500_001, 1000).is_err());
        assert!(ns_to_ticks(1, 0).is_err());
    }

    proptest! {
        #[test]
        fn seconds_round_trip(ticks in any::<u64>(), tick_ns in 1u64..=10_000_000_000) {
            let s = tick_seconds(ticks, tick_ns);
            let ns = parse_seconds(&s).unwrap();
            prop_assert_eq!(ns, ticks_to_ns(ticks, tick_ns));
            prop_assert_eq!(ns_to_ticks(ns, tick_ns).unwrap(), ticks);
            // canonical: at most 9 fraction digits, no trailing zero unless ".0"
            let frac = s.split_once('.').unwrap().1;
            prop_assert!(frac.len() <= 9);
            prop_assert!(frac == "0" || !frac.ends_with('0'));
        }

        #[test]
        fn millis_round_trip(ticks in any::<u64>(), tick_ns in 1u64..=10_000_000_000) {
            let ns = ticks_to_ns(ticks, tick_ns);
            let s = millis(ns);
            prop_assert_eq!(parse_time(&s).unwrap(), ns);
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = parse_seconds(&s);
            let _ = parse_time(&s);
        }
    }
}
