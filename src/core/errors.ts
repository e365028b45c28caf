/** Error classes carrying the subject and a machine-readable reason. Messages start with the subject. */
import type { ConditionReason } from "./flux-api.ts";
import type { ObjectRef } from "./object-ref.ts";

export class PlumbError extends Error {
  readonly reason: ConditionReason;
  constructor(reason: ConditionReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
  }
}

/** A source (Git) could not be fetched. Nothing may be pruned. */
export class SourceError extends PlumbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ArtifactFailed", message, options);
  }
}

/** Rendering failed: bad YAML, missing file, kustomize error, substitution error. Names the file. */
export class BuildError extends PlumbError {
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super("BuildFailed", message, options);
    this.file = file;
  }
}

export class DecryptionError extends PlumbError {
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super("DecryptionFailed", message, options);
    this.file = file;
  }
}

export class ApplyError extends PlumbError {
  /** What this apply did write before it failed (objects of earlier stages, or created ones of a new stage). */
  readonly written: readonly { ref: ObjectRef; apiVersion: string }[];
  constructor(message: string, options?: { cause?: unknown; written?: readonly { ref: ObjectRef; apiVersion: string }[] }) {
    super("ReconciliationFailed", message, options);
    this.written = options?.written ?? [];
  }
}

export class HealthError extends PlumbError {
  constructor(message: string) {
    super("HealthCheckFailed", message);
  }
}

export class DependencyError extends PlumbError {
  constructor(message: string) {
    super("DependencyNotReady", message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
