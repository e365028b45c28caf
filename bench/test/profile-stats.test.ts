import assert from "node:assert/strict";
import { test } from "node:test";
import { summarizeProfile, type CpuProfile } from "../profile-stats.ts";

test("summarizeProfile: self time per function and file, inclusive time per repository file counted once per sample", () => {
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
  const p: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)", ""), children: [2, 5] },
      { id: 2, callFrame: frame("render", "file:///repo/src/render/render.ts"), children: [3] },
      { id: 3, callFrame: frame("walk", "file:///repo/src/render/render.ts"), children: [4] },
      { id: 4, callFrame: frame("copyFile", ""), children: [] },
      { id: 5, callFrame: frame("(idle)", ""), children: [] },
    ],
    samples: [4, 4, 3, 5],
    timeDeltas: [1000, 1000, 500, 2000],
    startTime: 0, endTime: 4500,
  };
  const s = summarizeProfile(p, "/repo");
  assert.equal(s.totalUs, 4500);
  assert.equal(s.idleUs, 2000);
  assert.deepEqual(s.selfByFunction[0], { name: "copyFile", where: "(native):1", us: 2000 });
  assert.deepEqual(s.inclusiveByRepoFile, [{ name: "src/render/render.ts", where: "src/render/render.ts", us: 2500 }]);
});
