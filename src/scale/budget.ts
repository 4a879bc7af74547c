/**
 * A rate budget shared by every gateway process that calls one upstream with one credential: the
 * same ticket rule as the in-process budget (datasources/budget.ts, "Why tickets"), kept in Redis so
 * that N replicas together stay under the vendor's limit instead of each spending all of it.
 *
 * Why a Lua sliding window of our own rather than a library. rate-limiter-flexible's Redis limiters
 * and BullMQ's queue limiter count a request when it is admitted, in fixed windows or point buckets.
 * Litmos counts each request somewhere between our send and our receipt of its answer, in a rolling
 * 60 s window; the only stamp that bounds that is the answer's arrival, which is not known at
 * admission. So a request must hold its slot from admission until its answer arrives and only then
 * start to age, from that moment. Neither library can hold a slot open and stamp it later, and
 * stamping at admission would need a margin as large as the slowest answer, which has no bound.
 *
 * The scripts, one round trip each, all on Redis's own clock (`TIME`) so processes whose clocks
 * disagree still agree on the window. Under `${prefix}budget:${key}:`
 *   `settled`  ZSET ticket id → the time its answer arrived, ms;
 *   `held`     ZSET ticket id → when its hold lapses, ms. A process renews the leases of its open
 *              tickets every leaseMs / 3, so a lease bounds only how long a process that died keeps
 *              its slots, not how long a request may take. A lapsed hold is counted as answered at
 *              its lapse (the latest moment known to be alive), then ages like any other;
 *   `penalty`  until when nothing is admitted (a Retry-After), ms; it expires with the pause.
 * Every script first tidies the window (lapsed holds to `settled`, stamps a span old dropped) and
 * answers with the window as it left it, so the process keeps a snapshot for `state()`. Both sets
 * expire lease + span after the last script: by then every stamp in them has left the window, so an
 * idle budget leaves nothing behind.
 *
 * In each process one loop serves the callers waiting in `acquire`, first come first served: it asks
 * for as many slots as there are waiters, hands out those admitted, and sleeps for the wait Redis
 * computed — a lower bound, since nothing any process does can free a slot sooner — so a process
 * makes one script call per wake-up, not one per waiter. Every process sharing a key must give it
 * the same limit and window.
 */
import { createHash, randomBytes } from 'node:crypto';
import { budgetLimits, budgetState, createWaitQueue, windowStamps, type BudgetTicket, type RateBudget } from '../datasources/budget.js';
import { ConfigError } from '../errors.js';
import type { SharedRedis } from './redis.js';

