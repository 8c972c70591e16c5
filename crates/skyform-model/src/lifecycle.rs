//! The lifecycle of the components skyform can deploy or configure, in one table.
//!
//! Each row says whether a component is maintained, deprecated, retired, no longer
//! published as images, or under a licence that is not open source, what replaces it and
//! where that fact comes from. `lower` turns every row that the platform file chooses
//! into a located warning ([`skyform_spec::Code::Lifecycle`], `SF401`) with the
//! replacement as the hint: a warning, never an error, so the seeds' choices stay
//! expressible and render as before. Rows whose status is [`Status::Maintained`] are the
//! replacements the hints point to; they never warn.

use serde::Serialize;

/// Where a component stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "since")]
pub enum Status {
    Maintained,
    /// Still published, but its maintainers advise against new use.
    Deprecated(&'static str),
    /// No more releases or fixes.
    Retired(&'static str),
    /// Source-only: the project publishes no more binaries or images.
    Unpublished(&'static str),
    /// Maintained, but no longer under an open-source licence; an open fork exists.
    NonOpenLicence(&'static str),
}

impl Status {
    /// The status as one phrase: `retired since 2026-03`.
    pub fn phrase(self) -> String {
        match self {
            Status::Maintained => "maintained".into(),
            Status::Deprecated(s) => format!("deprecated since {s}"),
            Status::Retired(s) => format!("retired since {s}"),
            Status::Unpublished(s) => format!("source-only (no images published) since {s}"),
            Status::NonOpenLicence(s) => format!("not open source (BSL 1.1) since {s}"),
        }
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Component {
    /// Stable id, e.g. `ingress-nginx`.
    pub id: &'static str,
    /// What it is for skyform, e.g. `ingress controller`.
    pub role: &'static str,
    pub status: Status,
    /// What to choose instead, phrased as the platform-file change where there is one.
    pub replacement: Option<&'static str>,
    /// Where the status comes from.
    pub source: &'static str,
}

/// Every component skyform can deploy or configure whose lifecycle matters to a choice in
/// the platform file.
pub const TABLE: &[Component] = &[
    Component {
        id: "ingress-nginx",
        role: "ingress controller",
        status: Status::Retired("2026-03"),
        replacement: Some(
            "use the Gateway API with Envoy Gateway: `ingress: { controller: envoy-gateway }` (or `controller: traefik`)",
        ),
        source: "kubernetes/ingress-nginx README; Kubernetes blog 2025-11-11 (best-effort maintenance ended March 2026)",
    },
    Component {
        id: "envoy-gateway",
        role: "Gateway API implementation",
        status: Status::Maintained,
        replacement: None,
        source: "envoyproxy/gateway",
    },
    Component {
        id: "traefik",
        role: "ingress controller",
        status: Status::Maintained,
        replacement: None,
        source: "traefik/traefik-helm-chart",
    },
    Component {
        id: "haproxy-ingress",
        role: "ingress controller",
        status: Status::Maintained,
        replacement: None,
        source: "haproxytech/kubernetes-ingress",
    },
    Component {
        id: "promtail",
        role: "log agent",
        status: Status::Retired("2026-03-02"),
        replacement: Some(
            "ship logs with Fluent Bit: `logs: { stack: loki-fluent-bit }` (Grafana Alloy is Promtail's successor)",
        ),
        source: "Grafana Loki docs: Promtail end of life 2026-03-02, replaced by Grafana Alloy",
    },
    Component {
        id: "fluent-bit",
        role: "log agent",
        status: Status::Maintained,
        replacement: None,
        source: "fluent/helm-charts",
    },
    Component {
        id: "minio",
        role: "object storage",
        status: Status::Unpublished("2025-10"),
        replacement: Some(
            "use an S3-compatible store still published as images (SeaweedFS, Garage) or the cloud's object storage; \
             the last community image RELEASE.2025-10-15T17-29-55Z fixed CVE-2025-62506",
        ),
        source: "minio/minio: no binaries or images from RELEASE.2025-10-15T17-29-55Z on, maintenance mode 2025-12-03; \
                 minio/operator archived 2026-03-20",
    },
    Component {
        id: "bitnami-images",
        role: "container images",
        status: Status::Deprecated("2025-09"),
        replacement: Some(
            "use the project's official image (e.g. `postgres`, `redis`, `rabbitmq`, `valkey/valkey`); \
             the free `bitnami/` catalog keeps only `latest` tags",
        ),
        source: "Bitnami catalog change (bitnami/containers, 2025): free images are `latest`-only, versioned tags moved \
                 to `bitnamilegacy` and are no longer updated",
    },
    Component {
        id: "vault",
        role: "secrets store",
        status: Status::NonOpenLicence("2023-08 (Vault 1.15)"),
        replacement: Some(
            "OpenBao (MPL-2.0, the Linux Foundation fork of Vault 1.14) serves the same HTTP API (KV v2, Kubernetes \
             auth): `backend: vault` can point `vault.address` at an OpenBao server (chart `openbao`, image `openbao/openbao`)",
        ),
        source: "HashiCorp licence change 2023-08-10; openbao/openbao",
    },
    Component {
        id: "openbao",
        role: "secrets store",
        status: Status::Maintained,
        replacement: None,
        source: "openbao/openbao",
    },
];

/// The row of `id`, if the table has one.
pub fn component(id: &str) -> Option<&'static Component> {
    TABLE.iter().find(|c| c.id == id)
}

/// The table row an image reference runs, when it is one the table tracks: MinIO's
/// community server, Vault, or anything from the free Bitnami catalog.
pub fn image_component(image: &str) -> Option<&'static Component> {
    let repo = image.split(['@']).next().unwrap_or(image);
    // Strip the tag (after the last `:` that follows the last `/`).
    let repo = match repo.rfind(':') {
        Some(i) if !repo[i..].contains('/') => &repo[..i],
        _ => repo,
    };
    let path = repo.strip_prefix("docker.io/").unwrap_or(repo);
    let id = if path.starts_with("bitnami/") {
        "bitnami-images"
    } else if matches!(path, "minio/minio" | "quay.io/minio/minio") {
        "minio"
    } else if matches!(path, "hashicorp/vault" | "vault") {
        "vault"
    } else {
        return None;
    };
    component(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_consistent() {
        let mut ids: Vec<&str> = TABLE.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TABLE.len(), "duplicate ids");
        for c in TABLE {
            assert_eq!(c.status == Status::Maintained, c.replacement.is_none(), "{}", c.id);
            assert!(!c.source.is_empty(), "{}", c.id);
        }
    }

    #[test]
    fn images_map_to_rows() {
        let id = |i: &str| image_component(i).map(|c| c.id);
        assert_eq!(id("bitnami/postgresql:16"), Some("bitnami-images"));
        assert_eq!(id("docker.io/bitnami/redis@sha256:ab"), Some("bitnami-images"));
        assert_eq!(id("quay.io/minio/minio:RELEASE.2024-10-13T13-34-11Z"), Some("minio"));
        assert_eq!(id("minio/minio"), Some("minio"));
        assert_eq!(id("hashicorp/vault:1.18.1"), Some("vault"));
        assert_eq!(id("openbao/openbao:2.6.2"), None);
        assert_eq!(id("registry.example:5000/bitnamifoo/x:1"), None);
        assert_eq!(id("postgres:16.4-alpine"), None);
    }

    #[test]
    fn phrases() {
        assert_eq!(Status::Retired("2026-03").phrase(), "retired since 2026-03");
        assert_eq!(Status::Maintained.phrase(), "maintained");
    }
}
