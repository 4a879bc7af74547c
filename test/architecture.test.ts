/**
 * The import directions of src/, checked on every test run (docs/DESIGN.md, "Layout").
 *
 *   core/        the pure rules: imports only core/, model.ts and errors.ts — no I/O, no clock, no vendor
 *   datasources/ the vendors' clients and the read graph: may use core/, never sync/, store/ or the graph's layers above
 *   sync/        the engine and its I/O: core/, and of datasources/ only the clients it drives; storage only
 *                through its own ports (sync/ports.ts), never store/ or the composition root (tenant.ts, app.ts)
 *   store/       generic repositories: nothing of core/, sync/ or datasources/
 *   scale/       distributed mode's adapters of the engine's and the tenant's ports (RunDispatch, RateBudget,
 *                ProgressBus, CachePeers): nothing of the GraphQL edge; opened only by runtime.ts
 *   notify/      notifications out: told of runs and connections by the composition root; below the GraphQL edge
 *   the sandbox  its own package (packages/sandbox, `@rostergate/sandbox`): only the composition root
 *                (app.ts, main.ts) starts it, and it imports nothing of the gateway
 *   and nowhere in src/ or packages/ an import circle, type-only imports included.
 *
 * dependency-cruiser is driven through its API rather than its CLI so the rules live here, beside
 * their reasons, and a violation fails this test with the offending import named.
 */
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

/** The composition root and the GraphQL edge: what wires the layers together, so nothing below imports it. */
const ROOT = '^src/(app|main|runtime|tenant|context|server|routes|limits|config)\\.ts$';

/** The datasources modules sync/ drives: the HR and Litmos clients, the retry and budget rules, the read model it refreshes. */
const SYNC_MAY_USE = '^src/datasources/(hr|litmos/client|retry|budget|read-model)\\.ts$';

/**
 * The sandbox package as a dependency: its real path (`@rostergate/sandbox` resolved through the
 * workspace symlink), the symlink itself should resolution ever preserve it, or the bare name should
 * it ever fail to resolve — so the rule cannot pass by not recognising the import.
 */
const SANDBOX = '^(packages/sandbox/|(node_modules/)?@rostergate/sandbox)';

const RULES: IForbiddenRuleType[] = [
  { name: 'no-circular', severity: 'error', from: { path: '^(src|packages)/' }, to: { circular: true } },
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
    to: { path: [`^src/(sync|store|resolvers|schema)/`, ROOT] },
  },
  {
    name: 'sync-through-ports',
    comment: 'the engine declares what it needs (sync/ports.ts); the composition root hands it the store',
    severity: 'error',
    from: { path: '^src/sync/' },
    to: { path: [`^src/(store|resolvers|schema)/`, ROOT] },
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
    to: { path: ['^src/(core|sync|datasources|resolvers|schema)/', ROOT] },
  },
  {
    name: 'scale-is-an-adapter',
    comment:
      "scale/ implements ports the engine and the tenant declare (their types it may import); it never reaches the GraphQL edge or the process's composition",
    severity: 'error',
    from: { path: '^src/scale/' },
    to: { path: ['^src/(resolvers|schema)/', '^src/(app|main|runtime|context|server|routes|limits)\\.ts$'] },
  },
  {
    name: 'notify-is-told',
    comment:
      'notify/ hears of runs through the progress observer and of connections through the health hook, both wired by the composition root: the layers below never call it, and it never reaches the GraphQL edge or the composition',
    severity: 'error',
    from: { path: '^src/(core|datasources|sync|store|scale|connections)/' },
    to: { path: '^src/notify/' },
  },
  {
    name: 'notify-below-the-edge',
    severity: 'error',
    from: { path: '^src/notify/' },
    to: { path: ['^src/(resolvers|schema|connections)/', ROOT] },
  },
  {
    name: 'scale-out-opened-by-the-runtime',
    comment: 'the rest of the gateway knows the ports, not their Redis implementations: one place chooses the mode',
    severity: 'error',
    from: { path: '^src/', pathNot: '^src/(scale/|runtime\\.ts$)' },
    to: { path: '^src/scale/' },
  },
  {
    name: 'sandbox-only-from-the-root',
    comment:
      'the simulators stand in for the vendors: app.ts embeds them when no upstream is configured, main.ts serves them alone; the rest of the gateway must not know they exist',
    severity: 'error',
    from: { path: '^src/', pathNot: '^src/(app|main)\\.ts$' },
    to: { path: SANDBOX },
  },
  {
    name: 'sandbox-stands-alone',
    comment: 'the sandbox is a package other projects can use: it imports nothing of the gateway, its tests or its benchmarks',
    severity: 'error',
    from: { path: '^packages/sandbox/' },
    to: { path: '^(src|test|bench)/' },
  },
  {
    name: 'sandbox-declares-its-dependencies',
    comment: "a package the sandbox imports must be in packages/sandbox/package.json, not borrowed from the gateway's",
    severity: 'error',
    from: { path: '^packages/sandbox/' },
    to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'npm-dev'] },
  },
];

let result: ICruiseResult;

beforeAll(async () => {
  const reporting = await cruise(
    ['src', 'packages/sandbox/src'],
    {
      validate: true,
      ruleSet: { forbidden: RULES },
      // Type-only imports count: `import type` from the composition root is still a dependency on it.
      tsPreCompilationDeps: true,
      tsConfig: { fileName: 'tsconfig.json' },
      doNotFollow: { path: 'node_modules' },
    },
    {
      // Our imports name `.js` files that exist as `.ts` (NodeNext); resolve them as tsc does.
      extensionAlias: { '.js': ['.ts', '.js'] },
      // dependency-cruiser ignores package.json `exports` unless told (its default `exportsFields: []`),
      // and `@rostergate/sandbox` is reachable only through its `exports`; with Node's own ESM
      // conditions it resolves, through the workspace symlink, to packages/sandbox/src/index.ts.
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'default'],
    },
  );
  if (typeof reporting.output === 'string') throw new Error('dependency-cruiser returned text, not a result');
  result = reporting.output;
}, 60_000);

describe('import directions in src/ and packages/', () => {
  it('resolves every import of our own code, so the rules below see the real graph', () => {
    const ours = (name: string) => name.startsWith('.') || name.startsWith('@rostergate/');
    const unresolved = result.modules
      .filter((module) => /^(src|packages)\//.test(module.source))
      .flatMap((module) => module.dependencies.filter((dep) => dep.couldNotResolve && ours(dep.module)).map((dep) => `${module.source} → ${dep.module}`));
    expect(unresolved).toEqual([]);
    const plan = result.modules.find((module) => module.source === 'src/core/plan.ts');
    expect(plan?.dependencies.map((dep) => dep.resolved)).toContain('src/core/eligibility.ts');
    const app = result.modules.find((module) => module.source === 'src/app.ts');
    expect(app?.dependencies.find((dep) => dep.module === '@rostergate/sandbox')?.resolved).toBe('packages/sandbox/src/index.ts');
  });

  it('has no import circle, and every import goes the allowed way', () => {
    const violations = result.summary.violations.map((violation) => {
      const cycle = violation.cycle?.map((step) => step.name).join(' → ');
      return `${violation.rule.name}: ${violation.from} → ${cycle ?? violation.to}`;
    });
    expect(violations).toEqual([]);
  });
});
