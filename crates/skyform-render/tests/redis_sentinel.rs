//! The rendered Redis replication runs for real: Debian's `redis-server` (installed by
//! `scripts/setup-tools`) executes the `redis.sh` and `sentinel.sh` scripts of the
//! health platform's `redis-health` (production, 3 replicas) on loopback, and HAProxy
//! runs the rendered master-tracking proxy configuration. Only addresses are adapted
//! (the scripts' `SKYFORM_*` overrides; the proxy's server lines): every Redis and
//! Sentinel setting is the rendered one.
//!
//! Shown: a write on the master is read back from the replica; the Sentinels report
//! the master; through the proxy, clients reach the master; when the master dies the
//! Sentinels promote the replica, the proxy follows, and the old master restarted with
//! the same script rejoins as a replica of the new one.

use skyform_model::ProviderName;
use skyform_render::render_objects;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const HEALTH: &str = include_str!("../../../examples/health-platform/platform.yaml");

fn tool(name: &str) -> PathBuf {
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    for d in std::env::split_paths(&dirs).chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")]) {
        let p = d.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("`{name}` is not installed: run scripts/setup-tools (it installs Debian's redis-server and haproxy)");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Kills its process when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cli(port: u16, args: &[&str]) -> String {
    let out = Command::new(tool("redis-cli"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--raw"])
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out after {timeout:?} waiting for {what}");
}

struct Scripts {
    redis: PathBuf,
    sentinel: PathBuf,
    proxy: String,
}

fn rendered(dir: &Path) -> Scripts {
    let model = skyform_model::compile(HEALTH).expect("example compiles");
    let env = model.environment("production").expect("production");
    let objects = render_objects(&model, env, ProviderName::Digitalocean);
    let data = |name: &str| {
        objects
            .iter()
            .find(|o| o.kind == "ConfigMap" && o.name == name)
            .unwrap_or_else(|| panic!("ConfigMap {name} is rendered"))
            .value["data"]
            .clone()
    };
    let scripts = data("redis-health-ha-scripts");
    let redis = dir.join("redis.sh");
    let sentinel = dir.join("sentinel.sh");
    std::fs::write(&redis, scripts["redis.sh"].as_str().expect("redis.sh")).expect("write");
    std::fs::write(&sentinel, scripts["sentinel.sh"].as_str().expect("sentinel.sh")).expect("write");
    let proxy = data("redis-health-proxy")["haproxy.cfg"].as_str().expect("haproxy.cfg").to_string();
    Scripts { redis, sentinel, proxy }
}

fn start_redis(s: &Scripts, dir: &Path, port: u16, seed: u16, sentinel: u16) -> Proc {
    let data = dir.join(format!("redis-{port}"));
    std::fs::create_dir_all(&data).expect("data dir");
    let log = std::fs::File::create(dir.join(format!("redis-{port}.log"))).expect("log");
    let child = Command::new("sh")
        .arg(&s.redis)
        .env("SKYFORM_PORT", port.to_string())
        .env("SKYFORM_SELF_HOST", "127.0.0.1")
        .env("SKYFORM_SEED_HOST", "127.0.0.1")
        .env("SKYFORM_SEED_PORT", seed.to_string())
        .env("SKYFORM_SENTINEL_HOST", "127.0.0.1")
        .env("SKYFORM_SENTINEL_PORT", sentinel.to_string())
        .env("SKYFORM_DATA_DIR", &data)
        .env("SKYFORM_CONF", dir.join(format!("redis-{port}.conf")))
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("redis.sh starts");
    Proc(child)
}

fn start_sentinel(s: &Scripts, dir: &Path, port: u16, peers: &str, seed: u16) -> Proc {
    let log = std::fs::File::create(dir.join(format!("sentinel-{port}.log"))).expect("log");
    let child = Command::new("sh")
        .arg(&s.sentinel)
        .env("SKYFORM_SENTINEL_PORT", port.to_string())
        .env("SKYFORM_SELF_HOST", "127.0.0.1")
        .env("SKYFORM_PEERS", peers)
        .env("SKYFORM_SEED_HOST", "127.0.0.1")
        .env("SKYFORM_SEED_PORT", seed.to_string())
        .env("SKYFORM_CONF", dir.join(format!("sentinel-{port}.conf")))
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("sentinel.sh starts");
    Proc(child)
}

fn master_of(sentinel: u16) -> String {
    cli(sentinel, &["sentinel", "get-master-addr-by-name", "redis-health"]).replace('\n', ":")
}

#[test]
fn rendered_replication_replicates_and_fails_over() {
    let tmp = std::env::temp_dir().join(format!("skyform-redis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let s = rendered(&tmp);
    assert!(s.redis.is_file() && s.sentinel.is_file());
    let (p0, p1, p2) = (free_port(), free_port(), free_port());
    let sentinels = [free_port(), free_port(), free_port()];
    let peers = sentinels.iter().map(|p| format!("127.0.0.1:{p}")).collect::<Vec<_>>().join(" ");

    // First start: no Sentinel answers, so the seed (pod 0) is master, the rest replicas.
    let mut r0 = Some(start_redis(&s, &tmp, p0, p0, sentinels[0]));
    wait_for("the master", Duration::from_secs(10), || cli(p0, &["ping"]) == "PONG");
    let _r1 = start_redis(&s, &tmp, p1, p0, sentinels[0]);
    let _r2 = start_redis(&s, &tmp, p2, p0, sentinels[0]);
    let _s: Vec<Proc> = sentinels.iter().map(|p| start_sentinel(&s, &tmp, *p, &peers, p0)).collect();
    wait_for("the replicas' links", Duration::from_secs(20), || {
        [p1, p2].iter().all(|p| cli(*p, &["info", "replication"]).contains("master_link_status:up"))
    });

    // A write on the master is read back from a replica.
    assert_eq!(cli(p0, &["set", "greeting", "hello from the master"]), "OK");
    wait_for("the write on the replica", Duration::from_secs(10), || {
        cli(p1, &["get", "greeting"]) == "hello from the master"
    });
    assert!(cli(p1, &["set", "x", "1"]).contains("READONLY"), "replicas refuse writes");
    // Every Sentinel reports the master.
    for p in sentinels {
        wait_for("the Sentinel's master", Duration::from_secs(10), || master_of(p) == format!("127.0.0.1:{p0}"));
    }
    wait_for("the Sentinels to see each other", Duration::from_secs(20), || {
        cli(sentinels[0], &["sentinel", "sentinels", "redis-health"]).matches("127.0.0.1").count() >= 2
    });

    // The proxy routes clients to the master.
    let proxy_port = free_port();
    let health_port = free_port();
    let mut cfg = s.proxy.replace(":8404", &format!(":{health_port}")).replace(":6379\n", &format!(":{proxy_port}\n"));
    for (i, p) in [p0, p1, p2].iter().enumerate() {
        let host = format!("redis-health-{i}.redis-health-headless.health-platform-data.svc.cluster.local:6379");
        assert!(cfg.contains(&host), "proxy names {host}");
        cfg = cfg.replace(&host, &format!("127.0.0.1:{p}"));
    }
    let cfg_path = tmp.join("haproxy.cfg");
    std::fs::write(&cfg_path, &cfg).expect("write haproxy.cfg");
    let check = Command::new(tool("haproxy")).args(["-c", "-f"]).arg(&cfg_path).output().expect("haproxy -c");
    assert!(check.status.success(), "haproxy -c: {}", String::from_utf8_lossy(&check.stderr));
    let _proxy = Proc(
        Command::new(tool("haproxy"))
            .args(["-db", "-f"])
            .arg(&cfg_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts"),
    );
    wait_for("a write through the proxy", Duration::from_secs(10), || {
        cli(proxy_port, &["set", "via-proxy", "1"]) == "OK"
    });

    // Failover: the master dies, the Sentinels promote a replica, the proxy follows.
    drop(r0.take());
    let mut new_master = 0;
    wait_for("the Sentinels' failover", Duration::from_secs(60), || {
        let m = master_of(sentinels[1]);
        new_master = [p1, p2].into_iter().find(|p| m == format!("127.0.0.1:{p}")).unwrap_or(0);
        new_master != 0 && cli(new_master, &["info", "replication"]).contains("role:master")
    });
    wait_for("a write through the proxy after failover", Duration::from_secs(20), || {
        cli(proxy_port, &["set", "after-failover", "2"]) == "OK"
    });
    assert_eq!(cli(new_master, &["get", "after-failover"]), "2");
    assert_eq!(cli(new_master, &["get", "greeting"]), "hello from the master", "no acknowledged write lost");

    // The old master restarts with the same script: it asks the Sentinels and rejoins as
    // a replica of the new master instead of starting a second master.
    let _r0 = start_redis(&s, &tmp, p0, p0, sentinels[2]);
    wait_for("the old master to rejoin as a replica", Duration::from_secs(20), || {
        let info = cli(p0, &["info", "replication"]);
        info.contains("role:slave") && info.contains("master_link_status:up")
    });
    assert_eq!(cli(p0, &["get", "after-failover"]), "2");
    let _ = std::fs::remove_dir_all(&tmp);
}
