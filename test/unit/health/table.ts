/** Table-test helper: each case is an inline YAML object, the expected status and substrings of the message. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import type { KubeObject } from "../../../src/core/object-ref.ts";
import { describeObject } from "../../../src/core/object-ref.ts";
import { computeHealth } from "../../../src/health/index.ts";
import type { HealthOptions, HealthStatus } from "../../../src/health/index.ts";

export interface Case {
  name: string;
  yaml: string;
  status: HealthStatus;
  /** Each must occur in the message (the reason the status was chosen). */
  says: string[];
  options?: HealthOptions;
}

export function runTable(cases: readonly Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const obj = parse(c.yaml) as KubeObject;
      const got = computeHealth(obj, c.options ?? {});
      assert.equal(got.status, c.status, `status (message: ${got.message})`);
      assert.ok(got.message.startsWith(`${describeObject(obj)}: `), `message starts with the subject: ${got.message}`);
      for (const s of c.says) assert.ok(got.message.includes(s), `message ${JSON.stringify(got.message)} should mention ${JSON.stringify(s)}`);
    });
  }
}
