// The layer rules of docs/architecture.md ("Rules the code keeps"), checked over every import statement
// of apps/ and libs/ with a plain scan: apps -> capability libs -> libs/platform, and a domain/
// folder that knows no framework or storage.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SCANNED = ['apps', 'libs'];
const FRAMEWORK_OR_STORAGE = [/^@nestjs\//, /^typeorm$/, /^ioredis$/, /^pg$/, /^fastify$/, /^bullmq$/];

interface ImportEdge {
  /** The importing file, relative to the repo root with forward slashes. */
  file: string;
  specifier: string;
  /** `apps/<name>/...` or `libs/<name>/...` for the project's own code, else the npm package name. */
  target: string;
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier of `import ... from`, `export ... from`, `import '...'`, `import()` and `require()`. */
function specifiersOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]));
}

function targetOf(file: string, specifier: string): string {
  if (specifier.startsWith('.')) return posix.normalize(posix.join(posix.dirname(file), specifier));
  const alias = /^@keyward\/([^/]+)(\/.*)?$/.exec(specifier);
  if (alias) return `libs/${alias[1]}/src${alias[2] ?? ''}`;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The rules broken by one import, as messages; none when it is allowed. */
function violationsOf({ file, specifier, target }: ImportEdge): string[] {
  const found: string[] = [];
  const [fileTop, fileUnit] = file.split('/');
  const [targetTop, targetUnit] = target.split('/');
  if (fileTop === 'libs' && targetTop === 'apps') found.push('a library imports an app');
  if (fileTop === 'apps' && targetTop === 'apps' && targetUnit !== fileUnit) found.push(`app ${fileUnit} imports app ${targetUnit}`);
  if (file.split('/').includes('domain') && FRAMEWORK_OR_STORAGE.some((pattern) => pattern.test(target))) {
    found.push(`a domain/ file imports the framework or storage package ${target}`);
  }
  if (fileTop === 'libs' && fileUnit === 'platform' && targetTop === 'libs' && targetUnit !== 'platform') {
    found.push(`libs/platform imports the capability library ${targetUnit}`);
  }
  return found.map((rule) => `${file}: '${specifier}' (${rule})`);
}

function edgesOf(path: string): ImportEdge[] {
  const file = relative(ROOT, path).split(/[\\/]/).join('/');
  return specifiersOf(readFileSync(path, 'utf8')).map((specifier) => ({ file, specifier, target: targetOf(file, specifier) }));
}

describe('architecture: dependencies point one way (apps -> capability libs -> libs/platform)', () => {
  const files = SCANNED.flatMap((top) => typeScriptFiles(join(ROOT, top)));
  const edges = files.flatMap(edgesOf);

  it('scans the sources and finds their imports', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(edges.some((edge) => edge.target === '@nestjs/common')).toBe(true);
    expect(edges.some((edge) => edge.file.startsWith('apps/') && edge.target.startsWith('libs/platform/'))).toBe(true);
  });

  it('no library imports an app, no app imports another app, no domain/ file imports a framework or storage, libs/platform imports no capability', () => {
    expect(edges.flatMap(violationsOf)).toEqual([]);
  });

  describe('the rules themselves', () => {
    const check = (file: string, source: string): string[] =>
      specifiersOf(source).flatMap((specifier) => violationsOf({ file, specifier, target: targetOf(file, specifier) }));

    it.each([
      [
        'a library importing an app',
        'libs/keys/src/keys.module.ts',
        "import { x } from '../../../apps/verify/src/verify.service';",
        'a library imports an app',
      ],
      [
        'an app importing another app',
        'apps/admin-api/src/a.ts',
        "import { VerifyService } from '../../verify/src/verify.service';",
        'app admin-api imports app verify',
      ],
      [
        'an app re-exporting another app',
        'apps/worker/src/a.ts',
        "export * from '../../admin-api/src/main';",
        'app worker imports app admin-api',
      ],
      [
        'a domain file importing @nestjs/*',
        'libs/keys/src/domain/scopes.ts',
        "import { Injectable } from '@nestjs/common';",
        'package @nestjs/common',
      ],
      [
        'a domain file importing typeorm types',
        'libs/keys/src/domain/scopes.ts',
        "import type { Repository } from 'typeorm';",
        'package typeorm',
      ],
      ['a domain file requiring pg', 'libs/audit/src/domain/hash-chain.ts', "const pg = require('pg');", 'package pg'],
      ['a domain file importing ioredis', 'libs/keys/src/domain/limits.ts', "import Redis from 'ioredis';", 'package ioredis'],
      ['a domain file importing bullmq', 'libs/keys/src/domain/limits.ts', "import { Queue } from 'bullmq';", 'package bullmq'],
      [
        'a domain file importing fastify over several lines',
        'libs/keys/src/domain/limits.ts',
        "import type {\n  FastifyRequest,\n} from 'fastify';",
        'package fastify',
      ],
      [
        'libs/platform importing a capability by alias',
        'libs/platform/src/auth/access.ts',
        "import { KeysModule } from '@keyward/keys';",
        'capability library keys',
      ],
      [
        'libs/platform importing a capability by path',
        'libs/platform/src/auth/access.ts',
        "import { Tenant } from '../../../tenants/src/domain/tenant';",
        'capability library tenants',
      ],
    ])('refuse %s', (_case, file, source, rule) => {
      const found = check(file, source);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(rule);
    });

    it.each([
      ['an app importing a capability library', 'apps/admin-api/src/a.ts', "import { CreateTenantUseCase } from '@keyward/tenants';"],
      ['an app importing its own files', 'apps/verify/src/a.ts', "import { VerifyService } from './verify.service';"],
      [
        'a domain file importing libs/platform',
        'libs/keys/src/domain/key-format.ts',
        "import { generateSecretToken } from '@keyward/platform';",
      ],
      ['a domain file importing node built-ins', 'libs/keys/src/domain/key-format.ts', "import { createHmac } from 'node:crypto';"],
      ['a repository importing typeorm', 'libs/keys/src/keys.repository.ts', "import { Repository } from 'typeorm';"],
      ['libs/platform importing itself', 'libs/platform/src/index.ts', "export * from './config/keyward-config';"],
      [
        'imports that are commented out',
        'libs/platform/src/a.ts',
        "// import { x } from '@keyward/keys';\n/* import '../../../apps/verify/src/main'; */",
      ],
    ])('allow %s', (_case, file, source) => {
      expect(check(file, source)).toEqual([]);
    });
  });
});
