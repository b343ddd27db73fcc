//! Exact parsing of the quantity strings of §1 of the model: durations,
//! frequencies, sizes and bandwidths, and their conversion to integer ticks,
//! bytes and bits per second. No floating point anywhere.
//!
//! A quantity is `digits[.digits]unit` and nothing else: no spaces, signs or
//! exponents.

use std::fmt;

/// Why a quantity string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitError {
    /// Empty, or not `digits[.digits]unit`.
    Malformed {
        /// What the quantity should look like (`a duration such as "20ms"`).
        expected: &'static str,
    },
    /// Starts with `-`.
    Negative,
    /// Digits without a unit.
    MissingUnit {
        /// The units this kind of quantity takes.
        expected: &'static str,
    },
    /// A unit that this kind of quantity does not know.
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The units this kind of quantity takes.
        expected: &'static str,
    },
    /// The value does not fit in 64 bits.
    Overflow,
    /// A duration or frequency that is not a whole number of ticks.
    NotWholeTicks {
        /// The value in ticks is `ticks_num / ticks_den` (a fraction in
        /// lowest terms, `ticks_den > 1`).
        ticks_num: u128,
        /// See `ticks_num`.
        ticks_den: u128,
    },
    /// A size that is not a whole number of bytes.
    NotWholeBytes,
    /// A bandwidth that is not a whole number of bits per second.
    NotWholeBits,
    /// Zero where a positive value is needed.
    Zero,
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::Malformed { expected } => {
                write!(f, "expected a number followed by a unit ({expected})")
            }
            UnitError::Negative => write!(f, "negative values are not allowed"),
            UnitError::MissingUnit { expected } => {
                write!(f, "the number has no unit (expected one of {expected})")
            }
            UnitError::UnknownUnit { unit, expected } => {
                write!(f, "unknown unit `{unit}` (expected one of {expected})")
            }
            UnitError::Overflow => write!(f, "the value is too large (it must fit in 64 bits)"),
            UnitError::NotWholeTicks {
                ticks_num,
                ticks_den,
            } => write!(
                f,
                "not a whole number of ticks ({} ticks)",
                fraction(*ticks_num, *ticks_den)
            ),
            UnitError::NotWholeBytes => write!(f, "not a whole number of bytes"),
            UnitError::NotWholeBits => write!(f, "not a whole number of bits per second"),
            UnitError::Zero => write!(f, "must be positive, not zero"),
        }
    }
}

fn fraction(num: u128, den: u128) -> String {
    let whole = num / den;
    let mut rem = num % den;
    let mut s = whole.to_string();
    if rem != 0 {
        s.push('.');
        for _ in 0..6 {
            rem *= 10;
            s.push(char::from(b'0' + (rem / den) as u8));
            rem %= den;
            if rem == 0 {
                break;
            }
        }
        if rem != 0 {
            s.push('…');
        }
    }
    s
}

/// A decimal number `mantissa / 10^scale` as written, before its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    mantissa: u128,
    scale: u32,
}

/// Splits `digits[.digits]unit` into the number and the unit.
fn split<'a>(text: &'a str, expected: &'static str) -> Result<(Decimal, &'a str), UnitError> {
    if text.starts_with('-') {
        return Err(UnitError::Negative);
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut mantissa: u128 = 0;
    let mut digits = 0usize;
    let mut scale = 0u32;
    let push = |m: u128, d: u8| -> Result<u128, UnitError> {
        m.checked_mul(10)
            .and_then(|m| m.checked_add(u128::from(d - b'0')))
            .ok_or(UnitError::Overflow)
    };
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        mantissa = push(mantissa, bytes[i])?;
        digits += 1;
        i += 1;
    }
    if digits == 0 {
        return Err(UnitError::Malformed { expected });
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let mut frac = 0;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            mantissa = push(mantissa, bytes[i])?;
            frac += 1;
            i += 1;
        }
        if frac == 0 {
            return Err(UnitError::Malformed { expected });
        }
        scale = frac;
        if scale > 30 {
            return Err(UnitError::Overflow);
        }
    }
    let unit = &text[i..];
    if unit.is_empty() {
        return Err(UnitError::MissingUnit { expected });
    }
    if !unit.bytes().all(|b| b.is_ascii_alphabetic() || b == b'/') {
        return Err(UnitError::Malformed { expected });
    }
    Ok((Decimal { mantissa, scale }, unit))
}

const DURATION_UNITS: &str = "ns, us, ms, s";
const FREQUENCY_UNITS: &str = "Hz, kHz, MHz, GHz";
const SIZE_UNITS: &str = "B, KB, MB, GB, KiB, MiB, GiB";
const BANDWIDTH_UNITS: &str =
    "bit/s, kbit/s, Mbit/s, Gbit/s, B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s";

fn pow10(e: u32) -> u128 {
    10u128.pow(e)
}

