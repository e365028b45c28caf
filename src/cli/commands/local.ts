/** `plumb local up | down | status`: a real control plane on loopback. */
import { downLocalCluster, localClusterStatus, upLocalCluster } from "../../local-cluster/index.ts";
import type { CliIo } from "../io.ts";

export async function runLocalCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const name = rest.find((a) => a.startsWith("--name="))?.slice(7) ?? "default";
  const nodes = Number(rest.find((a) => a.startsWith("--nodes="))?.slice(8) ?? "1");
  switch (sub) {
    case "up": {
      const c = await upLocalCluster({ name, nodes, log: (l) => io.stderr(l + "\n") });
      io.stdout(`export KUBECONFIG=${c.state.kubeconfig}\n`);
      return 0;
    }
    case "down": {
      const s = await downLocalCluster(name);
      io.stderr(s ? `[local] stopped ${s.processes.length} processes and removed ${s.dir}\n` : `[local] no local control plane "${name}" is running\n`);
      return 0;
    }
    case "status": {
      const st = localClusterStatus(name);
      if (!st) {
        io.stdout(`local control plane "${name}": not running\n`);
        return 1;
      }
      io.stdout(`local control plane "${name}": ${st.stopped.length ? "degraded" : "running"} (Kubernetes ${st.state.version}, ${st.state.server})\n`);
      for (const p of st.state.processes) io.stdout(`  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${st.running.includes(p) ? "running" : "stopped"}\n`);
      io.stdout(`export KUBECONFIG=${st.state.kubeconfig}\n`);
      return st.stopped.length ? 1 : 0;
    }
    default:
      io.stderr("usage: plumb local up|down|status [--name=NAME] [--nodes=N]\n");
      return 2;
  }
}
