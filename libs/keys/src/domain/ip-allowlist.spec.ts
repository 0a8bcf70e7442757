import { ipAllowed, ipAllowlistEntryProblem } from './ip-allowlist';

describe('ip allowlist entries', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::1', '2001:db8::/32', '::/0', '::ffff:10.0.0.1'])('accepts %s', (entry) => {
    expect(ipAllowlistEntryProblem(entry)).toBeNull();
  });

  it.each([
    '10.0.0',
    '010.0.0.1',
    '10.0.0.1/33',
    '2001:db8::/129',
    '10.0.0.0/-1',
    'example.com',
    '10.0.0.1/8/8',
    '',
    'fe80::1%eth0',
    '0x7f.1.1.1',
    17,
  ])('refuses %p', (entry) => {
    expect(ipAllowlistEntryProblem(entry)).not.toBeNull();
  });

  it.each([
    [['10.0.0.0/8'], '10.1.2.3', true],
    [['10.0.0.0/8'], '11.1.2.3', false],
    [['203.0.113.7'], '203.0.113.7', true],
    [['203.0.113.7'], '203.0.113.8', false],
    [['2001:db8::/32'], '2001:db8:1::5', true],
    [['2001:db8::/32'], '2001:db9::5', false],
    [['10.0.0.0/8'], '::ffff:10.9.9.9', true],
    [['::ffff:10.0.0.0/104'], '10.9.9.9', true],
    [['10.0.0.0/8'], '2001:db8::1', false],
    [['10.0.0.0/8'], 'not an ip', false],
  ])('%j allows %s: %s', (entries, ip, expected) => {
    expect(ipAllowed(entries, ip)).toBe(expected);
  });
});
