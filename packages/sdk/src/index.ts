// @keyward/sdk: KeywardVerifier (the verify service), KeywardAdmin (the admin API) and their errors.
// The framework wrappers are @keyward/sdk/nestjs, @keyward/sdk/express and @keyward/sdk/fastify (docs/sdk.md).
export * from './errors';
export * from './verifier';
export * from './admin';
export * from './principal';
export type { components as VerifyComponents, paths as VerifyPaths } from './generated/verify';
