//! Fuzzes the located YAML reader used for manifests (multi-document streams), and holds
//! its direct event-to-tree builder equal to serde-saphyr's reading wherever it reads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert!(skyform_yaml::direct_builder_agrees(text), "the direct builder and serde-saphyr disagree on {text:?}");
    if let Ok(docs) = skyform_yaml::parse_stream(text) {
        for d in docs {
            let _ = d.to_json();
            let _ = d.locate(&skyform_yaml::Path::parse("/spec/template/spec/containers/0/image"), true);
        }
    }
});
