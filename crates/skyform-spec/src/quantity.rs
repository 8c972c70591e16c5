//! Kubernetes quantities (`250m`, `1.5`, `512Mi`, `2G`) and `request..limit` ranges.
//!
//! CPU is kept in millicores and memory/storage in bytes; the canonical text form is what
//! renderers write, so the same input always yields the same output.

use serde::Serialize;

/// Why a quantity did not parse, with a suggestion when one is obvious.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError {
    pub message: String,
    pub hint: Option<String>,
}

/// CPU in millicores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Cpu(pub u64);

/// Memory or storage in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Bytes(pub u64);

impl From<Cpu> for String {
    fn from(c: Cpu) -> String {
        c.to_string()
    }
}

impl From<Bytes> for String {
    fn from(b: Bytes) -> String {
        b.to_string()
    }
}

impl std::fmt::Display for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(1000) { write!(f, "{}", self.0 / 1000) } else { write!(f, "{}m", self.0) }
    }
}

impl std::fmt::Display for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const UNITS: [(&str, u64); 5] =
            [("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
        for (suffix, size) in UNITS {
            if self.0 >= size && self.0.is_multiple_of(size) {
                return write!(f, "{}{suffix}", self.0 / size);
            }
        }
        write!(f, "{}", self.0)
    }
}

impl Bytes {
    pub fn mib(self) -> u64 {
        self.0.div_ceil(1 << 20)
    }
    pub fn gib(self) -> u64 {
        self.0.div_ceil(1 << 30)
    }
}

fn split_number(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    s.split_at(end)
}

fn parse_decimal(num: &str, scale: u64) -> Option<u64> {
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if (int.is_empty() && frac.is_empty()) || frac.contains('.') || frac.len() > 18 {
        return None;
    }
    let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_num: u128 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let denom = 10u128.pow(u32::try_from(frac.len()).ok()?);
    let scale = u128::from(scale);
    // Kubernetes rounds fractional quantities up to the smallest unit.
    let value = int.checked_mul(scale)? + (frac_num * scale).div_ceil(denom);
    u64::try_from(value).ok()
}

/// Parses a CPU quantity: `250m`, `0.5`, `2`.
pub fn parse_cpu(s: &str) -> Result<Cpu, QuantityError> {
    let s = s.trim();
    let (num, suffix) = split_number(s);
    let bad = |hint: Option<String>| QuantityError { message: format!("invalid CPU quantity `{s}`"), hint };
    let value = match suffix {
        "m" => {
            if num.contains('.') {
                return Err(bad(Some("millicores are whole numbers, e.g. `250m`".into())));
            }
            parse_decimal(num, 1)
        }
        "" => parse_decimal(num, 1000),
        other => {
            let hint = if other.starts_with('m') {
                Some(format!("did you mean `{num}m`?"))
            } else {
                Some("write cores (`1`, `0.5`) or millicores (`500m`)".to_string())
            };
            return Err(bad(hint));
        }
    };
    match value {
        Some(0) => Err(QuantityError {
            message: format!("CPU quantity `{s}` is zero"),
            hint: Some("requests must be positive".into()),
        }),
        Some(v) => Ok(Cpu(v)),
        None => Err(bad(Some("write cores (`1`, `0.5`) or millicores (`500m`)".into()))),
    }
}

/// Parses a memory/storage quantity: `512Mi`, `1Gi`, `2G`, `1000000`.
pub fn parse_bytes(s: &str) -> Result<Bytes, QuantityError> {
    let s = s.trim();
    let (num, suffix) = split_number(s);
    let scale: Option<u64> =
        if suffix.is_empty() { Some(1) } else { BYTE_SUFFIXES.iter().find(|(x, _)| *x == suffix).map(|(_, n)| *n) };
    let hint = || {
        let lower = suffix.to_ascii_lowercase();
        let binary = match lower.trim_end_matches('b').trim_end_matches('i') {
            "k" => Some("Ki"),
            "m" => Some("Mi"),
            "g" => Some("Gi"),
            "t" => Some("Ti"),
            _ => None,
        };
        match binary {
            Some(b) => Some(format!("did you mean `{num}{b}`? Kubernetes writes binary units as Ki, Mi, Gi, Ti")),
            None => Some("use a Kubernetes unit: Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal)".to_string()),
        }
    };
    let Some(scale) = scale else {
        return Err(QuantityError { message: format!("invalid memory quantity `{s}`"), hint: hint() });
    };
    match parse_decimal(num, scale) {
        Some(0) => Err(QuantityError {
            message: format!("memory quantity `{s}` is zero"),
            hint: Some("requests must be positive".into()),
        }),
        Some(v) => Ok(Bytes(v)),
        None => Err(QuantityError { message: format!("invalid memory quantity `{s}`"), hint: hint() }),
    }
}

