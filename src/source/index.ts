/** The Git source: fetching a Flux GitRepository (v1 semantics) into an artifact directory. */
export { authFromSecretData, type GitAuth } from "./git-auth.ts";
export { fetchArtifact, type FetchOptions, type FetchedArtifact } from "./fetch-artifact.ts";
export { digestDirectory } from "./artifact-digest.ts";
export { DEFAULT_BRANCH, formatRevision, refStrategy, type RefStrategy } from "./ref-strategy.ts";
export { parseGoDuration } from "./duration.ts";
export { redactUrl } from "./git-url.ts";
