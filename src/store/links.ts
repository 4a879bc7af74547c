import { createHash } from 'node:crypto';
import type Keyv from 'keyv';
import { type IdentityLink, type Source, SOURCES } from '../model.js';
import { tenantKey } from './keys.js';
import type { KeyedMutex } from './lock.js';

/**
 * Links of one source live in a fixed number of buckets keyed by a hash of the employee id: a
 * tenant's 50,000 links list in 64 reads, and storing one link rewrites a 1/64 share rather
 * than the whole set. Changing the number would strand stored links.
 */
const BUCKETS = 64;

type EmployeeRef = Pick<IdentityLink, 'source' | 'sourceId'>;

/** Identity links (HR employee ↔ Litmos learner), with a reverse index by learner. */
/** One collator for every comparison: `localeCompare` with options builds a new one each call. */
const COLLATED = new Intl.Collator('en', { numeric: true }).compare;
const PLAIN_NUMBER = /^(0|[1-9]\d*)$/;
/**
 * The collator's numeric order, without it for ids of digits alone (BambooHR's): for those it is
 * shorter first, then as text, and a 50,000-link list sorted ten times faster.
 */
const BY_ID = (a: string, b: string): number =>
  PLAIN_NUMBER.test(a) && PLAIN_NUMBER.test(b) ? a.length - b.length || (a < b ? -1 : a > b ? 1 : 0) : COLLATED(a, b);

export class LinkRepository {
  constructor(
    private readonly kv: Keyv,
    private readonly locks: KeyedMutex,
  ) {}

  /** Stores or replaces the link of `link.source`/`link.sourceId`. */
  async put(tenant: string, link: IdentityLink): Promise<void> {
    await this.locks.run(tenantKey(tenant, 'links'), async () => {
      const bucketKey = this.bucketKey(tenant, link);
      const bucket = (await this.kv.get<IdentityLink[]>(bucketKey)) ?? [];
      const previous = bucket.find((candidate) => sameEmployee(candidate, link));
      const writes: { key: string; value: unknown }[] = [{ key: bucketKey, value: [...bucket.filter((candidate) => !sameEmployee(candidate, link)), link] }];
      if (previous !== undefined && previous.learnerId !== link.learnerId) {
        const oldKey = this.learnerKey(tenant, previous.learnerId);
        const old = (await this.kv.get<EmployeeRef[]>(oldKey)) ?? [];
        writes.push({ key: oldKey, value: old.filter((ref) => !sameEmployee(ref, link)) });
      }
      const learnerKey = this.learnerKey(tenant, link.learnerId);
      const linked = (await this.kv.get<EmployeeRef[]>(learnerKey)) ?? [];
      if (!linked.some((ref) => sameEmployee(ref, link))) {
        writes.push({ key: learnerKey, value: [...linked, { source: link.source, sourceId: link.sourceId }] });
      }
      await this.kv.setMany(writes);
    });
  }

  async get(tenant: string, source: Source, sourceId: string): Promise<IdentityLink | null> {
    const bucket = await this.kv.get<IdentityLink[]>(this.bucketKey(tenant, { source, sourceId }));
    return bucket?.find((link) => link.sourceId === sourceId) ?? null;
  }

  /** Every employee linked to the learner: usually one, but each source may link the same person. */
  async findByLearner(tenant: string, learnerId: string): Promise<IdentityLink[]> {
    const refs = (await this.kv.get<EmployeeRef[]>(this.learnerKey(tenant, learnerId))) ?? [];
    const links = await Promise.all(refs.map(async (ref) => this.get(tenant, ref.source, ref.sourceId)));
    return links.filter((link): link is IdentityLink => link?.learnerId === learnerId);
  }

  /** All links of the tenant, or of one source, ordered by source then employee id. */
  async list(tenant: string, source?: Source): Promise<IdentityLink[]> {
    const sources = source === undefined ? SOURCES : [source];
    const keys = sources.flatMap((each) => Array.from({ length: BUCKETS }, (_, bucket) => tenantKey(tenant, 'links', each, String(bucket))));
    const buckets = await this.kv.getMany<IdentityLink[]>(keys);
    return buckets.flatMap((bucket) => bucket ?? []).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : BY_ID(a.sourceId, b.sourceId)));
  }

  /**
   * Forgets every link of the tenant and its learner index; returns how many links there were.
   * For start-up, when the learners they name are gone (a reseeded sandbox): it takes no lock, so
   * nothing may store links meanwhile.
   */
  async clear(tenant: string): Promise<number> {
    const links = await this.list(tenant);
    const buckets = SOURCES.flatMap((source) => Array.from({ length: BUCKETS }, (_, bucket) => tenantKey(tenant, 'links', source, String(bucket))));
    const learners = new Set(links.map((link) => this.learnerKey(tenant, link.learnerId)));
    await this.kv.deleteMany([...buckets, ...learners]);
    return links.length;
  }

  private bucketKey(tenant: string, employee: EmployeeRef): string {
    const bucket = createHash('sha256').update(employee.sourceId).digest().readUInt32BE(0) % BUCKETS;
    return tenantKey(tenant, 'links', employee.source, String(bucket));
  }

  private learnerKey(tenant: string, learnerId: string): string {
    return tenantKey(tenant, 'learner-links', learnerId);
  }
}

function sameEmployee(a: EmployeeRef, b: EmployeeRef): boolean {
  return a.source === b.source && a.sourceId === b.sourceId;
}
