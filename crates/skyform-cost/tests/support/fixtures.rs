//! Ready-made demands: the health-data platform of the seed plan (production, with
//! the replica counts of its deployment table) and a synthetic generator for
//! benchmarks. Deterministic: a seed gives the same demand every time.
//!
//! Test and example support, not part of the library: included with
//! `#[path = "…/tests/support/fixtures.rs"] mod fixtures;`.
#![allow(dead_code)]

use skyform_cost::demand::{Demand, VolumeDemand, WorkloadDemand};
use skyform_cost::rightsizing::SEED_ROWS;

/// The seed's health platform in production. Requests come from its right-sizing
/// table; replicas from its deployment table (HPA ranges as base..peak); spot per its
/// spot strategy (Health API, WebAuthn, ETL); volumes from its production values.
pub fn health_platform_production() -> Demand {
    // (row name in the table, service name, base, peak, spot_ok, stateful)
    const SHAPE: [(&str, &str, u32, u32, bool, bool); 11] = [
        ("Health API", "health-api", 2, 5, true, false),
        ("WebAuthn Server", "webauthn", 2, 3, true, false),
        ("PostgreSQL (Health)", "postgres-health", 3, 3, false, true),
        ("PostgreSQL (WebAuthn)", "postgres-webauthn", 3, 3, false, true),
        ("Redis (Health)", "redis-health", 3, 3, false, true),
        ("Redis (WebAuthn)", "redis-webauthn", 3, 3, false, true),
        ("MinIO", "minio", 4, 4, false, true),
        ("RabbitMQ", "rabbitmq", 3, 3, false, true),
        ("Envoy Gateway", "envoy", 2, 3, false, false),
        ("Jaeger", "jaeger", 1, 2, false, false),
        ("ETL Engine", "etl-engine", 1, 3, true, false),
    ];
    let workloads = SHAPE
        .iter()
        .filter_map(|(row, name, base, peak, spot_ok, stateful)| {
            let r = SEED_ROWS.iter().find(|r| r.service == *row)?;
            Some(WorkloadDemand {
                name: (*name).into(),
                cpu_millis: r.cpu_request_millis,
                memory_mib: r.memory_request_mib,
                replicas_base: *base,
                replicas_peak: *peak,
                spot_ok: *spot_ok,
                stateful: *stateful,
            })
        })
        .collect();
    let vol = |name: &str, size_gib, n| VolumeDemand { name: name.into(), size_gib, count_base: n, count_peak: n };
    Demand {
        environment: "production".into(),
        production: true,
        workloads,
        volumes: vec![
            vol("minio-data", 100, 4),
            vol("postgres-health-data", 50, 3),
            vol("prometheus-data", 50, 1),
            vol("rabbitmq-data", 20, 3),
        ],
        load_balancers: 1,
        object_storage_gib: 0,
        managed_databases: Vec::new(),
        daemonsets: Vec::new(),
        allow_arm64: false,
    }
}

/// A synthetic platform of `services` services with varied shapes, for benchmarks.
pub fn synthetic(services: usize, seed: u64) -> Demand {
    let mut state = seed;
    let mut next = move |lo: u64, hi: u64| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        lo + (z ^ (z >> 31)) % (hi - lo + 1)
    };
    let workloads = (0..services)
        .map(|i| {
            let cpu = [50, 100, 250, 500, 1000][next(0, 4) as usize];
            let mem = [64, 128, 256, 512, 1024, 2048][next(0, 5) as usize];
            let base = next(1, 3) as u32;
            let stateful = next(0, 9) == 0;
            WorkloadDemand {
                name: format!("svc-{i:04}"),
                cpu_millis: cpu,
                memory_mib: mem,
                replicas_base: base,
                replicas_peak: base + next(0, 3) as u32,
                spot_ok: !stateful && next(0, 1) == 0,
                stateful,
            }
        })
        .collect::<Vec<_>>();
    let volumes = workloads
        .iter()
        .filter(|w| w.stateful)
        .map(|w| VolumeDemand {
            name: format!("{}-data", w.name),
            size_gib: 20,
            count_base: w.replicas_base,
            count_peak: w.replicas_peak,
        })
        .collect();
    Demand {
        environment: "production".into(),
        production: true,
        workloads,
        volumes,
        load_balancers: 2,
        object_storage_gib: 500,
        managed_databases: Vec::new(),
        daemonsets: Vec::new(),
        allow_arm64: false,
    }
}
