/**
 * Every relative link in the repository's Markdown resolves inside the repository: to a file
 * or folder a clone has, and for a `#fragment` in a Markdown file, to one of its headings.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/local-process.ts';

const SKIPPED = new Set(['node_modules', '.git', 'dist', '.serverless', '.data', 'coverage']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** Link targets outside code: inline `[text](target)` and reference `[id]: target`. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const reference = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)];
  return [...inline, ...reference].map((match) => match[1] as string);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1] as string)));
}

/** What is wrong with `target` linked from `file`, or undefined when it resolves. */
function problemOf(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:, ...
  const [path = '', fragment] = target.split('#');
  const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
  if (resolved !== ROOT.replace(/\/$/, '') && !resolved.startsWith(ROOT)) {
    return 'points outside the repository';
  }
  if (!existsSync(resolved)) return 'does not exist';
  if (fragment && resolved.endsWith('.md') && statSync(resolved).isFile()) {
    if (!anchors(readFileSync(resolved, 'utf8')).has(fragment))
      return `has no heading #${fragment}`;
  }
  return undefined;
}

describe('Markdown links', () => {
  const files = markdownFiles(ROOT);

  it('finds the README and the docs', () => {
    const names = files.map((f) => relative(ROOT, f).split(sep).join('/'));
    expect(names).toEqual(
      expect.arrayContaining(['README.md', 'docs/lookup-api.md', 'docs/webhook.md']),
    );
  });

  it('reads inline and reference links, not code', () => {
    const text = 'a [x](docs/a.md#b) `[y](no.md)`\n```\n[z](no.md)\n```\n[r]: ../r.md\n';
    expect(linkTargets(text)).toEqual(['docs/a.md#b', '../r.md']);
  });

  it('resolve inside the repository, to what is there', () => {
    const broken = files.flatMap((file) =>
      linkTargets(readFileSync(file, 'utf8')).flatMap((target) => {
        const problem = problemOf(file, target);
        return problem ? [`${relative(ROOT, file)}: ${target} ${problem}`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });
});
