//! Keeps ARCHITECTURE.md's invariant "no I/O outside the binary" true: the non-test code
//! of every library crate is searched for the APIs that read files, the environment, the
//! wall clock or the terminal. Only the binary (`crates/skyform`) may use them.
//!
//! `skyform-apply` included: the kubeconfig arrives parsed, the monotonic clock as a
//! function, progress as a trait object, all from the binary.
//!
//! Also "no second renderer of diagnostics": only `skyform-diag` writes `hint:` lines or
//! terminal styles; no crate, the binary included, writes raw ANSI escape codes.

use std::path::{Path, PathBuf};

/// Text that means I/O in library code.
const FORBIDDEN: &[&str] = &[
    "std::fs::",
    "fs::read",
    "File::open",
    "File::create",
    "env::var",
    "env::args",
    "SystemTime::now",
    "Instant::now",
    "std::io::stdout",
    "std::io::stderr",
    "io::stdin",
    "println!(",
    "eprintln!(",
    " print!(",
    "eprint!(",
    "dbg!(",
    "is_terminal",
    "Kubeconfig::read",
    "from_kubeconfig(",
    "Config::infer",
    "indicatif::",
    "ProgressDrawTarget",
];

/// Text that means a second diagnostic renderer (everywhere but `skyform-diag`).
const SECOND_RENDERER: &[&str] = &["\\n  hint:", "\"  hint:", "\\x1b", "\\u{1b}", "\\033["];

/// (crate folder, pattern) pairs that are allowed, each with its reason above.
const ALLOWED: &[(&str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let files = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_map(Result::ok);
    out.extend(
        files
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
            .map(|e| e.into_path()),
    );
}

/// The lines of `text` that are not test code: everything before the first
/// `#[cfg(test)]`, without comments.
fn production_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
}

#[test]
fn library_crates_do_no_io() {
    let crates = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut violations = Vec::new();
    let mut files_seen = 0;
    let Ok(dirs) = std::fs::read_dir(&crates) else { panic!("cannot list {}", crates.display()) };
    let mut dirs: Vec<PathBuf> = dirs.filter_map(|e| e.ok().map(|e| e.path())).collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name == "skyform" || !dir.join("Cargo.toml").exists() {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if stem == "tests" || stem.ends_with("_tests") {
                continue;
            }
            files_seen += 1;
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (line_no, line) in production_lines(&text) {
                for pattern in FORBIDDEN {
                    if line.contains(pattern) && !ALLOWED.contains(&(name.as_str(), *pattern)) {
                        violations.push(format!(
                            "{}:{line_no}: `{}` in: {}",
                            file.display(),
                            pattern.trim(),
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(files_seen > 50, "the scan found only {files_seen} library files; is the layout unchanged?");
    assert!(violations.is_empty(), "I/O in library crates (only the binary may do I/O):\n{}", violations.join("\n"));
}

#[test]
fn one_renderer_of_diagnostics_and_no_raw_ansi() {
    let crates = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut violations = Vec::new();
    let Ok(dirs) = std::fs::read_dir(&crates) else { panic!("cannot list {}", crates.display()) };
    let mut dirs: Vec<PathBuf> = dirs.filter_map(|e| e.ok().map(|e| e.path())).collect();
    dirs.sort();
    for dir in dirs.iter().filter(|d| !d.ends_with("skyform-diag")) {
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (line_no, line) in production_lines(&text) {
                for pattern in SECOND_RENDERER {
                    if line.contains(pattern) {
                        violations.push(format!("{}:{line_no}: `{pattern}` in: {}", file.display(), line.trim()));
                    }
                }
            }
        }
    }
    assert!(dirs.len() > 10, "found only {} crates", dirs.len());
    assert!(
        violations.is_empty(),
        "hint lines or terminal styles outside skyform-diag (render through skyform_diag::render):\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scan_catches_what_it_forbids() {
    let sample = "fn f() {\n    let t = std::fs::read_to_string(\"x\");\n    // std::env::var in a comment is fine\n}\n#[cfg(test)]\nmod tests { fn g() { println!(\"ok in tests\"); } }\n";
    let hits: Vec<(usize, &str)> =
        production_lines(sample).filter(|(_, l)| FORBIDDEN.iter().any(|p| l.contains(p))).collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].0, 2);
}

#[test]
fn the_scan_catches_second_renderers_and_handed_in_io() {
    let sample = r#"fn f() {
    let k = Kubeconfig::read_from(path);
    let t = Instant::now();
    let m = format!("{msg}\n  hint: do this");
    let red = "\x1b[1;31m";
}
"#;
    let io: Vec<usize> =
        production_lines(sample).filter(|(_, l)| FORBIDDEN.iter().any(|p| l.contains(p))).map(|(n, _)| n).collect();
    assert_eq!(io, [2, 3]);
    let second: Vec<usize> = production_lines(sample)
        .filter(|(_, l)| SECOND_RENDERER.iter().any(|p| l.contains(p)))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(second, [4, 5]);
}
