"""Validate Kubernetes manifests offline; run through scripts/validate-manifests.

Every object of every YAML stream given is checked by one validator:

* built-in kinds (core group, apps, batch, autoscaling, policy, *.k8s.io): the official
  Kubernetes OpenAPI schemas shipped by kubernetes-validate, in strict mode (unknown
  fields are errors), for --k8s-version;
* velero.io/v1 Schedule and Backup: scripts/schemas/velero-schedule.json, a JSON Schema
  written by hand from Velero's documented API because no package ships one;
* other CRD kinds (cert-manager, prometheus-operator, external-secrets, Argo CD, Flux,
  Knative, sealed-secrets, KEDA, Gateway API): the @kubernetes-models/* validators, run
  by scripts/validate-crds.mjs under Node.

A kind that no validator covers is an error, unless it is named with --allow-unknown.
Exit status: 0 if every object is valid, 1 if any is not, 2 on usage/setup errors.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate import utils as kv_utils

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
TOOLS = Path(os.environ.get("SKYFORM_TOOLS") or REPO / ".tools")
VELERO_SCHEMA = SCRIPTS / "schemas" / "velero-schedule.json"
CNPG_CLUSTER_SCHEMA = SCRIPTS / "schemas" / "cnpg-cluster-spec.schema.json"
CNPG_RESOURCES_SCHEMA = SCRIPTS / "schemas" / "cnpg-resources.schema.json"
TESTDATA = SCRIPTS / "testdata" / "validate-manifests"
DEFAULT_K8S_VERSION = "1.31"
YAML_SUFFIXES = {".yaml", ".yml"}
# API groups served by kube-apiserver itself (besides the *.k8s.io groups).
LEGACY_BUILTIN_GROUPS = {"", "apps", "batch", "autoscaling", "policy", "extensions"}
# *.k8s.io groups that are CRDs, not built in.
CRD_K8S_IO_GROUPS = {"gateway.networking.k8s.io", "gateway.networking.x-k8s.io", "snapshot.storage.k8s.io"}


@dataclass
class Obj:
    file: str
    index: int  # document index within the file (0-based)
    data: dict
    errors: list[str] = field(default_factory=list)
    validator: str = ""
    allowed_unknown: bool = False

    @property
    def label(self) -> str:
        kind = self.data.get("kind") or "<no kind>"
        meta = self.data.get("metadata") if isinstance(self.data.get("metadata"), dict) else {}
        name = meta.get("name") or meta.get("generateName") or f"<document {self.index}>"
        return f"{kind}/{name}"


def supported_versions() -> list[str]:
    versions = {kv_utils.major_minor(v) for v in kv_utils.all_versions()}
    return sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


def collect_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix in YAML_SUFFIXES)
            if not found:
                problems.append(f"{p}: directory contains no .yaml/.yml files")
            files.extend(found)
        elif path.is_file() or p == "-":
            files.append(path)
        else:
            problems.append(f"{p}: no such file or directory")
    return files, problems


def load_objects(path: Path) -> tuple[list[Obj], list[str]]:
    """Every object in a multi-document stream (v1 List items are expanded)."""
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        docs = list(yaml.safe_load_all(text))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        return [], [f"{name}: cannot parse YAML: {' '.join(str(e).split())}"]
    objs: list[Obj] = []
    problems: list[str] = []
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            problems.append(f"{name}: <document {i}>: not a mapping (got {type(doc).__name__})")
            continue
        items = doc.get("items") if doc.get("kind") == "List" and isinstance(doc.get("items"), list) else [doc]
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("apiVersion"), str) or not isinstance(
                item.get("kind"), str
            ):
                problems.append(f"{name}: <document {i}>: object without string apiVersion and kind")
                continue
            objs.append(Obj(name, i, item))
    return objs, problems


def api_group(api_version: str) -> str:
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def is_builtin_group(group: str) -> bool:
    if group in CRD_K8S_IO_GROUPS:
        return False
    return group in LEGACY_BUILTIN_GROUPS or group.endswith(".k8s.io")


def error_path(err: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in err.absolute_path) or "(root)"


def validate_builtin(obj: Obj, k8s_version: str) -> bool:
    """True if kubernetes-validate has a schema for the object (errors are recorded)."""
    try:
        kubernetes_validate.validate(obj.data, k8s_version, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return False
    except kubernetes_validate.ValidationError as e:
        obj.errors.append(f"{error_path(e)}: {e.message}")
    obj.validator = f"kubernetes-validate --strict ({k8s_version})"
    return True


_velero_schema: dict | None = None


def validate_velero(obj: Obj) -> bool:
    # Velero has no validator package: validate with the hand-written JSON Schema in
    # scripts/schemas/velero-schedule.json (root = Schedule, $defs/Backup = Backup).
    global _velero_schema
    if obj.data["apiVersion"] != "velero.io/v1" or obj.data["kind"] not in ("Schedule", "Backup"):
        return False
    if _velero_schema is None:
        _velero_schema = json.loads(VELERO_SCHEMA.read_text(encoding="utf-8"))
    schema = _velero_schema
    if obj.data["kind"] == "Backup":
        schema = {**{k: v for k, v in schema.items() if k.startswith("$")}, "$ref": "#/$defs/Backup"}
    validator = jsonschema.Draft202012Validator(schema)
    for err in sorted(validator.iter_errors(obj.data), key=lambda e: list(e.absolute_path)):
        obj.errors.append(f"{error_path(err)}: {err.message}")
    obj.validator = "scripts/schemas/velero-schedule.json"
    return True


_cnpg_schemas: dict | None = None


def validate_cnpg(obj: Obj) -> bool:
    # CloudNativePG and its barman-cloud plugin have no validator package: validate the
    # spec with the schemas vendored from their CRDs (scripts/schemas/README-cnpg.md).
    global _cnpg_schemas
    key = (obj.data["apiVersion"], obj.data["kind"])
    if key not in {
        ("postgresql.cnpg.io/v1", "Cluster"),
        ("postgresql.cnpg.io/v1", "Database"),
        ("postgresql.cnpg.io/v1", "ScheduledBackup"),
        ("barmancloud.cnpg.io/v1", "ObjectStore"),
    }:
        return False
    if _cnpg_schemas is None:
        res = json.loads(CNPG_RESOURCES_SCHEMA.read_text(encoding="utf-8"))
        _cnpg_schemas = {k: v for k, v in res.items() if not k.startswith("_")}
        _cnpg_schemas["Cluster"] = json.loads(CNPG_CLUSTER_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(_cnpg_schemas[obj.data["kind"]])
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        obj.errors.append("spec: missing")
    else:
        for err in sorted(validator.iter_errors(spec), key=lambda e: list(e.absolute_path)):
            path = ".".join(str(p) for p in ["spec", *err.absolute_path])
            obj.errors.append(f"{path}: {err.message}")
    extra = sorted(set(obj.data) - {"apiVersion", "kind", "metadata", "spec"})
    if extra:
        obj.errors.append(f"unknown top-level fields: {', '.join(extra)}")
    obj.validator = f"scripts/schemas ({obj.data['kind']})"
    return True


def validate_crds(objs: list[Obj]) -> list[Obj]:
    """Runs validate-crds.mjs on objs; returns those no package knows."""
    if not objs:
        return []
    node_modules = TOOLS / "node" / "node_modules"
    if not node_modules.is_dir():
        sys.exit(f"validate-manifests: {node_modules} is missing; run scripts/setup-tools")
    payload = json.dumps([{"id": i, "object": o.data} for i, o in enumerate(objs)], default=str)
    env = {**os.environ, "SKYFORM_TOOLS": str(TOOLS)}
    proc = subprocess.run(
        ["node", str(SCRIPTS / "validate-crds.mjs")], input=payload, capture_output=True, text=True, env=env
    )
    if proc.returncode != 0:
        sys.exit(f"validate-manifests: validate-crds.mjs failed (exit {proc.returncode}):\n{proc.stderr}")
    unknown = []
    for r in json.loads(proc.stdout):
        obj = objs[r["id"]]
        if r["status"] == "unknown":
            unknown.append(obj)
        else:
            obj.validator = r.get("validator", "")
            obj.errors.extend(r["errors"])
    return unknown


def kind_allowed(obj: Obj, allowed: set[str]) -> bool:
    kind = obj.data["kind"]
    return kind in allowed or f"{obj.data['apiVersion']}/{kind}" in allowed


def validate_paths(paths: list[str], k8s_version: str, allow_unknown: set[str], verbose: bool) -> int:
    files, problems = collect_files(paths)
    objs: list[Obj] = []
    for f in files:
        found, probs = load_objects(f)
        objs.extend(found)
        problems.extend(probs)

    crd_candidates: list[Obj] = []
    for obj in objs:
        if validate_velero(obj) or validate_cnpg(obj):
            continue
        if is_builtin_group(api_group(obj.data["apiVersion"])) and validate_builtin(obj, k8s_version):
            continue
        crd_candidates.append(obj)

    for obj in validate_crds(crd_candidates):
        if kind_allowed(obj, allow_unknown):
            obj.allowed_unknown = True
            obj.validator = "none (--allow-unknown)"
        else:
            obj.errors.append(
                f"no validator for {obj.data['apiVersion']} {obj.data['kind']} "
                f"(not a Kubernetes {k8s_version} built-in, not a known CRD kind); "
                f"pass --allow-unknown {obj.data['kind']} to accept it unchecked"
            )

    for p in problems:
        print(p)
    bad = 0
    for obj in objs:
        for e in obj.errors:
            print(f"{obj.file}: {obj.label}: {e}")
        if obj.errors:
            bad += 1
        elif verbose:
            print(f"{obj.file}: {obj.label}: ok [{obj.validator}]", file=sys.stderr)
    skipped = sum(o.allowed_unknown for o in objs)
    print(
        f"validate-manifests: {len(objs)} objects in {len(files)} files: {len(objs) - bad - skipped} valid, "
        f"{bad} invalid, {skipped} unchecked (--allow-unknown), {len(problems)} unreadable",
        file=sys.stderr,
    )
    if not objs and not problems:
        print("validate-manifests: no Kubernetes objects found", file=sys.stderr)
        return 1
    return 1 if bad or problems else 0


def self_test(k8s_version: str) -> int:
    """Good samples must pass; each bad sample must fail with its '# expect:' messages."""
    import contextlib
    import io

    failures = []

    def run(path: Path, allow: set[str]) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = validate_paths([str(path)], k8s_version, allow, verbose=False)
        return code, out.getvalue()

    good = sorted((TESTDATA / "good").glob("*.yaml"))
    bad = sorted((TESTDATA / "bad").glob("*.yaml"))
    if not good or not bad:
        print(f"self-test: samples missing under {TESTDATA}", file=sys.stderr)
        return 1
    for f in good:
        code, out = run(f, set())
        if code != 0:
            failures.append(f"{f.name}: expected valid, got:\n{out}")
    for f in bad:
        text = f.read_text(encoding="utf-8")
        expects = [ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("# expect:")]
        allow = {ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("# allow-unknown:")}
        code, out = run(f, allow)
        if code == 0:
            failures.append(f"{f.name}: expected rejection, but it validated")
        for e in expects:
            if e not in out:
                failures.append(f"{f.name}: expected an error containing {e!r}, got:\n{out}")
    # --allow-unknown turns the unknown-kind error into a pass.
    unknown = TESTDATA / "bad" / "unknown-kind.yaml"
    code, out = run(unknown, {"Widget"})
    if code != 0:
        failures.append(f"unknown-kind.yaml with --allow-unknown Widget: expected pass, got:\n{out}")

    for msg in failures:
        print(f"self-test FAILED: {msg}", file=sys.stderr)
    total = len(good) + len(bad) + 1
    print(f"validate-manifests self-test: {total - len(failures)}/{total} checks passed", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    versions = supported_versions()
    parser = argparse.ArgumentParser(
        prog="validate-manifests",
        description="Validate every object in Kubernetes YAML files/directories (multi-document streams allowed).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="YAML file, directory (searched for *.yaml/*.yml) or - for stdin")
    parser.add_argument(
        "--k8s-version",
        default=DEFAULT_K8S_VERSION,
        help=f"Kubernetes version for built-in kinds (default {DEFAULT_K8S_VERSION}; supported: {versions[0]} to {versions[-1]})",
    )
    parser.add_argument(
        "--allow-unknown",
        action="append",
        default=[],
        metavar="KIND",
        help="accept objects of KIND (or apiVersion/KIND) unchecked when no validator covers them; repeatable",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="also list valid objects and their validator (stderr)")
    parser.add_argument("--self-test", action="store_true", help="check the validator against scripts/testdata/validate-manifests")
    args = parser.parse_args()

    version = args.k8s_version.removeprefix("v")
    if kv_utils.major_minor(version) not in versions:
        parser.error(f"--k8s-version {args.k8s_version} is not supported (kubernetes-validate has: {', '.join(versions)})")
    if args.self_test:
        return self_test(version)
    if not args.paths:
        parser.error("no PATH given")
    return validate_paths(args.paths, version, set(args.allow_unknown), args.verbose)


if __name__ == "__main__":
    sys.exit(main())
