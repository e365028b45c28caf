export { applyObjects, pruneObjects, diffObjects, type ApplyContext, type ObjectChange } from "./applier.ts";
export { LiveCache } from "./live-cache.ts";
export { policyOf, type ObjectPolicy } from "./object-policy.ts";
export { patchStatus, recordEvent } from "./status-writer.ts";
export { ensureObject, ensureCrds, createIfMissing } from "./ensure-object.ts";
