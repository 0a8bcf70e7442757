import { randomBytes } from 'node:crypto';
import { ConfigError, loadKeywardConfig } from './keyward-config';

const BASE = {
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://keyward@localhost/keyward',
  REDIS_URL: 'redis://localhost:6379',
  KEYWARD_PEPPER: randomBytes(32).toString('base64'),
  KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  PLATFORM_ADMIN_TOKEN: 'kwp_config-spec-platform-token-0123456789',
};

describe('webhook switches', () => {
  it('are off by default', () => {
    const config = loadKeywardConfig(BASE);

    expect(config.webhookAllowHttp).toBe(false);
    expect(config.webhookAllowPrivate).toBe(false);
  });

  it.each([
    ['', false],
    ['0', false],
    ['1', true],
  ])('read %p as %p', (value, expected) => {
    const config = loadKeywardConfig({ ...BASE, KEYWARD_WEBHOOK_ALLOW_HTTP: value, KEYWARD_WEBHOOK_ALLOW_PRIVATE: value });

    expect(config.webhookAllowHttp).toBe(expected);
    expect(config.webhookAllowPrivate).toBe(expected);
  });

  it.each([
    ['KEYWARD_WEBHOOK_ALLOW_HTTP', 'true'],
    ['KEYWARD_WEBHOOK_ALLOW_HTTP', 'yes'],
    ['KEYWARD_WEBHOOK_ALLOW_PRIVATE', '2'],
    ['KEYWARD_WEBHOOK_ALLOW_PRIVATE', ' 1'],
  ])('refuse %s=%p with an error naming the variable', (variable, value) => {
    const load = () => loadKeywardConfig({ ...BASE, [variable]: value });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(variable);
  });
});

describe('KEYWARD_WEBHOOK_LOOPBACK_ONLY', () => {
  it('is off by default and on with 1', () => {
    expect(loadKeywardConfig(BASE).webhookLoopbackOnly).toBe(false);
    expect(loadKeywardConfig({ ...BASE, KEYWARD_WEBHOOK_LOOPBACK_ONLY: '0' }).webhookLoopbackOnly).toBe(false);
    expect(loadKeywardConfig({ ...BASE, KEYWARD_WEBHOOK_LOOPBACK_ONLY: '1' }).webhookLoopbackOnly).toBe(true);
  });

  it('refuses another value with an error naming the variable', () => {
    const load = () => loadKeywardConfig({ ...BASE, KEYWARD_WEBHOOK_LOOPBACK_ONLY: 'yes' });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow('KEYWARD_WEBHOOK_LOOPBACK_ONLY');
  });
});

describe('KEYWARD_WEBHOOK_HOSTS', () => {
  it('is empty by default', () => {
    expect(loadKeywardConfig(BASE).webhookHosts.size).toBe(0);
    expect(loadKeywardConfig({ ...BASE, KEYWARD_WEBHOOK_HOSTS: '' }).webhookHosts.size).toBe(0);
  });

  it('maps names (lower-cased) to the addresses listed for them, in order', () => {
    const hosts = loadKeywardConfig({
      ...BASE,
      KEYWARD_WEBHOOK_HOSTS: 'Hooks.Example.test=127.0.0.1, hooks.example.test=::1,other.test=127.0.0.2',
    }).webhookHosts;

    expect([...hosts]).toEqual([
      ['hooks.example.test', ['127.0.0.1', '::1']],
      ['other.test', ['127.0.0.2']],
    ]);
  });

  it.each([
    'hooks.example.test',
    'hooks.example.test=',
    '=127.0.0.1',
    'hooks.example.test=localhost',
    'hooks.example.test=127.0.0.256',
    'a b=127.0.0.1',
    'x.test=127.0.0.1;y.test=127.0.0.1',
  ])('refuses %p with an error naming the variable', (value) => {
    const load = () => loadKeywardConfig({ ...BASE, KEYWARD_WEBHOOK_HOSTS: value });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow('KEYWARD_WEBHOOK_HOSTS');
  });
});
