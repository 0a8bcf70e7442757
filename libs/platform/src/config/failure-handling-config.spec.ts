// The configuration of how the services ride out faults (docs/failure-modes.md): verify's cache
// safety TTL and how often the worker checks its job schedules.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadKeywardConfig } from './keyward-config';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keyward-config-spec-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://keyward:db-password@db.internal:5432/keyward',
    REDIS_URL: 'redis://cache.internal:6379',
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PEPPER: randomBytes(32).toString('base64'),
    KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PLATFORM_ADMIN_TOKEN: `kwp_${randomBytes(24).toString('base64url')}`,
    ...overrides,
  };
}

function refusal(overrides: Record<string, string>): ConfigError {
  try {
    loadKeywardConfig(env(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadKeywardConfig accepted the environment');
}

describe('VERIFY_CACHE_TTL_MS', () => {
  it('is 60 s unless set, and takes 100 ms to an hour', () => {
    expect(loadKeywardConfig(env()).verifyCacheTtlMs).toBe(60_000);
    expect(loadKeywardConfig(env({ VERIFY_CACHE_TTL_MS: '1500' })).verifyCacheTtlMs).toBe(1_500);
    expect(loadKeywardConfig(env({ VERIFY_CACHE_TTL_MS: '100' })).verifyCacheTtlMs).toBe(100);
    expect(loadKeywardConfig(env({ VERIFY_CACHE_TTL_MS: '3600000' })).verifyCacheTtlMs).toBe(3_600_000);
  });

  it.each(['99', '3600001', '1.5', '-1', '1s'])('refuses %s, naming the variable', (value) => {
    const error = refusal({ VERIFY_CACHE_TTL_MS: value });
    expect(error.variable).toBe('VERIFY_CACHE_TTL_MS');
    expect(error.message).toContain('VERIFY_CACHE_TTL_MS');
  });
});

describe('JOB_SCHEDULE_CHECK_SECONDS', () => {
  it('is 30 s unless set, and takes 1 s to an hour', () => {
    expect(loadKeywardConfig(env()).jobScheduleCheckSeconds).toBe(30);
    expect(loadKeywardConfig(env({ JOB_SCHEDULE_CHECK_SECONDS: '1' })).jobScheduleCheckSeconds).toBe(1);
    expect(loadKeywardConfig(env({ JOB_SCHEDULE_CHECK_SECONDS: '3600' })).jobScheduleCheckSeconds).toBe(3_600);
  });

  it.each(['0', '3601', 'often'])('refuses %s, naming the variable', (value) => {
    expect(refusal({ JOB_SCHEDULE_CHECK_SECONDS: value }).variable).toBe('JOB_SCHEDULE_CHECK_SECONDS');
  });
});
