/**
 * What a notification says, whichever way it travels: the JSON body of a webhook delivery (stored in
 * the outbox as sent), which an email is written from; and what one attempt to send either came to.
 */
import type { SyncCounts, SyncRunStatus, SyncTrigger } from '../core/run.js';
import type { UpstreamSystem } from '../errors.js';
import type { Source } from '../model.js';
import type { NotificationEvent } from './targets.js';

export interface RunEventData {
  runId: string;
  source: Source | null;
  status: SyncRunStatus;
  trigger: SyncTrigger | null;
  dryRun: boolean;
  counts: SyncCounts;
  error?: string;
  /** The run's CSV report, as a path on the gateway (which does not know the address it is reached at). */
  reportUrl: string;
}

export interface ConnectionEventData {
  system: UpstreamSystem;
  error?: string;
}

/** The JSON body of every delivery. `id` names the event: the same for every target and every attempt. */
export interface NotificationPayload {
  id: string;
  type: NotificationEvent;
  occurredAt: string;
  tenant: string;
  data: RunEventData | ConnectionEventData;
}

/** One attempt's end. `status`: the HTTP status, or the SMTP reply code. */
export interface DeliveryOutcome {
  ok: boolean;
  status?: number;
  /** Why it failed, as the delivery log shows it: never an address's credentials or a secret. */
  error?: string;
  /** Whether a later attempt may succeed (no answer, a 429, 5xx, an SMTP 4xx). */
  retry: boolean;
  retryAfterMs?: number;
}
