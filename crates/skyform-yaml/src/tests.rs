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
