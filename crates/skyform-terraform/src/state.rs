//! Remote state and what hangs off it.
//!
//! * `bootstrap/<provider>/`: the one root with local state. It creates the state
//!   bucket every environment root's `backend.tf` names (S3 with native locking, GCS,
//!   an Azure storage account, or the provider's S3-compatible object storage). Hetzner
//!   Cloud's object storage has no Terraform resource: its README says how to create the
//!   bucket and keys by hand.
//! * `environments/<env>/<provider>/connections/`: applied after the platform is running
//!   (its secrets backend, e.g. an in-cluster Vault, must be reachable). It reads the
//!   environment root's remote state and writes one connection record per managed data
//!   service into the platform's secrets backend at `<platform>/<service>-connection`
//!   (contract 2): `host`, `port`, `database`, `username`, `password`, `sslmode`
//!   (Redis: `host`, `port`, `password`, `tls`). Passwords exist only in Terraform state
//!   and in the backend, never in a generated file.
//! * `environments/<env>/<provider>/README.md`: the order of operations.

use hcl::Expression;

use crate::hclw::{Blk, File, call, obj, r, s, strs, tpl, ty};
use crate::root::{backend, backend_block, s3_endpoint, state_account, state_bucket, state_key};
use crate::services::{self, Kind};
use crate::versions::{self, Requirement};
use crate::{Ctx, Error, Files, print};
use skyform_model::{ProviderName, SecretsBackend};

/// `bootstrap/<provider>`.
pub fn bootstrap_dir(ctx: &Ctx<'_>) -> String {
    format!("bootstrap/{}", ctx.key())
}

/// `environments/<env>/<provider>/connections`.
pub fn connections_dir(ctx: &Ctx<'_>) -> String {
    format!("{}/connections", crate::root::dir(ctx))
}

fn versions_file(reqs: &[Requirement]) -> File {
    let mut rp = Blk::new("required_providers", &[]);
    for q in reqs {
        rp = rp.a(q.name, obj([("source", s(q.source)), ("version", s(q.version))]));
    }
    File::new().blk(Blk::new("terraform", &[]).a("required_version", s(versions::TERRAFORM)).blk(rp))
}

fn provider_block(ctx: &Ctx<'_>) -> Blk {
    match ctx.provider {
        ProviderName::Aws => Blk::new("provider", &["aws"]).a("region", s(&ctx.region)),
        ProviderName::Gcp => {
            Blk::new("provider", &["google"]).a("project", r("var.gcp_project")).a("region", s(&ctx.region))
        }
        ProviderName::Azure => Blk::new("provider", &["azurerm"]).blk(Blk::new("features", &[])),
        ProviderName::Civo => Blk::new("provider", &["civo"]).a("region", s(&ctx.region)),
        ProviderName::Digitalocean => Blk::new("provider", &["digitalocean"]),
        ProviderName::Linode => Blk::new("provider", &["linode"]),
        ProviderName::Vultr => Blk::new("provider", &["vultr"]),
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => Blk::new("provider", &["hcloud"]),
    }
}

fn gcp_project_var() -> Blk {
    Blk::new("variable", &["gcp_project"])
        .a("description", s("The Google Cloud project ID (not known to skyform: set it)."))
        .a("type", ty("string"))
}

