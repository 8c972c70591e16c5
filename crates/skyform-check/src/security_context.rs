//! The one resolver for a container's *effective* security context.
//!
//! Every Pod Security Standards rule goes through [`Effective`], so pod-versus-container
//! inheritance is decided in exactly one place (docs/checks.md §10.2: every incumbent got it
//! wrong somewhere). The rules, from the PSS page and `PodSecurityContext`/`SecurityContext`:
//!
//! * Fields present at both levels (`runAsUser`, `runAsGroup`, `runAsNonRoot`,
//!   `seLinuxOptions`, `seccompProfile`, `appArmorProfile`, `windowsOptions`): the
//!   container's value wins when set, otherwise the pod's applies ([`Effective::field`]).
//! * Container-only fields (`privileged`, `allowPrivilegeEscalation`, `capabilities`,
//!   `readOnlyRootFilesystem`, `procMount`): only the container's value counts; a value
//!   written at pod level is not a `PodSecurityContext` field and is ignored
//!   ([`Effective::container_only`]).
//! * Pod-only fields (`sysctls`, `fsGroup`, `supplementalGroups`): read from the pod.
//!
//! Where PSS checks each level on its own (e.g. "`runAsUser` must not be 0" is violated
//! by a pod-level 0 even when every container overrides it), rules use
//! [`Effective::levels`] to see both values with their locations.

use skyform_yaml::{Node, Span};

use crate::model::{Container, PodView, key_span};

/// Fields that exist on both `PodSecurityContext` and `SecurityContext`.
pub const SHARED_FIELDS: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "windowsOptions",
];

/// Fields that exist only on a container's `SecurityContext`.
pub const CONTAINER_ONLY_FIELDS: &[&str] =
    &["privileged", "allowPrivilegeEscalation", "capabilities", "readOnlyRootFilesystem", "procMount"];

/// Where an effective value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Pod,
    Container,
}

/// A resolved field: its node, where it was set, and the span of its key.
#[derive(Clone, Copy, Debug)]
pub struct Resolved<'a> {
    pub node: &'a Node,
    pub level: Level,
    pub span: Span,
}

/// The effective security context of one container in one pod.
#[derive(Clone, Copy, Debug)]
pub struct Effective<'a> {
    pub pod: Option<&'a Node>,
    pub container: Option<&'a Node>,
    /// Where to report a field that is missing at every level: the container entry.
    pub fallback: Span,
}

impl<'a> Effective<'a> {
    pub fn new(pod: &PodView<'a>, container: &Container<'a>) -> Effective<'a> {
        Effective { pod: pod.security_context(), container: container.security_context(), fallback: container.span() }
    }

    fn at(sc: Option<&'a Node>, field: &str, level: Level) -> Option<Resolved<'a>> {
        let sc = sc?;
        let node = sc.get(field)?;
        if matches!(node.value, skyform_yaml::Value::Null) {
            return None;
        }
        Some(Resolved { node, level, span: key_span(sc, field) })
    }

    /// A field present at both levels: the container's value, else the pod's.
    pub fn field(&self, field: &str) -> Option<Resolved<'a>> {
        Self::at(self.container, field, Level::Container).or_else(|| Self::at(self.pod, field, Level::Pod))
    }

    /// A container-only field.
    pub fn container_only(&self, field: &str) -> Option<Resolved<'a>> {
        Self::at(self.container, field, Level::Container)
    }

    /// Both levels' values of a shared field, each with its location (pod first).
    pub fn levels(&self, field: &str) -> [Option<Resolved<'a>>; 2] {
        [Self::at(self.pod, field, Level::Pod), Self::at(self.container, field, Level::Container)]
    }

    /// Effective boolean value of a shared field.
    pub fn bool(&self, field: &str) -> Option<(bool, Span)> {
        self.field(field).and_then(|r| r.node.as_bool().map(|b| (b, r.span)))
    }

    /// Effective integer value of a shared field.
    pub fn int(&self, field: &str) -> Option<(i64, Span)> {
        self.field(field).and_then(|r| r.node.as_i64().map(|i| (i, r.span)))
    }

    /// The container's capabilities `add` and `drop` lists (strings, upper-cased).
    pub fn capabilities(&self) -> (Vec<(String, Span)>, Vec<String>, Option<Span>) {
        let caps = self.container_only("capabilities");
        let list = |key: &str| -> Vec<(String, Span)> {
            caps.and_then(|c| c.node.get(key))
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s.trim().to_ascii_uppercase(), n.span)))
                .collect()
        };
        let add = list("add");
        let drop = list("drop").into_iter().map(|(s, _)| s).collect();
        (add, drop, caps.map(|c| c.span))
    }
}
