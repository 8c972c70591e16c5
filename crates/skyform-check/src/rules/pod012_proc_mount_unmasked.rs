//! **POD-012 `proc-mount-unmasked`**: A container sets `procMount` to something other than `Default`.
//!
//! *Why:* An unmasked /proc exposes kernel interfaces that the default mask hides from containers.
//!
//! *Fix:* Remove `procMount` or set it to `Default`.
//!
//! *Severity:* warning.
//!
//! *Maps to:* Pod Security Standards baseline; kube-linter `unsafe-proc-mount`; Polaris `procMount`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "POD-012",
    name: "proc-mount-unmasked",
    severity: Severity::Warning,
    category: Category::PodSecurityBaseline,
    default_enabled: true,
    summary: "A container sets `procMount` to something other than `Default`.",
    hint: "Remove `procMount` or set it to `Default`.",
    refs: Refs { pss: "baseline", kube_linter: &["unsafe-proc-mount"], polaris: &["procMount"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, eff| {
        if let Some(r) = eff.container_only("procMount")
            && r.node.as_str() != Some("Default")
        {
            let v = r.node.scalar_text().unwrap_or_default();
            out.at(r.span, format!("{} sets `procMount: {v}`", c.label()));
        }
    });
}