/// The bootstrap root that creates the state bucket.
///
/// # Errors
/// [`Error::Hcl`] if a file cannot be printed.
pub fn bootstrap(ctx: &Ctx<'_>, files: &mut Files) -> Result<(), Error> {
    let d = bootstrap_dir(ctx);
    let bucket = state_bucket(ctx);
    let p = ctx.provider;
    let mut main = File::new();
    let reqs = vec![versions::cloud(p)];
    match p {
        ProviderName::Azure => {
            // A fixed account name: the backends name it before anything exists.
            main.push(provider_block(ctx));
            main.push(
                Blk::resource("azurerm_resource_group", "state")
                    .a("name", s(format!("{}-tfstate", ctx.model.name)))
                    .a("location", s(&ctx.region)),
            );
            main.push(
                Blk::resource("azurerm_storage_account", "state")
                    .a("name", s(state_account(ctx)))
                    .a("resource_group_name", r("azurerm_resource_group.state.name"))
                    .a("location", r("azurerm_resource_group.state.location"))
                    .a("account_tier", s("Standard"))
                    .a("account_replication_type", s("ZRS"))
                    .a("min_tls_version", s("TLS1_2"))
                    .a("allow_nested_items_to_be_public", hcl::Expression::Bool(false))
                    .a("https_traffic_only_enabled", hcl::Expression::Bool(true))
                    .blk(Blk::new("blob_properties", &[]).a("versioning_enabled", hcl::Expression::Bool(true))),
            );
            main.push(
                Blk::resource("azurerm_storage_container", "state")
                    .a("name", s("tfstate"))
                    .a("storage_account_id", r("azurerm_storage_account.state.id"))
                    .a("container_access_type", s("private")),
            );
        }
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => {}
        _ => {
            main.push(provider_block(ctx));
            main.push(
                Blk::new("module", &["state"])
                    .a("source", s(format!("../../{}", services::dir(Kind::ObjectStorage, p))))
                    .a("name", s(format!("{}-tfstate", ctx.model.name)))
                    .a("region", s(&ctx.region))
                    .a("buckets", strs([bucket.as_str()]))
                    .a("labels", obj([("managed-by", s("skyform")), ("platform", s(&ctx.model.name))])),
            );
        }
    }
    if main.is_empty() {
        // Hetzner: nothing Terraform can create; the README says what to do.
        files.push((format!("{d}/README.md"), hetzner_bootstrap_readme(ctx)));
        return Ok(());
    }
    print(format!("{d}/main.tf"), &main, files)?;
    print(format!("{d}/versions.tf"), &versions_file(&reqs), files)?;
    if p == ProviderName::Gcp {
        print(format!("{d}/variables.tf"), &File::new().blk(gcp_project_var()), files)?;
    }
    let note = format!(
        "# This root creates the remote-state bucket `{bucket}`; its own state is local\n\
         # on purpose (the bucket cannot hold the state of its own creation). Keep the\n\
         # terraform.tfstate of this folder, or import the bucket again if it is lost.\n"
    );
    files.push((format!("{d}/backend.tf"), note));
    Ok(())
}

fn hetzner_bootstrap_readme(ctx: &Ctx<'_>) -> String {
    format!(
        "# Remote state on Hetzner Cloud\n\n\
         The `hcloud` Terraform provider has no object-storage resource, so the state bucket\n\
         is created once by hand:\n\n\
         1. Hetzner Cloud Console -> Object Storage -> create bucket `{bucket}` in `{region}`.\n\
         2. Create S3 credentials and export them for Terraform:\n\
         \x20  `export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...`\n\
         3. In `environments/<env>/hetzner/` run `terraform init` (the backend points at\n\
         \x20  `{endpoint}`).\n",
        bucket = state_bucket(ctx),
        region = ctx.region,
        endpoint = s3_endpoint(ctx),
    )
}

/// The `config` object of a `terraform_remote_state` data source reading the state the
/// root's backend writes at `key`.
fn remote_state_config(ctx: &Ctx<'_>, key: &str) -> (String, Expression) {
    let blk = backend_block(ctx, key).build();
    let kind = blk.labels().first().map(|l| l.as_str().to_owned()).unwrap_or_else(|| "s3".to_owned());
    let pairs: Vec<(String, Expression)> =
        blk.body().attributes().map(|a| (a.key().to_owned(), a.expr().clone())).collect();
    (kind, obj(pairs))
}

/// The key of a managed service in the secrets backend. GCP Secret Manager and Azure
/// Key Vault do not allow `/` in names: there the `/` becomes `-`.
pub fn record_name(ctx: &Ctx<'_>, service: &str) -> String {
    let key = skyform_model::managed::connection_key(&ctx.model.name, service);
    match ctx.model.secrets.backend {
        SecretsBackend::GcpSecretManager | SecretsBackend::AzureKeyVault => key.replace('/', "-"),
        _ => key,
    }
}

