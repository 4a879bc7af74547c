#!/usr/bin/env node
// The command's entry. An installed package runs its compiled JavaScript (`npm run build` → dist/); a
// clone, which has the TypeScript sources, runs those through tsx — with the "source" export condition,
// so the workspace's @rostergate/sandbox is read from its sources too, and nothing is built first.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { URL } from 'node:url';

const sources = new URL('../src/main.ts', import.meta.url);
if (existsSync(sources)) {
  register('./source-condition.js', import.meta.url);
  const tsx = await import('tsx/esm/api');
  tsx.register();
  await import(sources.href);
} else {
  await import(new URL('../dist/main.js', import.meta.url).href);
}
