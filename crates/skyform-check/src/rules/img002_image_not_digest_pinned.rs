//! **IMG-002 `image-not-digest-pinned`**: A container image is not pinned by `@sha256:` digest.
//!
//! *Why:* Tags can be moved by whoever controls the registry; a digest names exactly one image.
//!
//! *Fix:* Reference the image as `name:tag@sha256:<digest>` (Renovate and similar tools keep digests current).
//!
//! *Severity:* note.
//!
//! *Maps to:* CIS Kubernetes Benchmark v1.10 5.5.1; NSA/CISA hardening guide: Building secure container images; checkov `CKV_K8S_43`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "IMG-002",
    name: "image-not-digest-pinned",
    severity: Severity::Note,
    category: Category::Images,
    default_enabled: true,
    summary: "A container image is not pinned by `@sha256:` digest.",
    hint: "Reference the image as `name:tag@sha256:<digest>` (Renovate and similar tools keep digests current).",
    refs: Refs { cis: "5.5.1", nsa: "Building secure container images", checkov: &["CKV_K8S_43"], ..Refs::NONE },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        if let Some(img) = c.get("image")
            && let Some(image) = img.as_str()
            && !image.contains("@sha256:")
        {
            out.at(img.span, format!("{} image `{image}` is not pinned by digest", c.label()));
        }
    });
}
