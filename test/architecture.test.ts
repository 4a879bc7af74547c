/**
 * The import directions of src/, checked on every test run (docs/DESIGN.md, "Layout").
 *
 *   core/        the pure rules: imports only core/, model.ts and errors.ts — no I/O, no clock, no vendor
 *   datasources/ the vendors' clients and the read graph: may use core/, never sync/, store/ or the graph's layers above
 *   sync/        the engine and its I/O: core/, and of datasources/ only the clients it drives; storage only
 *                through its own ports (sync/ports.ts), never store/ or the composition root (tenant.ts, app.ts)
 *   store/       generic repositories: nothing of core/, sync/ or datasources/
 *   and nowhere in src/ an import circle, type-only imports included.
 *
 * dependency-cruiser is driven through its API rather than its CLI so the rules live here, beside
 * their reasons, and a violation fails this test with the offending import named.
 */
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

/** The composition root and the GraphQL edge: what wires the layers together, so nothing below imports it. */
const ROOT = '^src/(app|main|tenant|context|server|routes|limits|config)\\.ts$';

/** The datasources modules sync/ drives: the HR and Litmos clients, the retry and budget rules, the read model it refreshes, webhook verification. */
const SYNC_MAY_USE = '^src/datasources/(hr|litmos/client|retry|budget|read-model|bamboohr/delivery)\\.ts$';

const RULES: IForbiddenRuleType[] = [
  { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
  {
    name: 'core-is-pure',
    comment: 'core/ is the rules alone: anything else (a package, node:, another folder) would bring I/O or a vendor in',
    severity: 'error',
    from: { path: '^src/core/' },
    to: { pathNot: '^src/(core/|model\\.ts$|errors\\.ts$)' },
  },
  {
    name: 'datasources-below-sync',
    comment: 'the read graph uses the rules from core/; sync/ uses the clients, so the other way would be a circle',
    severity: 'error',
    from: { path: '^src/datasources/' },
    to: { path: [`^src/(sync|store|resolvers|schema|sandbox)/`, ROOT] },
  },
  {
    name: 'sync-through-ports',
    comment: 'the engine declares what it needs (sync/ports.ts); the composition root hands it the store',
    severity: 'error',
    from: { path: '^src/sync/' },
    to: { path: [`^src/(store|resolvers|schema|sandbox)/`, ROOT] },
  },
  {
    name: 'sync-uses-clients-only',
    severity: 'error',
    from: { path: '^src/sync/' },
    to: { path: '^src/datasources/', pathNot: SYNC_MAY_USE },
  },
  {
    name: 'store-is-generic',
    severity: 'error',
    from: { path: '^src/store/' },
    to: { path: ['^src/(core|sync|datasources|resolvers|schema|sandbox)/', ROOT] },
  },
];

let result: ICruiseResult;

beforeAll(async () => {
  const reporting = await cruise(
    ['src'],
    {
      validate: true,
      ruleSet: { forbidden: RULES },
      // Type-only imports count: `import type` from the composition root is still a dependency on it.
      tsPreCompilationDeps: true,
      tsConfig: { fileName: 'tsconfig.json' },
      doNotFollow: { path: 'node_modules' },
    },
    // Our imports name `.js` files that exist as `.ts` (NodeNext); resolve them as tsc does.
    { extensionAlias: { '.js': ['.ts', '.js'] } },
  );
  if (typeof reporting.output === 'string') throw new Error('dependency-cruiser returned text, not a result');
  result = reporting.output;
}, 60_000);

describe('import directions in src/', () => {
  it('resolves every import of our own code, so the rules below see the real graph', () => {
    const unresolved = result.modules
      .filter((module) => module.source.startsWith('src/'))
      .flatMap((module) => module.dependencies.filter((dep) => dep.couldNotResolve && dep.module.startsWith('.')).map((dep) => `${module.source} → ${dep.module}`));
    expect(unresolved).toEqual([]);
    const plan = result.modules.find((module) => module.source === 'src/core/plan.ts');
    expect(plan?.dependencies.map((dep) => dep.resolved)).toContain('src/core/eligibility.ts');
  });

  it('has no import circle, and every import goes the allowed way', () => {
    const violations = result.summary.violations.map((violation) => {
      const cycle = violation.cycle?.map((step) => step.name).join(' → ');
      return `${violation.rule.name}: ${violation.from} → ${cycle ?? violation.to}`;
    });
    expect(violations).toEqual([]);
  });
});
