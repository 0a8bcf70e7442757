import { checkDeliveryTarget } from './delivery-target';

const STRICT = { allowHttp: false, allowPrivate: false };
const LENIENT = { allowHttp: true, allowPrivate: true };

/** A strict fake DNS that counts its lookups and fails on any name nobody set up. */
function dnsOf(records: Record<string, string[]>) {
  let lookups = 0;
  const resolve = async (hostname: string) => {
    lookups++;
    const addresses = records[hostname];
    if (!addresses) throw new Error(`unexpected DNS lookup of ${hostname}`);
    return addresses;
  };
  return { resolve, lookups: () => lookups };
}

describe('delivery target', () => {
  it('answers the addresses it checked, after one lookup', async () => {
    const dns = dnsOf({ 'hooks.example.com': ['93.184.216.34'] });

    const target = await checkDeliveryTarget('https://hooks.example.com/in', STRICT, dns.resolve);

    expect(target).toEqual({ allowed: true, url: new URL('https://hooks.example.com/in'), addresses: ['93.184.216.34'] });
    expect(dns.lookups()).toBe(1);
  });

  it('answers no addresses for a URL that names one', async () => {
    const target = await checkDeliveryTarget('https://93.184.216.34/in', STRICT, dnsOf({}).resolve);

    expect(target).toEqual({ allowed: true, url: new URL('https://93.184.216.34/in'), addresses: null });
  });

  it('refuses a name that now resolves to a private address, saying why', async () => {
    const dns = dnsOf({ 'hooks.example.com': ['10.0.0.7'] });

    expect(await checkDeliveryTarget('https://hooks.example.com/in', STRICT, dns.resolve)).toEqual({
      allowed: false,
      reason: 'URL refused: must not resolve to a non-public address (private)',
    });
  });

  it('refuses http where the deployment no longer allows it', async () => {
    const target = await checkDeliveryTarget('http://93.184.216.34/in', STRICT, dnsOf({}).resolve);

    expect(target).toEqual({ allowed: false, reason: 'URL refused: must use https' });
  });

  it('refuses a name that no longer resolves', async () => {
    const target = await checkDeliveryTarget('https://gone.example.com/', LENIENT, dnsOf({ 'gone.example.com': [] }).resolve);

    expect(target).toEqual({ allowed: false, reason: 'URL refused: does not resolve' });
  });

  it('lets a resolver fault through', async () => {
    await expect(checkDeliveryTarget('https://hooks.example.com/', STRICT, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
  });
});
