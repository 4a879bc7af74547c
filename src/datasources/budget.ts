/**
 * The rate budget of one upstream credential: a client-side mirror of the vendor's rolling-window
 * limit, so the gateway paces itself below the limit instead of colliding with it and backing off.
 * One budget is shared by every client that uses the same credential.
 */
import { ConfigError } from '../errors.js';

export interface BudgetState {
  /** Requests allowed per window. */
  limit: number;
  /** The vendor's rolling window, ms. */
  windowMs: number;
  /** Requests counted in the current (margin-widened) window, those still awaiting their answer included. */
  used: number;
  /** Requests that may be sent right now without waiting. */
  remaining: number;
  /**
   * Epoch ms at which the next request may be sent (now, when `remaining > 0` and no penalty holds);
   * while unanswered requests hold every slot, the time it would be were they answered now.
   */
  nextSlotAt: number;
  /** Callers waiting in `acquire`. */
  queued: number;
  /**
   * Time, ms, until `requests` more requests can all have been sent under the budget, counted from
   * this snapshot. Callers already queued are not added: whoever queued them counts them in its own
   * `requests`, so a sync asking for its remaining actions gets no double count.
   */
  etaMs(requests: number): number;
}

/** One admitted request's hold on the budget. */
export interface BudgetTicket {
  /**
   * The request has its answer, or was given up on: its slot starts to age from now instead of
   * staying held. Call it exactly once per ticket (later calls do nothing); an unsettled ticket
   * keeps its slot taken for good.
   */
  settle(): void;
}

export interface RateBudget {
  /** Resolves when one request may be sent, holding a slot until the ticket is settled. Waiters are served in order. */
  acquire(signal?: AbortSignal): Promise<BudgetTicket>;
  /** Admit nothing before this epoch ms (a throttle's Retry-After), so every concurrent caller pauses. */
  penalize(untilEpochMs: number): void;
  state(): BudgetState;
}

export interface RollingBudgetOptions {
  /** Requests allowed per window (the vendor's limit; no default: it is per vendor). */
  limit: number;
  /** The vendor's rolling window, ms (no default). */
  windowMs: number;
  /** Extra spacing added to the window, ms. @default max(50, 2% of windowMs) */
  marginMs?: number;
  /** Clock, epoch ms; injected by tests. @default Date.now */
  now?: () => number;
}

/**
 * Why tickets, and what the margin is for. The vendor counts a request at some moment between our
 * send and our receipt of its answer (on arrival, in its handler, in a log: we cannot know which),
 * and the one-way delay varies — a fresh connection's handshake, an event-loop stall between
 * admitting and writing, a slow proxy. Stamping at send would need a margin ≥ the largest such
 * variation, which has no bound. Instead a request holds its slot from `acquire` until `settle`,
 * and then counts as made at the settle time s_k, the latest moment the vendor can have counted it.
 * Request k+limit is admitted only at t ≥ s_k + windowMs + margin, and the vendor counts it no
 * earlier than t, so it sees at least windowMs + margin between request k and request k+limit,
 * whatever the network did to either: its window never holds limit+1.
 *
 * The margin is then left with what no timestamp captures: whole-ms truncation of both clocks
 * (≤ 1 ms each), whether the vendor's window edge is inclusive, and clock rate drift (100 ppm is
 * 6 ms a minute). 50 ms, or 2% of a long window, covers that many times over at a cost of 2% of
 * a 60 s window's throughput.
 */
export function defaultMarginMs(windowMs: number): number {
  return Math.max(50, Math.round(windowMs * 0.02));
}

/** A budget's limits, checked, with the span a stamp counts for (window + margin). */
export interface BudgetLimits {
  limit: number;
  windowMs: number;
  marginMs: number;
  spanMs: number;
}

/** Checks a budget's options (in-process or shared), failing with `ConfigError` naming the value received. */
export function budgetLimits(options: { limit: number; windowMs: number; marginMs?: number }): BudgetLimits {
  const { limit, windowMs } = options;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ConfigError(`rate budget limit must be a positive integer, received ${String(limit)}`, { limit });
  }
  if (!Number.isFinite(windowMs) || windowMs <= 0) {
    throw new ConfigError(`rate budget windowMs must be a positive number, received ${String(windowMs)}`, { windowMs });
  }
  const marginMs = options.marginMs ?? defaultMarginMs(windowMs);
  if (!Number.isFinite(marginMs) || marginMs < 0) {
    throw new ConfigError(`rate budget marginMs must be zero or more, received ${String(marginMs)}`, { marginMs });
  }
  return { limit, windowMs, marginMs, spanMs: windowMs + marginMs };
}

/**
 * The stamps that count at `at`, oldest first: the settle times younger than the span, then one per
 * request still awaiting its answer, stamped `at` (the vendor may count it at any moment from now).
 */
export function windowStamps(settled: readonly number[], held: number, at: number, spanMs: number): number[] {
  // A stamp exactly spanMs old no longer counts: from then on it is safely outside the window.
  return [...settled.filter((stamp) => stamp > at - spanMs), ...Array.from({ length: held }, () => at)];
}

/** The earliest epoch ms ≥ `at` at which one more request fits, given the window's `stamps` (oldest first). */
function slotAfter({ limit, spanMs }: Pick<BudgetLimits, 'limit' | 'spanMs'>, stamps: readonly number[], at: number, penalty: number): number {
  const from = Math.max(at, penalty);
  if (stamps.length < limit) return from;
  // The stamp that must leave the window for a new one to fit is the limit-th most recent.
  const blocking = stamps[stamps.length - limit] ?? from;
  return Math.max(from, blocking + spanMs);
}

