export { KubeClient, type ApplyOptions, type ListOptions, type WatchEvent, type ObjectList } from "./client.ts";
export { KubeApiError, KubeUnreachableError, KubeHttp } from "./http.ts";
export { loadKubeconfig, parseKubeconfig, defaultKubeconfigPath, type ClusterConnection } from "./kubeconfig.ts";
export { RestMapper, UnknownKindError, resourcePath, type ResourceMapping } from "./rest-mapper.ts";
export { waitForObject, hasCondition, WaitTimeoutError } from "./wait.ts";
