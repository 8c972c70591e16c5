//! Waivers: accepted risks, kept in a checked-in file *outside* the manifests, so that
//! editing a manifest can never silence a check (docs/checks.md §10.2, Polaris#635).
//!
//! ```yaml
//! waivers:
//!   - rule: POD-030                       # rule id or name
//!     object: Deployment/shop/legacy-api  # Kind/namespace/name; `*` matches any run
//!     reason: writes to /tmp until v2 ships
//!     expires: 2027-03-31                 # YYYY-MM-DD; after this date it stops applying
//! ```
//!
//! Every field is required: a waiver without a reason or an expiry is an error. An
//! expired waiver no longer applies and is reported, so the list cannot rot silently.

use serde::Serialize;
use skyform_yaml::Node;

use crate::finding::Finding;

/// A calendar date (year, month, day), comparable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let year = it.next()?.parse().ok()?;
        let month: u32 = it.next()?.parse().ok()?;
        let day: u32 = it.next()?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// The civil date of a Unix timestamp (days since 1970-01-01), for the CLI's "today".
    pub fn from_unix_days(days: i64) -> Date {
        // Howard Hinnant's days_from_civil inverse.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One accepted risk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub rule: String,
    pub object: String,
    pub reason: String,
    pub expires: Date,
    /// Line of the waiver in its file (for messages).
    pub line: u32,
}

/// A malformed waiver file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiverError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for WaiverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Parses a waiver file. Unknown rule ids are errors (a typo would waive nothing).
pub fn parse_waivers(text: &str) -> Result<Vec<Waiver>, WaiverError> {
    let err = |span: skyform_yaml::Span, message: String| WaiverError { line: span.line, column: span.column, message };
    let doc = skyform_yaml::parse_document(text).map_err(|e| err(e.span, e.message))?;
    if matches!(doc.value, skyform_yaml::Value::Null) {
        return Ok(Vec::new());
    }
    let list = doc
        .get("waivers")
        .and_then(Node::as_seq)
        .ok_or_else(|| err(doc.span, "expected a top-level `waivers:` list".to_string()))?;
    let mut out = Vec::new();
    for item in list {
        let field = |key: &str| -> Result<String, WaiverError> {
            item.get(key)
                .and_then(Node::scalar_text)
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| err(item.span, format!("waiver is missing `{key}`")))
        };
        let rule = field("rule")?;
        if !crate::ALL_RULES.iter().any(|r| r.is(&rule)) {
            let best = crate::ALL_RULES
                .iter()
                .flat_map(|r| [r.id, r.name])
                .min_by(|a, b| strsim::levenshtein(a, &rule).cmp(&strsim::levenshtein(b, &rule)))
                .unwrap_or("");
            return Err(err(
                item.get("rule").map_or(item.span, |n| n.span),
                format!("unknown rule `{rule}` (did you mean `{best}`?)"),
            ));
        }
        let object = field("object")?;
        let reason = field("reason")?;
        let expires_text = field("expires")?;
        let expires = Date::parse(&expires_text).ok_or_else(|| {
            err(item.get("expires").map_or(item.span, |n| n.span), format!("`{expires_text}` is not a YYYY-MM-DD date"))
        })?;
        out.push(Waiver { rule, object, reason, expires, line: item.span.line });
    }
    Ok(out)
}

/// `*`-glob match over the whole string.
pub fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

impl Waiver {
    /// Whether this waiver covers a finding.
    pub fn covers(&self, f: &Finding) -> bool {
        (self.rule.eq_ignore_ascii_case(f.rule) || self.rule == f.name) && glob(&self.object, &f.object.to_string())
    }
}

/// Splits findings into active and waived; expired waivers are returned and not applied.
pub fn apply(
    findings: Vec<Finding>,
    waivers: &[Waiver],
    today: Option<Date>,
) -> (Vec<Finding>, Vec<(Finding, String)>, Vec<Waiver>) {
    let (current, expired): (Vec<&Waiver>, Vec<&Waiver>) =
        waivers.iter().partition(|w| today.is_none_or(|t| t <= w.expires));
    let mut active = Vec::new();
    let mut waived = Vec::new();
    for f in findings {
        match current.iter().find(|w| w.covers(&f)) {
            Some(w) => waived.push((f, w.reason.clone())),
            None => active.push(f),
        }
    }
    (active, waived, expired.into_iter().cloned().collect())
}
