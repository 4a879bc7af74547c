/**
 * Inbound webhooks: each delivery is read by its vendor's rules (`DeliveryRules`, from datasources/),
 * kept in the store's outbox before the sender is answered, and the employees it names gathered into
 * a targeted sync. A delivery leaves the outbox only when a run has applied it, so a change
 * acknowledged to the sender survives a crash; changes that arrive while another run holds the
 * source wait for the next run.
 */
import type { Clock } from '../clock.js';
import type { Source } from '../model.js';
import type { OutboxPort } from './ports.js';
import type { SyncEngine } from './engine.js';

/** A delivery as its vendor's rules read it. */
export interface Delivery {
  /** The same for every redelivery of one event, so a replay is recognised. */
  id: string;
  /** The `sourceId`s of the employees it names, without repeats. */
  sourceIds: string[];
}

/** How one vendor's deliveries are checked and read. */
export interface DeliveryRules<Headers> {
  /** The delivery, read; throws (UnauthenticatedError, BadUserInputError) for one the sender must hear refused. */
  verify(rawBody: Buffer, headers: Headers, now: Date): Promise<Delivery>;
  /** How long `verify` would take a replay of a delivery accepted now, ms: an applied one's id is kept that long. */
  replayWindowMs: number;
}

export interface WebhookIntakeOptions<Headers> {
  engine: SyncEngine;
  outbox: OutboxPort;
  tenant: string;
  /** The source whose employees the deliveries name; the runs read it. */
  source: Source;
  deliveries: DeliveryRules<Headers>;
  /**
   * The source's employee ids the gateway knows; `fresh` asks for a re-read rather than the cache (a
   * hire's first delivery names someone the cached roster has not seen yet).
   */
  roster: (fresh: boolean) => Promise<ReadonlySet<string>>;
  /** Quiet time after the last delivery before a run starts, ms: a burst of edits becomes one run. @default 1000 */
  gatherMs?: number;
  /** Longest a change waits for the burst to end, ms. @default 10 × gatherMs */
  maxGatherMs?: number;
  /** What a delivery's age is judged by and its acceptance stamped with. */
  clock: Clock;
  /** Told about a flush that failed; the deliveries stay in the outbox for the next one. @default ignore */
  onError?: (error: unknown) => void;
}

export interface WebhookStats {
  accepted: number;
  replayed: number;
  /** Named employees the roster does not know, dropped before the run. */
  unknownEmployees: number;
}

export interface WebhookIntake<Headers> {
  /**
   * Verifies a delivery and stores it for the next run; throws what `DeliveryRules.verify` throws.
   * Returns the employee ids it names (none for a replay).
   */
  receive(rawBody: Buffer, headers: Headers): Promise<string[]>;
  /**
   * Resolves when every change gathered so far, those left in the outbox by a previous process
   * included, has been handed to a run and that run has ended.
   */
  drain(): Promise<void>;
  stats(): WebhookStats;
  close(): void;
}

/** A run that ended like this has applied its scope; the deliveries behind it are done. */
const APPLIED = new Set(['SUCCEEDED', 'PARTIAL']);

export function createWebhookIntake<Headers>(options: WebhookIntakeOptions<Headers>): WebhookIntake<Headers> {
  const { outbox, tenant, deliveries } = options;
  const gatherMs = options.gatherMs ?? 1000;
  const maxGatherMs = options.maxGatherMs ?? gatherMs * 10;
  const stats: WebhookStats = { accepted: 0, replayed: 0, unknownEmployees: 0 };
  let timer: NodeJS.Timeout | undefined;
  /** When the oldest change still gathering arrived, in the timers' time (elapsed, not the calendar). */
  let gatheringSince = 0;
  let flushing: Promise<void> = Promise.resolve();
  /** Settles when the flush the current timer will start has finished: what `drain` awaits. */
  let gathered: Promise<void> = Promise.resolve();
  let closed = false;
  let settle: () => void = () => undefined;

  // Every delivery restarts the quiet period, so a burst of edits (an HR import) becomes one run, each
  // of which re-reads every Litmos user; the cap keeps a steady trickle from postponing runs forever.
  function schedule(): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    else {
      gatheringSince = Date.now();
      gathered = new Promise((resolve) => (settle = resolve));
    }
    const wait = Math.max(0, Math.min(gatherMs, gatheringSince + maxGatherMs - Date.now()));
    timer = setTimeout(() => {
      timer = undefined;
      flushing = flushing.then(flush).catch((error: unknown) => options.onError?.(error));
      void flushing.then(settle);
    }, wait);
  }

  /** The named employees the roster knows; unknown ones are dropped and counted, after one fresh look. */
  async function known(ids: readonly string[]): Promise<string[]> {
    let roster = await options.roster(false);
    if (ids.some((id) => !roster.has(id))) roster = await options.roster(true);
    const kept = ids.filter((id) => roster.has(id));
    stats.unknownEmployees += ids.length - kept.length;
    return kept;
  }

  async function flush(): Promise<void> {
    for (;;) {
      const entries = await outbox.pending(tenant);
      if (entries.length === 0 || closed) return;
      const scope = await known([...new Set(entries.flatMap((entry) => entry.sourceIds))]);
      const done = entries.map((entry) => entry.id);
      if (scope.length === 0) {
        await outbox.complete(tenant, done, deliveries.replayWindowMs);
        continue;
      }
      const { run, joined } = await options.engine.start({ source: options.source, trigger: 'WEBHOOK', scope });
      await options.engine.idle();
      // Another run held the source: these changes were not in it, so they go in the next one.
      if (joined) continue;
      const ended = await options.engine.get(run.id);
      // A failed or held run leaves its deliveries pending: the next delivery, or the next start, retries them.
      if (!ended || !APPLIED.has(ended.status)) return;
      await outbox.complete(tenant, done, deliveries.replayWindowMs);
    }
  }

  // Deliveries accepted before a crash or restart are still in the outbox: apply them now.
  const recovered = outbox.pending(tenant).then(
    (entries) => {
      if (entries.length > 0) schedule();
    },
    (error: unknown) => options.onError?.(error),
  );

  return {
    async receive(rawBody, headers) {
      const now = options.clock();
      const delivery = await deliveries.verify(rawBody, headers, now);
      const fresh = await outbox.accept(tenant, { id: delivery.id, sourceIds: delivery.sourceIds, acceptedAt: now.toISOString() });
      if (!fresh) {
        stats.replayed += 1;
        return [];
      }
      stats.accepted += 1;
      if (delivery.sourceIds.length > 0) schedule();
      return delivery.sourceIds;
    },
    async drain() {
      await recovered;
      for (let seen: Promise<void> | undefined; seen !== gathered || timer;) {
        seen = gathered;
        await gathered;
      }
      await flushing;
    },
    stats: () => ({ ...stats }),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      settle();
    },
  };
}
