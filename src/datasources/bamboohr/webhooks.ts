/**
 * BambooHR's webhooks API, as the gateway uses it: register this gateway's `/webhooks/bamboohr` for
 * the employee events whose fields a sync reads. Deliveries themselves are verified in delivery.ts.
 */
import { UpstreamError } from '../../errors.js';
import type { UpstreamClient } from '../http.js';
import { payloadChecks } from '../payload.js';
import { bambooHrAccessFlagKey } from './client.js';
import { REPORT_FIELDS } from './mapping.js';

export interface RegisteredWebhook {
  id: string;
  /** Returned by BambooHR only at creation: the caller stores it encrypted and never shows it. */
  privateKey: string;
}

/** The creation answer, checked: an id and the private key, or UPSTREAM_BAD_RESPONSE naming what was missing. */
export function parseRegisteredWebhook(status: number, body: string): RegisteredWebhook {
  const check = payloadChecks('bamboohr');
  const created = check.object(check.json(body, 'the webhook creation answer'), 'the webhook creation answer');
  const { id, privateKey } = created;
  const missing = typeof id !== 'string' && typeof id !== 'number' ? 'an id' : typeof privateKey !== 'string' || privateKey === '' ? 'a private key' : null;
  if (missing) {
    throw new UpstreamError('bamboohr', status, `the webhook creation was answered without ${missing}`, { code: 'UPSTREAM_BAD_RESPONSE', retryable: false });
  }
  return { id: String(id), privateKey: String(privateKey) };
}

/**
 * Registers `url` as an event-based webhook monitoring the fields a sync reads, the access flag
 * included (found by name the same way every read finds it, so a flag the account lacks is refused
 * with its candidates here too).
 */
export async function registerBambooHrWebhook(http: UpstreamClient, options: { url: string; accessFlagFieldName: string }): Promise<RegisteredWebhook> {
  const flagKey = await bambooHrAccessFlagKey(http, options.accessFlagFieldName);
  const response = await http.request({
    method: 'POST',
    path: '/webhooks',
    // Creating twice would deliver every change twice; a lost answer is retried by the caller, knowingly.
    idempotent: false,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      name: 'rostergate',
      url: options.url,
      format: 'json',
      events: ['employee.created', 'employee.updated'],
      monitorFields: [...REPORT_FIELDS, flagKey],
    }),
  });
  return parseRegisteredWebhook(response.status, response.body);
}
