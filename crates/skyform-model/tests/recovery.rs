//! Structural problems do not stop the run: every node of the health example, replaced
//! by a value of another shape, still yields a tree that deserializes once the bad node
//! is pruned (never the catch-all "invalid platform file" error), and lowering what
//! remains never panics.

use skyform_yaml::{Node, Path, Value};

fn paths(n: &Node, p: &Path, out: &mut Vec<Path>) {
    out.push(p.clone());
    match &n.value {
        Value::Map(es) => es.iter().for_each(|e| paths(&e.value, &p.key(&e.key), out)),
        Value::Seq(xs) => xs.iter().enumerate().for_each(|(i, x)| paths(x, &p.index(i), out)),
        _ => {}
    }
}

#[test]
fn every_wrongly_shaped_node_is_pruned_and_the_rest_lowered() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/health-platform/platform.yaml");
    let text = std::fs::read_to_string(file).expect("example exists");
    let tree = skyform_yaml::parse_document(&text).expect("example parses");
    let mut all = Vec::new();
    paths(&tree, &Path::root(), &mut all);
    let (mut lowered, mut tried) = (0, 0);
    for path in all.iter().filter(|p| p.segments().len() >= 3) {
        let span = tree.locate(path, false);
        if span.len == 0 {
            continue;
        }
        // One other shape per node, in turn (all three for every node is slow in debug builds).
        let replacement = ["[1, 2]", "7", "{zzz: 1}"][tried % 3];
        {
            let mut t = text.clone();
            t.replace_range(span.offset..span.offset + span.len, replacement);
            tried += 1;
            match skyform_spec::load_platform(&t) {
                Ok(loaded) => {
                    lowered += 1;
                    let (_, diags) = skyform_model::lower_with_warnings(&loaded);
                    let mut sorted: Vec<_> = diags.iter().map(|d| (d.line, d.column)).collect();
                    sorted.sort_unstable();
                    assert_eq!(sorted, diags.iter().map(|d| (d.line, d.column)).collect::<Vec<_>>(), "{path}");
                }
                Err(diags) => assert!(
                    !diags.iter().any(|d| d.message.starts_with("invalid platform file")),
                    "{path} = {replacement}: {diags:#?}"
                ),
            }
        }
    }
    assert!(lowered * 2 > tried, "most mutations must still lower: {lowered} of {tried}");
}
