/**
 * BambooHR webhook deliveries, verified: pure, so every rule is tested without a server.
 *
 * BambooHR signs `hex_lowercase(HMAC_SHA256(privateKey, rawBody + timestamp))` and sends it in
 * `X-BambooHR-Signature`, the timestamp in `X-BambooHR-Timestamp`. Anything looser than the exact
 * form lets a captured delivery be replayed under a "new" signature: Node's hex decoding stops at the
 * first bad character (`abc…zz` decodes like `abc…`), and upper case decodes like lower case. So the
 * signature must be 64 lower-case hex digits, compared in constant time as bytes, and a delivery is
 * known by what it says (timestamp + body digest), never by how its signature is spelt.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BadUserInputError, UnauthenticatedError } from '../../errors.js';

export interface DeliveryHeaders {
  timestamp?: string | undefined;
  signature?: string | undefined;
  contentType?: string | undefined;
}

/** What BambooHR sends a delivery's signature and time in, from an HTTP request's headers (Node's, lower-cased). */
export function deliveryHeaders(headers: Record<string, string | string[] | undefined>): DeliveryHeaders {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return { timestamp: first('x-bamboohr-timestamp'), signature: first('x-bamboohr-signature'), contentType: first('content-type') };
}

/** Largest distance between a delivery's timestamp and the receiver's clock, ms. */
const MAX_AGE_MS = 900_000;
/** Most employees one delivery may name; more is refused, not truncated. */
const MAX_EMPLOYEES = 100;

export interface VerifyOptions {
  /** The webhook's private key, as BambooHR returned it at creation. */
  privateKey: string;
  /** The receiver's clock, ms since the epoch. */
  now: number;
}

export interface VerifiedDelivery {
  /** Stable across redeliveries of the same event and across re-spellings of its signature. */
  id: string;
  /** When BambooHR says it sent it, ms. */
  sentAt: number;
  /** The employees the delivery names, as BambooHR ids (numeric strings), without repeats. */
  employeeIds: string[];
}

const SIGNATURE = /^[0-9a-f]{64}$/;
const EMPLOYEE_ID = /^\d{1,12}$/;

export function signDelivery(privateKey: string, rawBody: Buffer | string, timestamp: string): string {
  // Body first, the timestamp appended, no separator: BambooHR's documented order.
  return createHmac('sha256', privateKey)
    .update(Buffer.concat([Buffer.from(rawBody), Buffer.from(timestamp)]))
    .digest('hex');
}

/** Throws UnauthenticatedError for anything not signed by the key, BadUserInputError for a signed body that is not a delivery. */
export function verifyDelivery(rawBody: Buffer, headers: DeliveryHeaders, options: VerifyOptions): VerifiedDelivery {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) throw new UnauthenticatedError('X-BambooHR-Timestamp and X-BambooHR-Signature are required');
  if (!SIGNATURE.test(signature)) {
    throw new UnauthenticatedError('X-BambooHR-Signature must be 64 lower-case hexadecimal digits (HMAC-SHA256)');
  }
  const expected = Buffer.from(signDelivery(options.privateKey, rawBody, timestamp), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    throw new UnauthenticatedError('the webhook signature does not match its body and timestamp');
  }
  const sentAt = parseTimestamp(timestamp);
  if (sentAt === undefined)
    throw new UnauthenticatedError(`X-BambooHR-Timestamp must be unix seconds or an ISO 8601 date; received "${timestamp.slice(0, 40)}"`);
  if (Math.abs(options.now - sentAt) > MAX_AGE_MS) {
    throw new UnauthenticatedError(`the webhook timestamp ${timestamp} is outside the accepted window of ${MAX_AGE_MS / 1000} s`);
  }
  const employeeIds = employeeIdsOf(parseBody(rawBody, headers.contentType));
  if (employeeIds.length > MAX_EMPLOYEES) {
    throw new BadUserInputError(`a delivery may name at most ${MAX_EMPLOYEES} employees; this one names ${employeeIds.length}`, {
      employees: employeeIds.length,
      limit: MAX_EMPLOYEES,
    });
  }
  const digest = createHash('sha256').update(rawBody).digest('hex');
  return { id: `${sentAt}:${digest}`, sentAt, employeeIds };
}

/**
 * One tenant's deliveries as the webhook intake reads them. The key is looked up at each delivery:
 * registering the webhook again replaces it. A delivery is taken while its timestamp is within
 * MAX_AGE_MS of the clock either way, so its replay must be recognised for twice that after it is accepted.
 */
export function bambooHrDeliveries(privateKey: () => Promise<string | undefined>) {
  return {
    async verify(rawBody: Buffer, headers: DeliveryHeaders, now: Date): Promise<{ id: string; sourceIds: string[] }> {
      const key = await privateKey();
      if (!key) throw new UnauthenticatedError('no BambooHR webhook is registered for this tenant');
      // BambooHR's employee ids are its employees' sourceIds: the intake speaks the gateway's word.
      const { id, employeeIds } = verifyDelivery(rawBody, headers, { privateKey: key, now: now.getTime() });
      return { id, sourceIds: employeeIds };
    },
    replayWindowMs: MAX_AGE_MS * 2,
  };
}

/** Unix seconds or an ISO 8601 date: BambooHR's documentation and connectors show both. */
export function parseTimestamp(value: string): number | undefined {
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return undefined;
  // `+0000` (BambooHR's own payload timestamps) is not an offset Date.parse reads everywhere.
  const parsed = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** JSON, or the form encoding BambooHR offers as the other delivery format. */
function parseBody(rawBody: Buffer, contentType: string | undefined): unknown {
  const text = rawBody.toString('utf8');
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) return fromForm(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadUserInputError('the webhook body is not JSON (or form-encoded with that content type)');
  }
}

/** `data[employeeId]=1` and `employees[0][id]=1` → the ids, the only members the gateway reads. */
function fromForm(form: URLSearchParams): unknown {
  const employeeId = form.get('data[employeeId]');
  const batched = [...form.entries()].filter(([name]) => /^employees\[\d+\]\[id\]$/.test(name)).map(([, id]) => ({ id }));
  return { ...(employeeId !== null && { data: { employeeId } }), employees: batched };
}

/**
 * Event-based deliveries name one employee (`data.employeeId`); legacy field-based ones may batch
 * several (`employees[].id`). Anything else in the body is BambooHR's business, not ours; a named
 * id that is not a BambooHR id is refused rather than skipped, so a malformed sender hears about it.
 */
function employeeIdsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadUserInputError('the webhook body must be an object with data.employeeId or employees[].id');
  }
  const record = body as { data?: unknown; employees?: unknown };
  const named: unknown[] = [];
  if (typeof record.data === 'object' && record.data !== null && 'employeeId' in record.data) named.push(record.data.employeeId);
  if (record.employees !== undefined) {
    if (!Array.isArray(record.employees)) throw new BadUserInputError("the webhook body's employees must be a list");
    for (const employee of record.employees as unknown[])
      named.push(typeof employee === 'object' && employee !== null && 'id' in employee ? employee.id : undefined);
  }
  const ids = named.map((id) => (typeof id === 'number' ? String(id) : id));
  const bad = ids.find((id) => typeof id !== 'string' || !EMPLOYEE_ID.test(id));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined (and functions), which its lib type omits
  if (bad !== undefined) throw new BadUserInputError(`the webhook names an employee id that is not a BambooHR id: ${JSON.stringify(bad)?.slice(0, 40)}`);
  return [...new Set(ids as string[])];
}
