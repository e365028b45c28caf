import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EXAMPLES, parseFile, yamlFiles, type Doc } from "./examples-tree.ts";

interface KsSpec {
  path?: string;
  prune?: boolean;
  wait?: boolean;
  interval?: string;
  timeout?: string;
  sourceRef?: { kind?: string; name?: string };
  dependsOn?: { name: string }[];
}

function kustomizations(env: string): Map<string, KsSpec> {
  const out = new Map<string, KsSpec>();
  for (const file of yamlFiles().filter((f) => f.startsWith(`clusters/${env}/`))) {
    for (const d of parseFile(file) as Doc[]) {
      if (d.apiVersion === "kustomize.toolkit.fluxcd.io/v1" && d.kind === "Kustomization") {
        assert.equal(d.metadata?.namespace, "flux-system", `${file}: Kustomization/${String(d.metadata?.name)} namespace`);
        out.set(String(d.metadata?.name), d.spec as KsSpec);
      }
    }
  }
  return out;
}

/** Orders Kustomizations so each comes after its dependencies; throws on a cycle or an unknown name. Bounded by the count. */
function applyOrder(ks: Map<string, KsSpec>): string[] {
  const order: string[] = [];
  const left = new Set(ks.keys());
  for (let round = 0; left.size > 0; round++) {
    if (round > ks.size) throw new Error(`dependency cycle among ${[...left].join(", ")}`);
    for (const name of [...left].sort()) {
      const deps = (ks.get(name)?.dependsOn ?? []).map((d) => d.name);
      for (const d of deps) if (!ks.has(d)) throw new Error(`${name}: dependsOn unknown Kustomization ${d}`);
      if (deps.every((d) => order.includes(d))) {
        order.push(name);
        left.delete(name);
      }
    }
  }
  return order;
}

const ENVS = { production: ["infrastructure", "monitoring", "apps"], test: ["infrastructure", "monitoring", "apps"], management: ["infrastructure", "monitoring"] };

describe("Flux Kustomizations in clusters/<env>", () => {
  for (const [env, chain] of Object.entries(ENVS)) {
    it(`${env}: the chain is ${chain.join(" → ")}, after flux-system`, () => {
      const ks = kustomizations(env);
      assert.deepEqual([...ks.keys()].sort(), ["flux-system", ...chain].sort());
      chain.forEach((name, i) => {
        const deps = (ks.get(name)?.dependsOn ?? []).map((d) => d.name);
        assert.deepEqual(deps, i === 0 ? [] : [chain[i - 1]], `${name}.spec.dependsOn`);
      });
      const order = applyOrder(ks).filter((n) => n !== "flux-system");
      assert.deepEqual(order, chain);
    });

    it(`${env}: every sourceRef is GitRepository flux-system, every Kustomization prunes, and every path exists`, () => {
      const ks = kustomizations(env);
      const repos = yamlFiles().filter((f) => f.startsWith(`clusters/${env}/`)).flatMap((f) => parseFile(f)).filter((d) => d.kind === "GitRepository");
      assert.deepEqual(repos.map((r) => [r.metadata?.name, r.metadata?.namespace]), [["flux-system", "flux-system"]]);
      for (const [name, spec] of ks) {
        assert.deepEqual(spec.sourceRef, { kind: "GitRepository", name: "flux-system" }, `${name}.spec.sourceRef`);
        assert.equal(spec.prune, true, `${name}.spec.prune`);
        const path = spec.path ?? "";
        assert.ok(path.startsWith("./"), `${name}.spec.path`);
        assert.ok(existsSync(join(EXAMPLES, path)), `${name}.spec.path ${path} does not exist in examples/`);
        if (name !== "flux-system") {
          assert.equal(spec.wait, true, `${name}.spec.wait`);
          assert.equal(spec.interval, "10m", `${name}.spec.interval`);
          assert.equal(spec.timeout, "2m", `${name}.spec.timeout`);
        }
      }
      assert.equal(ks.get("flux-system")?.path, `./clusters/${env}`);
      if (ks.has("apps")) assert.equal(ks.get("apps")?.path, `./apps/${env}`);
    });
  }

  it("puts the CRD in infrastructure and its custom resources in apps", () => {
    const crdFiles = yamlFiles().filter((f) => parseFile(f).some((d) => d.kind === "CustomResourceDefinition"));
    assert.deepEqual(crdFiles, ["infrastructure/crds/websites.yaml"]);
    const crFiles = yamlFiles().filter((f) => parseFile(f).some((d) => d.apiVersion === "example.plumbline.dev/v1"));
    assert.deepEqual(crFiles, ["apps/base/websites.yaml"]);
  });

  it("refuses a dependency cycle (the checker itself can fail)", () => {
    const cyc = new Map<string, KsSpec>([["a", { dependsOn: [{ name: "b" }] }], ["b", { dependsOn: [{ name: "a" }] }]]);
    assert.throws(() => applyOrder(cyc), /dependency cycle among a, b/);
  });
});
