/**
 * A fresh clone elsewhere must install and pass with the README's two commands, so nothing the
 * repository runs or documents may reach outside it (the project's working notes live beside the
 * checkout on our machines only). Recorded payloads are copied into test/fixtures/recorded/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const SKIP = new Set(['node_modules', '.git', '.rostergate', 'dist']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('the repository is self-contained', () => {
  it('no source, test, script or document refers to a folder outside the checkout', () => {
    const outside = /\.\.\/(\.\.\/)*shared\b|\/work\/shared/;
    const offenders = files(root)
      .filter((path) => /\.(ts|js|json|md|ya?ml|sh)$|\/\.ci\/run$/.test(path) && !path.includes('test/fixtures/recorded/'))
      .filter((path) => path !== new URL(import.meta.url).pathname)
      .filter((path) => outside.test(readFileSync(path, 'utf8')))
      .map((path) => path.slice(root.length));
    expect(offenders).toEqual([]);
  });
});
