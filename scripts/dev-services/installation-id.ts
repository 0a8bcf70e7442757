// The identity of one installation, that is one data folder: made on its first start and kept in
// `<dataDir>/secrets/installation-id`, so a second checkout, or the same one after `rm -rf .data`,
// is another installation. The launcher names the installation's Redis keys and, as root, its
// relocated PostgreSQL folder after it (docs/local-setup.md).
import { loadOrCreateSecret } from '../../libs/platform/src/config/data-dir-secrets';

/** Eight hex digits: 2^32 values, enough that two installations sharing one Redis never meet. */
export function installationId(dataDir: string): string {
  return loadOrCreateSecret(dataDir, 'installation-id').subarray(0, 4).toString('hex');
}

/** The REDIS_KEY_PREFIX of an installation whose PostgreSQL is embedded: `keyward:<installation id>:`. */
export function installationRedisKeyPrefix(dataDir: string): string {
  return `keyward:${installationId(dataDir)}:`;
}
