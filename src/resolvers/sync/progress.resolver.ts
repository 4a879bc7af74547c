import { Arg, Authorized, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { GatewayContext } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { SyncProgress } from '../../schema/sync-run.type.js';
import type { ProgressEvent } from '../../sync/progress.js';
import { FINAL_STATUSES } from '../../core/run.js';
import { runIdOf } from './run.resolver.js';

const isFinal = (event: ProgressEvent) => FINAL_STATUSES.includes(event.status);

/**
 * The current state first (a client that connects late is not left waiting for the next change),
 * then every event in order, ending after the final status.
 */
async function* progressOf(ctx: GatewayContext, runId: string): AsyncGenerator<ProgressEvent> {
  const abort = new AbortController();
  try {
    // Listening before reading the current state, so no event falls between the two.
    const live = (await ctx.tenant.bus.subscribe(runId, abort.signal))[Symbol.asyncIterator]();
    const run = await ctx.tenant.engine.get(runId);
    if (!run) throw new NotFoundError(`no sync run ${runId}`, { runId });
    const current = await ctx.tenant.bus.latest(runId);
    let sequence = current?.sequence ?? 0;
    if (current) yield current;
    if (FINAL_STATUSES.includes(run.status)) {
      if (!current)
        yield {
          runId,
          sequence: 1,
          status: run.status,
          phase: 'DONE',
          done: run.progress.done,
          total: run.progress.total,
          counts: run.counts,
          budget: { limit: 0, windowMs: 0, used: 0, remaining: 0 },
          etaMs: null,
          message: null,
          at: run.finishedAt ?? run.createdAt,
        };
      return;
    }
    for (;;) {
      const next = await live.next();
      if (next.done) return;
      if (next.value.sequence <= sequence) continue;
      sequence = next.value.sequence;
      yield next.value;
      if (isFinal(next.value)) return;
    }
  } finally {
    abort.abort();
  }
}

@Resolver()
export class SyncProgressResolver {
  @Authorized()
  @Subscription(() => SyncProgress, {
    description: "A run's progress: the current state, then each step in order, ending with the final status.",
    subscribe: ({ args, context }) => progressOf(context as GatewayContext, runIdOf(String((args as { runId: unknown }).runId))),
  })
  syncProgress(@Arg('runId', () => ID) _runId: string, @Root() event: ProgressEvent): SyncProgress {
    return { ...event, budgetRemaining: event.budget.remaining, budgetLimit: event.budget.limit };
  }
}
