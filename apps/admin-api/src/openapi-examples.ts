// The values the admin API's OpenAPI examples show, in one place so that they agree with each
// other: the key a create example makes is the one the get example reads.
import { checksumOf, EXAMPLE_REQUEST_ID } from '@keyward/platform';

/** A secret of the right shape and checksum for `head`, plainly an example. */
function exampleSecret(head: string, body: string): string {
  return `${head}${body}${checksumOf(head + body)}`;
}

export const EXAMPLE = {
  tenantId: '0b7c6f1e-2d4a-4e8b-9c3f-5a6d7e8f9a0b',
  credentialId: '5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c',
  credentialToken: exampleSecret('kwc_', 'ExampleCredential000000000000000'),
  keyId: '8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d',
  previousKeyId: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d',
  key: exampleSecret('kw_live_', 'ExampleKey0000000000000000000000'),
  keyStart: 'kw_live_Exam',
  webhookId: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
  webhookSecret: 'whsec_a2V5d2FyZC1vcGVuYXBpLWV4YW1wbGUtc2VjcmV0LTE=',
  deliveryId: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a',
  auditEventId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  jobId: 'rotation_1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b',
  createdAt: '2026-01-15T09:30:00.000Z',
  updatedAt: '2026-01-15T09:30:00.000Z',
  lastUsedAt: '2026-01-15T10:30:12.000Z',
  /** Future, as every expiresAt a request sets must be. */
  expiresAt: '2035-01-01T00:00:00.000Z',
  hash: 'c7d1f4b2a9e85f3d6c0b1a2e4f6d8c0b9a7e5d3c1b2a4f6e8d0c9b7a5e3d1f2a',
  requestId: EXAMPLE_REQUEST_ID,
} as const;
