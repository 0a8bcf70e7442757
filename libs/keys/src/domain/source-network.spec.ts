import { percentOfLimitUsed, sourceNetworkOf } from './source-network';

describe('sourceNetworkOf', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['203.0.113.0', '203.0.113.0/24'],
    ['10.1.2.255', '10.1.2.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:0db8:abcd:ffff:0000:0000:0000:0001', '2001:db8:abcd::/48'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['::1', '::/48'],
  ])('puts %s in %s', (ip, network) => {
    expect(sourceNetworkOf(ip)).toBe(network);
  });

  it('tells neighbouring networks apart', () => {
    expect(sourceNetworkOf('203.0.113.1')).not.toBe(sourceNetworkOf('203.0.114.1'));
    expect(sourceNetworkOf('2001:db8:abcd::1')).not.toBe(sourceNetworkOf('2001:db8:abce::1'));
  });

  it.each(['', 'localhost', '300.1.1.1', 'fe80::1%eth0', '1.2.3', '10.1'])('answers null for %j', (ip) => {
    expect(sourceNetworkOf(ip)).toBeNull();
  });
});

describe('percentOfLimitUsed', () => {
  it.each([
    [100, 100, 0],
    [100, 25, 75],
    [100, 26, 74],
    [3, 1, 66],
    [10, 0, 100],
    [10, -2, 100],
  ])('a limit of %i with %i remaining is %i percent used', (limit, remaining, percent) => {
    expect(percentOfLimitUsed(limit, remaining)).toBe(percent);
  });
});
