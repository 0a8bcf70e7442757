// examples/nestjs-service as its README builds and runs it (`tsc`, then `node dist/main.js`), with
// @keyward/sdk built from this repository and NestJS from its install (support/example-project.ts),
// against the real verify service: each route answers as its decorator says.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTenant, type TestTenant } from './support/builders';
import { exampleProject, type ExampleProject } from './support/example-project';
import { request } from './support/http-client';
import { createKey } from './support/key-builders';
import { startAdminApi, startVerify, type RunningHttpApp } from './support/running-apps';

const BUILD_TIMEOUT_MS = 180_000;

describe('examples/nestjs-service', () => {
  let admin: RunningHttpApp;
  let verify: RunningHttpApp;
  let tenant: TestTenant;
  let project: ExampleProject | undefined;
  let url: string;

  beforeAll(async () => {
    [admin, verify] = await Promise.all([startAdminApi(), startVerify()]);
    tenant = await createTenant(admin.url);
    project = await exampleProject('nestjs-service', [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/platform-fastify',
      'reflect-metadata',
      'rxjs',
      '@types/node',
      'typescript',
    ]);
    // The README's `npm run build`: the project's own tsc and tsconfig.json.
    const { dir } = project;
    const compiled = await promisify(execFile)(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
      cwd: dir,
    }).catch((error: { stdout?: string; stderr?: string }) => error);
    if ('code' in compiled) throw new Error(`tsc failed on examples/nestjs-service:\n${compiled.stdout}${compiled.stderr}`);
    url = await project.start('dist/main.js', { KEYWARD_VERIFY_URL: verify.url, KEYWARD_VERIFIER_TOKEN: tenant.verifier });
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    project?.remove();
    await Promise.all([admin?.close(), verify?.close()]);
  });

  it('serves /health to anyone and /orders to a key granting orders:read, refusing others as forward auth does', async () => {
    expect((await request(url, 'GET', '/health')).body).toEqual({ status: 'ok' });
    const reader = await createKey(admin.url, tenant.admin, { ownerId: 'customer-7', scopes: ['orders:read'] });
    const other = await createKey(admin.url, tenant.admin, { scopes: ['reports:read'] });

    const read = await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${reader.key}` } });
    expect({ status: read.status, body: read.body }).toEqual({ status: 200, body: { ownerId: 'customer-7', orders: [] } });
    const refused = await request(url, 'GET', '/orders', { headers: { 'x-api-key': other.key } });
    expect({ status: refused.status, code: refused.headers.get('keyward-code') }).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
    const none = await request(url, 'GET', '/orders');
    expect({ status: none.status, challenge: none.headers.get('www-authenticate') }).toEqual({ status: 401, challenge: 'Bearer' });
    const flipped = reader.key.slice(0, -1) + (reader.key.endsWith('a') ? 'b' : 'a');
    const bad = await request(url, 'GET', '/orders', { headers: { authorization: `Bearer ${flipped}` } });
    expect({ status: bad.status, challenge: bad.headers.get('www-authenticate') }).toEqual({
      status: 401,
      challenge: 'Bearer error="invalid_token"',
    });
  });

  it('charges POST /orders 5 credits of a key granting orders:write, and refuses it once they are spent', async () => {
    const writer = await createKey(admin.url, tenant.admin, { ownerId: 'customer-8', scopes: ['orders:*'], remaining: 7 });
    const headers = { authorization: `Bearer ${writer.key}` };
    const created = await request(url, 'POST', '/orders', { headers, body: { item: 'tea' } });
    expect({ status: created.status, body: created.body }).toEqual({
      status: 201,
      body: { order: { id: expect.any(Number), ownerId: 'customer-8', item: 'tea' }, creditsLeft: 2 },
    });
    const listed = await request(url, 'GET', '/orders', { headers });
    expect(listed.body.orders).toEqual([created.body.order]);
    const spent = await request(url, 'POST', '/orders', { headers, body: { item: 'cake' } });
    expect({ status: spent.status, code: spent.headers.get('keyward-code') }).toEqual({ status: 429, code: 'USAGE_EXCEEDED' });
  });
});
