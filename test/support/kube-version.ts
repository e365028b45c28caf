/**
 * The Kubernetes version integration tests run against (PLUMBLINE_TEST_KUBERNETES, set by scripts/run-tests.ts),
 * for tests that hold on one line only: `test("... (Kubernetes >= 1.23)", { skip: needsKube(1, 23, "why") }, fn)`.
 */
export function testKubeMinor(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const m = /^v?1\.(\d+)/.exec(env["PLUMBLINE_TEST_KUBERNETES"] ?? "");
  return m ? Number(m[1]) : undefined;
}

/** A skip reason when the server is older than 1.<minor> (false, i.e. run, when the version is unknown or new enough). */
export function needsKube(major: 1, minor: number, why: string): string | false {
  const have = testKubeMinor();
  return have !== undefined && have < minor ? `needs Kubernetes >= ${major}.${minor} (${why}); this plane is ${process.env["PLUMBLINE_TEST_KUBERNETES"]}` : false;
}

/** A skip reason when the server is newer than 1.<minor> (false when unknown or old enough). */
export function onlyUpToKube(major: 1, minor: number, why: string): string | false {
  const have = testKubeMinor();
  return have !== undefined && have > minor ? `holds on Kubernetes <= ${major}.${minor} only (${why}); this plane is ${process.env["PLUMBLINE_TEST_KUBERNETES"]}` : false;
}
