import type { TestGateway } from './gateway.js';

export interface RunView {
  runId: string;
  status: string;
  dryRun: boolean;
  counts: Record<string, number>;
  safeguard: { deactivations: number; threshold: number } | null;
  plan: {
    summary: { kind: string; count: number }[];
    actions: {
      kind: string;
      employeeSourceId: string | null;
      reason: string | null;
      changes: { field: string; before: string | null; after: string | null }[];
    }[];
  } | null;
  records: { nodes: { employeeSourceId: string; outcome: string; reason: string | null; changes: { field: string; after: string | null }[] }[] };
}

export const RUN_FIELDS = `runId status dryRun
  counts { created linked updated deactivated reactivated unchanged skipped failed }
  safeguard { deactivations threshold }
  plan { summary { kind count } actions { kind employeeSourceId reason changes { field before after } } }
  records(first: 1000) { nodes { employeeSourceId outcome reason changes { field after } } }`;

export async function getRun(t: TestGateway, runId: string): Promise<RunView> {
  const { syncRun } = await t.data<{ syncRun: RunView }>(`query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, { id: runId });
  return syncRun;
}

/** Starts a run through the API and waits for the engine to finish with it. */
export async function sync(t: TestGateway, input: { source?: string; dryRun?: boolean } = {}): Promise<RunView> {
  const { startSync } = await t.data<{ startSync: { runId: string } }>(`mutation($input: StartSyncInput!) { startSync(input: $input) { runId } }`, {
    input: { source: 'BAMBOOHR', ...input },
  });
  await t.gateway.tenant.engine.idle();
  return getRun(t, startSync.runId);
}

export async function importEmployees(t: TestGateway, employeeIds: string[]): Promise<RunView> {
  const { importEmployees: run } = await t.data<{ importEmployees: { runId: string } }>(
    `mutation($input: ImportEmployeesInput!) { importEmployees(input: $input) { runId } }`,
    { input: { source: 'BAMBOOHR', employeeIds } },
  );
  await t.gateway.tenant.engine.idle();
  return getRun(t, run.runId);
}

/** Lets a whole initial sync through: the seeded Litmos already holds some leavers the first run deactivates. */
export async function relaxSafeguard(t: TestGateway): Promise<void> {
  await t.data(`mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`);
}

export function writes(stats: { routes: Record<string, { count: number }> }): Record<string, number> {
  return Object.fromEntries(
    Object.entries(stats.routes)
      .filter(([route]) => !route.startsWith('GET ') && !route.startsWith('HEAD '))
      .map(([route, s]) => [route, s.count]),
  );
}
