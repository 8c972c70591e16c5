//! Links the `skyform` binary as a position-dependent executable on Linux, as Go links
//! `helm`, `kubectl` and `terraform`: a position-independent one applies some 30,000
//! relocations to its own image at every start (`skyform --version` measured 2.54 →
//! 2.27 ms of wall time without them, in one interleaved run; `BENCHMARKS.md`). Libraries,
//! tests and fuzz targets are untouched (`-bins` applies to this package's binaries only).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
