//! Writes a seeded corpus of realistic manifests to a directory.
//!
//! `cargo run --release -p skyform-check --example gen-corpus -- DIR [OBJECTS] [SEED] [PER_FILE]`
//! (defaults: 10000 objects, seed 1, 50 objects per file). Also writes `injected.tsv`
//! (rule, object) next to the manifests, listing every violation put in on purpose.

use std::io::Write as _;

#[path = "../tests/support/corpus.rs"]
mod corpus;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen-corpus DIR [OBJECTS] [SEED] [PER_FILE]");
        std::process::exit(2);
    };
    let num = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let corpus = corpus::generate(num(2, 1) as u64, num(1, 10_000), num(3, 50));
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    for (name, text) in &corpus.files {
        std::fs::write(dir.join(name), text)?;
    }
    let mut tsv = std::fs::File::create(dir.join("injected.tsv"))?;
    for inj in &corpus.injected {
        writeln!(tsv, "{}\t{}", inj.rule, inj.object)?;
    }
    eprintln!(
        "gen-corpus: {} objects in {} files, {} injected violations",
        corpus.objects,
        corpus.files.len(),
        corpus.injected.len()
    );
    Ok(())
}
