/**
 * Runs as BullMQ jobs (distributed mode). A gateway dispatches a run's step as a job; any worker
 * process takes it and executes it, holding BullMQ's lock on the job while it does. A worker that
 * dies leaves its job to stall: once the lock has lapsed, BullMQ's stalled-job check puts it back in
 * the queue and another worker resumes the run from its journal. A worker that is stopping hands its
 * jobs back the same way, at once, after the actions in flight have finished.
 */
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { SyncSchedule } from '../core/schedule.js';
import type { RunDispatch, RunJob, WorkOutcome } from '../sync/engine.js';
import type { ScheduleTimers, TickHandler } from '../sync/schedule.js';
import type { SharedRedis } from './redis.js';

const QUEUE = 'runs';

/** A job scheduler's tick: one of the tenant's schedules is due. */
export interface ScheduledJob {
  tenant: string;
  scheduleId: string;
}

type QueuedJob = RunJob | ScheduledJob;
const isRunJob = (job: QueuedJob): job is RunJob => 'runId' in job;

/** BullMQ joins its prefix and the queue's name with ':'; ours already ends with one. */
const bullPrefix = (redis: SharedRedis) => redis.prefix.replace(/:+$/, '');

/**
 * The job id makes a dispatch idempotent: a run is started by one job and applied after its approval
 * by one more, whoever asks how often. BullMQ refuses ':' in custom ids, hence the dots.
 */
const jobId = (job: RunJob) => `run.${job.runId}.${job.step}`;

/**
 * Its `timers` tick wherever a worker is: a BullMQ job scheduler per schedule keeps one timer in Redis
 * however many replicas set it, fires each tick once, and outlives every process.
 */
export interface RunQueue extends RunDispatch {
  timers: ScheduleTimers;
  close(): Promise<void>;
}

/** One job scheduler per schedule; encoded, since tenant ids and schedule ids are not BullMQ's to parse. */
const schedulerId = (tenant: string, scheduleId: string) => `schedule.${encodeURIComponent(tenant)}.${encodeURIComponent(scheduleId)}`;

export function createRunQueue(redis: SharedRedis): RunQueue {
  const queue = new Queue<QueuedJob>(QUEUE, { connection: redis.connect(), prefix: bullPrefix(redis) });
  return {
    timers: {
      async set(tenant, schedule: SyncSchedule) {
        const id = schedulerId(tenant, schedule.id);
        if (!schedule.enabled) {
          await queue.removeJobScheduler(id);
          return;
        }
        const data: ScheduledJob = { tenant, scheduleId: schedule.id };
        await queue.upsertJobScheduler(id, { pattern: schedule.cron, tz: schedule.timeZone }, { name: 'schedule', data, opts: { removeOnComplete: true } });
      },
      async clear(tenant, scheduleId) {
        await queue.removeJobScheduler(schedulerId(tenant, scheduleId));
      },
      // The schedulers live in Redis, for every process: nothing of this process's to stop.
      stop: () => undefined,
    },
    async dispatch(job) {
      // Removed once done, so a later step of the same run (after an approval) gets a job of its own.
      await queue.add('run', job, { jobId: jobId(job), removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } });
    },
    close: () => queue.close(),
  };
}

export interface RunWorkerOptions {
  /** Runs executed at once by this process. */
  concurrency: number;
  /** How long the hold on a job lasts without renewal (renewed every half of it while working), ms. */
  lockMs: number;
  /** Executes a run's next step in this process (the tenant's `engine.work`). */
  work(job: RunJob): Promise<WorkOutcome>;
  /** A tick of one of a tenant's schedules (a job scheduler's job), due at `dueAt` (epoch ms). */
  scheduled: TickHandler;
  /** A job whose work threw (a bug, the store down; the run stays where it was and the job is kept as failed), or a connection problem. */
  onError?(error: unknown, job?: ScheduledJob | RunJob): void;
}

export interface RunWorker {
  /** Stops taking jobs and resolves once the jobs in hand have settled or been handed back. */
  close(): Promise<void>;
}

export function startRunWorker(redis: SharedRedis, options: RunWorkerOptions): RunWorker {
  const worker = new Worker<QueuedJob>(
    QUEUE,
    async (job: Job<QueuedJob>, token?: string) => {
      // A scheduler's job carries the tick it was due at (BullMQ's prevMillis); its timestamp is when it was queued.
      if (!isRunJob(job.data)) return options.scheduled(job.data.tenant, job.data.scheduleId, job.opts.prevMillis ?? job.timestamp);
      const outcome = await options.work(job.data);
      if (outcome === 'paused') {
        // This process is stopping: the job goes back to the queue now rather than after its lock lapses.
        await job.moveToWait(token);
        throw new WaitingError();
      }
    },
    {
      connection: redis.connect({ blocking: true }),
      prefix: bullPrefix(redis),
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      // The stalled check runs as often as a lock can lapse; a run may stall many times (each worker it
      // lands on may be killed) before the job is given up, as its journal makes every resume safe.
      stalledInterval: options.lockMs,
      maxStalledCount: 10,
    },
  );
  worker.on('failed', (job, error) => {
    if (job) options.onError?.(error, job.data);
  });
  // BullMQ emits connection problems as 'error'; unheard, that would end the process.
  worker.on('error', (error) => options.onError?.(error));
  return { close: () => worker.close() };
}
