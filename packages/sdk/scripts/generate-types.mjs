// Writes the SDK's API types from the committed OpenAPI documents (docs/openapi/*.json) with
// openapi-typescript, formatted by the repository's Prettier settings. `--check` writes nothing
// and exits 1 when a committed file differs from what the documents give (a test runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import prettier from 'prettier';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const documents = { 'admin-api': 'docs/openapi/admin-api.json', verify: 'docs/openapi/verify.json' };
const check = process.argv.includes('--check');

let drifted = false;
for (const [name, document] of Object.entries(documents)) {
  const target = join(here, '..', 'src', 'generated', `${name}.ts`);
  // A field with a default is optional in a request (openapi-typescript would make it required).
  const ast = await openapiTS(pathToFileURL(join(root, document)), { defaultNonNullable: false });
  const header = `// Generated from ${document} by packages/sdk/scripts/generate-types.mjs (npm run sdk:generate): do not edit.\n`;
  const text = await prettier.format(header + astToString(ast), { ...(await prettier.resolveConfig(target)), filepath: target });
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // not written yet
  }
  if (current === text) continue;
  if (check) {
    drifted = true;
    process.stderr.write(`${target} differs from ${document}: run npm run sdk:generate\n`);
  } else {
    writeFileSync(target, text);
    process.stdout.write(`wrote ${target}\n`);
  }
}
if (drifted) process.exit(1);
