//! The test harness's node simulator as a process, for manual runs and the benchmark:
//! `cargo run -p skyform-apply --example node_sim -- KUBECONFIG` registers a node and
//! marks pods scheduled on it Running/Ready until killed.

#[path = "../tests/support/sim.rs"]
mod sim;

use skyform_apply::{Cluster, Kubeconfig, Target};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let Some(path) = std::env::args_os().nth(1) else {
        anyhow::bail!("usage: node_sim KUBECONFIG");
    };
    let kubeconfig = Kubeconfig::read_from(&path)?;
    let cluster = Cluster::connect(&Target { kubeconfig, context: None, clock: std::time::Instant::now }).await?;
    eprintln!("node_sim: simulating node {} on {}", sim::NODE, cluster.server());
    sim::run(cluster.client(), Arc::new(AtomicBool::new(false))).await;
    Ok(())
}
