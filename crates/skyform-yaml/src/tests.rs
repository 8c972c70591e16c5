use super::*;

#[test]
fn spans_point_at_keys_and_values() {
    let doc = parse_document("a: 1\nb:\n  - x\n  - {c: 250m}\n").unwrap();
    let b = doc.entry("b").unwrap();
    assert_eq!((b.key_span.line, b.key_span.column), (2, 1));
    let c = doc.at(&Path::parse("/b/1/c")).unwrap();
    assert_eq!(c.as_str(), Some("250m"));
    assert_eq!((c.span.line, c.span.column), (4, 9));
    let located = doc.locate(&Path::parse("/b/1/c"), true);
    assert_eq!((located.line, located.column), (4, 6));
}

#[test]
fn missing_path_falls_back_to_deepest_ancestor() {
    let doc = parse_document("a:\n  b: 1\n").unwrap();
    let s = doc.locate(&Path::parse("/a/zzz/q"), false);
    assert_eq!(s.line, 2);
}

#[test]
fn syntax_errors_are_located_and_one_line() {
    let err = parse_document("a: [1, 2\nb: 3\n").unwrap_err();
    assert_eq!(err.span.line, 2);
    assert!(!err.message.contains('\n'));
}

#[test]
fn duplicate_keys_are_errors() {
    let err = parse_document("a: 1\na: 2\n").unwrap_err();
    assert_eq!((err.span.line, err.span.column), (2, 1));
    assert!(err.message.contains("duplicate"), "{}", err.message);
}

#[test]
fn streams_drop_empty_documents() {
    let docs = parse_stream("---\na: 1\n---\n---\nb: 2\n").unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1].span.line, 5);
}

#[test]
fn non_string_keys_become_text() {
    let doc = parse_document("8080: yes\ntrue: 1\n").unwrap();
    assert_eq!(doc.get("8080").and_then(Node::as_bool), Some(true));
    assert!(doc.get("true").is_some());
}

#[test]
fn many_aliases_of_few_anchors_parse_as_compose_accepts_them() {
    let mut doc = String::from("x-a: &a {image: app:1}\nx-b: &b [1, 2]\nservices:\n");
    for i in 0..150 {
        doc.push_str(&format!("  s{i}: {{ <<: *a, ports: *b }}\n"));
    }
    let tree = parse_document(&doc).expect("150 aliases of 2 anchors are fine for compose");
    assert!(tree.get("services").is_some());
}

#[test]
fn exponential_alias_expansion_is_stopped() {
    let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        doc.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], vec![format!("*{}", w[0]); 10].join(", ")));
    }
    let started = std::time::Instant::now();
    let err = parse_document(&doc).expect_err("a billion laughs must not parse");
    assert!(started.elapsed().as_secs() < 30, "alias expansion was not bounded");
    assert!(err.message.contains("billion-laughs"), "{}", err.message);
}

/// Every file's documents as the direct builder reads them, when it reads them at all,
/// equal serde-saphyr's (values, keys, spans); and which files it read.
fn both_paths_agree(name: &str, text: &str) -> bool {
    let Some(fast) = fast::documents(text) else { return false };
    if !direct_builder_agrees(text) {
        // Show the difference.
        assert_eq!(
            Ok(without_empty(fast.iter().cloned())),
            parse_stream_through_serde(text),
            "{name}: the direct builder and serde-saphyr disagree"
        );
        assert_eq!(Ok(fast[0].clone()), parse_document_through_serde(text), "{name} (one document)");
    }
    true
}

#[test]
fn the_direct_builder_reads_the_repositorys_yaml_as_serde_saphyr_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut pending = vec![root];
    let (mut files, mut direct) = (0, 0);
    let mut examples_direct = 0;
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    pending.push(path);
                }
                continue;
            }
            if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            files += 1;
            if both_paths_agree(&path.display().to_string(), &text) {
                direct += 1;
                if path.components().any(|c| c.as_os_str() == "examples") && name == "platform.yaml" {
                    examples_direct += 1;
                }
            }
        }
    }
    assert!(files > 50, "only {files} YAML files found");
    // The builder is worth having only if it takes the common files.
    assert!(direct * 2 > files, "the direct builder read only {direct} of {files} files");
    assert!(examples_direct >= 2, "the examples' platform files must not need the slow path");
}

/// Every plain scalar of up to three characters over the characters that decide YAML's
/// scalar types, and longer spellings of each type, as a value and as a key.
#[test]
fn scalars_resolve_as_serde_saphyr_resolves_them() {
    let alphabet: Vec<char> = "019.-+_eExXoObBinfaNyYt~%:".chars().collect();
    let mut texts: Vec<String> = Vec::new();
    for a in &alphabet {
        texts.push(a.to_string());
        for b in &alphabet {
            texts.push(format!("{a}{b}"));
            for c in &alphabet {
                texts.push(format!("{a}{b}{c}"));
            }
        }
    }
    for t in [
        "true",
        "True",
        "TRUE",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "n",
        "null",
        "Null",
        "NULL",
        "nil",
        "inf",
        "-inf",
        ".inf",
        "-.Inf",
        ".NaN",
        "nan",
        "infinity",
        "8080",
        "-17",
        "007",
        "0",
        "-0",
        "1.30",
        "00.5",
        "1e5",
        "1E-3",
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "+5",
        "5.",
        ".5",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "123456789012345678",
        "1234567890123456789",
        "100m",
        "10Gi",
        "2..6",
        "1.31.0",
        "70%",
        "v1.2",
        "3.14159265358979323846",
        "1e999",
        "-1e999",
        "_1",
        "~1",
        "e5",
        "Infinity",
        "NaN",
    ] {
        texts.push(t.to_string());
    }
    let mut direct = 0;
    for t in &texts {
        for doc in [format!("k: {t}\n"), format!("{t}: v\n"), format!("- {t}\n- [{t}]\n")] {
            if both_paths_agree(&format!("{doc:?}"), &doc) {
                direct += 1;
            }
        }
    }
    assert!(direct > texts.len(), "the direct builder read only {direct} documents");
}

#[test]
fn the_direct_builder_leaves_what_serde_saphyr_decides_to_it() {
    for doc in [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
        "? [a, b]\n: 1\n",
        "a: 1\na: 2\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: [1, 2\n",
        "on: push\n",
        "8080: http\n",
    ] {
        assert!(fast::documents(doc).is_none(), "{doc:?}");
    }
}
