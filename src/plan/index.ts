export { planStages, stageOf, kindRank, compareForApply, compareForPrune, type Stage, type StageName } from "./stages.ts";
export { findCycle, missingDependencies, describeCycle, dependencyId, DependencyGraphError, type GraphNode } from "./dependency-graph.ts";
export { judgeLive, dryRunChanges, isSubset, ownedButNotDesired, type LiveVerdict } from "./compare.ts";
export { driftReport, formatPath } from "./drift.ts";
export { isTakeoverManager, TAKEOVER_MANAGERS, ownerOf, leafPaths, fieldsCover } from "./managed-fields.ts";
