// The scale suites need servers the machine provides (pgbouncer, redis-server and redis-cli). CI
// installs them (.ci/run), and there a missing one fails its suite with a message naming the
// package. A developer's `npm test` on a machine without them skips just that suite, and says
// loudly why and how to get it, so that `npm ci && npm test` still passes on a fresh machine.

/**
 * `describe` when `missingTool()` returns null; otherwise, outside CI, `describe.skip` with a
 * warning that quotes its message. In CI (CI set) the suite always runs, and fails on what is missing.
 */
export function describeWithTool(missingTool: () => string | null, name: string, suite: () => void): void {
  const missing = missingTool();
  if (missing === null || process.env.CI) {
    describe(name, suite);
    return;
  }
  process.stderr.write(`\n[keyward tests] SKIPPED "${name}": ${missing}\n\n`);
  describe.skip(name, suite);
}

/** The error message of `check`, or null when it passes. */
export function messageOf(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
