import { createHash } from 'node:crypto';
import type { AuditEvent, AuditEventBody } from './audit-event';
import { bodyOf, ChainVerifier, GENESIS_HASH, hashEvent } from './hash-chain';

function chainOf(count: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const body: AuditEventBody = {
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      seq,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      actor: { type: 'platform', id: 'platform' },
      action: 'tenant.created',
      target: { type: 'tenant', id: 't' },
      requestId: `r${seq}`,
      ip: '127.0.0.1',
      details: { name: `n${seq}`, nested: { b: 1, a: [true, null] } },
    };
    const hash = hashEvent(prevHash, body);
    events.push({ ...body, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('hash chain', () => {
  it('hashes prevHash, a newline and the canonical JSON with sorted keys', () => {
    const body: AuditEventBody = {
      seq: 1,
      id: 'x',
      occurredAt: '2026-01-01T00:00:00.000Z',
      actor: { type: 'platform', id: 'platform' },
      action: 'tenant.created',
      target: { type: 'tenant', id: 't' },
      requestId: null,
      ip: null,
      details: { z: 1, a: 'é' },
    };
    const expectedJson =
      '{"action":"tenant.created","actor":{"id":"platform","type":"platform"},"details":{"a":"é","z":1},"id":"x",' +
      '"ip":null,"occurredAt":"2026-01-01T00:00:00.000Z","requestId":null,"seq":1,"target":{"id":"t","type":"tenant"}}';
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${expectedJson}`, 'utf8').digest('hex');
    expect(hashEvent(GENESIS_HASH, body)).toBe(expected);
  });

  it('accepts an intact chain and reports its count and head', () => {
    const events = chainOf(5);
    const verifier = new ChainVerifier();
    events.forEach((event) => verifier.add(event));
    expect(verifier.verdict()).toEqual({ valid: true, count: 5, headHash: events[4].hash });
  });

  it('accepts an empty chain', () => {
    expect(new ChainVerifier().verdict()).toEqual({ valid: true, count: 0, headHash: GENESIS_HASH });
  });

  it.each([
    ['changed details', (e: AuditEvent[]) => (e[2].details = { name: 'forged' })],
    ['changed action', (e: AuditEvent[]) => (e[2].action = 'tenant.suspended')],
    ['recomputed hash without relinking', (e: AuditEvent[]) => (e[2].hash = hashEvent(e[2].prevHash, { ...e[2], details: {} }))],
  ])('finds the first broken seq after %s', (_name, tamper) => {
    const events = chainOf(5);
    tamper(events);
    const verifier = new ChainVerifier();
    events.forEach((event) => verifier.add(event));
    expect(verifier.verdict()).toEqual({ valid: false, brokenAtSeq: 3 });
  });

  it('finds a gap in seq', () => {
    const events = chainOf(5);
    const verifier = new ChainVerifier();
    [events[0], events[1], events[3], events[4]].forEach((event) => verifier.add(event));
    expect(verifier.verdict()).toEqual({ valid: false, brokenAtSeq: 3 });
  });
});

describe('hash chain against a kept checkpoint', () => {
  const verified = (events: AuditEvent[], checkpoint: { seq: number; hash: string }) => {
    const verifier = new ChainVerifier(checkpoint);
    events.forEach((event) => verifier.add(event));
    return { ...verifier.verdict(), extendsCheckpoint: verifier.extendsCheckpoint() };
  };

  it('extends a checkpoint whose event it holds with that hash, its own head included', () => {
    const events = chainOf(5);
    expect(verified(events, { seq: 3, hash: events[2].hash })).toMatchObject({ valid: true, extendsCheckpoint: true });
    expect(verified(events, { seq: 5, hash: events[4].hash })).toMatchObject({ valid: true, extendsCheckpoint: true });
    expect(verified(events, { seq: 0, hash: GENESIS_HASH })).toMatchObject({ valid: true, extendsCheckpoint: true });
  });

  it('does not extend a checkpoint after a rewrite that recomputed every later hash', () => {
    const original = chainOf(5);
    const checkpoint = { seq: 4, hash: original[3].hash };
    // The rewrite: event 2's details changed, every hash from there on recomputed and relinked.
    const rewritten = chainOf(5);
    rewritten[1].details = { name: 'forged' };
    for (let i = 1; i < rewritten.length; i++) {
      rewritten[i].prevHash = rewritten[i - 1].hash;
      rewritten[i].hash = hashEvent(rewritten[i].prevHash, bodyOf(rewritten[i]));
    }
    expect(verified(rewritten, checkpoint)).toMatchObject({ valid: true, count: 5, extendsCheckpoint: false });
  });

  it.each([
    ['a seq beyond the head', (events: AuditEvent[]) => ({ seq: 6, hash: events[4].hash })],
    ['another hash at the seq', (events: AuditEvent[]) => ({ seq: 2, hash: events[3].hash })],
    ['the empty chain with another hash', () => ({ seq: 0, hash: 'f'.repeat(64) })],
  ])('does not extend %s', (_name, pointOf) => {
    const events = chainOf(5);
    expect(verified(events, pointOf(events)).extendsCheckpoint).toBe(false);
  });

  it('extends nothing when the chain itself is broken, even past the checkpoint', () => {
    const events = chainOf(5);
    events[4].details = { name: 'forged' };
    expect(verified(events, { seq: 2, hash: events[1].hash })).toEqual({ valid: false, brokenAtSeq: 5, extendsCheckpoint: false });
  });
});
