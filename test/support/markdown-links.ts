// Relative links and anchors of Markdown files as GitHub resolves them: test/docs-links.spec.ts
// checks the documentation's, test/ops-pack.e2e-spec.ts the alerts' runbook links.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';

/** Markdown links of `source` outside code: inline `[text](target)` and reference definitions. */
export function linksOf(source: string): string[] {
  const prose = source
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '') // fenced code blocks
    .replace(/`[^`\n]*`/g, ''); // inline code
  const inline = [...prose.matchAll(/\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const definitions = [...prose.matchAll(/^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)].map((m) => m[1]);
  return [...inline, ...definitions];
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slugOf(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a Markdown file, repeated headings numbered as GitHub numbers them (-1, -2...). */
export function anchorsOf(source: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const outsideCode = source.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of outsideCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = slugOf(match[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Why `target`, a link in `file`, is broken; null when it is fine or not relative. */
export function brokenLink(file: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null; // https:, mailto:...
  const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
  const path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
  if (!existsSync(path)) return `${target}: no such file`;
  if (fragment === undefined || fragment === '') return null;
  if (statSync(path).isDirectory() || extname(path) !== '.md') return `${target}: a fragment of a file that has no headings`;
  return anchorsOf(readFileSync(path, 'utf8')).has(decodeURIComponent(fragment).toLowerCase()) ? null : `${target}: no such heading`;
}
