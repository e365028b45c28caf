export { planStages, stageOf, kindRank, compareForApply, compareForPrune, type Stage, type StageName } from "./stages.ts";
export { findCycle, missingDependencies, describeCycle, dependencyId, DependencyGraphError, type GraphNode } from "./dependency-graph.ts";
export { judgeLive, dryRunChanges, isSubset, ownedButNotDesired, type LiveVerdict } from "./compare.ts";
export { describeWriter, driftReport, formatPath, originOf, type FieldChanges } from "./drift.ts";
export { isTakeoverManager, TAKEOVER_MANAGERS, ownerOf, ownersOf, leafPaths, fieldsCover } from "./managed-fields.ts";
