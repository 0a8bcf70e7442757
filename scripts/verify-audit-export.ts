// Offline proof that an audit export extends a kept checkpoint (docs/auditing.md, Checkpoints):
//
//   node dist/scripts/verify-audit-export.js <export.ndjson> <checkpoint.json> <jwks.json>
//   (or, without a build: node -r ./test/support/ts-register.js scripts/verify-audit-export.ts ...)
//
// 1. The checkpoint's Ed25519 signature, over the RFC 8785 canonical JSON of its other fields, with
//    the key of the JWKS its keyId names (and that kid must be the key's RFC 7638 thumbprint).
// 2. The export's hash chain, recomputed from seq 1: hash = SHA-256 hex of prevHash + "\n" + JCS(event
//    without prevHash and hash).
// 3. The export's event at the checkpoint's seq has exactly the checkpoint's headHash.
// Exit code 0 when all three hold, else 1 (a file that cannot be read included).
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { checkpointSigningInput, type AuditCheckpoint } from '../libs/audit/src/domain/audit-checkpoint';
import type { AuditEvent } from '../libs/audit/src/domain/audit-event';
import { ChainVerifier } from '../libs/audit/src/domain/hash-chain';
import { thumbprintOf, type Jwks } from '../libs/signing/src/domain/ed25519-key';

class UsageError extends Error {}

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

/** Why the checkpoint's signature does not verify, or null when it does. */
function signatureProblem(checkpoint: AuditCheckpoint, jwks: Jwks): string | null {
  const jwk = jwks.keys?.find((key) => key.kid === checkpoint.keyId);
  if (!jwk) return `the JWKS has no key ${checkpoint.keyId}`;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return `key ${jwk.kid} is not an Ed25519 key`;
  if (thumbprintOf(jwk.x) !== jwk.kid) return `key ${jwk.kid} is not named by its thumbprint`;
  const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JsonWebKey, format: 'jwk' });
  const signed = verify(null, checkpointSigningInput(checkpoint), publicKey, Buffer.from(checkpoint.signature ?? '', 'base64url'));
  return signed ? null : 'the signature does not match the checkpoint';
}

async function main(args: string[]): Promise<number> {
  if (args.length !== 3) throw new UsageError('usage: verify-audit-export <export.ndjson> <checkpoint.json> <jwks.json>');
  const [exportPath, checkpointPath, jwksPath] = args;
  const checkpoint = readJson<AuditCheckpoint>(checkpointPath, 'checkpoint');
  const jwks = readJson<Jwks>(jwksPath, 'JWKS');
  const say = (line: string): void => void process.stdout.write(`${line}\n`);

  say(`checkpoint: tenant ${checkpoint.tenantId}, seq ${checkpoint.seq}, headHash ${checkpoint.headHash}, issued ${checkpoint.issuedAt}`);
  const badSignature = signatureProblem(checkpoint, jwks);
  say(badSignature ? `signature:  INVALID (${badSignature})` : `signature:  valid (Ed25519, key ${checkpoint.keyId})`);

  const verifier = new ChainVerifier({ seq: checkpoint.seq, hash: checkpoint.headHash });
  let atCheckpoint: string | undefined;
  const lines = createInterface({ input: createReadStream(exportPath, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      throw new UsageError(`line ${lineNumber} of ${exportPath} is not JSON`);
    }
    if (event.seq === checkpoint.seq) atCheckpoint = event.hash;
    if (!verifier.add(event)) break;
  }
  const chain = verifier.verdict();
  say(
    chain.valid
      ? `chain:      valid, ${chain.count} events, head ${chain.headHash}`
      : `chain:      BROKEN at seq ${chain.brokenAtSeq} (recomputed from seq 1; export the whole log, without from or to)`,
  );

  const extendsCheckpoint = verifier.extendsCheckpoint();
  if (extendsCheckpoint) say(`extends:    yes, the export's event ${checkpoint.seq} has the checkpoint's hash`);
  else if (!chain.valid) say('extends:    NO, the chain itself does not verify');
  else if (atCheckpoint === undefined) say(`extends:    NO, the export has no event ${checkpoint.seq}`);
  else say(`extends:    NO, the export's event ${checkpoint.seq} has hash ${atCheckpoint}: history was rewritten after the checkpoint`);

  const ok = badSignature === null && extendsCheckpoint;
  say(ok ? 'OK: the export extends the signed checkpoint' : 'FAILED: the export does not extend a validly signed checkpoint');
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof UsageError ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