/// The connections root (only when the environment has managed data services).
///
/// # Errors
/// [`Error::Hcl`] if a file cannot be printed.
pub fn connections(ctx: &Ctx<'_>, files: &mut Files) -> Result<(), Error> {
    let pg: Vec<String> = if services::wanted(Kind::ManagedPostgres, ctx) {
        ctx.managed_postgres.iter().map(|s| s.name.clone()).collect()
    } else {
        Vec::new()
    };
    let redis: Vec<String> = if services::wanted(Kind::ManagedRedis, ctx) {
        ctx.managed_redis.iter().map(|s| s.name.clone()).collect()
    } else {
        Vec::new()
    };
    if pg.is_empty() && redis.is_empty() {
        return Ok(());
    }
    let d = connections_dir(ctx);
    let (kind, config) = remote_state_config(ctx, &state_key(ctx, ""));
    let mut main =
        File::new().blk(Blk::data("terraform_remote_state", "platform").a("backend", s(kind)).a("config", config));
    let mut vars = File::new();
    let mut reqs = Vec::new();
    let backend_kind = ctx.model.secrets.backend;
    match backend_kind {
        SecretsBackend::Vault => {
            reqs.push(versions::VAULT);
            main.push(Blk::new("provider", &["vault"]).a("address", r("var.vault_address")));
            vars.push(
                Blk::new("variable", &["vault_address"])
                    .a(
                        "description",
                        s("Vault's address as seen from where Terraform runs (the token comes from VAULT_TOKEN). For an in-cluster Vault: kubectl port-forward and http://127.0.0.1:8200."),
                    )
                    .a("type", ty("string"))
                    .opt("default", ctx.model.secrets.vault_address.as_ref().map(s)),
            );
            vars.push(
                Blk::new("variable", &["vault_mount"])
                    .a("description", s("The KV version 2 mount the ExternalSecrets read."))
                    .a("type", ty("string"))
                    .a("default", s(&ctx.model.secrets.vault_path)),
            );
        }
        SecretsBackend::AwsSecretsManager => {
            reqs.push(versions::AWS);
            main.push(Blk::new("provider", &["aws"]).a("region", s(&ctx.region)));
        }
        SecretsBackend::GcpSecretManager => {
            reqs.push(versions::GOOGLE);
            main.push(Blk::new("provider", &["google"]).a("project", r("var.gcp_project")));
            vars.push(gcp_project_var());
        }
        SecretsBackend::AzureKeyVault => {
            reqs.push(versions::AZURERM);
            main.push(Blk::new("provider", &["azurerm"]).blk(Blk::new("features", &[])));
            vars.push(
                Blk::new("variable", &["key_vault_id"])
                    .a("description", s("Resource ID of the Key Vault the ExternalSecrets read."))
                    .a("type", ty("string")),
            );
        }
        SecretsBackend::SealedSecrets => {}
    }
    if reqs.is_empty() {
        // Sealed Secrets has no store Terraform can write to.
        files.push((format!("{d}/README.md"), sealed_readme(ctx, &pg, &redis)));
        return Ok(());
    }
    for (label, names) in [("postgres", &pg), ("redis", &redis)] {
        if names.is_empty() {
            continue;
        }
        let record = r(&format!("data.terraform_remote_state.platform.outputs.{label}_connections[each.key]"));
        let data_json = call("jsonencode", [record]);
        let for_each = call("toset", [strs(names.iter())]);
        let name = |ctx: &Ctx<'_>| {
            let k = record_name(ctx, "${each.key}");
            tpl(k)
        };
        match backend_kind {
            SecretsBackend::Vault => main.push(
                Blk::resource("vault_kv_secret_v2", label)
                    .a("for_each", for_each)
                    .a("mount", r("var.vault_mount"))
                    .a("name", name(ctx))
                    .a("data_json", data_json),
            ),
            SecretsBackend::AwsSecretsManager => {
                main.push(
                    Blk::resource("aws_secretsmanager_secret", label)
                        .a("for_each", for_each)
                        .a("name", name(ctx))
                        .a("description", tpl(format!("Connection to the managed {label} ${{each.key}} (skyform)"))),
                );
                main.push(
                    Blk::resource("aws_secretsmanager_secret_version", label)
                        .a("for_each", call("toset", [strs(names.iter())]))
                        .a("secret_id", r(&format!("aws_secretsmanager_secret.{label}[each.key].id")))
                        .a("secret_string", data_json),
                );
            }
            SecretsBackend::GcpSecretManager => {
                main.push(
                    Blk::resource("google_secret_manager_secret", label)
                        .a("for_each", for_each)
                        .a("secret_id", name(ctx))
                        .blk(Blk::new("replication", &[]).blk(Blk::new("auto", &[]))),
                );
                main.push(
                    Blk::resource("google_secret_manager_secret_version", label)
                        .a("for_each", call("toset", [strs(names.iter())]))
                        .a("secret", r(&format!("google_secret_manager_secret.{label}[each.key].id")))
                        .a("secret_data", data_json),
                );
            }
            SecretsBackend::AzureKeyVault => main.push(
                Blk::resource("azurerm_key_vault_secret", label)
                    .a("for_each", for_each)
                    .a("name", name(ctx))
                    .a("key_vault_id", r("var.key_vault_id"))
                    .a("content_type", s("application/json"))
                    .a("value", data_json),
            ),
            SecretsBackend::SealedSecrets => {}
        }
    }
    print(format!("{d}/main.tf"), &main, files)?;
    if !vars.is_empty() {
        print(format!("{d}/variables.tf"), &vars, files)?;
    }
    print(format!("{d}/versions.tf"), &versions_file(&reqs), files)?;
    print(format!("{d}/backend.tf"), &backend(ctx, &state_key(ctx, "-connections")), files)?;
    Ok(())
}

