//! `--provider kind`: the whole platform on a laptop cluster.
//!
//! The same manifests as any other provider, with these differences only:
//! - every service runs one replica (no HPA range, Knative scales to one pod at most);
//! - TLS certificates come from a self-signed ClusterIssuer (no ACME: the cluster is not
//!   reachable from the internet);
//! - storage is kind's local-path provisioner (the renderer's StorageClasses, and the
//!   `standard` class in prerequisite values);
//! - no cloud resources: no DNS records (no External-DNS), no managed databases, no
//!   Terraform, no price catalog; Velero backs up to the platform's own MinIO if it has one.

use skyform_model::{AcmeServer, Environment, Model, ProviderName, Replicas};

/// Whether a provider is a local development cluster.
pub fn is_local(provider: ProviderName) -> bool {
    provider == ProviderName::Kind
}

/// The model as a local cluster runs it: a self-signed issuer.
pub fn model(model: &Model) -> Model {
    let mut m = model.clone();
    m.ingress.issuer.acme = AcmeServer::SelfSigned;
    m
}

/// The environment as a local cluster runs it: one replica of everything, nothing
/// managed by a cloud.
pub fn environment(env: &Environment) -> Environment {
    let mut e = env.clone();
    for s in &mut e.services {
        s.replicas = Replicas { min: 1, max: 1 };
        s.autoscale = None;
        s.spot = false;
        s.managed_on.clear();
        if let Some(k) = &mut s.serverless {
            k.min_scale = k.min_scale.min(1);
            k.max_scale = 1;
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_environments_run_one_replica_with_a_self_signed_issuer() {
        let Ok(m) = skyform_model::compile(include_str!("../../../examples/health-platform/platform.yaml")) else {
            panic!("example compiles");
        };
        let local = model(&m);
        assert_eq!(local.ingress.issuer.acme, AcmeServer::SelfSigned);
        for env in &m.environments {
            let e = environment(env);
            assert!(e.services.iter().all(|s| s.replicas == Replicas { min: 1, max: 1 } && s.autoscale.is_none()));
            assert_eq!(e.services.len(), env.services.len());
        }
    }
}
