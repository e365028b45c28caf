/** Health of one live object, in kstatus terms (kubernetes-sigs/cli-utils pkg/kstatus/status). */
import type { KubeObject } from "../core/object-ref.ts";

export type HealthStatus = "Current" | "InProgress" | "Failed" | "Terminating" | "NotFound" | "Unknown";

export interface HealthResult {
  status: HealthStatus;
  /** Starts with the subject (`Kind/namespace/name`), then a short specific reason. */
  message: string;
}

export interface HealthOptions {
  /**
   * The current time. Only used to give a freshly created Pod a short grace window before
   * an Unschedulable condition counts as Failed. Without it such a Pod stays InProgress.
   */
  now?: Date;
}

/** What a rule gets besides the object: the subject for messages and the caller's options. */
export interface RuleContext {
  readonly subject: string;
  readonly now: Date | undefined;
}

/** A kind-specific rule. Runs only after the generic rules could not decide. */
export type KindRule = (obj: KubeObject, ctx: RuleContext) => HealthResult;
