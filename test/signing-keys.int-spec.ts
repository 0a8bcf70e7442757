// The signing key ring (libs/signing) on the real PostgreSQL, as the app role: racing processes make
// one first key and rotate an old key once; each purpose has its own keys; a retired key stays in
// the JWKS for as long as its purpose asks (for ever for audit checkpoints).
import { SecretBox } from '@keyward/platform';
import { SigningKeyRing } from '@keyward/signing';
import { DataSource } from 'typeorm';
import { SigningKeysRepository } from '../libs/signing/src/signing-keys.repository';
import { sql, useOwnDatabase } from './support/database';
import { TEST_ENCRYPTION_KEY } from './support/test-config';

const THIRTY_DAYS = 30 * 24 * 60 * 60;

describe('signing key ring (PostgreSQL)', () => {
  let dropOwnDatabase: () => Promise<void>;
  const dataSources: DataSource[] = [];
  /** Two rings, as two processes would hold them: each its own pool and its own opened keys. */
  let rings: SigningKeyRing[];

  beforeAll(async () => {
    // Its own database: the tests start from no key at all.
    dropOwnDatabase = await useOwnDatabase();
    const box = new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'));
    rings = await Promise.all(
      [1, 2].map(async () => {
        const dataSource = await new DataSource({ type: 'postgres', url: process.env.KEYWARD_TEST_APP_URL }).initialize();
        dataSources.push(dataSource);
        return new SigningKeyRing(new SigningKeysRepository(dataSource), box);
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
    await dropOwnDatabase?.();
  });

  const keysOf = (purpose: string) =>
    sql<{ kid: string; retired: boolean }>(
      'owner',
      'SELECT kid, retired_at IS NOT NULL AS retired FROM signing_keys WHERE purpose = $1 ORDER BY created_at',
      [purpose],
    );

  it('makes one first key however many signers race for it', async () => {
    const signers = await Promise.all(Array.from({ length: 20 }, (_, i) => rings[i % 2].signer('audit')));

    const keys = await keysOf('audit');
    expect(keys).toEqual([{ kid: signers[0].keyId, retired: false }]);
    expect(new Set(signers.map((signer) => signer.keyId))).toEqual(new Set([keys[0].kid]));
    expect((await rings[1].jwks('audit')).keys.map((key) => key.kid)).toEqual([keys[0].kid]);
  });

  it('leaves a young key alone and rotates an old one once, however many checks race', async () => {
    const [young] = await keysOf('audit');
    expect(await rings[0].rotate('audit', { ifOlderThanSeconds: THIRTY_DAYS })).toBe(young.kid);

    await sql('owner', `UPDATE signing_keys SET created_at = now() - interval '31 days' WHERE kid = $1`, [young.kid]);
    const current = await Promise.all(
      Array.from({ length: 8 }, (_, i) => rings[i % 2].rotate('audit', { ifOlderThanSeconds: THIRTY_DAYS })),
    );

    const keys = await keysOf('audit');
    expect(keys).toEqual([
      { kid: young.kid, retired: true },
      { kid: current[0], retired: false },
    ]);
    expect(new Set(current)).toEqual(new Set([current[0]]));
    // The retired key still verifies what it signed: its public half stays published.
    expect((await rings[0].jwks('audit')).keys.map((key) => key.kid)).toEqual([young.kid, current[0]]);
    expect((await rings[0].signer('audit')).keyId).toBe(current[0]);
  });

  it("keeps each purpose's keys apart, and unpublishes a retired key when its purpose asks", async () => {
    const first = (await rings[0].signer('principal')).keyId;
    const second = await rings[1].rotate('principal', { publishRetiredForSeconds: 0 });

    expect((await rings[0].jwks('principal')).keys.map((key) => key.kid)).toEqual([second]);
    expect(await keysOf('principal')).toEqual([
      { kid: first, retired: true },
      { kid: second, retired: false },
    ]);
    const auditKids = (await rings[0].jwks('audit')).keys.map((key) => key.kid);
    expect(auditKids).not.toContain(first);
    expect(auditKids).not.toContain(second);
  });
});