/// The byte suffixes the platform file accepts, binary and decimal.
const BYTE_SUFFIXES: [(&str, u64); 10] = [
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
    ("Pi", 1 << 50),
    ("k", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("P", 1_000_000_000_000_000),
];

/// Any Kubernetes quantity as found in manifests (`250m`, `0`, `1.5Gi`, `2E`, `1e3`,
/// `-1`), in base units (cores, bytes) as a float, for comparing two quantities of the
/// same resource; `None` when it is not a quantity. The platform file's stricter,
/// exact forms are [`parse_cpu`] and [`parse_bytes`].
pub fn base_units(s: &str) -> Option<f64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (num, suffix) = split_number(digits);
    if num.is_empty() || num.matches('.').count() > 1 {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    let n = if t.starts_with('-') { -n } else { n };
    let mult = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "E" => 1e18,
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        other => BYTE_SUFFIXES.iter().find(|(x, _)| *x == other).map(|(_, v)| *v as f64)?,
    };
    Some(n * mult)
}

/// Splits `a..b` into its two halves; a single value is both.
pub fn split_range(s: &str) -> (&str, &str) {
    match s.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (s.trim(), s.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu() {
        assert_eq!(parse_cpu("250m").unwrap(), Cpu(250));
        assert_eq!(parse_cpu("1").unwrap(), Cpu(1000));
        assert_eq!(parse_cpu("0.5").unwrap(), Cpu(500));
        assert_eq!(parse_cpu("1.25").unwrap().to_string(), "1250m");
        assert_eq!(parse_cpu("2000m").unwrap().to_string(), "2");
        assert!(parse_cpu("250mm").unwrap_err().hint.unwrap().contains("250m"));
        assert!(parse_cpu("").is_err());
        assert!(parse_cpu("0").is_err());
        assert!(parse_cpu("1.2.3").is_err());
        assert!(parse_cpu("99999999999999999999").is_err());
    }

    #[test]
    fn memory() {
        assert_eq!(parse_bytes("512Mi").unwrap(), Bytes(512 << 20));
        assert_eq!(parse_bytes("1Gi").unwrap().to_string(), "1Gi");
        assert_eq!(parse_bytes("1024Mi").unwrap().to_string(), "1Gi");
        assert_eq!(parse_bytes("1.5Gi").unwrap().to_string(), "1536Mi");
        assert_eq!(parse_bytes("2G").unwrap(), Bytes(2_000_000_000));
        let e = parse_bytes("1Gb").unwrap_err();
        assert!(e.hint.unwrap().contains("`1Gi`"));
        assert!(parse_bytes("lots").is_err());
        assert_eq!(parse_bytes("1.5k").unwrap(), Bytes(1500));
    }

    #[test]
    fn manifest_quantities() {
        assert_eq!(base_units("250m"), Some(0.25));
        assert_eq!(base_units("0"), Some(0.0));
        assert_eq!(base_units("1.5Gi"), Some(1.5 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(base_units("2E"), Some(2e18));
        assert_eq!(base_units("1e3"), Some(1000.0));
        assert_eq!(base_units("-1"), Some(-1.0));
        assert_eq!(base_units("128Mi"), Some(128.0 * 1024.0 * 1024.0));
        assert_eq!(base_units("1Gb"), None);
        assert_eq!(base_units("lots"), None);
        assert_eq!(base_units(""), None);
    }

    #[test]
    fn ranges() {
        assert_eq!(split_range("250m..1000m"), ("250m", "1000m"));
        assert_eq!(split_range("1Gi"), ("1Gi", "1Gi"));
    }
}
