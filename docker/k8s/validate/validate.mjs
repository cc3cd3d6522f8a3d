// Validates Kubernetes manifests against Kubernetes' OpenAPI schemas (the kubernetes-models package: types, required
// fields, formats). Unknown (misspelt) fields are not caught here: KubernetesManifestsTest does that with fabric8's
// models. Usage: node validate.mjs FILE.yaml...; exit 1 naming file, document and path on error.
// --self-test first checks that broken manifests are refused.
import fs from "node:fs";
import YAML from "yaml";

async function model(apiVersion, kind) {
  try {
    return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch (e) {
    throw new Error(`unknown apiVersion/kind ${apiVersion}/${kind}`);
  }
}

async function validate(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  const errors = [];
  for (const [i, doc] of docs.entries()) {
    const data = doc.toJS();
    if (!data) continue;
    const where = `${file} document ${i + 1} (${data.kind ?? "no kind"} ${data.metadata?.name ?? ""})`;
    try {
      const Model = await model(data.apiVersion, data.kind);
      new Model(data).validate();
    } catch (e) {
      errors.push(`${where}: ${e.message}`);
    }
  }
  return errors;
}

const args = process.argv.slice(2);
let failed = false;
if (args[0] === "--self-test") {
  args.shift();
  const broken = {
    "a container without a name": "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: x\n",
    "a port that is not a number": "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n      ports: [{containerPort: http}]\n",
    "an unknown kind": "apiVersion: v1\nkind: Poddd\n",
  };
  const tmp = fs.mkdtempSync("/tmp/k8s-validate-");
  for (const [what, text] of Object.entries(broken)) {
    const file = `${tmp}/broken.yaml`;
    fs.writeFileSync(file, text);
    const errors = await validate(file);
    if (errors.length === 0) {
      console.error(`self-test: ${what} was accepted`);
      failed = true;
    }
  }
  fs.rmSync(tmp, { recursive: true });
  if (!failed) console.log(`self-test: ${Object.keys(broken).length} broken manifests refused`);
}
for (const file of args) {
  const errors = await validate(file);
  for (const e of errors) console.error(`error: ${e}`);
  if (errors.length) failed = true;
  else console.log(`ok: ${file}`);
}
process.exit(failed ? 1 : 0);