export interface BudgetSnapshot {
  limit: number;
  windowMs: number;
  spanMs: number;
  /** The window's stamps at `at`, oldest first (`windowStamps`). */
  stamps: readonly number[];
  /** Epoch ms before which nothing is admitted (0: no penalty). */
  penaltyUntil: number;
  /** Epoch ms the snapshot describes. */
  at: number;
  queued: number;
}

/** What `state()` reports of a budget whose window at `at` holds `stamps`: one arithmetic for every kind of budget. */
export function budgetState({ limit, windowMs, spanMs, stamps, penaltyUntil, at, queued }: BudgetSnapshot): BudgetState {
  const snapshot = [...stamps];
  const nextSlotAt = slotAfter({ limit, spanMs }, snapshot, at, penaltyUntil);
  return {
    limit,
    windowMs,
    used: snapshot.length,
    remaining: nextSlotAt > at ? 0 : limit - snapshot.length,
    nextSlotAt,
    queued,
    etaMs: (requests: number) => {
      // Replays the admission rule forward, taking requests in flight and to come as answered the
      // moment they are sent: a lower bound by one round trip per window.
      const replay = [...snapshot];
      let last = at;
      for (let i = 0; i < requests; i++) {
        last = slotAfter({ limit, spanMs }, replay, last, penaltyUntil);
        replay.push(last);
      }
      return last - at;
    },
  };
}

interface Waiter {
  resolve: (ticket: BudgetTicket) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Callers waiting in `acquire`, served first come first served; one whose signal aborts leaves at once. */
export interface WaitQueue {
  readonly length: number;
  /** Waits for `serve` to hand this caller a ticket; rejects with the signal's reason if it aborts first (or already has). */
  join(signal: AbortSignal | undefined): Promise<BudgetTicket>;
  /** Hands `ticket` to the longest waiting caller. */
  serve(ticket: BudgetTicket): void;
  /** Rejects every waiting caller with `reason`. */
  fail(reason: unknown): void;
}

export function createWaitQueue(): WaitQueue {
  const waiters: Waiter[] = [];
  const leave = (waiter: Waiter): void => {
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
  };
  return {
    get length() {
      return waiters.length;
    },
    join(signal) {
      // Rejects with the abort reason as given, as fetch and node:timers/promises do.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<BudgetTicket>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const index = waiters.indexOf(waiter);
            if (index !== -1) waiters.splice(index, 1);
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason as given, as above
            reject(signal?.reason);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    serve(ticket) {
      const waiter = waiters.shift();
      if (waiter === undefined) return;
      leave(waiter);
      waiter.resolve(ticket);
    },
    fail(reason) {
      for (const waiter of waiters.splice(0)) {
        leave(waiter);
        waiter.reject(reason);
      }
    },
  };
}

export function createRollingBudget(options: RollingBudgetOptions): RateBudget {
  const limits = budgetLimits(options);
  const { limit, windowMs, spanMs } = limits;
  const now = options.now ?? Date.now;
  /** Settle times still inside the widened window, oldest first. */
  let settled: number[] = [];
  /** Tickets not yet settled: the vendor may count them at any moment, so they hold their slots. */
  let inFlight = 0;
  let penaltyUntil = 0;
  const waiters = createWaitQueue();
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** The window's stamps at `at`, oldest first; an unsettled request ages from no earlier than now. */
  const stampsAt = (at: number): number[] => {
    const stamps = windowStamps(settled, inFlight, at, spanMs);
    // Keeps only the settle times that still count, so the list never outgrows the window.
    settled = stamps.slice(0, stamps.length - inFlight);
    return stamps;
  };
  const nextSlot = (at: number): number => slotAfter(limits, stampsAt(at), at, penaltyUntil);

  const issue = (): BudgetTicket => {
    inFlight += 1;
    let open = true;
    return {
      settle: () => {
        if (!open) return;
        open = false;
        inFlight -= 1;
        const at = now();
        settled.push(at);
        // An injected clock may step back; keep the order the window arithmetic relies on.
        if ((settled[settled.length - 2] ?? at) > at) settled.sort((a, b) => a - b);
        if (waiters.length > 0) pump();
      },
    };
  };

  function pump(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const at = now();
    while (waiters.length > 0 && nextSlot(at) <= at) waiters.serve(issue());
    // While every slot is held by an unsettled request only a settle can free one, and settle pumps.
    if (waiters.length > 0 && inFlight < limit) {
      timer = setTimeout(pump, Math.max(1, nextSlot(at) - at));
    }
  }

  return {
    acquire(signal) {
      const at = now();
      if (!signal?.aborted && waiters.length === 0 && nextSlot(at) <= at) return Promise.resolve(issue());
      const waiting = waiters.join(signal);
      if (!timer) pump();
      return waiting;
    },

    penalize(untilEpochMs) {
      if (untilEpochMs <= penaltyUntil) return;
      penaltyUntil = untilEpochMs;
      // A pending timer may fire before the penalty ends; pump re-arms it for the right time.
      if (waiters.length > 0) pump();
    },

    state() {
      const at = now();
      return budgetState({ limit, windowMs, spanMs, stamps: stampsAt(at), penaltyUntil, at, queued: waiters.length });
    },
  };
}
