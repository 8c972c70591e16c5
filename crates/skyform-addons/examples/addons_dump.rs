//! Prints the add-on objects of a platform file as one YAML stream, for feeding external
//! tools (checkov, `skyform check`) by hand:
//! `cargo run -p skyform-addons --example addons_dump -- PLATFORM.yaml ENV PROVIDER [--with-core]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, env, provider, rest @ ..] = args.as_slice() else {
        eprintln!("usage: addons_dump PLATFORM.yaml ENV PROVIDER [--with-core]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(model) = skyform_model::compile(&text) else {
        eprintln!("{file}: invalid platform (run `skyform validate`)");
        return ExitCode::from(2);
    };
    let (Some(env), Some(provider)) = (model.environment(env), skyform_render::parse_provider(provider)) else {
        eprintln!("unknown environment or provider");
        return ExitCode::from(2);
    };
    let mut objects = Vec::new();
    if rest.iter().any(|a| a == "--with-core") {
        objects.extend(skyform_render::render_objects(&model, env, provider));
    }
    objects.extend(skyform_addons::objects(&model, env, provider));
    print!("{}", skyform_render::output::stream(&objects));
    ExitCode::SUCCESS
}
