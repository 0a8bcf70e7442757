import { loadKeywardConfig, type KeywardConfig } from '@keyward/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_PLATFORM_TOKEN = 'kwp_test-platform-operator-token-0123456789abcdef';

/**
 * The run's one pepper and encryption key (32 bytes each, base64). Every app of a run gets these,
 * in-process or spawned (support/spawn-app.ts), in every jest worker: a key or credential made
 * through one of them verifies on any other, and tests can recompute the stored HMACs.
 */
export const TEST_PEPPER = 'a2V5d2FyZC10ZXN0LXBlcHBlci0wMTIzNDU2Nzg5YWI=';
export const TEST_ENCRYPTION_KEY = 'a2V5d2FyZC10ZXN0LWVuY3J5cHRpb24ta2V5LTAxMjM=';

/** A webhook host name for valid URLs in tests: the services resolve it to 127.0.0.1 (KEYWARD_WEBHOOK_HOSTS). */
export const TEST_WEBHOOK_HOST = 'hooks.example.test';

const dataDir = mkdtempSync(join(tmpdir(), 'keyward-test-'));
// Removed when the jest worker that made it exits.
process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));

/** The environment the services get in tests: the run's database and Redis, its secrets, ephemeral ports. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_APP_URL: process.env.KEYWARD_TEST_APP_URL ?? '',
    REDIS_URL: process.env.KEYWARD_TEST_REDIS_URL ?? '',
    REDIS_KEY_PREFIX: process.env.KEYWARD_TEST_REDIS_PREFIX ?? '',
    KEYWARD_DATA_DIR: dataDir,
    PLATFORM_ADMIN_TOKEN: TEST_PLATFORM_TOKEN,
    KEYWARD_PEPPER: TEST_PEPPER,
    KEYWARD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ADMIN_PORT: '0',
    VERIFY_PORT: '0',
    WORKER_PORT: '0',
    // Warnings and errors, as JSON lines (tests read them), whether or not jest runs in a terminal.
    // Nothing reaches the terminal unless a test fails: a spawned process's output is captured
    // (support/spawn-app.ts), the in-process apps write to the environment's sink (support/log-sink.ts).
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    // The whole run shares one Redis prefix and one platform token: only the rate-limit tests
    // set a low limit (per credential per minute), every other suite must not trip it.
    ADMIN_RATE_LIMIT_PER_MINUTE: '1000000',
    // Tests reach webhook receivers on 127.0.0.1 over plain http (docs/api.md, Webhooks).
    KEYWARD_WEBHOOK_ALLOW_PRIVATE: '1',
    KEYWARD_WEBHOOK_ALLOW_HTTP: '1',
    // And nothing else: the sender refuses every address that is not loopback, at the socket, so
    // no test can send a delivery off the machine. Valid URLs name hooks.example.test, which
    // resolves to 127.0.0.1 here (docs/input-validation.md).
    KEYWARD_WEBHOOK_LOOPBACK_ONLY: '1',
    KEYWARD_WEBHOOK_HOSTS: `${TEST_WEBHOOK_HOST}=127.0.0.1`,
    ...overrides,
  };
}

/** The configuration the services get in tests (see testEnv). */
export function testConfig(overrides: Record<string, string> = {}): KeywardConfig {
  return loadKeywardConfig(testEnv(overrides));
}
