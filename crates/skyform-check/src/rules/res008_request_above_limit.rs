//! **RES-008 `request-above-limit`**: A container's CPU or memory request is larger than its limit.
//!
//! *Why:* The API server rejects such a pod; the workload will never start.
//!
//! *Fix:* Lower the request or raise the limit so that request ≤ limit.
//!
//! *Severity:* error.
//!
//! *Maps to:* no equivalent in the other frameworks or tools.

#[allow(unused_imports)]
use super::prelude::*;
use super::util::quantity;

pub const RULE: Rule = Rule {
    id: "RES-008",
    name: "request-above-limit",
    severity: Severity::Error,
    category: Category::Resources,
    default_enabled: true,
    summary: "A container's CPU or memory request is larger than its limit.",
    hint: "Lower the request or raise the limit so that request ≤ limit.",
    refs: Refs { pss: "", cis: "", nsa: "", kube_linter: &[], checkov: &[], polaris: &[], kube_score: &[] },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        let Some(res) = c.get("resources") else { return };
        for r in ["cpu", "memory", "ephemeral-storage"] {
            let req = res.get("requests").and_then(|x| x.get(r));
            let lim = res.get("limits").and_then(|x| x.get(r));
            if let (Some(req), Some(lim)) = (req, lim)
                && let (Some(a), Some(b)) = (quantity(req), quantity(lim))
                && a > b * (1.0 + 1e-9)
            {
                out.at(
                    req.span,
                    format!(
                        "{} requests {} {r} but is limited to {}",
                        c.label(),
                        req.scalar_text().unwrap_or_default(),
                        lim.scalar_text().unwrap_or_default()
                    ),
                );
            }
        }
    });
}
