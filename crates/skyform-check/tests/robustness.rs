//! Nothing panics on any input: random bytes, truncated manifests, type-confused trees.

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{Rng, generate};
use skyform_check::{Options, check};

fn run(text: &str) {
    let options = Options { enable: vec!["all".to_string()], inline_waivers: true, ..Options::default() };
    let _ = check(&[("fuzz.yaml".to_string(), text.to_string())], &options);
}

#[test]
fn truncated_manifests_never_panic() {
    let corpus = generate(3, 25, 25);
    let text = &corpus.files[0].1;
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            run(&text[..cut]);
        }
        cut += 53;
    }
}

#[test]
fn mutated_manifests_never_panic() {
    let corpus = generate(4, 40, 40);
    let base: Vec<char> = corpus.files[0].1.chars().collect();
    let alphabet: Vec<char> = " \n:-[]{}\"'#&*!|>?,0aZ\t".chars().collect();
    let mut rng = Rng::new(99);
    for _ in 0..400 {
        let mut t = base.clone();
        for _ in 0..(1 + rng.below(8)) {
            let i = rng.below(t.len());
            match rng.below(3) {
                0 => t[i] = *rng.pick(&alphabet),
                1 => {
                    t.remove(i);
                }
                _ => t.insert(i, *rng.pick(&alphabet)),
            }
        }
        run(&t.iter().collect::<String>());
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(5);
    for _ in 0..300 {
        let len = rng.below(400);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next_u64() & 0xff) as u8).collect();
        run(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn type_confused_objects_never_panic() {
    let shapes = [
        "apiVersion: v1\nkind: Pod\nspec: 3\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: {a: b}\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - 7\n    - name: [x]\n      securityContext: nope\n      ports: 5\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: []\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          resources:\n            requests: {cpu: 1e400, memory: \"-5Zi\"}\n            limits: {cpu: ~, memory: .5}\n",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: {verbs: '*'}\n",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules:\n  - verbs: [1, null, ~]\n    resources: \"*\"\n",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  podSelector: 4\n  ingress: [~, {from: 3}, {from: [{ipBlock: 1}]}]\n",
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    spec: {selector: [a], ports: [{targetPort: {}}]}\n  - 5\n",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec: {minAvailable: [], selector: {matchExpressions: [{key: 1, operator: In, values: 3}]}}\n",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec: {scaleTargetRef: 1, minReplicas: -9223372036854775808, maxReplicas: 9223372036854775807}\n",
        "kind: Deployment\n",
        "apiVersion: 3\nkind: {}\n",
        "- a\n- b\n",
        "&a [*a]\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: 5, annotations: {skyform.dev/waive: 7}}\n",
    ];
    for s in shapes {
        run(s);
    }
}
