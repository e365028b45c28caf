/** Builders for HealthResult; every message starts with the subject. */
import type { HealthResult, HealthStatus, RuleContext } from "./types.ts";

const MAX_DETAIL = 240;

/** Shortens text taken from the cluster (condition messages) so summaries stay readable. */
export function clip(text: string, max: number = MAX_DETAIL): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

export function result(status: HealthStatus, ctx: RuleContext, detail: string): HealthResult {
  return { status, message: `${ctx.subject}: ${detail}` };
}

export const current = (ctx: RuleContext, detail: string): HealthResult => result("Current", ctx, detail);
export const inProgress = (ctx: RuleContext, detail: string): HealthResult => result("InProgress", ctx, detail);
export const failed = (ctx: RuleContext, detail: string): HealthResult => result("Failed", ctx, detail);

/** `Reason: message`, `Reason`, or `message`, whichever parts are present. */
export function reasonAndMessage(reason: string, message: string): string {
  const m = clip(message);
  if (reason && m) return `${reason}: ${m}`;
  return reason || m;
}
