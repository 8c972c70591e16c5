//! "Did you mean …?" suggestions by edit distance.

/// The closest candidate to `input`, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
            (d, c)
        })
        .filter(|(d, c)| {
            let limit = (c.len().max(input.len()) / 3).clamp(1, 4);
            *d <= limit
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_close_keys() {
        let keys = ["dependsOn", "depends", "image", "replicas"];
        assert_eq!(did_you_mean("dependOn", keys), Some("dependsOn"));
        assert_eq!(did_you_mean("replcias", keys), Some("replicas"));
        assert_eq!(did_you_mean("zzzzzz", keys), None);
    }
}
