import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../context.js';
import { ConflictError } from '../../errors.js';
import { assertRollbackable } from '../../core/rollback.js';
import type * as core from '../../core/run.js';
import { SyncRun } from '../../schema/sync-run.type.js';
import { runIdOf } from './run.resolver.js';

/**
 * Undo (core/rollback.ts): OPERATOR, like `startSync` — a rollback is a run, and what it would do at
 * scale (deactivate many) stops at the safeguard for an ADMIN's approval like any run's.
 */
@Resolver(() => SyncRun)
export class SyncRollbackResolver {
  @Authorized('OPERATOR')
  @Mutation(() => SyncRun, {
    description:
      'A new run that reverses what an ended run did and is still in effect: reactivates whom it deactivated, restores the fields it updated, moves people back between teams, deactivates (never deletes) the learners it created. A person whose learner changed since (in Litmos, or by a later run) is skipped, with the reason in the records. It stops for approval like any run when it would deactivate more than the safeguard allows.',
  })
  async rollbackSyncRun(
    @Arg('id', () => ID, { description: 'The run to roll back: its global id or run id.' }) id: string,
    @Arg('dryRun', () => Boolean, { nullable: true, description: 'Plan only: nothing is written to Litmos. @default false' }) dryRun: boolean | undefined,
    @Ctx() ctx: GatewayContext,
  ) {
    const { engine } = ctx.tenant;
    const runId = runIdOf(id);
    const target = await engine.get(runId);
    assertRollbackable(runId, target, target !== null && (await engine.plan(runId)) !== null);
    const { run, joined } = await engine.start({ source: target.source, trigger: 'MANUAL', dryRun: dryRun ?? false, rollbackOf: runId });
    if (joined) {
      throw new ConflictError(`${run.source} has run ${run.id} under way (${run.status}); roll back once it has ended`, {
        runId: run.id,
        status: run.status,
        refusal: 'SOURCE_BUSY',
      });
    }
    return run;
  }

  @FieldResolver(() => SyncRun, { nullable: true, description: 'For a rollback run, the run whose changes it reverses; else null.' })
  async rollbackOf(@Root() run: core.SyncRun, @Ctx() ctx: GatewayContext) {
    return run.rollbackOf ? ctx.tenant.engine.get(run.rollbackOf) : null;
  }
}
