//! The seeded corpus generator: deterministic, and every violation it injects is found
//! by the rule it names, on the object it names.

#[path = "support/corpus.rs"]
mod corpus;

use corpus::generate;
use skyform_check::{Options, check};

#[test]
fn generation_is_deterministic() {
    let a = generate(7, 300, 25);
    let b = generate(7, 300, 25);
    assert_eq!(a.files, b.files);
    assert!(a.objects >= 300);
    assert_ne!(generate(8, 300, 25).files, a.files);
}

#[test]
fn every_injected_violation_is_found() {
    for seed in [1, 2, 3, 42] {
        let corpus = generate(seed, 1500, 40);
        let report = check(&corpus.files, &Options::default());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.objects, corpus.objects);
        let mut missing = Vec::new();
        for inj in &corpus.injected {
            let found = report.findings.iter().any(|f| f.rule == inj.rule && f.object.to_string() == inj.object);
            if !found {
                missing.push(format!("{} on {}", inj.rule, inj.object));
            }
        }
        assert!(missing.is_empty(), "seed {seed}: {} injected violations not found: {missing:#?}", missing.len());
        assert!(corpus.injected.len() > 100, "seed {seed}: too few violations injected");
    }
}
