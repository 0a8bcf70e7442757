import { ValidationFailedError } from '@keyward/platform';
import { checkWebhookUrl, nonPublicRangeOf, type AddressResolver, type WebhookUrlPolicy } from './webhook-url';

const STRICT: WebhookUrlPolicy = { allowHttp: false, allowPrivate: false };
const ALLOW_HTTP: WebhookUrlPolicy = { allowHttp: true, allowPrivate: false };
const ALLOW_PRIVATE: WebhookUrlPolicy = { allowHttp: false, allowPrivate: true };

/** A strict fake DNS: the names it was given, and a failed test for any name nobody set up. */
function resolverOf(records: Record<string, string[]>): AddressResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<string[]> => {
    asked.push(hostname);
    const addresses = records[hostname];
    if (!addresses) throw new Error(`unexpected DNS lookup of ${hostname}`);
    return addresses;
  };
  return Object.assign(resolve, { asked });
}

const DNS = resolverOf({
  'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  localhost: ['127.0.0.1', '::1'],
  'internal.example.com': ['10.1.2.3'],
  'split.example.com': ['93.184.216.34', '192.168.0.7'],
  'metadata.example.com': ['169.254.169.254'],
  'nowhere.example.com': [],
});

/** The message of the `url` field error a refusal carries. */
async function refusal(url: string, policy: WebhookUrlPolicy, resolve: AddressResolver = DNS): Promise<string> {
  const error = await checkWebhookUrl(url, policy, resolve).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ValidationFailedError))
    throw new Error(`expected ${url} to be refused with a validation error, got ${String(error)}`);
  expect(error.fieldErrors).toHaveLength(1);
  expect(error.fieldErrors[0].field).toBe('url');
  return error.fieldErrors[0].message;
}

