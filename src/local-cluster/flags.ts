/**
 * Command lines of a local control plane's processes, per Kubernetes line (pure: no I/O).
 * 1.20 and the current line differ: the insecure ports (`--insecure-port`, `--port`) are gone since 1.24,
 * and the current hollow node must be told not to look for a container runtime on the host.
 */
import { join } from "node:path";

export type KubeLine = "1.20" | "current";

export interface PlaneLayout {
  dir: string;
  etcdPort: number;
  peerPort: number;
  apiPort: number;
  controllerManagerPort: number;
  schedulerPort: number;
}

export interface NodeLayout {
  name: string;
  kubeletPort: number;
}

export const componentsKubeconfig = (dir: string): string => join(dir, "components.kubeconfig");

export function etcdArgs(l: PlaneLayout): string[] {
  return [
    "--name=plumbline", `--data-dir=${join(l.dir, "etcd")}`,
    `--listen-client-urls=http://127.0.0.1:${l.etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${l.etcdPort}`,
    `--listen-peer-urls=http://127.0.0.1:${l.peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${l.peerPort}`,
    `--initial-cluster=plumbline=http://127.0.0.1:${l.peerPort}`, "--log-level=warn",
  ];
}

export function apiserverArgs(line: KubeLine, l: PlaneLayout): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${l.etcdPort}`, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
    `--secure-port=${l.apiPort}`, ...(line === "1.20" ? ["--insecure-port=0"] : []), `--cert-dir=${join(l.dir, "certs")}`,
    `--token-auth-file=${join(l.dir, "tokens.csv")}`, "--authorization-mode=Node,RBAC",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${join(l.dir, "sa.pub")}`, `--service-account-signing-key-file=${join(l.dir, "sa.key")}`,
    "--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true",
    // Since 1.3x the endpoint reconciler refuses a loopback advertise address: nothing in this plane needs the
    // `kubernetes` Service's endpoints (no Pod really runs), so it is turned off.
    ...(line === "current" ? ["--endpoint-reconciler-type=none"] : []), "--v=0",
  ];
}

/** Serves /healthz on its own loopback port (certificates self-made in the plane's directory). */
export function controllerManagerArgs(line: KubeLine, l: PlaneLayout, caFile: string | undefined): string[] {
  return [
    `--kubeconfig=${componentsKubeconfig(l.dir)}`, `--service-account-private-key-file=${join(l.dir, "sa.key")}`,
    "--controllers=*,-nodeipam", "--leader-elect=false", ...(line === "1.20" ? ["--port=0"] : []),
    "--bind-address=127.0.0.1", `--secure-port=${l.controllerManagerPort}`, `--cert-dir=${join(l.dir, "certs", "kube-controller-manager")}`,
    ...(caFile ? [`--root-ca-file=${caFile}`] : []), "--v=0",
  ];
}

export function schedulerArgs(line: KubeLine, l: PlaneLayout): string[] {
  return [
    `--kubeconfig=${componentsKubeconfig(l.dir)}`, "--leader-elect=false", ...(line === "1.20" ? ["--port=0"] : []),
    "--bind-address=127.0.0.1", `--secure-port=${l.schedulerPort}`, `--cert-dir=${join(l.dir, "certs", "kube-scheduler")}`, "--v=0",
  ];
}

export function hollowNodeArgs(line: KubeLine, l: PlaneLayout, node: NodeLayout): string[] {
  return [
    "--morph=kubelet", `--name=${node.name}`, `--kubeconfig=${componentsKubeconfig(l.dir)}`,
    `--kubelet-port=${node.kubeletPort}`, "--kubelet-read-only-port=0",
    ...(line === "current" ? ["--use-host-image-service=false"] : []), "--v=0",
  ];
}

/** The value of `--flag=value` in a recorded command line. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const prefix = `--${flag}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}
