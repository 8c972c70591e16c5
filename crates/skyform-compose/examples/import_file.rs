//! Imports compose files given as arguments and prints the platform file and the report
//! (a development aid; the `skyform import` command is the real entry point).

use std::collections::BTreeMap;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files: Vec<skyform_compose::ComposeFile> = args
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok().map(|t| skyform_compose::ComposeFile::new(p.clone(), t)))
        .collect();
    let options = skyform_compose::ImportOptions { env: BTreeMap::new(), profiles: Vec::new(), project_name: None };
    let read = |p: &str| std::fs::read_to_string(p).ok();
    match skyform_compose::import(&files, &options, &read) {
        Ok(import) => {
            println!("{}", import.platform_yaml);
            eprintln!("{}", import.report.render());
            match skyform_model::compile(&import.platform_yaml) {
                Ok(_) => eprintln!("compile: ok"),
                Err(diags) => {
                    let src = skyform_spec::SourceFile::new("platform.yaml", import.platform_yaml.clone());
                    eprintln!("{}", skyform_spec::diag::render_all(&diags, &src, false));
                }
            }
        }
        Err(failure) => eprintln!("{}", failure.render(false)),
    }
}
