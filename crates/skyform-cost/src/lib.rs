//! skyform-cost: the price catalog, node allocatable models and the node-pool
//! optimizer behind `skyform plan`.
//!
//! The crate is pure: no file, terminal or environment access. The catalog's TOML
//! files are embedded at build time ([`catalog::EMBEDDED`]); a user catalog arrives
//! as text. The pipeline is
//!
//! ```text
//! Demand ──▶ per provider: catalog rows ──allocatable − daemonsets──▶ node kinds
//!        ──▶ optimizer (exact when small, heuristic + lower bound otherwise)
//!        ──▶ Plan { base, peak: node pools, placement, cost breakdown }
//! ```

pub mod allocatable;
pub mod catalog;
pub mod demand;
pub mod optimize;
#[cfg(test)]
mod testkit;

pub use allocatable::{AllocatableModel, AllocatableSettings, Resources};
pub use catalog::{Catalog, CatalogError, CatalogInfo, ProviderCatalog, catalog_info};
pub use demand::{DaemonsetOverhead, Demand, DemandError, ManagedDatabase, VolumeDemand, WorkloadDemand};
pub mod from_model;
pub mod plan;
pub mod platform;
pub mod render;
pub mod rightsizing;

pub use from_model::{demand_from_model, plan_environment};
pub use plan::{
    Capacity, CostBreakdown, Footnote, Method, NodePool, Plan, PlanError, PlanFailure, PlanOptions, PlanSet,
    PoolSizing, Role, Scenario, plan_all, plan_provider,
};