/// Parses a duration and returns it in nanoseconds as the exact fraction
/// `num / den`.
fn duration_ns(text: &str) -> Result<(u128, u128), UnitError> {
    let (d, unit) = split(text, DURATION_UNITS)?;
    let ns_per_unit: u128 = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        _ => {
            return Err(UnitError::UnknownUnit {
                unit: unit.to_string(),
                expected: DURATION_UNITS,
            });
        }
    };
    let num = d
        .mantissa
        .checked_mul(ns_per_unit)
        .ok_or(UnitError::Overflow)?;
    Ok((num, pow10(d.scale)))
}

/// The system's time base.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tick {
    /// The length of one tick in nanoseconds (≥ 1).
    pub ns: u64,
    /// The tick as written in the input (`"1us"`), echoed in outputs.
    pub text: String,
}

impl Tick {
    /// Parses the `tick` field. A tick must be a whole, positive number of
    /// nanoseconds.
    pub fn parse(text: &str) -> Result<Tick, UnitError> {
        let (num, den) = duration_ns(text)?;
        if num == 0 {
            return Err(UnitError::Zero);
        }
        if num % den != 0 {
            return Err(UnitError::NotWholeTicks {
                ticks_num: num,
                ticks_den: den,
            });
        }
        let ns = u64::try_from(num / den).map_err(|_| UnitError::Overflow)?;
        Ok(Tick {
            ns,
            text: text.to_string(),
        })
    }

    /// The default tick, one microsecond.
    pub fn micro() -> Tick {
        Tick {
            ns: 1_000,
            text: "1us".to_string(),
        }
    }

    /// Converts a duration string to a whole number of ticks (0 allowed).
    pub fn duration(&self, text: &str) -> Result<u64, UnitError> {
        let (num, den) = duration_ns(text)?;
        let den = den * u128::from(self.ns);
        if num % den != 0 {
            return Err(UnitError::NotWholeTicks {
                ticks_num: num,
                ticks_den: den,
            });
        }
        u64::try_from(num / den).map_err(|_| UnitError::Overflow)
    }

    /// Converts a frequency string to its period in whole ticks.
    pub fn frequency_period(&self, text: &str) -> Result<u64, UnitError> {
        let (d, unit) = split(text, FREQUENCY_UNITS)?;
        let hz: u128 = match unit {
            "Hz" => 1,
            "kHz" => 1_000,
            "MHz" => 1_000_000,
            "GHz" => 1_000_000_000,
            _ => {
                return Err(UnitError::UnknownUnit {
                    unit: unit.to_string(),
                    expected: FREQUENCY_UNITS,
                });
            }
        };
        // F = mantissa * hz / 10^scale ; period in ticks =
        // 10^scale * 1e9 / (mantissa * hz * tick_ns).
        let den = d
            .mantissa
            .checked_mul(hz)
            .and_then(|x| x.checked_mul(u128::from(self.ns)))
            .ok_or(UnitError::Overflow)?;
        if den == 0 {
            return Err(UnitError::Zero);
        }
        let num = pow10(d.scale)
            .checked_mul(1_000_000_000)
            .ok_or(UnitError::Overflow)?;
        if num % den != 0 {
            return Err(UnitError::NotWholeTicks {
                ticks_num: num,
                ticks_den: den,
            });
        }
        u64::try_from(num / den).map_err(|_| UnitError::Overflow)
    }

    /// Formats a tick count as a human duration (`"2.5ms"`), exactly.
    pub fn format(&self, ticks: u64) -> String {
        format_ns(u128::from(ticks) * u128::from(self.ns))
    }

    /// Milliseconds in a tick count, as the exact fraction (num, den).
    pub fn ticks_per_ms(&self) -> (u64, u64) {
        // ticks per ms = 1e6 / ns
        let g = num_integer::gcd(1_000_000, self.ns);
        (1_000_000 / g, self.ns / g)
    }
}

/// Formats nanoseconds with the largest unit that keeps it short and exact.
pub fn format_ns(ns: u128) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    for (unit, per) in [("s", 1_000_000_000u128), ("ms", 1_000_000), ("us", 1_000)] {
        if ns >= per {
            let whole = ns / per;
            let rem = ns % per;
            if rem == 0 {
                return format!("{whole}{unit}");
            }
            let width = per.ilog10() as usize;
            let frac = format!("{rem:0width$}");
            let frac = frac.trim_end_matches('0');
            return format!("{whole}.{frac}{unit}");
        }
    }
    format!("{ns}ns")
}

