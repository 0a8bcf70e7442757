// The types of machine-tools.js, plain CommonJS because jest.config.js loads it as it is.

/** The path of `binary` on PATH or in the system's sbin folders, else null. */
export function whereOnMachine(binary: string): string | null;

/** The path of `binary`, or an error that says what the suite needs it for and which package brings it. */
export function requireOnMachine(binary: string, purpose: string, debianPackage: string): string;

/** Paths of the suites this machine cannot run, outside CI only; each announced on stderr. */
export function suitesWithoutTheirTools(): string[];
