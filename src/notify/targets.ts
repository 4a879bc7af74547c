/**
 * Notification targets as an admin manages them: where events go — a webhook URL or an email
 * address — which events, and for a webhook the secret its deliveries are signed with, shown once,
 * at creation, and kept sealed in the store's secrets.
 */
import { randomBytes } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { BadUserInputError, ConfigError } from '../errors.js';
import type { NotificationRepository, NotificationTargetEntry } from '../store/notifications.js';
import type { SecretRepository } from '../store/secrets.js';

export const NOTIFICATION_EVENTS = ['RUN_SUCCEEDED', 'RUN_PARTIAL', 'RUN_FAILED', 'RUN_AWAITING_APPROVAL', 'CONNECTION_ERROR', 'CONNECTION_RECOVERED'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export type NotificationTarget = NotificationTargetEntry & { events: NotificationEvent[] };

/** Targets one tenant may have: each event is sent to each of them, so they bound its outgoing traffic. */
export const MAX_TARGETS = 10;
const MAX_URL_LENGTH = 2048;

/** What the targets need of the store. */
export interface TargetStore {
  notifications: NotificationRepository;
  secrets: SecretRepository;
}

/** The secrets repository's name of a target's signing secret. */
export const targetSecretName = (targetId: string) => `notify.${targetId}`;

/** An http(s) URL without credentials in it, else BadUserInputError saying which rule it breaks. */
export function checkTargetUrl(raw: string): string {
  const text = raw.trim();
  if (text.length > MAX_URL_LENGTH) throw new BadUserInputError(`url must be at most ${MAX_URL_LENGTH} characters; received ${text.length}`, { field: 'url' });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadUserInputError('url must be an absolute http:// or https:// URL', { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadUserInputError(`url must be http:// or https://; received ${url.protocol}//`, { field: 'url', protocol: url.protocol });
  }
  // A user name or password in the URL would be stored and shown to every admin: a receiver that
  // needs a credential checks the signature instead.
  if (url.username || url.password) throw new BadUserInputError('url must not carry a user name or password (user:pass@)', { field: 'url' });
  return url.href;
}

const knownEvents = (events: readonly string[]): NotificationEvent[] => NOTIFICATION_EVENTS.filter((event) => events.includes(event));

function checkEvents(events: readonly string[]): NotificationEvent[] {
  const chosen = knownEvents(events);
  if (chosen.length === 0) throw new BadUserInputError('events must name at least one NotificationEvent', { field: 'events' });
  return chosen;
}

/** One mailbox, bare (`ops@example.com`) or named (`Rostergate <ops@example.com>`); null for anything else — lists, groups, line breaks. */
export function parseMailbox(raw: string): { name: string; address: string } | null {
  if (raw.length > 320 || /[\r\n]/.test(raw)) return null;
  const parsed = addressparser(raw.trim(), { flatten: false });
  const only = parsed.length === 1 ? parsed[0] : undefined;
  if (!only || only.group !== undefined || !ADDRESS.test(only.address)) return null;
  return { name: only.name, address: only.address };
}

/** local@domain: no spaces, brackets or quotes; the domain's labels as DNS allows them. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A bare address (`ops@example.com`), else BadUserInputError. */
export function checkTargetEmail(raw: string): string {
  const mailbox = parseMailbox(raw);
  if (mailbox?.name !== '') throw new BadUserInputError('email must be one address, e.g. ops@example.com, without a name or a list', { field: 'email' });
  return mailbox.address;
}

/** Where a new target sends: exactly one of a URL and an email address, the latter only when this gateway can send email. */
function placeOf(input: TargetInput, canEmail: boolean): { url: string } | { email: string } {
  const { url, email } = input;
  if ((url == null) === (email == null)) {
    throw new BadUserInputError('give a target either a url (a signed webhook) or an email address, not both and not neither', {
      field: url == null ? 'url' : 'email',
    });
  }
  if (url != null) return { url: checkTargetUrl(url) };
  const address = checkTargetEmail(email ?? '');
  if (!canEmail) {
    throw new ConfigError('email targets need SMTP, which this gateway has not been given: its operator sets ROSTERGATE_SMTP_URL and ROSTERGATE_SMTP_FROM', {
      variable: 'ROSTERGATE_SMTP_URL',
    });
  }
  return { email: address };
}

export interface TargetInput {
  url?: string | null;
  email?: string | null;
  events: readonly string[];
}

export async function listTargets(store: TargetStore, tenant: string): Promise<NotificationTarget[]> {
  return (await store.notifications.targets(tenant)).map(targetOf);
}

/**
 * A new target, and a webhook's signing secret: the one time the secret leaves the store (null for
 * an email target). `canEmail`: whether SMTP is configured.
 */
export async function addTarget(
  store: TargetStore,
  tenant: string,
  input: TargetInput,
  now: Date,
  canEmail: boolean,
): Promise<{ target: NotificationTarget; secret: string | null }> {
  const target: NotificationTarget = {
    id: `ntf_${randomBytes(9).toString('base64url')}`,
    ...placeOf(input, canEmail),
    events: checkEvents(input.events),
    createdAt: now.toISOString(),
  };
  const secret = target.url === undefined ? null : `rgwh_${randomBytes(32).toString('base64url')}`;
  // The secret first: a webhook target is never listed without one to sign with.
  if (secret) await store.secrets.put(tenant, targetSecretName(target.id), secret);
  try {
    await store.notifications.addTarget(tenant, target, (next) => {
      if (next.length > MAX_TARGETS) {
        throw new BadUserInputError(`a tenant may have at most ${MAX_TARGETS} notification targets; remove one first`, { limit: MAX_TARGETS });
      }
    });
  } catch (error) {
    await store.secrets.delete(tenant, targetSecretName(target.id));
    throw error;
  }
  return { target, secret };
}

/** True when the target existed; its secret and delivery log go with it, and its pending deliveries are given up. */
export async function removeTarget(store: TargetStore, tenant: string, id: string): Promise<boolean> {
  const removed = await store.notifications.removeTarget(tenant, id);
  if (removed) await store.secrets.delete(tenant, targetSecretName(id));
  return removed !== null;
}

function targetOf(entry: NotificationTargetEntry): NotificationTarget {
  return { ...entry, events: knownEvents(entry.events) };
}
