// The package's builds: ESM (.mjs) and CommonJS (.cjs) of each entry, with type declarations for
// both. Code shared by the entries is split into common chunks, so that `@keyward/sdk` and
// `@keyward/sdk/nestjs` hand out the same KeywardVerifier class.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', nestjs: 'src/nestjs.ts', express: 'src/express.ts', fastify: 'src/fastify.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
  external: ['@nestjs/common', '@nestjs/core', 'fastify', 'undici', 'openapi-fetch'],
});