export interface SharedBudgetOptions {
  /** Which budget: every process using the same key shares it (`budgetKey`). */
  key: string;
  /** Requests allowed per window (the vendor's limit). */
  limit: number;
  /** The vendor's rolling window, ms. */
  windowMs: number;
  /** Extra spacing added to the window, ms. @default max(50, 2% of windowMs) */
  marginMs?: number;
  /** How long a process that stopped renewing keeps its unanswered requests' slots, ms. @default 30_000 */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 30_000;

/**
 * The budget key of one upstream credential: stable across processes and restarts, and a hash, so
 * the credential never reaches Redis, its key listings or a log. The system name stays readable for
 * whoever inspects Redis.
 */
export function budgetKey(system: string, baseUrl: string, credential: string): string {
  // JSON keeps the three apart: no system/URL/credential split can collide with another.
  const digest = createHash('sha256')
    .update(JSON.stringify([system, baseUrl.replace(/\/+$/, ''), credential]))
    .digest('hex');
  return `${system}:${digest.slice(0, 24)}`;
}

/**
 * Shared by every script. KEYS: settled, held, penalty. ARGV[1..3]: limit, span (window + margin)
 * and lease, ms. Tidies the window at Redis's now and defines `reply`, which every script returns:
 * { admitted, ms until one more request fits, now, penalty until, held count, settle stamps oldest first… }.
 */
const PRELUDE = `
local settledKey, heldKey, penaltyKey = KEYS[1], KEYS[2], KEYS[3]
local limit, span, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
-- A lapsed hold's process stopped renewing it: count its request as answered when the lease ran out.
local lapsed = redis.call('ZRANGEBYSCORE', heldKey, '-inf', now, 'WITHSCORES')
for i = 1, #lapsed, 2 do
  redis.call('ZADD', settledKey, lapsed[i + 1], lapsed[i])
end
redis.call('ZREMRANGEBYSCORE', heldKey, '-inf', now)
-- A stamp exactly a span old no longer counts, as in the in-process budget.
redis.call('ZREMRANGEBYSCORE', settledKey, '-inf', now - span)
local penalty = tonumber(redis.call('GET', penaltyKey) or '0')

local function reply(admitted)
  redis.call('PEXPIRE', settledKey, lease + span)
  redis.call('PEXPIRE', heldKey, lease + span)
  local stamps = redis.call('ZRANGE', settledKey, 0, -1, 'WITHSCORES')
  local held = redis.call('ZCARD', heldKey)
  local settled = #stamps / 2
  local from = math.max(now, penalty)
  if settled + held >= limit then
    -- The stamp that must leave the window for one more to fit is the limit-th most recent; an
    -- unanswered request counts as answered now, the earliest its answer can still come.
    local index = settled + held - limit
    local blocking = now
    if index < settled then blocking = tonumber(stamps[index * 2 + 2]) end
    from = math.max(from, blocking + span)
  end
  local out = { admitted, from - now, now, penalty, held }
  for i = 2, #stamps, 2 do out[#out + 1] = stamps[i] end
  return out
end
`;

interface Script {
  lua: string;
  sha: string;
}

function script(body: string): Script {
  const lua = `${PRELUDE}\n${body}`;
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** ARGV[4]: this batch's ticket id stem; ARGV[5]: tickets wanted (0: only look). Admits what fits, all or part. */
const ACQUIRE = script(`
local room = limit - redis.call('ZCARD', settledKey) - redis.call('ZCARD', heldKey)
local admitted = 0
if now >= penalty and room > 0 then admitted = math.min(room, tonumber(ARGV[5])) end
for i = 1, admitted do
  redis.call('ZADD', heldKey, now + lease, ARGV[4] .. ':' .. i)
end
return reply(admitted)
`);

/**
 * ARGV[4]: the ticket; ARGV[5]: '1' when its request went out (stamped now), '0' when it never did.
 * Stamped now even if its hold had lapsed: the vendor may have counted it as late as now, and the same
 * member moves the lapse-time stamp rather than adding a second one.
 */
const SETTLE = script(`
redis.call('ZREM', heldKey, ARGV[4])
if ARGV[5] == '1' then redis.call('ZADD', settledKey, now, ARGV[4]) end
return reply(0)
`);

/** ARGV[4…]: the tickets this process still holds. One that lapsed (a stalled process) is held again: it is still out. */
const RENEW = script(`
for i = 4, #ARGV do
  redis.call('ZREM', settledKey, ARGV[i])
  redis.call('ZADD', heldKey, now + lease, ARGV[i])
end
return reply(0)
`);

/** ARGV[4]: the pause, ms from now: a delay, not an epoch, so the caller's clock need not agree with Redis's. */
const PENALIZE = script(`
local untilMs = now + tonumber(ARGV[4])
if untilMs > penalty then
  redis.call('SET', penaltyKey, untilMs, 'PX', ARGV[4])
  penalty = untilMs
end
return reply(0)
`);

interface Reply {
  admitted: number;
  waitMs: number;
  /** Redis's clock, ms. */
  now: number;
  penalty: number;
  held: number;
  stamps: number[];
}

function parseReply(raw: unknown): Reply {
  const values = Array.isArray(raw) ? raw.map(Number) : [];
  const [admitted, waitMs, now, penalty, held, ...stamps] = values;
  if (admitted === undefined || waitMs === undefined || now === undefined || penalty === undefined || held === undefined || values.some(Number.isNaN)) {
    throw new Error(`the shared rate budget's script answered ${JSON.stringify(raw)}`);
  }
  return { admitted, waitMs, now, penalty, held, stamps };
}

/** What this process last heard of the window, converted to its own clock. */
interface Snapshot {
  /** Local epoch ms of the answer. */
  takenAt: number;
  /** Redis's clock at the answer, to keep only the newest of answers that arrive out of order. */
  redisNow: number;
  stamps: number[];
  held: number;
  penaltyUntil: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function createSharedBudget(redis: SharedRedis, options: SharedBudgetOptions): RateBudget {
  const { limit, windowMs, spanMs } = budgetLimits(options);
  if (typeof options.key !== 'string' || options.key === '') {
    throw new ConfigError('shared rate budget key must be a non-empty string', { key: options.key });
  }
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new ConfigError(`shared rate budget leaseMs must be a positive number, received ${String(leaseMs)}`, { leaseMs });
  }
  const lease = Math.ceil(leaseMs);
  const base = `${redis.prefix}budget:${options.key}:`;
  const keys = [`${base}settled`, `${base}held`, `${base}penalty`];
  /** Makes ticket ids unique across processes without asking Redis for one. */
  const processId = randomBytes(6).toString('hex');
  let batches = 0;
  const waiters = createWaitQueue();
  let serving = false;
  /** Tickets of this process not yet settled: the ones whose leases it renews. */
  const open = new Set<string>();
  let renewer: ReturnType<typeof setInterval> | undefined;
  let snapshot: Snapshot = { takenAt: Date.now(), redisNow: 0, stamps: [], held: 0, penaltyUntil: 0 };
  let localPenalty = 0;
  let looking = false;
  // A state() older than this asks Redis again in the background, to see the other processes' use.
  const staleMs = Math.min(1_000, windowMs / 10);

  /** Runs a script (by hash; its text once per Redis that has not seen it) and keeps the window it answers. */
  async function run(which: Script, ...args: (string | number)[]): Promise<Reply> {
    const argv = [limit, Math.ceil(spanMs), lease, ...args];
    const sentAt = Date.now();
    let raw: unknown;
    try {
      raw = await redis.client.evalsha(which.sha, keys.length, ...keys, ...argv);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      raw = await redis.client.eval(which.lua, keys.length, ...keys, ...argv);
    }
    const reply = parseReply(raw);
    const takenAt = Date.now();
    if (reply.now >= snapshot.redisNow) {
      // Redis's clock to ours, taking the answer as read half way through the round trip.
      const shift = Math.round((sentAt + takenAt) / 2) - reply.now;
      snapshot = {
        takenAt,
        redisNow: reply.now,
        stamps: reply.stamps.map((stamp) => stamp + shift),
        held: reply.held,
        penaltyUntil: reply.penalty > 0 ? reply.penalty + shift : 0,
      };
    }
    return reply;
  }

  /** Background calls fail silently: a lost settle or renewal is covered by the lease, a lost look by the next. */
  const quietly = (call: Promise<unknown>): void => {
    call.catch(() => undefined);
  };

  function keepRenewing(): void {
    if (open.size > 0 && renewer === undefined) {
      renewer = setInterval(() => quietly(run(RENEW, ...open)), Math.max(1, Math.floor(lease / 3))).unref();
    } else if (open.size === 0 && renewer !== undefined) {
      clearInterval(renewer);
      renewer = undefined;
    }
  }

  const issue = (id: string): BudgetTicket => {
    open.add(id);
    keepRenewing();
    return {
      settle: () => {
        if (!open.delete(id)) return;
        keepRenewing();
        // Until this lands, the snapshot (and Redis) still count the slot as held: the safe side.
        quietly(run(SETTLE, id, '1'));
      },
    };
  };

  async function serve(): Promise<void> {
    serving = true;
    try {
      while (waiters.length > 0) {
        const stem = `${processId}.${(batches++).toString(36)}`;
        const wanted = Math.min(waiters.length, limit);
        const reply = await run(ACQUIRE, stem, wanted);
        for (let i = 1; i <= reply.admitted; i++) {
          const id = `${stem}:${i}`;
          // A caller that gave up while the script ran leaves its slot to the next, or to nobody.
          if (waiters.length > 0) waiters.serve(issue(id));
          else quietly(run(SETTLE, id, '0'));
        }
        if (waiters.length > 0 && reply.admitted < wanted) await sleep(Math.max(1, reply.waitMs));
      }
    } catch (error) {
      // Redis is unreachable or refused the script: every caller would meet the same failure in turn.
      waiters.fail(error);
    } finally {
      serving = false;
    }
  }

  function look(): void {
    if (looking) return;
    looking = true;
    quietly(run(ACQUIRE, '', 0).finally(() => (looking = false)));
  }
  look();

  return {
    acquire(signal) {
      const waiting = waiters.join(signal);
      if (!serving && waiters.length > 0) void serve();
      return waiting;
    },

    penalize(untilEpochMs) {
      const delayMs = Math.ceil(untilEpochMs - Date.now());
      if (delayMs <= 0) return;
      localPenalty = Math.max(localPenalty, untilEpochMs);
      // The waiting loop learns of it from Redis: this script is sent ahead of the loop's next one.
      quietly(run(PENALIZE, delayMs));
    },

    state() {
      const at = Date.now();
      if (at - snapshot.takenAt >= staleMs) look();
      return budgetState({
        limit,
        windowMs,
        spanMs,
        stamps: windowStamps(snapshot.stamps, snapshot.held, at, spanMs),
        penaltyUntil: Math.max(snapshot.penaltyUntil, localPenalty),
        at,
        queued: waiters.length,
      });
    },
  };
}
