//! **IMG-001 `image-mutable-tag`**: A container image has no tag or uses `:latest` (and no digest).
//!
//! *Why:* A mutable tag means the cluster may run different code than was reviewed, and rollbacks are unreliable.
//!
//! *Fix:* Pin the image to an immutable version tag, ideally with a `@sha256:` digest.
//!
//! *Severity:* warning.
//!
//! *Maps to:* NSA/CISA hardening guide: Upgrading and application security practices; kube-linter `latest-tag`; checkov `CKV_K8S_14`; Polaris `tagNotSpecified`; kube-score `container-image-tag`.

#[allow(unused_imports)]
use super::prelude::*;

pub const RULE: Rule = Rule {
    id: "IMG-001",
    name: "image-mutable-tag",
    severity: Severity::Warning,
    category: Category::Images,
    default_enabled: true,
    summary: "A container image has no tag or uses `:latest` (and no digest).",
    hint: "Pin the image to an immutable version tag, ideally with a `@sha256:` digest.",
    refs: Refs {
        nsa: "Upgrading and application security practices",
        kube_linter: &["latest-tag"],
        checkov: &["CKV_K8S_14"],
        polaris: &["tagNotSpecified"],
        kube_score: &["container-image-tag"],
        ..Refs::NONE
    },
    check,
};

fn check(_cx: &Cx<'_>, obj: &Object, out: &mut Out) {
    each_container(obj, |_, c, _| {
        let Some(img) = c.get("image") else { return };
        let Some(image) = img.as_str() else { return };
        if image.contains("@sha256:") {
            return;
        }
        let last = image.rsplit('/').next().unwrap_or(image);
        match last.split_once(':') {
            None => {
                out.at(img.span, format!("{} image `{image}` has no tag", c.label()));
            }
            Some((_, "latest")) => {
                out.at(img.span, format!("{} image `{image}` uses the mutable `latest` tag", c.label()));
            }
            Some(_) => {}
        }
    });
}
