/** The Flux side of `npm run bench`: its repository, Git server, CRDs and controllers, then its cases in order. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { createRepo } from "../test/support/git-repo.ts";
import { startGitHttpServer } from "../test/support/git-http-server.ts";
import { fluxChain, fluxDrift, fluxInitialApply, fluxMany, fluxNoop, fluxWarmUp, type FluxContext, type FluxResults } from "./flux-cases.ts";
import { FLUX_NAMESPACE, fluxCrdFiles, fluxVersion, startFlux } from "./flux-controllers.ts";
import { fluxInputs } from "./flux-objects.ts";
import { KustomizationWatch } from "./flux-watch.ts";
import type { BenchContext } from "./harness.ts";
import { runChecked } from "./processes.ts";

/**
 * Flux's CRDs as its releases define them (replacing Plumbline's copies; Plumbline's cases have run by then). An
 * API server older than 1.25 rejects their CEL rules (x-kubernetes-validations): there they go without them,
 * which only loosens validation of Flux's inputs, and the report says so.
 */
async function installFluxCrds(ctx: BenchContext, serverMinor: number): Promise<boolean> {
  let files = await fluxCrdFiles();
  const strip = serverMinor < 25;
  if (strip) {
    files = files.map((f, i) => {
      const out = join(ctx.workDir, `flux-crd-${i}.yaml`);
      writeFileSync(out, stringify(withoutCelRules(parse(readFileSync(f, "utf8")))));
      return out;
    });
  }
  const k = [`--kubeconfig=${ctx.kubeconfig}`];
  await runChecked("kubectl", [...k, "apply", "--server-side", "--force-conflicts", "--field-manager=bench-flux", ...files.flatMap((f) => ["-f", f])]);
  await runChecked("kubectl", [...k, "wait", "--for=condition=established", "--timeout=120s", ...files.flatMap((f) => ["-f", f])]);
  return strip;
}

/** A copy of a document without any x-kubernetes-validations key, at any depth. Pure. */
export function withoutCelRules(doc: unknown): unknown {
  if (Array.isArray(doc)) return doc.map(withoutCelRules);
  if (doc && typeof doc === "object") return Object.fromEntries(Object.entries(doc).filter(([k]) => k !== "x-kubernetes-validations").map(([k, v]) => [k, withoutCelRules(v)]));
  return doc;
}

export async function runFluxSide(ctx: BenchContext, selected: ReadonlySet<number>): Promise<FluxResults> {
  const results: FluxResults = { version: fluxVersion(), many: [], errors: {}, notes: [] };
  const inputs = fluxInputs(ctx.profile);
  ctx.log(`[bench] Flux ${results.version}: a repository of ${Object.keys(inputs.files).length} files`);
  const repo = await createRepo(inputs.files);
  const gitRoot = join(ctx.workDir, "flux-git");
  await repo.publish(gitRoot, "flux.git");
  const server = await startGitHttpServer({ root: gitRoot });
  const watch = new KustomizationWatch(ctx.kube, FLUX_NAMESPACE);
  let flux: FluxContext["flux"] | undefined;
  try {
    const version = await ctx.kube.http.request("GET", "/version");
    const minor = Number.parseInt((version.body as { minor?: string }).minor ?? "0", 10);
    if (await installFluxCrds(ctx, minor)) {
      results.notes.push(`Kubernetes 1.${minor}: Flux's CRDs were installed without their CEL validation rules, which this API server does not know`);
      ctx.log(`[bench] ${results.notes.at(-1) ?? ""}`);
    }
    flux = await startFlux(ctx.kubeconfig, join(ctx.workDir, "flux-storage"), join(ctx.workDir, "flux-logs"));
    ctx.log(`[bench] Flux controllers up (logs in ${join(ctx.workDir, "flux-logs")})`);
    const fc: FluxContext = { ctx, flux, watch, gitUrl: `${server.url}/flux.git`, inputs };
    await fluxWarmUp(fc);
    const step = async <T>(n: number, title: string, fn: () => Promise<T>): Promise<T | undefined> => {
      if (!selected.has(n)) return undefined;
      ctx.log(`[bench] Flux ${n}. ${title}`);
      const t0 = Date.now();
      try {
        return await fn();
      } catch (err) {
        results.errors[String(n)] = err instanceof Error ? err.message : String(err);
        ctx.log(`[bench] Flux ${n}. ${title} failed: ${results.errors[String(n)]}`);
        return undefined;
      } finally {
        ctx.log(`[bench] Flux ${n}. ${title} took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      }
    };
    results.initialApply = await step(1, "Initial apply", () => fluxInitialApply(fc));
    if (results.initialApply) results.noop = await step(2, "No-op reconcile", () => fluxNoop(fc));
    results.drift = await step(3, "Drift correction at interval 1m", () => fluxDrift(fc, ctx.profile.fluxDriftIterations));
    results.chain = await step(4, "dependsOn chain", () => fluxChain(fc));
    for (const m of inputs.many) {
      const run = await step(5, `${m.count} Kustomizations`, () => fluxMany(fc, m));
      results.many.push({ kustomizations: m.count, ...(run ? { flux: run } : {}), errors: results.errors["5"] ? { flux: results.errors["5"] } : {} });
      delete results.errors["5"];
    }
  } catch (err) {
    results.errors["setup"] = err instanceof Error ? err.message : String(err);
    ctx.log(`[bench] Flux side failed: ${results.errors["setup"]}`);
  } finally {
    watch.stop();
    await flux?.stop();
    await server.stop();
    await repo.remove();
  }
  return results;
}
