// A require hook that lets `node -r ./test/support/ts-register.js apps/<app>/src/main.ts` run the
// TypeScript sources without a build: each .ts file is compiled on require with the installed
// compiler's transpileModule and tsconfig.json's options (CommonJS, ES2022, decorators with their
// metadata, which Nest's dependency injection reads), and the tsconfig path aliases (@keyward/<lib>,
// @keyward/platform/<sub>) resolve to the libraries' sources. cluster.fork() passes node's
// execArgv on, so the workers of VERIFY_WORKERS load this hook too.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const ts = require(require.resolve('typescript', { paths: [root] }));

const configFile = path.join(root, 'tsconfig.json');
const read = ts.readConfigFile(configFile, ts.sys.readFile);
if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configFile);
const compilerOptions = {
  ...parsed.options,
  module: ts.ModuleKind.CommonJS,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: false,
  declaration: false,
  noEmit: false,
  incremental: false,
  isolatedModules: true,
};

// tsconfig "paths": '@keyward/platform/*' -> ['libs/platform/src/*'], '@keyward/keys' -> ['libs/keys/src'].
const baseUrl = path.resolve(root, parsed.options.baseUrl || '.');
const aliases = Object.entries(parsed.options.paths || {}).map(([pattern, targets]) => {
  const star = pattern.indexOf('*');
  return {
    prefix: star === -1 ? pattern : pattern.slice(0, star),
    suffix: star === -1 ? '' : pattern.slice(star + 1),
    wildcard: star !== -1,
    target: path.resolve(baseUrl, targets[0]),
  };
});

function aliased(request) {
  if (!request.startsWith('@keyward/')) return null;
  for (const alias of aliases) {
    if (!alias.wildcard) {
      if (request === alias.prefix) return alias.target;
    } else if (request.startsWith(alias.prefix) && request.endsWith(alias.suffix) && request.length >= alias.prefix.length + alias.suffix.length) {
      const matched = request.slice(alias.prefix.length, request.length - alias.suffix.length);
      return alias.target.replace('*', matched);
    }
  }
  return null;
}

const originalResolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveFilename(request, parent, isMain, options) {
  const target = aliased(request);
  return originalResolveFilename.call(this, target === null ? request : target, parent, isMain, options);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  if (filename.includes(`${path.sep}node_modules${path.sep}`)) throw new Error(`ts-register: refusing to compile ${filename}`);
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText, diagnostics } = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: true });
  const errors = (diagnostics || []).filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(`ts-register: ${filename}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  }
  module._compile(outputText, filename);
};
