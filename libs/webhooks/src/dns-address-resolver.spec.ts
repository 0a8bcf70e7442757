import { createWebhookAddressResolver, withFixedHosts } from './dns-address-resolver';

describe('webhook address resolution with fixed hosts (KEYWARD_WEBHOOK_HOSTS)', () => {
  const asked: string[] = [];
  const dns = async (hostname: string): Promise<string[]> => {
    asked.push(hostname);
    return ['127.0.0.9'];
  };
  const hosts = new Map([['hooks.example.test', ['127.0.0.1', '::1']]]);

  beforeEach(() => (asked.length = 0));

  it('answers a fixed name itself, without case and with a trailing dot, and asks DNS about no other', async () => {
    const resolve = withFixedHosts(hosts, dns);

    expect(await resolve('hooks.example.test')).toEqual(['127.0.0.1', '::1']);
    expect(await resolve('HOOKS.Example.TEST.')).toEqual(['127.0.0.1', '::1']);
    expect(asked).toEqual([]);
    expect(await resolve('other.example.test')).toEqual(['127.0.0.9']);
    expect(asked).toEqual(['other.example.test']);
  });

  it('hands out copies: a caller cannot change the fixed answers', async () => {
    const resolve = withFixedHosts(hosts, dns);
    (await resolve('hooks.example.test')).push('192.0.2.1');

    expect(await resolve('hooks.example.test')).toEqual(['127.0.0.1', '::1']);
  });

  it('is plain DNS without fixed hosts', () => {
    expect(withFixedHosts(new Map(), dns)).toBe(dns);
  });

  it('resolves the fixed names of the configuration', async () => {
    expect(await createWebhookAddressResolver({ webhookHosts: hosts })('hooks.example.test')).toEqual(['127.0.0.1', '::1']);
  });
});
