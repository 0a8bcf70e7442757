// The packed SDK as a service team gets it: `npm run sdk:pack`, the tarball installed into a fresh
// project outside this repository (no access to its node_modules) together with NestJS, Express and
// Fastify from the npm registry, and the three examples of docs/sdk.md compiled there with
// TypeScript and run against the real verify service: every verify code answered as documented.
// Plus the ESM build imported from an .mjs file. npm's cache makes a repeated install quick.
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EXPECTED_STATUS, keysForEveryCode, ROUTE_SCOPE, VERIFY_CODES, type SdkVerifyCode } from './sdk-support';
import { KeywardVerifier } from '../packages/sdk/src';
import { createTenant, type TestTenant } from './support/builders';
import { cleanEnv, startNodeApp } from './support/example-project';
import { request } from './support/http-client';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const INSTALL_TIMEOUT_MS = 480_000;

/** The examples of docs/sdk.md: each code block after a `<!-- sdk-example: <file> -->` line. */
function docExamples(): Record<string, string> {
  const page = readFileSync(join(ROOT, 'docs', 'sdk.md'), 'utf8');
  const examples: Record<string, string> = {};
  for (const match of page.matchAll(/<!-- sdk-example: (\S+) -->\n```ts\n([\s\S]*?)```/g)) examples[match[1]] = match[2];
  return examples;
}

describe('SDK: the packed tarball in a fresh project', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;
  let keys: Record<SdkVerifyCode, string>;
  let project: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    admin = await startAdminApi();
    verify = await startVerify();
    tenant = await createTenant(admin.url);
    const verifier = new KeywardVerifier({ baseUrl: verify.url, token: tenant.verifier });
    keys = await keysForEveryCode(admin.url, tenant, (key) => verifier.verify({ key, scopes: [ROUTE_SCOPE], ip: '127.0.0.1' }));
    await verifier.close();

    await run('npm', ['run', 'sdk:pack'], { cwd: ROOT, env: cleanEnv() });
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages', 'sdk', 'package.json'), 'utf8'));
    const tarball = join(ROOT, 'packages', 'sdk', 'pack', `keyward-sdk-${version}.tgz`);

    project = mkdtempSync(join(tmpdir(), 'keyward-sdk-tarball-'));
    // An ES module project, as NestJS 12 (ESM only) wants; the CommonJS build is required from a .cjs file below.
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'sdk-tarball-check', private: true, type: 'module' }));
    const packages = [
      tarball,
      'express',
      'fastify',
      '@nestjs/core',
      '@nestjs/common',
      '@nestjs/platform-express',
      'reflect-metadata',
      'rxjs',
    ];
    const tools = ['typescript@~5.8', '@types/node@20', '@types/express'];
    await run('npm', ['install', ...packages, ...tools, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      env: cleanEnv(),
      timeout: INSTALL_TIMEOUT_MS,
    });

    const examples = docExamples();
    expect(Object.keys(examples).sort()).toEqual(['express-app.ts', 'fastify-app.ts', 'nest-app.ts']);
    for (const [file, code] of Object.entries(examples)) writeFileSync(join(project, file), code);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          strict: true,
          esModuleInterop: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        include: Object.keys(examples),
      }),
    );
    const compiled = await run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
      cwd: project,
    }).catch((error: { stdout?: string; stderr?: string }) => error);
    if ('code' in compiled) throw new Error(`tsc failed on the examples of docs/sdk.md:\n${compiled.stdout}${compiled.stderr}`);
  }, INSTALL_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    await Promise.all([admin?.close(), verify?.close()]);
    if (project) rmSync(project, { recursive: true, force: true });
  });

  const startExample = (file: string): Promise<string> =>
    startNodeApp(
      join(project, 'out', file.replace(/\.ts$/, '.js')),
      project,
      { KEYWARD_VERIFY_URL: verify.url, KEYWARD_VERIFIER_TOKEN: tenant.verifier },
      children,
    );

  it.each(['nest-app.ts', 'express-app.ts', 'fastify-app.ts'])(
    '%s from docs/sdk.md answers every verify code as documented',
    async (file) => {
      const url = await startExample(file);
      for (const code of VERIFY_CODES) {
        const answer = await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${keys[code]}` } });
        expect({ code, status: answer.status }).toEqual({ code, status: EXPECTED_STATUS[code] });
        if (code === 'VALID') expect(answer.body).toEqual({ ownerId: 'customer-7', orders: [] });
        else expect([answer.headers.get('keyward-code'), answer.body.code]).toEqual([code, code]);
        if (EXPECTED_STATUS[code] === 401) expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        if (code === 'RATE_LIMITED') expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect((await request(url, 'GET', '/orders', { headers: { 'x-api-key': keys.VALID } })).status).toBe(200);
      const missing = await request(url, 'GET', '/orders');
      expect([missing.status, missing.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    },
  );

  it('imports as ESM and as CommonJS, with one KeywardVerifier class across the entries', async () => {
    const esm = `
import { KeywardVerifier } from '@keyward/sdk';
import { keyward } from '@keyward/sdk/express';
import { keywardPlugin } from '@keyward/sdk/fastify';
import * as nest from '@keyward/sdk/nestjs';
const verifier = new KeywardVerifier({ baseUrl: process.env.KEYWARD_VERIFY_URL, token: process.env.KEYWARD_VERIFIER_TOKEN });
const answer = await verifier.verify({ key: process.env.KEY, scopes: ['${ROUTE_SCOPE}'] });
await verifier.close();
console.log(JSON.stringify([answer.code, typeof keyward, typeof keywardPlugin, nest.KeywardVerifier === KeywardVerifier]));`;
    const cjs = `
const { KeywardVerifier } = require('@keyward/sdk');
const nest = require('@keyward/sdk/nestjs');
const verifier = new KeywardVerifier({ baseUrl: process.env.KEYWARD_VERIFY_URL, token: process.env.KEYWARD_VERIFIER_TOKEN });
verifier.verify({ key: process.env.KEY, scopes: ['${ROUTE_SCOPE}'] }).then(async (answer) => {
  await verifier.close();
  console.log(JSON.stringify([answer.code, typeof require('@keyward/sdk/express').keyward, typeof require('@keyward/sdk/fastify').keywardPlugin, nest.KeywardVerifier === KeywardVerifier]));
});`;
    writeFileSync(join(project, 'check.mjs'), esm);
    writeFileSync(join(project, 'check.cjs'), cjs);
    const env = cleanEnv({ KEYWARD_VERIFY_URL: verify.url, KEYWARD_VERIFIER_TOKEN: tenant.verifier, KEY: keys.VALID });
    for (const file of ['check.mjs', 'check.cjs']) {
      const { stdout } = await run(process.execPath, [join(project, file)], { cwd: project, env });
      expect({ file, printed: JSON.parse(stdout) }).toEqual({ file, printed: ['VALID', 'function', 'function', true] });
    }
  });
});
