// The documentation explains itself: every relative link in README.md and docs/*.md reaches a file
// that exists and, with a #fragment, a heading of that file (GitHub's anchors); and no file of the
// repository cites a document that lives outside it (docs/architecture.md, "Rules the code keeps").
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { anchorsOf, brokenLink, linksOf, slugOf } from './support/markdown-links';

const ROOT = resolve(__dirname, '..');

function documentationFiles(): string[] {
  const docs = join(ROOT, 'docs');
  return [
    join(ROOT, 'README.md'),
    ...readdirSync(docs)
      .filter((name) => name.endsWith('.md'))
      .map((name) => join(docs, name)),
  ];
}

/** Every file of the repository but what is installed, built or local. */
function repositoryFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', 'coverage', '.data', '.git'].includes(entry.name) ? [] : repositoryFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

describe('documentation links', () => {
  it('finds the documentation and its links', () => {
    const files = documentationFiles();
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((file) => linksOf(readFileSync(file, 'utf8'))).length).toBeGreaterThan(20);
  });

  it('has no broken relative link or anchor in README.md and docs/*.md', () => {
    const broken = documentationFiles().flatMap((file) =>
      linksOf(readFileSync(file, 'utf8'))
        .map((target) => brokenLink(file, target))
        .filter((why): why is string => why !== null)
        .map((why) => `${relative(ROOT, file)}: ${why}`),
    );
    expect(broken).toEqual([]);
  });

  it('keeps README.md to at most 200 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(200);
  });

  it('cites no document outside the repository', () => {
    // Spelled in pieces, so that this file does not match itself.
    const outside = ['..' + '/shared', 'CONTR' + 'ACT.md', 'STYLE' + '.md'];
    const contractSection = new RegExp('\\bCONTR' + 'ACT\\b');
    const citing = repositoryFiles()
      .filter((file) => !/\.(png|jpe?g|gif|ico|woff2?)$/.test(file))
      .flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        const found = outside.filter((needle) => text.includes(needle));
        if (/\.(ts|js|mjs|cjs)$/.test(file) && contractSection.test(text)) found.push('a "CONTR' + 'ACT <section>" citation');
        return found.map((needle) => `${relative(ROOT, file)} cites ${needle}`);
      });
    expect(citing).toEqual([]);
  });

  describe('the rules themselves', () => {
    it('makes the anchors GitHub makes', () => {
      expect(slugOf("The auditor's recipe")).toBe('the-auditors-recipe');
      expect(slugOf('What `npm start` sets')).toBe('what-npm-start-sets');
      expect(slugOf('/readyz on each port')).toBe('readyz-on-each-port');
      expect(slugOf('Job endpoints (admin API)')).toBe('job-endpoints-admin-api');
      expect([...anchorsOf('# A\n## Usage\n```sh\n# not a heading\n```\n## Usage\n')]).toEqual(['a', 'usage', 'usage-1']);
    });

    it('reads links outside code only', () => {
      expect(linksOf('See [a](a.md) and [b](docs/b.md#x "title").\n`[c](c.md)`\n```\n[d](d.md)\n```\n[e]: e.md\n')).toEqual([
        'a.md',
        'docs/b.md#x',
        'e.md',
      ]);
    });

    it('finds a missing file and a missing heading, and leaves absolute URLs alone', () => {
      const readme = join(ROOT, 'README.md');
      expect(brokenLink(readme, 'docs/no-such-file.md')).toBe('docs/no-such-file.md: no such file');
      expect(brokenLink(readme, 'docs/api.md#no-such-heading')).toBe('docs/api.md#no-such-heading: no such heading');
      expect(brokenLink(readme, 'docs/api.md#verify-codes')).toBeNull();
      expect(brokenLink(readme, 'https://example.com/x.md')).toBeNull();
    });
  });
});
