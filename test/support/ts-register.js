// A require hook that lets `node -r ./test/support/ts-register.js apps/<app>/src/main.ts` run the
// TypeScript sources without a build: each .ts file is compiled on require with the installed
// compiler's transpileModule and tsconfig.json's options (CommonJS, ES2022, decorators with their
// metadata, which Nest's dependency injection reads), and the tsconfig path aliases (@keyward/<lib>,
// @keyward/platform/<sub>) resolve to the libraries' sources. cluster.fork() passes node's
// execArgv on, so the workers of VERIFY_WORKERS load this hook too.
//
// Compiled files are kept in a cache folder under the system's temporary folder, keyed by the
// compiler's version, tsconfig.json and the file's path and content: a process that finds all it
// needs there does not even load the compiler.
'use strict';
const Module = require('node:module');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const configFile = path.join(root, 'tsconfig.json');
const configText = fs.readFileSync(configFile, 'utf8');
const typescriptPackage = require.resolve('typescript/package.json', { paths: [root] });
const typescriptVersion = JSON.parse(fs.readFileSync(typescriptPackage, 'utf8')).version;
const cacheDir = path.join(os.tmpdir(), `keyward-ts-register-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
const cacheSalt = createHash('sha256')
  .update(`${typescriptVersion}\0${configText}\0${fs.readFileSync(__filename, 'utf8')}`)
  .digest('hex');

let compiler = null;
/** The compiler and the options it compiles with, loaded on the first cache miss only. */
function loadCompiler() {
  if (compiler) return compiler;
  const ts = require(path.join(path.dirname(typescriptPackage), 'lib', 'typescript.js'));
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
  compiler = { ts, compilerOptions, configOptions: parsed.options };
  return compiler;
}

function compile(source, filename) {
  const { ts, compilerOptions } = loadCompiler();
  const { outputText, diagnostics } = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: true });
  const errors = (diagnostics || []).filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(`ts-register: ${filename}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  }
  return outputText;
}

/** Whether the cache folder is ours alone (in a shared temporary folder, someone else's could hold anything). */
let cacheUsable = null;
function cacheIsUsable() {
  if (cacheUsable !== null) return cacheUsable;
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const stat = fs.statSync(cacheDir);
    cacheUsable =
      stat.isDirectory() && (typeof process.getuid !== 'function' || stat.uid === process.getuid()) && (stat.mode & 0o022) === 0;
  } catch {
    cacheUsable = false;
  }
  return cacheUsable;
}

function cachedCompile(source, filename) {
  if (!cacheIsUsable()) return compile(source, filename);
  const key = createHash('sha256').update(`${cacheSalt}\0${filename}\0${source}`).digest('hex');
  const file = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // not compiled yet
  }
  const output = compile(source, filename);
  try {
    // Several processes start at once: write aside, then rename, so no one reads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, output, { mode: 0o600 });
    fs.renameSync(partial, file);
  } catch {
    // a cache that cannot be written only costs time
  }
  return output;
}

// tsconfig "paths": '@keyward/platform/*' -> ['libs/platform/src/*'], '@keyward/keys' -> ['libs/keys/src'].
// Read without the compiler while tsconfig.json is plain JSON; with the compiler once it is not.
let rawOptions;
try {
  rawOptions = JSON.parse(configText).compilerOptions || {};
} catch {
  rawOptions = loadCompiler().configOptions;
}
const baseUrl = path.resolve(root, rawOptions.baseUrl || '.');
const aliases = Object.entries(rawOptions.paths || {}).map(([pattern, targets]) => {
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
    } else if (
      request.startsWith(alias.prefix) &&
      request.endsWith(alias.suffix) &&
      request.length >= alias.prefix.length + alias.suffix.length
    ) {
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
  module._compile(cachedCompile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
