/** Health of live objects by kstatus rules. Pure functions: no I/O, no clock. */
export type { HealthOptions, HealthResult, HealthStatus } from "./types.ts";
export type { SubjectHealth } from "./describe.ts";
export { computeHealth, notFoundHealth } from "./compute.ts";
export { describeUnhealthy } from "./describe.ts";
export { SCHEDULE_WINDOW_MS } from "./pod.ts";
