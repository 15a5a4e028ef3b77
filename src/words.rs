//! Numbers as a person reads them in messages and reports: "1,234,567",
//! "1 leader", "3.5 hours", "1.2 TB".

/// Bytes in words: "512 MB", "1.2 TB" (powers of 1,024, as memory is sold).
pub fn bytes_in_words(bytes: f64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes.max(0.0);
    let mut unit = 0;
    // Move up a unit from what rounds to 1,000 (binary units), so that no
    // figure takes four digits.
    while value >= 999.5 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{value:.0} bytes"),
        _ if value < 10.0 => format!("{value:.1} {}", units[unit]),
        _ => format!("{value:.0} {}", units[unit]),
    }
}

/// A duration in words: "40 seconds", "3.5 hours", "12,000 years".
pub fn seconds_in_words(seconds: f64) -> String {
    if seconds < 1.0 {
        return "under a second".to_string();
    }
    let steps = [
        (60.0, "seconds"),
        (3600.0, "minutes"),
        (86_400.0, "hours"),
        (365.25 * 86_400.0, "days"),
    ];
    let mut previous = 1.0;
    for (limit, unit) in steps {
        if seconds < limit {
            return rounded(seconds / previous, unit);
        }
        previous = limit;
    }
    rounded(seconds / previous, "years")
}

fn rounded(value: f64, unit: &str) -> String {
    if value < 10.0 && (value - value.round()).abs() >= 0.05 {
        format!("{value:.1} {unit}")
    } else if value < 1e15 {
        count(value.round(), unit.trim_end_matches('s'))
    } else {
        format!("{value:.1e} {unit}")
    }
}

/// "1 leader", "2,000 leaders".
pub fn count(value: f64, noun: &str) -> String {
    let value = value.max(0.0);
    let plural = if value == 1.0 { "" } else { "s" };
    if value < 1e15 {
        format!("{} {noun}{plural}", thousands(value as u64))
    } else {
        format!("{value:.1e} {noun}{plural}")
    }
}

/// `1234567` as "1,234,567".
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// "a, b and c".
pub fn join_with_and<S: AsRef<str>>(parts: &[S]) -> String {
    match parts {
        [] => String::new(),
        [only] => only.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: f64 = 1024.0 * 1024.0;

    #[test]
    fn sizes_and_durations_read_as_words() {
        assert_eq!(bytes_in_words(512.0), "512 bytes");
        assert_eq!(bytes_in_words(3.0 * MIB), "3.0 MB");
        assert_eq!(bytes_in_words(1.5 * 1024.0 * 1024.0 * MIB), "1.5 TB");
        // Never four digits: 1,020 GB reads as about 1 TB.
        assert_eq!(bytes_in_words(1020.0 * 1024.0 * MIB), "1.0 TB");
        assert_eq!(bytes_in_words(999.0 * MIB), "999 MB");
        assert_eq!(bytes_in_words(999.7 * MIB), "1.0 GB");
        assert_eq!(seconds_in_words(42.0), "42 seconds");
        assert_eq!(seconds_in_words(90.0), "1.5 minutes");
        assert_eq!(seconds_in_words(3.0 * 86_400.0), "3 days");
        assert_eq!(seconds_in_words(86_400.0), "1 day");
        assert_eq!(count(1.0, "peer"), "1 peer");
        assert_eq!(seconds_in_words(1e6 * 365.25 * 86_400.0), "1,000,000 years");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
