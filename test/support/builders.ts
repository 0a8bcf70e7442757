// One line per thing a test needs: a tenant, a credential of a role, through the public API.
import type { CredentialRole } from '@keyward/platform';
import { randomUUID } from 'node:crypto';
import { client } from './http-client';
import { TEST_PLATFORM_TOKEN } from './test-config';

export interface TestTenant {
  id: string;
  name: string;
  /** Tokens of one credential per role, made with the tenant. */
  admin: string;
  auditor: string;
  verifier: string;
}

export async function createTenant(adminUrl: string, name = `tenant-${randomUUID().slice(0, 8)}`): Promise<TestTenant> {
  const platform = client(adminUrl, TEST_PLATFORM_TOKEN);
  const created = await platform.post('/v1/tenants', { name });
  if (created.status !== 201) throw new Error(`tenant create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id: string = created.body.id;
  const tokens = {} as Record<CredentialRole, string>;
  for (const role of ['admin', 'auditor', 'verifier'] as const) {
    tokens[role] = (await createCredential(adminUrl, id, role)).token;
  }
  return { id, name, ...tokens };
}

export async function createCredential(
  adminUrl: string,
  tenantId: string,
  role: CredentialRole,
  name = `${role}-cred`,
): Promise<{ id: string; token: string }> {
  const created = await client(adminUrl, TEST_PLATFORM_TOKEN).post(`/v1/tenants/${tenantId}/credentials`, { name, role });
  if (created.status !== 201) throw new Error(`credential create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return { id: created.body.id, token: created.body.token };
}
