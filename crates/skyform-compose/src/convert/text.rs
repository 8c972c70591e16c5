//! Text helpers of the conversion: names, shell words, durations, sizes, CPU counts.

use crate::tree::{CNode, CValue};

/// A DNS-1035 label made from a compose name (`my_app.v2` → `my-app-v2`).
pub fn sanitize_name(raw: &str, max: usize) -> String {
    let mut s: String = raw
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let mut s = s.trim_matches('-').to_string();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("svc-{s}");
    }
    s.truncate(max);
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "svc".to_string() } else { s }
}

/// A name Kubernetes accepts for an environment variable: `[-._a-zA-Z][-._a-zA-Z0-9]*`
/// (`discovery.type` is as valid as `LOG_LEVEL`).
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || matches!(c, '_' | '.' | '-'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s != "."
        && s != ".."
}

/// Splits a command string the way compose does (POSIX shell words, no expansion).
pub fn shell_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => cur.push(e),
                            Some(e) => {
                                cur.push('\\');
                                cur.push(e);
                            }
                            None => cur.push('\\'),
                        },
                        _ => cur.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next() {
                    cur.push(e);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Go-style durations (`1m30s`, `500ms`, `10s`) in whole seconds, rounded up.
pub fn duration_seconds(s: &str) -> Option<u32> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        // A bare number is nanoseconds in compose; round up to a second.
        return Some(u32::try_from(n.div_ceil(1_000_000_000)).unwrap_or(u32::MAX));
    }
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > f64::from(u32::MAX) {
        return None;
    }
    Some(total.ceil() as u32)
}

/// Docker memory sizes (`512m`, `1g`, `1.5GB`, `1073741824`) in bytes (binary units).
pub fn memory_bytes(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let num_len = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let n: f64 = t[..num_len].parse().ok()?;
    let unit = t[num_len..].trim();
    let unit = unit.strip_suffix('b').unwrap_or(unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let factor: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return None,
    };
    let bytes = n * factor;
    if !bytes.is_finite() || !(1.0..=1e18).contains(&bytes) {
        return None;
    }
    Some(bytes.ceil() as u64)
}

/// Bytes as a Kubernetes quantity: `Gi` when exact, else `Mi` rounded up.
pub fn memory_quantity(bytes: u64) -> String {
    const MI: u64 = 1 << 20;
    const GI: u64 = 1 << 30;
    if bytes.is_multiple_of(GI) { format!("{}Gi", bytes / GI) } else { format!("{}Mi", bytes.div_ceil(MI).max(1)) }
}

/// Compose `cpus` (`0.5`, `"1.5"`) as millicores.
pub fn cpu_millis(node: &CNode) -> Option<u64> {
    let v: f64 = match &node.value {
        CValue::Int(i) => *i as f64,
        CValue::Float(f) => *f,
        CValue::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    if !v.is_finite() || v <= 0.0 || v > 100_000.0 {
        return None;
    }
    Some(((v * 1000.0).round() as u64).max(1))
}

pub fn port_number(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok().filter(|p| *p > 0)
}

/// Expands `a` or `a-b` (at most 100 ports).
pub fn port_range(text: &str) -> Option<Vec<u16>> {
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port_number(a)?, port_number(b)?);
            if b < a || b - a >= 100 {
                return None;
            }
            Some((a..=b).collect())
        }
        None => Some(vec![port_number(text)?]),
    }
}

pub fn seq_text(node: &CNode) -> String {
    match &node.value {
        CValue::Seq(items) => items.iter().filter_map(CNode::scalar_text).collect::<Vec<_>>().join(", "),
        CValue::Map(entries) => entries.iter().map(|e| e.key.clone()).collect::<Vec<_>>().join(", "),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

pub fn quote_list(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// A compose secret name as an environment variable name (`db_password` → `DB_PASSWORD`).
pub fn sanitize_env(name: &str) -> String {
    let mut s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert(0, '_');
    }
    s
}

/// `request..limit` text from optional request and limit.
pub fn range_text(req: Option<u64>, lim: Option<u64>, fmt: impl Fn(u64) -> String) -> Option<String> {
    match (req, lim) {
        (Some(r), Some(l)) if r == l => Some(fmt(r)),
        (Some(r), Some(l)) if r > l => Some(fmt(r)),
        (Some(r), Some(l)) => Some(format!("{}..{}", fmt(r), fmt(l))),
        (Some(x), None) | (None, Some(x)) => Some(fmt(x)),
        (None, None) => None,
    }
}

/// An integer written as a number or, after interpolation, as text (`"${REPLICAS}"`).
pub fn int_value(node: &CNode) -> Option<i64> {
    match &node.value {
        CValue::Int(i) => Some(*i),
        CValue::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean written as such or, after interpolation, as text; compose reads `true`,
/// `yes`, `on`, `y` and `1` (any case) as true.
pub fn bool_text(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" | "1" => Some(true),
        "false" | "no" | "off" | "n" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_dns_labels() {
        assert_eq!(sanitize_name("web", 63), "web");
        assert_eq!(sanitize_name("My_App.v2", 63), "my-app-v2");
        assert_eq!(sanitize_name("1st", 63), "svc-1st");
        assert_eq!(sanitize_name("__", 63), "svc");
        assert_eq!(sanitize_name(&"a".repeat(80), 63).len(), 63);
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_split("a  b 'c d' \"e \\\" f\" g\\ h"), vec!["a", "b", "c d", "e \" f", "g h"]);
        assert_eq!(shell_split(""), Vec::<String>::new());
        assert_eq!(shell_split("''"), vec![""]);
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(duration_seconds("30s"), Some(30));
        assert_eq!(duration_seconds("1m30s"), Some(90));
        assert_eq!(duration_seconds("500ms"), Some(1));
        assert_eq!(duration_seconds("x"), None);
        assert_eq!(memory_bytes("512M"), Some(512 << 20));
        assert_eq!(memory_bytes("1g"), Some(1 << 30));
        assert_eq!(memory_bytes("1.5GB"), Some(3 << 29));
        assert_eq!(memory_bytes("bogus"), None);
        assert_eq!(memory_quantity(1 << 30), "1Gi");
        assert_eq!(memory_quantity(3 << 29), "1536Mi");
        assert_eq!(memory_quantity(1000), "1Mi");
    }
}
