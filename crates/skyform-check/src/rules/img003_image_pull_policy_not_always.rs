//! **IMG-003 `image-pull-policy-not-always`**: A container's `imagePullPolicy` is not `Always`.
//!
//! *Why:* With a cached image the kubelet does not re-check pull credentials, so any pod on the node can reuse a private image.
//!
//! *Fix:* Set `imagePullPolicy: Always`, or pin by digest (then the policy is moot).
//!
//! *Severity:* note (off by default; enable with `--enable IMG-003`).
//!
//! *Maps to:* checkov `CKV_K8S_15`; Polaris `pullPolicyNotAlways`; kube-score `container-image-pull-policy`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "IMG-003",
    name: "image-pull-policy-not-always",
    severity: Severity::Note,
    category: Category::Images,
    default_enabled: false,
    summary: "A container's `imagePullPolicy` is not `Always`.",
    hint: "Set `imagePullPolicy: Always`, or pin by digest (then the policy is moot).",
    refs: Refs {
        checkov: &["CKV_K8S_15"],
        polaris: &["pullPolicyNotAlways"],
        kube_score: &["container-image-pull-policy"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        let image = c.get("image").and_then(Node::as_str).unwrap_or("");
        let pinned = image.contains("@sha256:");
        // The API server defaults the policy to Always for `:latest` and untagged images.
        let last = image.rsplit('/').next().unwrap_or(image);
        let defaults_to_always = !pinned && last.split_once(':').is_none_or(|(_, tag)| tag == "latest");
        match c.get("imagePullPolicy") {
            Some(p) if p.as_str() == Some("Always") => {}
            _ if pinned => {}
            None if defaults_to_always => {}
            Some(p) => {
                out.at(p.span, format!("{} pulls with policy `{}`", c.label(), p.scalar_text().unwrap_or_default()));
            }
            None => {
                out.at(c.span(), format!("{} does not set `imagePullPolicy: Always`", c.label()));
            }
        }
    });
}
