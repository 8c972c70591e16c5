//! Fuzzes the located YAML reader used for manifests (multi-document streams).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(docs) = skyform_yaml::parse_stream(text) {
        for d in docs {
            let _ = d.to_json();
            let _ = d.locate(&skyform_yaml::Path::parse("/spec/template/spec/containers/0/image"), true);
        }
    }
});
