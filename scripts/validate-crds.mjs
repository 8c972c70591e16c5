// Validates custom resources (CRD kinds) with the validators shipped in the
// @kubernetes-models/* npm packages installed by scripts/setup-tools in .tools/node.
//
// Used by scripts/validate-manifests; not meant to be called by hand.
// Protocol: stdin is a JSON array of {"id": <any>, "object": {...}}; stdout is a JSON
// array of {"id": <same>, "status": "ok" | "invalid" | "unknown", "errors": [string],
// "validator": "<package>"}. "unknown" means no installed package knows the
// apiVersion/kind (the caller reports that as an error unless allowed).
//
// Note: these validators check types, enums, required fields and formats from each
// project's CRD OpenAPI schema, but (like the CRD schemas themselves) do not reject
// unknown fields.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const toolsDir = process.env.SKYFORM_TOOLS || join(here, "..", ".tools");
const modelsRoot = join(toolsDir, "node", "node_modules", "@kubernetes-models");

// The packages that carry CRD validators (the others are shared runtime).
const PACKAGES = [
  "argo-cd",
  "cert-manager",
  "external-secrets",
  "flux-cd",
  "gateway-api",
  "keda",
  "knative",
  "prometheus-operator",
  "sealed-secrets",
];

if (!existsSync(modelsRoot)) {
  console.error(`validate-crds: ${modelsRoot} is missing; run scripts/setup-tools`);
  process.exit(2);
}

// group -> [{pkg, dir}] for every "<group>/<version>/index.js" in the packages.
const groupDirs = new Map();
for (const pkg of PACKAGES) {
  const root = join(modelsRoot, pkg);
  if (!existsSync(root)) {
    console.error(`validate-crds: package @kubernetes-models/${pkg} is not installed; run scripts/setup-tools`);
    process.exit(2);
  }
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    // API groups are DNS names (contain a dot); skip _schemas/ and github.com/ helpers.
    if (!entry.isDirectory() || !entry.name.includes(".") || entry.name === "github.com") continue;
    const list = groupDirs.get(entry.name) ?? [];
    list.push({ pkg, dir: join(root, entry.name) });
    groupDirs.set(entry.name, list);
  }
}

// apiVersion -> Map(kind -> {cls, pkg}), loaded lazily.
const loaded = new Map();
async function modelsFor(apiVersion) {
  if (loaded.has(apiVersion)) return loaded.get(apiVersion);
  const kinds = new Map();
  const slash = apiVersion.indexOf("/");
  if (slash > 0) {
    const group = apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    for (const { pkg, dir } of groupDirs.get(group) ?? []) {
      const index = join(dir, version, "index.js");
      if (!existsSync(index)) continue;
      const mod = await import(pathToFileURL(index).href);
      for (const value of Object.values(mod)) {
        if (typeof value === "function" && value.apiVersion === apiVersion && typeof value.kind === "string") {
          kinds.set(value.kind, { cls: value, pkg: `@kubernetes-models/${pkg}` });
        }
      }
    }
  }
  loaded.set(apiVersion, kinds);
  return kinds;
}

function formatError(err) {
  const path = (err.instancePath || "").replace(/^\//, "").replaceAll("/", ".") || "(root)";
  let msg = err.message || err.keyword || "invalid";
  const p = err.params || {};
  if (err.keyword === "enum" && p.allowedValues) msg += `: ${JSON.stringify(p.allowedValues)}`;
  else if (err.keyword === "additionalProperties" && p.additionalProperty) msg += `: ${p.additionalProperty}`;
  else if (err.keyword === "const" && "allowedValue" in p) msg += `: ${JSON.stringify(p.allowedValue)}`;
  return `${path}: ${msg}`;
}

const input = JSON.parse(readFileSync(0, "utf8") || "[]");
const results = [];
for (const { id, object } of input) {
  const apiVersion = object?.apiVersion;
  const kind = object?.kind;
  const entry = typeof apiVersion === "string" ? (await modelsFor(apiVersion)).get(kind) : undefined;
  if (!entry) {
    results.push({ id, status: "unknown", errors: [] });
    continue;
  }
  try {
    new entry.cls(object).validate();
    results.push({ id, status: "ok", errors: [], validator: entry.pkg });
  } catch (e) {
    const errs = Array.isArray(e?.errors) && e.errors.length ? e.errors.map(formatError) : [String(e?.message ?? e)];
    results.push({ id, status: "invalid", errors: [...new Set(errs)], validator: entry.pkg });
  }
}
process.stdout.write(JSON.stringify(results));
