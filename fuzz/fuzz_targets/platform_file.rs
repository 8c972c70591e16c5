//! Fuzzes the whole front end: YAML → structural check → lowering → diagnostic rendering.
//! Any panic is a bug: user input must only ever produce diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = skyform_spec::SourceFile::new("fuzz.yaml", text);
    match skyform_model::compile(text) {
        Ok(model) => {
            for env in &model.environments {
                assert!(!env.name.is_empty());
            }
        }
        Err(diags) => {
            let _ = skyform_spec::diag::render_all(&diags, &source, true);
        }
    }
});
