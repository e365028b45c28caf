export { upLocalCluster, downLocalCluster, localClusterStatus, type LocalCluster, type UpOptions } from "./local-cluster.ts";
export { findBinaries, cacheRoot, KUBE_VERSION } from "./binaries.ts";
export type { ClusterState } from "./state.ts";
