//! Image references as Docker parses them (`distribution/reference`): an image that the
//! container runtime would refuse (`apache/airflow:|version|`, `App:1`, `x:`) is a located
//! error at import, not a pod stuck in `InvalidImageName`.

/// Why `image` is not a valid reference, or `None` when it is.
pub fn reference_problem(image: &str) -> Option<String> {
    if image.is_empty() {
        return Some("the reference is empty".into());
    }
    if image.len() > 1024 {
        return Some("the reference is longer than 1024 characters".into());
    }
    let (name_tag, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else {
            return Some(format!("digest `{d}` is not `algorithm:hex`"));
        };
        let algo_ok = !algo.is_empty()
            && algo.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '_' | '-'));
        if !algo_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Some(format!("digest `{d}` is not `algorithm:hex` (e.g. `sha256:` and 64 hex digits)"));
        }
    }
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => (&name_tag[..last_slash + i], Some(&name_tag[last_slash + i + 1..])),
        None => (name_tag, None),
    };
    if let Some(t) = tag {
        let mut chars = t.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok || t.len() > 128 || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            return Some(if t.is_empty() {
                "the tag after `:` is empty (an unset variable?)".to_string()
            } else {
                format!("tag `{t}` may only hold letters, digits, `_`, `.` and `-` (at most 128)")
            });
        }
    }
    let mut segments: Vec<&str> = name.split('/').collect();
    if segments.len() > 1 && (segments[0].contains(['.', ':']) || segments[0] == "localhost") {
        let domain = segments.remove(0);
        let (host, port) = match domain.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (domain, None),
        };
        let host_ok = !host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !host_ok || port.is_some_and(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
            return Some(format!("registry `{domain}` is not a host name with an optional port"));
        }
    }
    for seg in &segments {
        if !path_component_ok(seg) {
            return Some(if seg.chars().any(|c| c.is_ascii_uppercase()) {
                format!("repository path `{seg}` must be lowercase")
            } else {
                format!(
                    "repository path `{seg}` may only hold lowercase letters, digits and single `.`, `_`, `__` or `-` separators"
                )
            });
        }
    }
    None
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn path_component_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-')) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::reference_problem;

    #[test]
    fn references() {
        for ok in [
            "postgres",
            "postgres:16.4-alpine",
            "ghcr.io/acme/api:1.2.3",
            "localhost:5000/team/app",
            "quay.io/minio/minio:RELEASE.2024-10-13T13-34-11Z",
            "my_org/my__app:v1",
            "a-b--c/d.e:latest",
            "redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(reference_problem(ok), None, "{ok}");
        }
        for bad in ["apache/airflow:|version|", "App:1", "x:", "a//b", "-x", "x:-y", "reg:abc/x", "x@sha256:zz", "a..b"]
        {
            assert!(reference_problem(bad).is_some(), "{bad}");
        }
    }
}
