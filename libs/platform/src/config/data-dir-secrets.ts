import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A 32-byte secret kept in `<dataDir>/secrets/<name>` (base64), made on first use. Several processes
 * start at once, so creation is exclusive ('wx'): the loser of the race reads the winner's file.
 */
export function loadOrCreateSecret(dataDir: string, name: string): Buffer {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (secret.length !== 32) throw new Error(`The secret file ${file} does not hold 32 bytes in base64`);
  return secret;
}
