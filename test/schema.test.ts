import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema } from '../src/schema/build.js';

describe('schema.graphql', () => {
  it('is what the code generates (run `npm run schema` after changing the schema)', async () => {
    const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await printGatewaySchema());
  });

  it('keeps the contract names of the product design', async () => {
    const sdl = await printGatewaySchema();
    for (const name of ['startSync(', 'importEmployees(', 'setBlocklist(', 'syncProgress(']) expect(sdl).toContain(name);
    for (const type of [
      'type Employee implements Node',
      'type Learner implements Node',
      'type Team implements Node',
      'type Course implements Node',
      'type SyncRun implements Node',
    ]) {
      expect(sdl).toContain(type);
    }
  });
});
