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
