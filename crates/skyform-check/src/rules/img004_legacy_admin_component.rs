//! **IMG-004 `legacy-admin-component`**: A workload runs Tiller (Helm 2) or the Kubernetes Dashboard.
//!
//! *Why:* Both ship with broad cluster rights and a long history of being exposed without authentication.
//!
//! *Fix:* Remove Tiller (use Helm 3+); use `kubectl` or a hardened dashboard behind SSO instead of kubernetes-dashboard.
//!
//! *Severity:* note.
//!
//! *Maps to:* checkov `CKV_K8S_33`, `CKV_K8S_34`, `CKV_K8S_44`, `CKV_K8S_45`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "IMG-004",
    name: "legacy-admin-component",
    severity: Severity::Note,
    category: Category::Images,
    default_enabled: true,
    summary: "A workload runs Tiller (Helm 2) or the Kubernetes Dashboard.",
    hint: "Remove Tiller (use Helm 3+); use `kubectl` or a hardened dashboard behind SSO instead of kubernetes-dashboard.",
    refs: Refs { checkov: &["CKV_K8S_33", "CKV_K8S_34", "CKV_K8S_44", "CKV_K8S_45"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        if let Some(img) = c.get("image")
            && let Some(image) = img.as_str()
        {
            let repo = image.split(['@', ':']).next().unwrap_or(image);
            if repo.ends_with("/tiller")
                || repo.ends_with("kubernetes-dashboard")
                || repo.ends_with("kubernetesui/dashboard")
            {
                out.at(img.span, format!("{} runs `{image}`", c.label()));
            }
        }
    });
}
