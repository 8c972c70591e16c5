//! The managed-service support matrix: which provider sells (and skyform provisions)
//! a managed PostgreSQL, Redis, object storage or DNS.
//!
//! This is the single place the answer lives. `lower` refuses `managed: [provider]` on a
//! service whose provider is not in the matrix (a located error, with a hint naming the
//! providers that have it); the Terraform and Pulumi generators, the cost planner, the
//! wiring of consumers and `dr` read the same table, so a service is never dropped from
//! the cluster without a managed instance taking its place.
//!
//! The matrix lists what skyform generates infrastructure for, which is a subset of what
//! the clouds sell: Hetzner Cloud sells no managed database; its S3-compatible object
//! storage has no resource in the `hcloud` Terraform provider; k3s (on-premises) has no
//! cloud API at all.

use crate::{ComponentKind, ProviderName};

/// A kind of managed cloud service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ManagedService {
    Postgres,
    Redis,
    ObjectStorage,
    Dns,
}

impl ManagedService {
    /// Every managed service kind.
    pub const ALL: [ManagedService; 4] =
        [ManagedService::Postgres, ManagedService::Redis, ManagedService::ObjectStorage, ManagedService::Dns];

    /// A human name (`PostgreSQL`, `Redis`, …).
    pub fn display(self) -> &'static str {
        match self {
            ManagedService::Postgres => "PostgreSQL",
            ManagedService::Redis => "Redis",
            ManagedService::ObjectStorage => "object storage",
            ManagedService::Dns => "DNS",
        }
    }

    /// The managed service a component can be replaced by (`managed:`), if any.
    pub fn for_component(kind: ComponentKind) -> Option<ManagedService> {
        match kind {
            ComponentKind::Postgres => Some(ManagedService::Postgres),
            ComponentKind::Redis => Some(ManagedService::Redis),
            _ => None,
        }
    }

    /// Whether `provider` offers this service (and skyform provisions it there).
    pub fn offered_by(self, provider: ProviderName) -> bool {
        use ProviderName::*;
        match self {
            // aws_db_instance, google_sql_database_instance, azurerm_postgresql_flexible_server,
            // digitalocean_database_cluster, linode_database_postgresql_v2.
            ManagedService::Postgres => matches!(provider, Aws | Gcp | Azure | Digitalocean | Linode),
            // aws_elasticache_replication_group, google_redis_instance, azurerm_redis_cache,
            // digitalocean_database_cluster (engine valkey/redis).
            ManagedService::Redis => matches!(provider, Aws | Gcp | Azure | Digitalocean),
            ManagedService::ObjectStorage => !matches!(provider, Hetzner | K3s),
            ManagedService::Dns => provider != K3s,
        }
    }

    /// The providers that offer this service, in declaration order.
    pub fn providers(self) -> Vec<ProviderName> {
        ProviderName::ALL.into_iter().filter(|p| self.offered_by(*p)).collect()
    }

    /// The default port of the service's endpoint.
    pub fn port(self) -> Option<u16> {
        match self {
            ManagedService::Postgres => Some(5432),
            ManagedService::Redis => Some(6379),
            _ => None,
        }
    }
}

/// Whether `provider` offers a managed `service`.
pub fn offers(provider: ProviderName, service: ManagedService) -> bool {
    service.offered_by(provider)
}

/// The secrets-backend key holding a managed service's connection record:
/// `<platform>/<service>-connection`.
pub fn connection_key(platform: &str, service: &str) -> String {
    format!("{platform}/{service}-connection")
}

/// The hint of the error for `managed: [provider]` on a provider without the service.
pub fn unsupported_hint(service: ManagedService) -> String {
    let names: Vec<&str> = service.providers().into_iter().map(ProviderName::as_str).collect();
    format!(
        "managed {} is available on: {}; remove this provider from `managed:` to run the service in the cluster there",
        service.display(),
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_rows() {
        assert_eq!(
            ManagedService::Postgres.providers(),
            [
                ProviderName::Aws,
                ProviderName::Gcp,
                ProviderName::Azure,
                ProviderName::Digitalocean,
                ProviderName::Linode
            ]
        );
        assert!(!offers(ProviderName::Hetzner, ManagedService::Postgres));
        assert!(!offers(ProviderName::Civo, ManagedService::Redis));
        assert!(!offers(ProviderName::K3s, ManagedService::Dns));
        assert!(offers(ProviderName::Civo, ManagedService::ObjectStorage));
        assert_eq!(connection_key("health", "db"), "health/db-connection");
        assert!(unsupported_hint(ManagedService::Redis).contains("aws, gcp, azure, digitalocean;"));
    }
}