/// Parses a size to bytes.
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let (d, unit) = split(text, SIZE_UNITS)?;
    let per: u128 = match unit {
        "B" => 1,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => {
            return Err(UnitError::UnknownUnit {
                unit: unit.to_string(),
                expected: SIZE_UNITS,
            });
        }
    };
    let num = d.mantissa.checked_mul(per).ok_or(UnitError::Overflow)?;
    let den = pow10(d.scale);
    if num % den != 0 {
        return Err(UnitError::NotWholeBytes);
    }
    u64::try_from(num / den).map_err(|_| UnitError::Overflow)
}

/// Formats a byte count exactly: with a binary unit where it divides, else in bytes.
pub fn format_size(bytes: u64) -> String {
    for (unit, per) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= per && bytes.is_multiple_of(per) {
            return format!("{}{unit}", bytes / per);
        }
    }
    format!("{bytes}B")
}

/// Formats a byte count for reading, rounded down to one decimal (`"1.4MiB"`).
pub fn format_size_short(bytes: u64) -> String {
    for (unit, per) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= per {
            if bytes.is_multiple_of(per) {
                return format!("{}{unit}", bytes / per);
            }
            let tenths = u128::from(bytes) * 10 / u128::from(per);
            return format!("{}.{}{unit}", tenths / 10, tenths % 10);
        }
    }
    format!("{bytes}B")
}

/// Parses a bandwidth to whole bits per second.
pub fn parse_bandwidth(text: &str) -> Result<u64, UnitError> {
    let (d, unit) = split(text, BANDWIDTH_UNITS)?;
    let bits_per: u128 = match unit {
        "bit/s" => 1,
        "kbit/s" => 1_000,
        "Mbit/s" => 1_000_000,
        "Gbit/s" => 1_000_000_000,
        "B/s" => 8,
        "KB/s" => 8_000,
        "MB/s" => 8_000_000,
        "GB/s" => 8_000_000_000,
        "KiB/s" => 8 << 10,
        "MiB/s" => 8 << 20,
        "GiB/s" => 8 << 30,
        _ => {
            return Err(UnitError::UnknownUnit {
                unit: unit.to_string(),
                expected: BANDWIDTH_UNITS,
            });
        }
    };
    let num = d
        .mantissa
        .checked_mul(bits_per)
        .ok_or(UnitError::Overflow)?;
    let den = pow10(d.scale);
    if num % den != 0 {
        return Err(UnitError::NotWholeBits);
    }
    u64::try_from(num / den).map_err(|_| UnitError::Overflow)
}

/// Formats bits per second (`"100Mbit/s"`).
pub fn format_bandwidth(bps: u64) -> String {
    for (unit, per) in [
        ("Gbit/s", 1_000_000_000u64),
        ("Mbit/s", 1_000_000),
        ("kbit/s", 1_000),
    ] {
        if bps >= per && bps.is_multiple_of(per) {
            return format!("{}{unit}", bps / per);
        }
    }
    format!("{bps}bit/s")
}

