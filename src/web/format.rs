//! How numbers, changes, instants and URLs are written on the pages.
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A URL query component.
pub fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A query string from pairs, empty values left out: `?a=1&b=x%20y`.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A whole number with thousands separators: 6984 → "6,984".
pub fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("−{out}") } else { out }
}

/// A signed whole number: "+12", "−3", "0".
pub fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", int(n))
    } else {
        int(n)
    }
}

/// A percentage change with one decimal and its sign; "new" when there is none (the
/// previous value was 0).
pub fn percent_change(p: Option<f64>) -> String {
    match p {
        None => "new".into(),
        Some(p) if p.abs() < 0.05 => "0.0%".into(),
        Some(p) if p > 0.0 => format!("+{p:.1}%"),
        Some(p) => format!("−{:.1}%", p.abs()),
    }
}

/// A share as a percentage with one decimal.
pub fn percent(p: f64) -> String {
    format!("{p:.1}%")
}

/// An instant in the environment's zone: "2026-10-03 09:00".
pub fn instant(at: &str, tz: Tz) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&Utc)
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_owned())
}

/// A duration in seconds, in the largest units that fit: "3 d 4 h", "5 h 12 min", "42 s".
pub fn duration(seconds: f64) -> String {
    let s = seconds.round() as i64;
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {} s", s % 60)
    } else {
        format!("{s} s")
    }
}

/// "2026-10" → "October 2026".
pub fn month_name(month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| month.to_owned())
}

/// "2026-10" → "Oct", "2026-01" → "Jan 26", for chart axes (a year only at January,
/// so twelve labels fit).
pub fn month_short(month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| {
            let format = if d.format("%m").to_string() == "01" {
                "%b %y"
            } else {
                "%b"
            };
            d.format(format).to_string()
        })
        .unwrap_or_else(|_| month.to_owned())
}

/// A metric's enum name as words: "UNIQUE_ASSETS_DOWNLOADED" → "Unique assets downloaded".
pub fn metric_label(name: &str) -> String {
    let lower = name.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(6984), "6,984");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(int(-1200), "−1,200");
        assert_eq!(signed(5), "+5");
        assert_eq!(percent_change(Some(2.3255)), "+2.3%");
        assert_eq!(percent_change(Some(-10.0)), "−10.0%");
        assert_eq!(percent_change(None), "new");
        assert_eq!(duration(42.0), "42 s");
        assert_eq!(duration(3700.0), "1 h 1 min");
        assert_eq!(duration(90_000.0), "1 d 1 h");
        assert_eq!(metric_label("ACTIVE_USERS"), "Active users");
        assert_eq!(month_name("2026-10"), "October 2026");
        assert_eq!(
            query_string(&[("a", "1"), ("b", ""), ("c", "x y")]),
            "?a=1&c=x+y"
        );
    }
}
