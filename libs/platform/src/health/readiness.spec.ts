// What /readyz answers from the checks (docs/failure-modes.md): ready, degraded (a check the
// service serves without is down: still 200) or not ready (a check it needs is down, or stopping).
import type { DataSource } from 'typeorm';
import type { RedisClient } from '../redis/redis-connection';
import { Readiness } from './readiness';

function readiness(postgresUp: boolean, redisUp: boolean): Readiness {
  const dataSource = {
    query: async () => (postgresUp ? [{ '?column?': 1 }] : Promise.reject(new Error('connect ECONNREFUSED'))),
  } as unknown as DataSource;
  const redis = { ping: async () => (redisUp ? 'PONG' : Promise.reject(new Error('Connection is closed.'))) } as unknown as RedisClient;
  return new Readiness(dataSource, redis);
}

describe('Readiness', () => {
  it('is ready when every check is up', async () => {
    expect(await readiness(true, true).check()).toEqual({
      ready: true,
      status: 'ready',
      checks: { postgres: 'up', redis: 'up', process: 'up' },
    });
  });

  it('is not ready when a check it needs is down (both are, unless the service says otherwise)', async () => {
    expect(await readiness(false, true).check()).toMatchObject({ ready: false, status: 'not_ready', checks: { postgres: 'down' } });
    expect(await readiness(true, false).check()).toMatchObject({ ready: false, status: 'not_ready', checks: { redis: 'down' } });
  });

  it('is degraded, and still ready, when only checks it serves without are down', async () => {
    const verify = readiness(false, false);
    verify.setRequired('postgres', false);
    verify.setRequired('redis', false);
    expect(await verify.check()).toEqual({ ready: true, status: 'degraded', checks: { postgres: 'down', redis: 'down', process: 'up' } });
  });

  it('takes checks of the service, which may say false or take too long', async () => {
    const worker = readiness(true, true);
    worker.addCheck('schedules', async () => false);
    expect(await worker.check()).toMatchObject({ ready: false, status: 'not_ready', checks: { schedules: 'down' } });
    worker.addCheck('schedules', () => new Promise(() => undefined));
    const started = Date.now();
    expect(await worker.check()).toMatchObject({ ready: false, checks: { schedules: 'down' } });
    expect(Date.now() - started).toBeLessThan(1_500);
    worker.addCheck('schedules', async () => true);
    expect(await worker.check()).toMatchObject({ ready: true, checks: { schedules: 'up' } });
  });

  it('is not ready once stopping, whatever its checks say', async () => {
    const verify = readiness(true, true);
    verify.setRequired('postgres', false);
    verify.markStopping();
    expect(await verify.check()).toMatchObject({ ready: false, status: 'not_ready', checks: { process: 'down' } });
  });

  it('refuses to relax a check that does not exist', () => {
    expect(() => readiness(true, true).setRequired('schedules', false)).toThrow('No readiness check named schedules');
  });
});