fn sealed_readme(ctx: &Ctx<'_>, pg: &[String], redis: &[String]) -> String {
    let mut out = String::from(
        "# Connection records with Sealed Secrets\n\n\
         Sealed Secrets has no store Terraform can write to. Seal each record from the\n\
         environment root's outputs (run in `..`):\n\n",
    );
    for (label, names) in [("postgres", pg), ("redis", redis)] {
        for n in names {
            out.push_str(&format!(
                "    terraform output -json {label}_connections | jq '.\"{n}\"' > {n}.json\n\
                 \x20   kubectl create secret generic {n}-connection --dry-run=client -o yaml \\\n\
                 \x20     $(jq -r 'to_entries[] | \"--from-literal=\\(.key)=\\(.value)\"' {n}.json) \\\n\
                 \x20     | kubeseal -o yaml > {n}-connection.sealed.yaml && rm {n}.json\n\n"
            ));
        }
    }
    let _ = ctx;
    out
}

/// The environment root's README: the order of operations.
pub fn readme(ctx: &Ctx<'_>) -> String {
    let p = ctx.provider;
    let env = &ctx.env.name;
    let key = ctx.key();
    let creds = match p {
        ProviderName::Aws => "AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
        ProviderName::Gcp => "`gcloud auth application-default login`",
        ProviderName::Azure => "`az login` (and ARM_SUBSCRIPTION_ID)",
        ProviderName::Digitalocean => {
            "DIGITALOCEAN_TOKEN, and Spaces keys as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the state backend (SPACES_ACCESS_KEY_ID/SPACES_SECRET_ACCESS_KEY for the bootstrap)"
        }
        ProviderName::Linode => {
            "LINODE_TOKEN, and Object Storage keys as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the state backend"
        }
        ProviderName::Civo => {
            "CIVO_TOKEN, and Object Store keys as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the state backend"
        }
        ProviderName::Vultr => {
            "VULTR_API_KEY, and Object Storage keys as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the state backend"
        }
        ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => {
            "HCLOUD_TOKEN, and Object Storage keys as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the state backend"
        }
    };
    let mut out = format!(
        "# {name}: {env} on {key}\n\n\
         Credentials: {creds}. Nothing secret is written in these files.\n\n\
         1. State bucket, once per platform and provider: `cd ../../../bootstrap/{key} && terraform init && terraform apply`\n\
         \x20  (see its README.md / backend.tf).\n\
         2. Here: `terraform init` (remote state in `{bucket}`, key `{state}`).\n\
         3. `terraform apply -var 'api_allowed_cidrs=[\"203.0.113.0/24\"]'`: the networks allowed to reach the\n\
         \x20  Kubernetes API are required (an empty list keeps the API private where the provider can).\n\
         4. `terraform output -raw kubeconfig > kubeconfig && export KUBECONFIG=$PWD/kubeconfig`.\n",
        name = ctx.model.name,
        bucket = state_bucket(ctx),
        state = state_key(ctx, ""),
    );
    if p == ProviderName::Aws {
        out.push_str(
            "5. Cluster autoscaler (the platform's policy): see `cluster-autoscaler-values.yaml` for the\n\
             \x20  `helm upgrade --install` command.\n",
        );
    } else {
        out.push_str(&format!("5. Cluster autoscaling: {}.\n", autoscaling_note(p)));
    }
    out.push_str(&format!("6. Deploy the platform: `skyform apply platform.yaml --env {env} --provider {key}`.\n"));
    if services::wanted(Kind::ManagedPostgres, ctx) || services::wanted(Kind::ManagedRedis, ctx) {
        out.push_str(
            "7. Connection records of the managed services into the secrets backend (after step 6, when\n\
             \x20  the backend is reachable): `cd connections && terraform init && terraform apply`.\n",
        );
    }
    out
}

fn autoscaling_note(p: ProviderName) -> &'static str {
    match p {
        ProviderName::Gcp => {
            "GKE's cluster autoscaler, profile BALANCED (10 minutes below 50 %), pool bounds in terraform.tfvars"
        }
        ProviderName::Azure => "AKS `auto_scaler_profile` from `var.autoscaling`",
        ProviderName::Digitalocean => {
            "DOKS pool autoscale and `cluster_autoscaler_configuration` from `var.autoscaling`"
        }
        ProviderName::Linode => "LKE pool autoscaler (min/max per pool; LKE sets no scale-down delay)",
        ProviderName::Vultr => "VKE pool auto_scaler (min/max per pool; VKE sets no scale-down delay)",
        ProviderName::Civo | ProviderName::Hetzner | ProviderName::K3s | ProviderName::Kind => {
            "none in the provider's Terraform: pools are fixed at the planned peak (install the upstream cluster-autoscaler with its provider integration to scale)"
        }
        ProviderName::Aws => "cluster-autoscaler",
    }
}