describe('webhook URL', () => {
  it.each([
    ['a public host name', 'https://hooks.example.com/keyward', STRICT],
    ['a public IPv4 address', 'https://93.184.216.34/hook', STRICT],
    ['a public IPv6 address', 'https://[2606:2800:220:1:248:1893:25c8:1946]/hook', STRICT],
    ['a port, a query and a fragment', 'https://hooks.example.com:8443/in?team=7#x', STRICT],
    ['http where http is allowed', 'http://hooks.example.com/keyward', ALLOW_HTTP],
  ])('accepts %s', async (_case, url, policy) => {
    await expect(checkWebhookUrl(url, policy, DNS)).resolves.toBeInstanceOf(URL);
  });

  it('returns the URL as the WHATWG parser normalises it', async () => {
    const url = await checkWebhookUrl('HTTPS://Hooks.Example.COM', STRICT, DNS);

    expect(url.href).toBe('https://hooks.example.com/');
  });

  it.each([
    ['http without allowHttp', 'http://hooks.example.com/x', STRICT, /must use https$/],
    ['ftp', 'ftp://hooks.example.com/x', ALLOW_HTTP, /must use https or http/],
    ['file', 'file:///etc/passwd', ALLOW_HTTP, /must use https or http/],
    ['javascript', 'javascript:alert(1)', STRICT, /must use https/],
    ['a relative URL', '/hooks/keyward', STRICT, /absolute URL/],
    ['text that is no URL', 'not a url', STRICT, /absolute URL/],
    ['the empty string', '', STRICT, /absolute URL/],
    ['a user and password', 'https://user:pass@hooks.example.com/x', STRICT, /credentials/],
    ['a user alone', 'https://user@hooks.example.com/x', STRICT, /credentials/],
    ['a URL over 2048 characters', `https://hooks.example.com/${'a'.repeat(2048)}`, STRICT, /at most 2048/],
    ['port 0 on an address', 'http://1.1.1.1:0/', ALLOW_HTTP, /port 0/],
    ['port 0 on a name', 'https://hooks.example.com:0/x', STRICT, /port 0/],
    ['port 0 written with zeros', 'https://hooks.example.com:000/x', STRICT, /port 0/],
    ['port 0 where private addresses are allowed', 'https://127.0.0.1:0/x', ALLOW_PRIVATE, /port 0/],
  ])('refuses %s', async (_case, url, policy, message) => {
    expect(await refusal(url, policy)).toMatch(message);
  });

  it('accepts a URL of exactly 2048 characters', async () => {
    const base = 'https://hooks.example.com/';
    await expect(checkWebhookUrl(base + 'a'.repeat(2048 - base.length), STRICT, DNS)).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['IPv4 loopback', 'https://127.0.0.1/x', 'loopback'],
    ['IPv4 loopback elsewhere in 127/8', 'https://127.8.9.10/x', 'loopback'],
    ['IPv4 loopback written as one number', 'https://2130706433/x', 'loopback'],
    ['IPv4 loopback in hexadecimal', 'https://0x7f.0.0.1/x', 'loopback'],
    ['IPv6 loopback', 'https://[::1]/x', 'loopback'],
    ['localhost', 'https://localhost/x', 'loopback'],
    ['10/8', 'https://10.0.0.5/x', 'private'],
    ['192.168/16', 'https://192.168.1.20/x', 'private'],
    ['172.16/12', 'https://172.16.0.1/x', 'private'],
    ['172.31/16, the end of 172.16/12', 'https://172.31.255.254/x', 'private'],
    ['169.254/16', 'https://169.254.10.10/x', 'link-local'],
    ['IPv6 link-local', 'https://[fe80::1]/x', 'link-local'],
    ['IPv6 unique-local', 'https://[fc00::1]/x', 'unique-local'],
    ['IPv6 unique-local fd00::/8', 'https://[fd12:3456::1]/x', 'unique-local'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/x', 'loopback'],
    ['IPv4-mapped IPv6 private', 'https://[::ffff:10.0.0.1]/x', 'private'],
    ['0.0.0.0', 'https://0.0.0.0/x', 'unspecified'],
    ['::', 'https://[::]/x', 'unspecified'],
    ['carrier-grade NAT', 'https://100.64.0.1/x', 'carrier-grade NAT'],
    ['IPv4 multicast', 'https://224.0.0.1/x', 'multicast'],
    ['IPv6 multicast', 'https://[ff02::1]/x', 'multicast'],
    ['broadcast', 'https://255.255.255.255/x', 'broadcast'],
    ['240/4', 'https://240.0.0.1/x', 'reserved'],
    ['documentation addresses', 'https://192.0.2.10/x', 'reserved'],
    ['IPv4-compatible IPv6 loopback', 'https://[::127.0.0.1]/x', 'reserved'],
    ['NAT64 of loopback', 'https://[64:ff9b::7f00:1]/x', 'reserved'],
    ['6to4 of loopback', 'https://[2002:7f00:1::1]/x', 'reserved'],
    ['a name resolving to a private address', 'https://internal.example.com/x', 'private'],
    ['a name resolving to cloud metadata', 'https://metadata.example.com/x', 'link-local'],
    ['a name with one public and one private address', 'https://split.example.com/x', 'private'],
  ])('refuses %s unless private addresses are allowed', async (_case, url, range) => {
    expect(await refusal(url, STRICT)).toBe(`must not resolve to a non-public address (${range})`);
    await expect(checkWebhookUrl(url, ALLOW_PRIVATE, DNS)).resolves.toBeInstanceOf(URL);
  });

  it('does not echo the address a name resolved to', async () => {
    expect(await refusal('https://internal.example.com/x', STRICT)).not.toContain('10.1.2.3');
  });

  it.each([STRICT, ALLOW_PRIVATE])('refuses a name that does not resolve (%j)', async (policy) => {
    expect(await refusal('https://nowhere.example.com/x', policy)).toBe('does not resolve');
  });

  it('looks up a host name, never an address literal', async () => {
    const dns = resolverOf({ 'hooks.example.com': ['93.184.216.34'] });

    await checkWebhookUrl('https://93.184.216.34/x', STRICT, dns);
    await checkWebhookUrl('https://[2606:2800:220:1:248:1893:25c8:1946]/x', STRICT, dns);
    await checkWebhookUrl('https://hooks.example.com/x', STRICT, dns);

    expect(dns.asked).toEqual(['hooks.example.com']);
  });

  it('checks the scheme and credentials before asking DNS', async () => {
    const dns = resolverOf({});

    expect(await refusal('http://unknown.example.com/x', STRICT, dns)).toMatch(/https/);
    expect(await refusal('https://a:b@unknown.example.com/x', STRICT, dns)).toMatch(/credentials/);
    expect(dns.asked).toEqual([]);
  });

  it('lets a resolver failure through as a fault, not as a refusal', async () => {
    const broken: AddressResolver = () => Promise.reject(new Error('resolver crashed'));

    await expect(checkWebhookUrl('https://hooks.example.com/x', STRICT, broken)).rejects.toThrow('resolver crashed');
  });
});

describe('non-public ranges', () => {
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:93.184.216.34'])('calls %s public', (address) => {
    expect(nonPublicRangeOf(address)).toBeNull();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.255.255.255', 'private'],
    ['172.15.255.255', null],
    ['172.32.0.0', null],
    ['169.254.169.254', 'link-local'],
    ['fc00::', 'unique-local'],
    ['2001:db8::1', 'reserved'],
    ['not an address', 'unrecognised'],
  ])('calls %s %p', (address, range) => {
    expect(nonPublicRangeOf(address)).toBe(range);
  });
});
