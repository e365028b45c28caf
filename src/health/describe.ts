/** Summaries of health results for errors such as a health-check timeout. Pure. */
import type { HealthResult } from "./types.ts";

export interface SubjectHealth {
  subject: string;
  result: HealthResult;
}

const DEFAULT_MAX_ITEMS = 20;

/**
 * `Deployment/apps/web: InProgress: 1 of 3 replicas available; Job/ns/migrate: Failed: ...`.
 * Current items are left out; after `maxItems` entries the rest are counted ("and 3 more").
 */
export function describeUnhealthy(items: readonly SubjectHealth[], maxItems: number = DEFAULT_MAX_ITEMS): string {
  const unhealthy = items.filter((i) => i.result.status !== "Current");
  const shown = unhealthy.slice(0, Math.max(maxItems, 1)).map(({ subject, result }) => `${subject}: ${result.status}: ${detailOf(subject, result.message)}`);
  const rest = unhealthy.length - shown.length;
  if (rest > 0) shown.push(`and ${rest} more`);
  return shown.join("; ");
}

/** The message without a leading `subject: `, which the summary already shows. */
function detailOf(subject: string, message: string): string {
  const prefix = `${subject}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
