/** A run as the Sync and Runs screens read it. */
import type { Counts } from '../ui';
import { PLAN_FIELDS, type Plan } from './PlanDiff';

export interface Run {
  id: string;
  runId: string;
  source: string;
  trigger: string;
  dryRun: boolean;
  status: string;
  mode: string | null;
  createdAt: string;
  finishedAt: string | null;
  counts: Counts;
  error: string | null;
  safeguard: { deactivations: number; threshold: number; activeLearners: number } | null;
  reportPath: string;
  /** The run a rollback reverses. */
  rollbackOf: { runId: string } | null;
}

export const RUN_FIELDS = `id runId source trigger dryRun status mode createdAt finishedAt error reportPath rollbackOf { runId }
  counts { created linked updated deactivated reactivated unchanged skipped failed }
  safeguard { deactivations threshold activeLearners }`;

/** With the plan, and the names of the employees the run read (its records), to show the plan by name. */
export const RUN_WITH_PLAN = `query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} plan { ${PLAN_FIELDS} } names: records(first: 1000) { nodes { employeeSourceId name } } } }`;

export type RunWithPlan = Run & { plan: Plan | null; names: { nodes: { employeeSourceId: string; name: string }[] } };

export const namesOf = (run: RunWithPlan): ReadonlyMap<string, string> => new Map(run.names.nodes.map((record) => [record.employeeSourceId, record.name]));
