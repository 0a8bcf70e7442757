// The check the verify service runs at start (docs/credits.md): a Redis that may evict keys or
// keeps no append-only file is named with what to set; a Redis that refuses CONFIG is unchecked.
// On a redis-server of this suite's own, reconfigured between the cases.
import { createRedisConnection, redisDurabilityWarnings, type RedisClient } from '@keyward/platform';
import { DedicatedRedis } from './support/fault-servers';

describe('Redis durability check', () => {
  let server: DedicatedRedis;
  const clients: RedisClient[] = [];

  beforeAll(async () => {
    server = await DedicatedRedis.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await server.dispose();
  });

  const connect = async (url = server.url): Promise<RedisClient> => {
    const client = createRedisConnection({ mode: 'standalone', url }, 'durability-test');
    clients.push(client);
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    return client;
  };

  it('names each setting that can lose limits or credits, and nothing when both are set', async () => {
    const client = await connect();
    const node = `127.0.0.1:${server.port}`;
    // As started here: no append-only file, and Redis's default policy (noeviction).
    expect(await redisDurabilityWarnings(client)).toEqual([
      expect.stringMatching(new RegExp(`^Redis ${node} keeps no append-only file \\(appendonly no\\).*Set appendonly yes\\.$`)),
    ]);

    await server.command('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    const both = await redisDurabilityWarnings(client);
    expect(both).toHaveLength(2);
    expect(both[0]).toMatch(
      new RegExp(`^Redis ${node} may evict keys \\(maxmemory-policy allkeys-lru\\).*Set maxmemory-policy noeviction\\.$`),
    );

    await server.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await server.command('CONFIG', 'SET', 'appendonly', 'yes');
    expect(await redisDurabilityWarnings(client)).toEqual([]);
  });

  it('says it could not check when CONFIG is refused', async () => {
    await server.command('ACL', 'SETUSER', 'no-config', 'on', '>secret-password', '~*', '&*', '+@all', '-config');
    const limited = await connect(`redis://no-config:secret-password@127.0.0.1:${server.port}`);
    expect(await redisDurabilityWarnings(limited)).toEqual([
      expect.stringMatching(/could not read its configuration .*NOPERM.*maxmemory-policy noeviction and appendonly yes\.$/),
    ]);
  });
});
