/**
 * Flux's source-controller and kustomize-controller as local processes (built by scripts/build-flux.sh) with a
 * kubeconfig against the benchmark's API server. They watch only their runtime namespace (FLUX_NAMESPACE), so they
 * never see Plumbline's Kustomizations; source-controller serves its artifacts on 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { runChecked } from "./processes.ts";

export const FLUX_NAMESPACE = "flux-bench";

const ROOT = join(import.meta.dirname, "..");

/** The version tools/flux/go.mod pins (as scripts/build-flux.sh names its cache directory). */
export function fluxVersion(goMod = readFileSync(join(ROOT, "tools", "flux", "go.mod"), "utf8")): string {
  const v = (m: string): string | undefined => new RegExp(`^\\s*github\\.com/fluxcd/${m} v(\\S+)`, "m").exec(goMod)?.[1];
  const sc = v("source-controller");
  const kc = v("kustomize-controller");
  if (!sc || !kc) throw new Error("tools/flux/go.mod: cannot read the controller versions");
  return sc === kc ? sc : `${sc}-${kc}`;
}

export function fluxBinDir(): string {
  const cache = process.env["PLUMBLINE_CACHE"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "plumbline");
  return join(cache, `flux-${fluxVersion()}`, "bin");
}

/** Flux's CRD files in the module cache (config/crd/bases of both controller modules). */
export async function fluxCrdFiles(): Promise<string[]> {
  const modCache = (await runChecked("go", ["env", "GOMODCACHE"])).stdout.trim();
  const v = (m: string): string => new RegExp(`^\\s*github\\.com/fluxcd/${m} v(\\S+)`, "m").exec(readFileSync(join(ROOT, "tools", "flux", "go.mod"), "utf8"))?.[1] ?? "";
  const files: string[] = [];
  for (const m of ["source-controller", "kustomize-controller"]) {
    const dir = join(modCache, "github.com", "fluxcd", `${m}@v${v(m)}`, "config", "crd", "bases");
    if (!existsSync(dir)) throw new Error(`${dir} is missing: run bash scripts/build-flux.sh`);
    files.push(...readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => join(dir, f)));
  }
  return files;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

export interface FluxController {
  name: "source-controller" | "kustomize-controller";
  pid: number;
  metricsUrl: string;
  child: ChildProcess;
}

export interface FluxControllers {
  controllers: FluxController[];
  stop(): Promise<void>;
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${url}: the controller exited (${child.exitCode})`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}: not ready within ${timeoutMs} ms`);
}

/** Starts both controllers (logs in `logDir`) and waits until their readiness endpoints answer. */
export async function startFlux(kubeconfig: string, storageDir: string, logDir: string): Promise<FluxControllers> {
  const bin = fluxBinDir();
  mkdirSync(storageDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const controllers: FluxController[] = [];
  const env = { ...process.env, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
  const stop = async (): Promise<void> => {
    await Promise.all(controllers.map((c) => new Promise<void>((resolve) => {
      if (c.child.exitCode !== null || c.child.signalCode !== null) return resolve();
      const t = setTimeout(() => c.child.kill("SIGKILL"), 10_000);
      c.child.once("close", () => { clearTimeout(t); resolve(); });
      c.child.kill("SIGTERM");
    })));
  };
  try {
    for (const name of ["source-controller", "kustomize-controller"] as const) {
      const [metrics, health] = [await freePort(), await freePort()];
      const args = [`--metrics-addr=127.0.0.1:${metrics}`, `--health-addr=127.0.0.1:${health}`, "--watch-all-namespaces=false", "--log-level=info", "--log-encoding=json"];
      if (name === "source-controller") {
        const storage = await freePort();
        args.push(`--storage-addr=127.0.0.1:${storage}`, `--storage-adv-addr=127.0.0.1:${storage}`, `--storage-path=${storageDir}`);
      }
      if (!existsSync(join(bin, name))) throw new Error(`${join(bin, name)} is missing: run bash scripts/build-flux.sh`);
      const log = createWriteStream(join(logDir, `${name}.log`));
      const child = spawn(join(bin, name), args, { env, stdio: ["ignore", "pipe", "pipe"] });
      child.once("error", (e) => log.write(`spawn: ${e.message}\n`));
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      if (child.pid === undefined) throw new Error(`${join(bin, name)}: could not start (run bash scripts/build-flux.sh)`);
      controllers.push({ name, pid: child.pid, metricsUrl: `http://127.0.0.1:${metrics}/metrics`, child });
      await waitHealthy(`http://127.0.0.1:${health}/readyz`, child, 60_000);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { controllers, stop };
}
