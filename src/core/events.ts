/** The engine's typed progress stream. Hosts (CLI printers, controller status writers) subscribe; the engine never prints. */
import type { ObjectRef } from "./object-ref.ts";

export type ChangeAction = "created" | "configured" | "unchanged" | "deleted" | "skipped";

export interface FieldDrift {
  path: string;
  live: string;
  desired: string;
  manager: string | undefined;
  time: string | undefined;
}

export type EngineEvent =
  | { type: "source.fetched"; source: string; revision: string; durationMs: number }
  | { type: "render.done"; kustomization: string; objects: number; durationMs: number }
  /** `fields`: for a configured object, the fields Git changed (drift in the cluster comes as drift.detected). */
  | { type: "apply.object"; kustomization: string; ref: ObjectRef; action: ChangeAction; fields?: FieldDrift[] }
  | { type: "prune.object"; kustomization: string; ref: ObjectRef }
  /** The cluster diverged from what we last applied (another manager wrote or removed these fields); corrected. */
  | { type: "drift.detected"; kustomization: string; ref: ObjectRef; fields: FieldDrift[] }
  | { type: "health.progress"; kustomization: string; pending: string[] }
  | { type: "kustomization.started"; kustomization: string }
  | { type: "kustomization.done"; kustomization: string; ready: boolean; reason: string; message: string }
  | { type: "log"; level: "info" | "warn" | "error"; message: string };

export type EventSink = (event: EngineEvent) => void;

export const discardEvents: EventSink = () => {};
