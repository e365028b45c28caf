/**
 * `plumb local up | down | status | stop | start | restart | pause | continue`: real control planes on loopback,
 * each under its own --name (several can run at once; `down` stops only the named one).
 */
import { continueComponent, pauseComponent, restartComponent, startComponent, stopComponent } from "../../local-cluster/component.ts";
import { DEFAULT_KUBE_LINE, KUBE_RELEASES, parseKubeLine } from "../../local-cluster/binaries.ts";
import type { KubeLine } from "../../local-cluster/flags.ts";
import { downLocalCluster, localClusterStatus, upLocalCluster } from "../../local-cluster/index.ts";
import type { ProcessRecord } from "../../local-cluster/state.ts";
import type { CliIo } from "../io.ts";

const COMPONENT_VERBS = ["stop", "start", "restart", "pause", "continue"] as const;
type ComponentVerb = (typeof COMPONENT_VERBS)[number];

const minor = (v: string): string => v.split(".").slice(0, 2).join(".");

export const LOCAL_USAGE = `usage:
  plumb local up [--name NAME] [--kubernetes ${Object.values(KUBE_RELEASES).map((r) => minor(r.version)).join("|")}] [--nodes N]
      default Kubernetes ${minor(KUBE_RELEASES[DEFAULT_KUBE_LINE].version)}; prints export KUBECONFIG=...
  plumb local down|status [--name NAME]
  plumb local stop|start|restart|pause|continue COMPONENT [--name NAME]
      COMPONENT: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet (every hollow node) or node-N
NAME defaults to "default".
`;

export interface LocalArgs {
  sub: string | undefined;
  name: string;
  nodes: number;
  kubernetes: KubeLine;
  component: string | undefined;
}

/** Parses `plumb local` arguments (`--flag value` or `--flag=value`). Pure; throws on what it cannot use. */
export function parseLocalArgs(args: readonly string[]): LocalArgs {
  const [sub, ...rest] = args;
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? "";
    const m = /^--(name|nodes|kubernetes)(?:=(.*))?$/.exec(a);
    if (m) {
      const value = m[2] ?? rest[++i];
      if (value === undefined || value === "") throw new Error(`--${m[1]} needs a value`);
      flags.set(m[1] ?? "", value);
    } else if (a.startsWith("-")) {
      throw new Error(`unknown flag ${a}`);
    } else {
      positional.push(a);
    }
  }
  const nodesText = flags.get("nodes") ?? "1";
  const nodes = Number(nodesText);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 50) throw new Error(`--nodes must be a whole number from 1 to 50, not "${nodesText}"`);
  const name = flags.get("name") ?? "default";
  // The name becomes a file name and a directory prefix.
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/i.test(name)) throw new Error(`--name "${name}": letters, digits, '.', '_' and '-' only`);
  const isComponentVerb = (COMPONENT_VERBS as readonly string[]).includes(sub ?? "");
  if (isComponentVerb && positional.length !== 1) throw new Error(`plumb local ${sub} takes one component`);
  if (!isComponentVerb && positional.length) throw new Error(`unexpected argument "${positional[0]}"`);
  return { sub, name, nodes, kubernetes: parseKubeLine(flags.get("kubernetes")), component: positional[0] };
}

const describe = (procs: readonly ProcessRecord[]): string => procs.map((p) => `${p.name} (pid ${p.pid})`).join(", ");

export async function runLocalCommand(args: string[], io: CliIo): Promise<number> {
  let a: LocalArgs;
  try {
    a = parseLocalArgs(args);
  } catch (err) {
    io.stderr(`plumb local: ${(err as Error).message}\n${LOCAL_USAGE}`);
    return 2;
  }
  const { sub, name } = a;
  switch (sub) {
    case "up": {
      const c = await upLocalCluster({ name, nodes: a.nodes, kubernetes: a.kubernetes, env: io.env, log: (l) => io.stderr(l + "\n") });
      io.stdout(`export KUBECONFIG=${c.state.kubeconfig}\n`);
      return 0;
    }
    case "down": {
      const s = await downLocalCluster(name, io.env);
      io.stderr(s ? `[local] "${name}": stopped ${s.processes.length} processes and removed ${s.dir}\n` : `[local] no local control plane "${name}" is running\n`);
      return 0;
    }
    case "status": {
      const st = localClusterStatus(name, io.env);
      if (!st) {
        io.stdout(`local control plane "${name}": not running\n`);
        return 1;
      }
      io.stdout(`local control plane "${name}": ${st.stopped.length ? "degraded" : "running"} (Kubernetes ${st.state.version}, ${st.state.server})\n`);
      for (const p of st.state.processes) io.stdout(`  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${st.running.includes(p) ? "running" : "stopped"}\n`);
      io.stdout(`export KUBECONFIG=${st.state.kubeconfig}\n`);
      return st.stopped.length ? 1 : 0;
    }
    case "stop":
    case "start":
    case "restart":
    case "pause":
    case "continue":
      return componentVerb(sub, name, a.component ?? "", io);
    default:
      io.stderr(LOCAL_USAGE);
      return 2;
  }
}

async function componentVerb(verb: ComponentVerb, name: string, component: string, io: CliIo): Promise<number> {
  const opts = { env: io.env };
  const done: Record<ComponentVerb, () => Promise<string>> = {
    stop: async () => `stopped ${describe(await stopComponent(name, component, opts))}`,
    start: async () => {
      const started = await startComponent(name, component, opts);
      return started.length ? `started ${describe(started)}; healthy` : `${component} was already running; healthy`;
    },
    restart: async () => `restarted ${describe(await restartComponent(name, component, opts))}; healthy`,
    pause: async () => `paused (SIGSTOP) ${describe(await pauseComponent(name, component, opts))}`,
    continue: async () => `continued (SIGCONT) ${describe(await continueComponent(name, component, opts))}`,
  };
  io.stderr(`[local] "${name}": ${await done[verb]()}\n`);
  return 0;
}
