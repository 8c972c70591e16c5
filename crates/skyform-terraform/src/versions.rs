//! Provider pins and per-provider defaults.
//!
//! The versions are the ones the offline schema test validates against
//! (`scripts/fetch-provider-schemas`): for `@cdktf/provider-*` packages the Terraform
//! provider version is the one named in the package's own docs links. Linode, Civo,
//! Vultr and Hetzner have no `@cdktf` package; their resources are validated against the
//! Pulumi bridge of the same Terraform provider (`@pulumi/linode`, `@pulumi/civo`,
//! `@ediri/vultr`, `@pulumi/hcloud`), whose npm metadata does not name the bridged
//! provider version, so their constraints below are minimum-major pins.

use skyform_model::ProviderName;

/// A Terraform provider requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// Local name (`aws`, `google`, …).
    pub name: &'static str,
    pub source: &'static str,
    pub version: &'static str,
    /// The npm package and version its schema is validated against.
    pub schema_package: &'static str,
}

pub const AWS: Requirement = Requirement {
    name: "aws",
    source: "hashicorp/aws",
    version: "~> 6.25",
    schema_package: "@cdktf/provider-aws@21.22.1",
};
pub const GOOGLE: Requirement = Requirement {
    name: "google",
    source: "hashicorp/google",
    version: "~> 6.50",
    schema_package: "@cdktf/provider-google@16.12.1",
};
pub const AZURERM: Requirement = Requirement {
    name: "azurerm",
    source: "hashicorp/azurerm",
    version: "~> 4.55",
    schema_package: "@cdktf/provider-azurerm@14.23.1",
};
pub const DIGITALOCEAN: Requirement = Requirement {
    name: "digitalocean",
    source: "digitalocean/digitalocean",
    version: "~> 2.71",
    schema_package: "@cdktf/provider-digitalocean@13.14.1",
};
pub const LINODE: Requirement =
    Requirement { name: "linode", source: "linode/linode", version: "~> 3.0", schema_package: "@pulumi/linode@5.1.1" };
pub const CIVO: Requirement =
    Requirement { name: "civo", source: "civo/civo", version: "~> 1.1", schema_package: "@pulumi/civo@1.0.7" };
pub const VULTR: Requirement =
    Requirement { name: "vultr", source: "vultr/vultr", version: "~> 2.21", schema_package: "@ediri/vultr@2.21.0" };
pub const HCLOUD: Requirement = Requirement {
    name: "hcloud",
    source: "hetznercloud/hcloud",
    version: "~> 1.54",
    schema_package: "@pulumi/hcloud@1.41.0",
};
pub const RANDOM: Requirement = Requirement {
    name: "random",
    source: "hashicorp/random",
    version: "~> 3.7",
    schema_package: "@cdktf/provider-random@12.0.1",
};
pub const TLS: Requirement = Requirement {
    name: "tls",
    source: "hashicorp/tls",
    version: "~> 4.1",
    schema_package: "@cdktf/provider-tls@11.0.1",
};

pub const VAULT: Requirement = Requirement {
    name: "vault",
    source: "hashicorp/vault",
    version: "~> 5.6",
    schema_package: "@cdktf/provider-vault@15.6.1",
};

/// The cloud provider's requirement.
pub fn cloud(p: ProviderName) -> Requirement {
    match p {
        ProviderName::Aws => AWS,
        ProviderName::Gcp => GOOGLE,
        ProviderName::Azure => AZURERM,
        ProviderName::Digitalocean => DIGITALOCEAN,
        ProviderName::Linode => LINODE,
        ProviderName::Civo => CIVO,
        ProviderName::Vultr => VULTR,
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => HCLOUD,
    }
}

/// Minimum Terraform version of the generated roots.
/// 1.10 is the first with S3-native state locking (`use_lockfile`).
pub const TERRAFORM: &str = ">= 1.10.0";

/// Region used when the platform names none.
pub fn default_region(p: ProviderName) -> &'static str {
    match p {
        ProviderName::Aws => "us-east-1",
        ProviderName::Gcp => "us-central1",
        ProviderName::Azure => "eastus",
        ProviderName::Digitalocean => "nyc3",
        ProviderName::Linode => "us-east",
        ProviderName::Civo => "LON1",
        ProviderName::Vultr => "ewr",
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => "fsn1",
    }
}

/// Node size used when there is no cost plan.
pub fn default_size(p: ProviderName) -> &'static str {
    match p {
        ProviderName::Aws => "t3.large",
        ProviderName::Gcp => "e2-standard-2",
        ProviderName::Azure => "Standard_D2s_v5",
        ProviderName::Digitalocean => "s-2vcpu-4gb",
        ProviderName::Linode => "g6-standard-2",
        ProviderName::Civo => "g4s.kube.medium",
        ProviderName::Vultr => "vc2-2c-4gb",
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => "cx22",
    }
}

/// The `kubernetes_version` a root passes to its cluster module for `major.minor`.
///
/// Every module resolves the newest release of the minor itself, from the provider's
/// version data source (`aws`: the EKS API takes the minor; `google_container_engine_versions`,
/// `azurerm_kubernetes_service_versions`, `digitalocean_kubernetes_versions` and
/// `civo_kubernetes_version` by prefix; LKE takes the minor; k3s installs the newest
/// release of its `v<minor>` channel). Vultr's provider has no version data source, and
/// VKE wants a full release name: the newest `v<minor>.x+N` must be written (`vultr-cli
/// kubernetes versions`); the tfvars carry a placeholder release of the minor.
pub fn kubernetes_version(p: ProviderName, minor: &str) -> String {
    match p {
        ProviderName::Vultr => format!("v{minor}.1+1"),
        _ => minor.to_owned(),
    }
}

/// A Pulumi provider package the `--format pulumi` programs pin (`options.version`) and
/// the schema test validates against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PulumiPackage {
    /// The Pulumi package name, the first part of its type tokens (`aws`, `gcp`, …).
    pub name: &'static str,
    /// The npm package and the file `scripts/fetch-provider-schemas` reduces it to.
    pub npm: &'static str,
    pub version: &'static str,
}

/// Every Pulumi package a program uses. Azure is the classic `azure` provider (a bridge
/// of the same `azurerm` Terraform provider the modules use), not `azure-native`.
pub const PULUMI: [PulumiPackage; 9] = [
    PulumiPackage { name: "aws", npm: "@pulumi/aws", version: "7.48.0" },
    PulumiPackage { name: "gcp", npm: "@pulumi/gcp", version: "9.37.0" },
    PulumiPackage { name: "azure", npm: "@pulumi/azure", version: "6.40.0" },
    PulumiPackage { name: "digitalocean", npm: "@pulumi/digitalocean", version: "4.80.1" },
    PulumiPackage { name: "linode", npm: "@pulumi/linode", version: "5.1.1" },
    PulumiPackage { name: "civo", npm: "@pulumi/civo", version: "1.0.7" },
    PulumiPackage { name: "vultr", npm: "@ediri/vultr", version: "2.21.0" },
    PulumiPackage { name: "hcloud", npm: "@pulumi/hcloud", version: "1.41.0" },
    PulumiPackage { name: "random", npm: "@pulumi/random", version: "4.19.1" },
];

/// The pinned Pulumi package named `name`.
pub fn pulumi_package(name: &str) -> Option<PulumiPackage> {
    PULUMI.iter().copied().find(|p| p.name == name)
}
