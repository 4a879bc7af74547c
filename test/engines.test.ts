/**
 * The project runs on Node.js 20 (package.json `engines`), so every installed package must say it
 * supports it: a dependency that asks for a newer Node (once, a transitive one of Apollo Server's, now
 * held back by `overrides`) may use what Node 20 lacks, and npm only warns.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: string };
}

function* manifests(folder: string): Generator<Manifest> {
  for (const entry of readdirSync(folder)) {
    if (entry.startsWith('.')) continue;
    const path = join(folder, entry);
    if (entry.startsWith('@')) {
      yield* manifests(path);
      continue;
    }
    const manifest = join(path, 'package.json');
    if (!existsSync(manifest)) continue;
    yield JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
    if (existsSync(join(path, 'node_modules'))) yield* manifests(join(path, 'node_modules'));
  }
}

describe('installed packages', () => {
  it('all support the lowest Node.js the project declares', () => {
    const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as Manifest).engines?.node ?? '';
    const lowest = semver.minVersion(declared)!.version;
    const unsupported = [...manifests('node_modules')]
      .filter((manifest) => manifest.engines?.node !== undefined && !semver.satisfies(lowest, manifest.engines.node))
      .map((manifest) => `${String(manifest.name)}@${String(manifest.version)} needs node ${String(manifest.engines?.node)}`);
    expect(unsupported).toEqual([]);
  });
});
