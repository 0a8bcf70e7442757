// Sends a deployment's POST /v1/secret-scanning/github a report as GitHub would, signed by a P-256
// key of one's own (docs/secret-scanning.md). It serves that key's public keys document itself, so
// start the admin API with KEYWARD_GITHUB_KEYS_URL pointing at it (the URL is printed):
//
//   node -r ./test/support/ts-register.js scripts/secret-scanning-test-report.ts --patterns
//   node -r ./test/support/ts-register.js scripts/secret-scanning-test-report.ts [--admin-url URL] TOKEN...
//
// The key is kept in --key-file (made on first use), so its identifier stays the same from run to run.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { credentialTokenPattern } from '../libs/credentials/src/domain/credential-token';
import { keyPattern } from '../libs/keys/src/domain/key-format';

const USAGE = `Usage: scripts/secret-scanning-test-report.ts [options] TOKEN...
  --admin-url URL    the admin API (default http://127.0.0.1:3000)
  --keys-port PORT   where this script serves its keys document on 127.0.0.1 (default 8099)
  --key-file PATH    the P-256 private key, made on first use (default .data/secret-scanning-test-key.pem)
  --prefix PREFIX    KEYWARD_KEY_PREFIX (default: that variable, else kw)
  --found-at URL     the url reported for each token (default a GitHub blob URL)
  --patterns         print the regular expressions to register with GitHub, and stop
  --serve            only serve the keys document, until Ctrl-C`;

const { values: options, positionals: tokens } = parseArgs({
  allowPositionals: true,
  options: {
    'admin-url': { type: 'string', default: 'http://127.0.0.1:3000' },
    'keys-port': { type: 'string', default: '8099' },
    'key-file': { type: 'string', default: '.data/secret-scanning-test-key.pem' },
    prefix: { type: 'string', default: process.env.KEYWARD_KEY_PREFIX || 'kw' },
    'found-at': { type: 'string', default: 'https://github.com/octocat/leaky/blob/main/.env' },
    patterns: { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const prefix = options.prefix;
const PATTERNS = [
  { type: `${prefix}_api_key`, pattern: keyPattern(prefix) },
  { type: `${prefix}_credential`, pattern: credentialTokenPattern(prefix) },
];

/** The private key of --key-file, made (P-256, readable by its owner only) when the file does not exist. */
function signingKey(path: string): KeyObject {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    process.stdout.write(`Made a P-256 key in ${path}\n`);
  }
  return createPrivateKey(readFileSync(path));
}

/** Serves `{public_keys: [{key_identifier, key, is_current}]}` on 127.0.0.1, at any path. */
async function serveKeysDocument(identifier: string, publicPem: string, port: number): Promise<Server> {
  const document = JSON.stringify({ public_keys: [{ key_identifier: identifier, key: publicPem, is_current: true }] });
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(document);
  });
  await new Promise<void>((done, fail) => server.once('error', fail).listen(port, '127.0.0.1', done));
  return server;
}

/** What is shown of a token: enough to tell which one it is, never the whole secret. */
const shown = (token: string): string => (token.length > 16 ? `${token.slice(0, 12)}...` : '(short token)');

async function main(): Promise<void> {
  if (options.help) return void process.stdout.write(`${USAGE}\n`);
  if (options.patterns) {
    for (const { type, pattern } of PATTERNS) process.stdout.write(`${type}: ${pattern}\n`);
    return;
  }
  if (!options.serve && tokens.length === 0) throw new Error(`no token given\n${USAGE}`);

  const privateKey = signingKey(resolve(options['key-file']));
  const publicKey = createPublicKey(privateKey);
  const identifier = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  const server = await serveKeysDocument(
    identifier,
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    Number(options['keys-port']),
  );
  const keysUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
  process.stdout.write(`Keys document: ${keysUrl} (start the admin API with KEYWARD_GITHUB_KEYS_URL=${keysUrl})\n`);
  process.stdout.write(`Key identifier: ${identifier}\n`);
  if (options.serve) return; // the server keeps the process alive until Ctrl-C

  try {
    const report = tokens.map((token) => ({
      token,
      type: PATTERNS.find(({ pattern }) => new RegExp(`^${pattern}$`).test(token))?.type ?? 'unknown',
      url: options['found-at'],
      source: 'content',
    }));
    const body = JSON.stringify(report);
    const signature = sign('sha256', Buffer.from(body), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    const endpoint = `${options['admin-url'].replace(/\/$/, '')}/v1/secret-scanning/github`;
    process.stdout.write(`POST ${endpoint}: ${report.map((item) => `${shown(item.token)} (${item.type})`).join(', ')}\n`);
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'github-public-key-identifier': identifier, 'github-public-key-signature': signature },
      body,
    });
    const answer: unknown = JSON.parse(await response.text());
    process.stdout.write(`${response.status} ${JSON.stringify(answer, null, 2)}\n`);
    if (response.status !== 200) process.exitCode = 1;
  } finally {
    server.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`secret-scanning-test-report failed: ${error.message}\n`);
  process.exit(1);
});
