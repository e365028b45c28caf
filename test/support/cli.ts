/** Runs the `plumb` CLI in-process against the shared test cluster, capturing its output. */
import { main } from "../../src/cli/main.ts";
import { testKubeconfig } from "./cluster.ts";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function plumb(...args: string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const io = { stdout: (s: string) => { out += s; }, stderr: (s: string) => { err += s; }, env: { ...process.env, KUBECONFIG: testKubeconfig() }, cwd: process.cwd() };
  const code = await main(args, io);
  return { code, out, err };
}
