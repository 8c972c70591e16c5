//! `metav1.LabelSelector`: `matchLabels` and `matchExpressions` (`In`, `NotIn`,
//! `Exists`, `DoesNotExist`), ANDed. The empty selector matches everything; an unknown
//! operator matches nothing.

use std::collections::BTreeMap;

/// A set of labels a selector can be asked about.
pub trait LabelSet {
    /// The value of label `key`, if set.
    fn label(&self, key: &str) -> Option<&str>;
    /// Every `(key, value)` pair.
    fn pairs(&self) -> Vec<(&str, &str)>;
}

impl LabelSet for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

/// Labels as a list of pairs; the first pair of a key wins.
impl LabelSet for [(String, String)] {
    fn label(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

impl LabelSet for Vec<(String, String)> {
    fn label(&self, key: &str) -> Option<&str> {
        self.as_slice().label(key)
    }
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.as_slice().pairs()
    }
}

/// The operator of a `matchExpressions` requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// Anything else: the requirement matches nothing.
    Unknown(String),
}

impl Operator {
    /// The operator spelled as in Kubernetes (`In`, `NotIn`, `Exists`, `DoesNotExist`).
    pub fn parse(s: &str) -> Operator {
        match s {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => Operator::Unknown(other.to_string()),
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Requirement {
    fn matches(&self, value: Option<&str>) -> bool {
        let listed = |v: &str| self.values.iter().any(|x| x == v);
        match self.operator {
            Operator::In => value.is_some_and(listed),
            Operator::NotIn => value.is_none_or(|v| !listed(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Unknown(_) => false,
        }
    }
}

/// A label selector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<Requirement>,
}

impl LabelSelector {
    /// Whether the selector is empty (it then selects everything).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether the labels looked up through `get` satisfy every term.
    pub fn matches_with<'l>(&self, get: impl Fn(&str) -> Option<&'l str>) -> bool {
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| r.matches(get(&r.key)))
    }

    /// Whether `labels` satisfy every term.
    pub fn matches<L: LabelSet + ?Sized>(&self, labels: &L) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.label(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| r.matches(labels.label(&r.key)))
    }

    /// The `matchLabels` pairs every matching label set carries (for indexing), in key
    /// order; [`least_shared_pairs`] picks the one to file a selector under.
    pub fn required_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.match_labels.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The pair each selector is best filed under in an index: for each selector (its
/// namespace and the `matchLabels` pairs it requires, in its own order), the position of
/// the pair the fewest selectors of the same namespace require (ties: the first), or `None`
/// for a selector that requires none. The first pair of a release's selectors is often one
/// every pod of the release carries (`app.kubernetes.io/instance`): filed under it, each
/// lookup would meet every selector of the namespace.
pub fn least_shared_pairs(selectors: &[(&str, Vec<(&str, &str)>)]) -> Vec<Option<usize>> {
    let mut shared: std::collections::HashMap<(&str, &str, &str), usize> = std::collections::HashMap::new();
    for (ns, pairs) in selectors {
        for &(k, v) in pairs {
            *shared.entry((ns, k, v)).or_default() += 1;
        }
    }
    selectors
        .iter()
        .map(|(ns, pairs)| (0..pairs.len()).min_by_key(|&n| (shared[&(*ns, pairs[n].0, pairs[n].1)], n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    fn req(key: &str, op: &str, values: &[&str]) -> Requirement {
        Requirement {
            key: key.into(),
            operator: Operator::parse(op),
            values: values.iter().map(|v| (*v).to_string()).collect(),
        }
    }

    #[test]
    fn empty_selector_matches_everything() {
        assert!(LabelSelector::default().matches(&labels(&[])));
        assert!(LabelSelector::default().matches(&labels(&[("app", "x")])));
    }

    #[test]
    fn expressions() {
        let l = labels(&[("app", "api"), ("tier", "web")]);
        let sel = |r: Requirement| LabelSelector { match_labels: BTreeMap::new(), match_expressions: vec![r] };
        assert!(sel(req("tier", "In", &["web", "db"])).matches(&l));
        assert!(!sel(req("tier", "In", &["db"])).matches(&l));
        assert!(!sel(req("zone", "In", &["a"])).matches(&l));
        assert!(sel(req("tier", "NotIn", &["db"])).matches(&l));
        assert!(!sel(req("tier", "NotIn", &["web"])).matches(&l));
        assert!(sel(req("zone", "NotIn", &["a"])).matches(&l), "NotIn matches a missing key");
        assert!(sel(req("app", "Exists", &[])).matches(&l));
        assert!(!sel(req("zone", "Exists", &[])).matches(&l));
        assert!(sel(req("zone", "DoesNotExist", &[])).matches(&l));
        assert!(!sel(req("app", "DoesNotExist", &[])).matches(&l));
        assert!(!sel(req("app", "Gt", &["1"])).matches(&l), "unknown operators match nothing");
    }

    #[test]
    fn labels_and_expressions_are_anded_over_both_label_forms() {
        let s = LabelSelector {
            match_labels: labels(&[("app", "api")]),
            match_expressions: vec![req("tier", "In", &["web"])],
        };
        assert!(s.matches(&labels(&[("app", "api"), ("tier", "web")])));
        assert!(!s.matches(&labels(&[("app", "api"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "web")])));
        let pairs = vec![("app".to_string(), "api".to_string()), ("tier".to_string(), "web".to_string())];
        assert!(s.matches(&pairs));
        assert!(s.matches_with(|k| pairs.as_slice().label(k)));
        assert_eq!(s.required_pairs().collect::<Vec<_>>(), vec![("app", "api")]);
    }
}
