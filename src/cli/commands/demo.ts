/**
 * `plumb demo`: a local control plane, a Git repository made from examples/, the demo age key as Secret
 * flux-system/sops-age, a sync of production (SOPS-encrypted Secrets decrypted), a manual change reported
 * (field, manager) and corrected, a removal committed and pruned, then everything stopped.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient } from "../../kube/client.ts";
import { DEFAULT_KUBE_LINE, KUBE_RELEASES, pathWithBundledKubectl } from "../../local-cluster/binaries.ts";
import { downLocalCluster, upLocalCluster } from "../../local-cluster/index.ts";
import { newEngineState, sync, type SyncOptions } from "../../reconcile/sync.ts";
import { makeSopsDecryptor } from "../../reconcile/sops-decryptor.ts";
import type { CliIo } from "../io.ts";
import { printEvent, syncTable } from "../printers.ts";

const EXAMPLES = join(import.meta.dirname, "../../../examples");
/** The public throwaway key that decrypts the examples' SOPS Secrets (kept outside examples/). */
const DEMO_AGE_KEY = join(import.meta.dirname, "../../../demo-keys/age.agekey");

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Plumbline Demo", "-c", "user.email=demo@plumbline.invalid", ...args], { cwd, encoding: "utf8" });
}

export async function runDemo(_args: string[], io: CliIo): Promise<number> {
  const say = (s: string): void => io.stdout(`\n\x1b[1m== ${s}\x1b[0m\n`);
  const name = `demo-${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), "plumbline-demo-"));
  say(`1. Starting a local Kubernetes ${KUBE_RELEASES[DEFAULT_KUBE_LINE].version} control plane (etcd, apiserver, controller-manager, scheduler, hollow node)`);
  const cluster = await upLocalCluster({ name, kubernetes: DEFAULT_KUBE_LINE, ownerPid: process.pid, log: (l) => io.stdout(l + "\n") });
  const kube = KubeClient.fromKubeconfig(cluster.state.kubeconfig);
  try {
    say("2. Creating a Git repository from examples/");
    const repo = join(work, "fleet");
    cpSync(EXAMPLES, repo, { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "fleet: production, test and management clusters");
    io.stdout(`repository ${repo} at ${git(repo, "rev-parse", "--short", "HEAD").trim()}\n`);

    const kubectl = (...args: string[]): string => execFileSync("kubectl", args, { env: { ...process.env, PATH: pathWithBundledKubectl(process.env), KUBECONFIG: cluster.state.kubeconfig }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    say("2b. The age key for SOPS, as Flux users store it: kubectl -n flux-system create secret generic sops-age --from-file=age.agekey=demo-keys/age.agekey");
    io.stdout(kubectl("create", "namespace", "flux-system"));
    io.stdout(kubectl("-n", "flux-system", "create", "secret", "generic", "sops-age", `--from-file=age.agekey=${DEMO_AGE_KEY}`));

    const events = (e: Parameters<typeof printEvent>[0]): void => printEvent(e, io.stdout);
    const opts: SyncOptions = { kube, url: repo, ref: { branch: "main" }, path: "clusters/production", cacheDir: join(work, "cache"), events, makeDecryptor: makeSopsDecryptor };
    const state = newEngineState(kube, opts.cacheDir, events);

    say("3. plumb sync --source <repo> --path clusters/production");
    let r = await sync(opts, state);
    io.stdout("\n" + syncTable(r.kustomizations) + `writes: ${r.writes}\n`);
    if (!r.kustomizations.every((k) => k.ready)) return 1;
    if (!(await showDecryptedSecrets(kube, io))) return 1;
    if (!(await showCurrentApis(kube, io))) return 1;

    say("4. A second sync of the same revision writes nothing");
    r = await sync(opts, state);
    io.stdout(`writes: ${r.writes}\n`);

    say("5. Someone scales a managed Deployment by hand: kubectl scale deployment/web -n apps --replicas=7");
    io.stdout(kubectl("scale", "deployment/web", "-n", "apps", "--replicas=7"));
    r = await sync(opts, state);
    const web = await kube.get("apps/v1", "Deployment", "apps", "web");
    io.stdout(`deployment/web replicas now ${(web?.["spec"] as { replicas?: number }).replicas} (from Git)\n`);

    say("6. Commit the removal of an app (apps/base/api.yaml: Deployment, Service, ConfigMap, HPA) and sync: it is pruned");
    git(repo, "rm", "-q", "apps/base/api.yaml");
    execFileSync("sed", ["-i", "/- api.yaml/d", join(repo, "apps/base/kustomization.yaml")]);
    git(repo, "commit", "-q", "-am", "apps: retire api");
    r = await sync(opts, state);
    io.stdout("\n" + syncTable(r.kustomizations) + `writes: ${r.writes}\n`);
    const api = await kube.get("apps/v1", "Deployment", "apps", "api");
    const apiHpa = await kube.get("autoscaling/v2", "HorizontalPodAutoscaler", "apps", "api");
    io.stdout(`deployment/api ${api ? "still present" : "deleted from the cluster"}; horizontalpodautoscaler/api ${apiHpa ? "still present" : "deleted"}\n`);
    return r.kustomizations.every((k) => k.ready) && !api && !apiHpa ? 0 : 1;
  } finally {
    kube.close();
    say("7. Stopping the control plane");
    await downLocalCluster(name);
    rmSync(work, { recursive: true, force: true });
    io.stdout("done\n");
  }
}

/** The workloads that need a current API server (autoscaling/v2 from 1.23, batch/v1 CronJob from 1.21), as the cluster holds them. */
async function showCurrentApis(kube: KubeClient, io: CliIo): Promise<boolean> {
  const hpa = await kube.get("autoscaling/v2", "HorizontalPodAutoscaler", "apps", "api");
  const cron = await kube.get("batch/v1", "CronJob", "apps", "nightly-report");
  const h = hpa?.["spec"] as { minReplicas?: number; maxReplicas?: number } | undefined;
  io.stdout(hpa ? `horizontalpodautoscaler/api -n apps (autoscaling/v2): ${h?.minReplicas}-${h?.maxReplicas} replicas of deployment/api on CPU\n` : "horizontalpodautoscaler/api -n apps: MISSING\n");
  io.stdout(cron ? `cronjob/nightly-report -n apps (batch/v1): schedule "${(cron["spec"] as { schedule?: string }).schedule}"\n` : "cronjob/nightly-report -n apps: MISSING\n");
  return !!hpa && !!cron;
}

/**
 * The Secrets that were SOPS-encrypted in Git, as the cluster holds them: key names only, and whether any value
 * still looks like sops ciphertext. Values are never printed.
 */
async function showDecryptedSecrets(kube: KubeClient, io: CliIo): Promise<boolean> {
  const secrets = (await kube.list("v1", "Secret", { namespace: "apps" })).items.filter((s) => s.metadata.name === "api-credentials" || s.metadata.name?.startsWith("api-tokens-"));
  let ok = secrets.length === 2;
  for (const s of secrets) {
    const data = (s["data"] ?? {}) as Record<string, string>;
    const encrypted = Object.values(data).some((v) => /ENC\[AES256_GCM,|sops_mac=|"sops"|^sops:/m.test(Buffer.from(v, "base64").toString("utf8")));
    ok &&= !encrypted && Object.keys(data).length > 0;
    io.stdout(`secret/${s.metadata.name} -n apps: keys ${Object.keys(data).sort().join(", ")}; ${encrypted ? "STILL ENCRYPTED" : "decrypted from SOPS (values not shown)"}\n`);
  }
  if (secrets.length !== 2) io.stdout(`expected Secrets api-credentials and api-tokens-<hash> in namespace apps, found ${secrets.length}\n`);
  return ok;
}