/// Ticks needed to send `bytes` over a link of `bandwidth_bps` bit/s:
/// `ceil(8·bytes / (bandwidth · tick_seconds))`, exactly.
///
/// Returns `None` when the result does not fit in 64 bits.
pub fn tx_ticks(bytes: u64, bandwidth_bps: u64, tick_ns: u64) -> Option<u64> {
    let num = 8u128 * u128::from(bytes) * 1_000_000_000u128;
    let den = u128::from(bandwidth_bps) * u128::from(tick_ns);
    if den == 0 {
        return None;
    }
    u64::try_from(num.div_ceil(den)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let t = Tick::micro();
        assert_eq!(t.duration("250us"), Ok(250));
        assert_eq!(t.duration("2.5ms"), Ok(2500));
        assert_eq!(t.duration("1s"), Ok(1_000_000));
        assert_eq!(t.duration("0us"), Ok(0));
        assert_eq!(t.duration("1000ns"), Ok(1));
        assert!(matches!(
            t.duration("1500ns"),
            Err(UnitError::NotWholeTicks { .. })
        ));
        assert!(matches!(
            t.duration("5"),
            Err(UnitError::MissingUnit { .. })
        ));
        assert!(matches!(
            t.duration("5min"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert_eq!(t.duration("-5ms"), Err(UnitError::Negative));
        assert!(matches!(
            t.duration("5 ms"),
            Err(UnitError::Malformed { .. })
        ));
        assert!(matches!(
            t.duration("1e3ms"),
            Err(UnitError::Malformed { .. })
        ));
        assert!(matches!(
            t.duration(".5ms"),
            Err(UnitError::Malformed { .. })
        ));
        assert!(matches!(
            t.duration("5.ms"),
            Err(UnitError::Malformed { .. })
        ));
        assert_eq!(
            t.duration("99999999999999999999999999s"),
            Err(UnitError::Overflow)
        );
    }

    #[test]
    fn ticks() {
        assert_eq!(Tick::parse("10us").unwrap().ns, 10_000);
        assert_eq!(Tick::parse("1ns").unwrap().ns, 1);
        assert_eq!(Tick::parse("0us"), Err(UnitError::Zero));
        assert!(Tick::parse("0.5ns").is_err());
        let t = Tick::parse("10us").unwrap();
        assert_eq!(t.duration("20ms"), Ok(2000));
        assert!(t.duration("5us").is_err());
    }

    #[test]
    fn frequencies() {
        let t = Tick::micro();
        assert_eq!(t.frequency_period("50Hz"), Ok(20_000));
        assert_eq!(t.frequency_period("2kHz"), Ok(500));
        assert_eq!(t.frequency_period("1MHz"), Ok(1));
        assert_eq!(t.frequency_period("0.5Hz"), Ok(2_000_000));
        assert!(matches!(
            t.frequency_period("3Hz"),
            Err(UnitError::NotWholeTicks { .. })
        ));
        assert_eq!(t.frequency_period("0Hz"), Err(UnitError::Zero));
        assert!(matches!(
            t.frequency_period("2MHz"),
            Err(UnitError::NotWholeTicks { .. })
        ));
    }

    #[test]
    fn sizes_and_bandwidths() {
        assert_eq!(parse_size("512B"), Ok(512));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("1.5KB"), Ok(1500));
        assert_eq!(parse_size("0.5B"), Err(UnitError::NotWholeBytes));
        assert_eq!(parse_size("99999999999GiB"), Err(UnitError::Overflow));
        assert_eq!(parse_bandwidth("100Mbit/s"), Ok(100_000_000));
        assert_eq!(parse_bandwidth("12.5MB/s"), Ok(100_000_000));
        assert_eq!(parse_bandwidth("1Gbit/s"), Ok(1_000_000_000));
        assert_eq!(parse_bandwidth("10MiB/s"), Ok(83_886_080));
        assert_eq!(parse_bandwidth("0.5bit/s"), Err(UnitError::NotWholeBits));
        assert_eq!(
            parse_bandwidth("99999999999GiB/s"),
            Err(UnitError::Overflow)
        );
    }

    #[test]
    fn transmission_time() {
        // 1 KiB over 100 Mbit/s with 1 us ticks: 8192 bits / 100 bits per tick = 81.92 -> 82
        assert_eq!(tx_ticks(1024, 100_000_000, 1_000), Some(82));
        assert_eq!(tx_ticks(1250, 100_000_000, 1_000), Some(100));
        assert_eq!(tx_ticks(0, 100_000_000, 1_000), Some(0));
        assert_eq!(tx_ticks(1, 1_000_000_000, 1), Some(8));
    }

    #[test]
    fn formatting() {
        let t = Tick::micro();
        assert_eq!(t.format(2500), "2.5ms");
        assert_eq!(t.format(1_000_000), "1s");
        assert_eq!(t.format(7), "7us");
        assert_eq!(format_size(4096), "4KiB");
        assert_eq!(format_bandwidth(100_000_000), "100Mbit/s");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn duration_round_trip(ticks in 0u64..10_000_000_000) {
                let t = Tick::micro();
                prop_assert_eq!(t.duration(&format!("{ticks}us")), Ok(ticks));
                prop_assert_eq!(t.duration(&t.format(ticks)), Ok(ticks));
            }

            #[test]
            fn decimal_scaling(whole in 0u64..1_000_000, frac in 0u64..1000) {
                let t = Tick::micro();
                // "w.fffms" is w*1000 + fff us
                let s = format!("{whole}.{frac:03}ms");
                prop_assert_eq!(t.duration(&s), Ok(whole * 1000 + frac));
            }

            #[test]
            fn size_units_agree(n in 0u64..1_000_000) {
                prop_assert_eq!(parse_size(&format!("{n}KiB")), Ok(n * 1024));
                prop_assert_eq!(parse_size(&format!("{n}KB")), Ok(n * 1000));
                prop_assert_eq!(parse_size(&format_size(n)), Ok(n));
            }

            #[test]
            fn never_panics(s in "\\PC{0,12}") {
                let t = Tick::micro();
                let _ = t.duration(&s);
                let _ = t.frequency_period(&s);
                let _ = parse_size(&s);
                let _ = parse_bandwidth(&s);
                let _ = Tick::parse(&s);
            }

            #[test]
            fn tx_is_ceiling(bytes in 0u64..1_000_000, mbit in 1u64..10_000) {
                let bps = mbit * 1_000_000;
                let t = tx_ticks(bytes, bps, 1_000).unwrap();
                // t ticks of 1us carry t*bps/1e6 bits >= 8*bytes, and t-1 do not.
                prop_assert!(u128::from(t) * u128::from(bps) >= 8 * u128::from(bytes) * 1_000_000);
                if t > 0 {
                    prop_assert!(u128::from(t - 1) * u128::from(bps) < 8 * u128::from(bytes) * 1_000_000);
                }
            }
        }
    }
}
