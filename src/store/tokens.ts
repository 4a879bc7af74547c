import { createHash, randomBytes } from 'node:crypto';
import type Keyv from 'keyv';
import { ConfigError } from '../errors.js';
import type { AtomicState } from './atomic.js';
import { globalKey, tenantKey } from './keys.js';
import type { KeyedMutex } from './lock.js';

export const TOKEN_ROLES = ['ADMIN', 'OPERATOR', 'VIEWER'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface TokenIdentity {
  tenant: string;
  role: TokenRole;
  id: string;
}

interface StoredToken extends TokenIdentity {
  label: string;
  createdAt: string;
}

/** What an admin may see of a token: never the token, nor its hash. */
export type TokenInfo = Pick<StoredToken, 'id' | 'role' | 'label' | 'createdAt'>;

/** Shorter configured tokens are refused: they could be guessed. */
const MIN_TOKEN_LENGTH = 24;

/**
 * API tokens. Only the SHA-256 of a token is stored, under a global key, because a request
 * presents a token before anyone knows its tenant; a leaked database yields no usable token.
 * Looking up by hash also means no comparison of secrets whose timing could leak.
 */
export class TokenRepository {
  constructor(
    private readonly kv: Keyv,
    private readonly locks: KeyedMutex,
    private readonly atomic: AtomicState,
  ) {}

  /** The tenant's tokens, oldest first. */
  async list(tenant: string): Promise<TokenInfo[]> {
    const ids = (await this.kv.get<string[]>(tokenIndexKey(tenant))) ?? [];
    const tokens = await Promise.all(
      ids.map(async (id) => {
        const hash = await this.kv.get<string>(globalKey('token-id', id));
        return hash === undefined ? undefined : this.kv.get<StoredToken>(globalKey('token', hash));
      }),
    );
    return tokens
      .filter((token): token is StoredToken => token?.tenant === tenant)
      .map(({ id, role, label, createdAt }) => ({ id, role, label, createdAt }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** A new random token; the plaintext is returned here only. */
  async issue(tenant: string, role: TokenRole, label: string): Promise<{ token: string; id: string }> {
    const token = `rg_${randomBytes(32).toString('base64url')}`;
    const id = newTokenId();
    await this.save(token, { tenant, role, id, label, createdAt: new Date().toISOString() });
    return { token, id };
  }

  async verify(token: string): Promise<TokenIdentity | null> {
    const stored = await this.kv.get<StoredToken>(globalKey('token', digest(token)));
    return stored === undefined ? null : { tenant: stored.tenant, role: stored.role, id: stored.id };
  }

  /**
   * Registers a token given by configuration, keeping its id across restarts. A different
   * plaintext for the same tenant revokes the previous one: rotating the configured token must
   * retire the old value, not leave both valid.
   */
  async ensure(tenant: string, role: TokenRole, plaintext: string): Promise<{ id: string }> {
    if (plaintext.length < MIN_TOKEN_LENGTH) {
      throw new ConfigError(`the bootstrap API token of tenant '${tenant}' must be at least ${MIN_TOKEN_LENGTH} characters; received ${plaintext.length}`);
    }
    const bootstrapKey = tenantKey(tenant, 'bootstrap-token');
    return this.locks.run(bootstrapKey, async () => {
      const existing = await this.kv.get<StoredToken>(globalKey('token', digest(plaintext)));
      if (existing !== undefined && existing.tenant !== tenant) {
        throw new ConfigError(`the bootstrap API token of tenant '${tenant}' is already a token of another tenant`);
      }
      const previousId = await this.kv.get<string>(bootstrapKey);
      if (previousId !== undefined && previousId !== existing?.id) await this.revoke(previousId);
      if (existing?.role === role) {
        if (previousId !== existing.id) await this.kv.set(bootstrapKey, existing.id);
        return { id: existing.id };
      }
      const id = existing?.id ?? newTokenId();
      await this.save(plaintext, { tenant, role, id, label: 'bootstrap', createdAt: new Date().toISOString() });
      await this.kv.set(bootstrapKey, id);
      return { id };
    });
  }

  /** False when no token has this id (already revoked, or never issued), or it belongs to another tenant than `tenant`. */
  async revoke(id: string, tenant?: string): Promise<boolean> {
    const hash = await this.kv.get<string>(globalKey('token-id', id));
    if (hash === undefined) return false;
    const stored = await this.kv.get<StoredToken>(globalKey('token', hash));
    if (tenant !== undefined && stored?.tenant !== tenant) return false;
    await this.kv.deleteMany([globalKey('token', hash), globalKey('token-id', id)]);
    if (stored !== undefined) await this.atomic.change<string[]>(tokenIndexKey(stored.tenant), (ids = []) => ids.filter((each) => each !== id));
    return true;
  }

  private async save(token: string, stored: StoredToken): Promise<void> {
    const hash = digest(token);
    await this.kv.setMany([
      { key: globalKey('token', hash), value: stored },
      { key: globalKey('token-id', stored.id), value: hash },
    ]);
    // The tenant's index, for listing: a compare-and-set, since replicas issue tokens at once.
    await this.atomic.change<string[]>(tokenIndexKey(stored.tenant), (ids = []) => (ids.includes(stored.id) ? ids : [...ids, stored.id]));
  }
}

const tokenIndexKey = (tenant: string) => tenantKey(tenant, 'token-ids');

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newTokenId(): string {
  return `tok_${randomBytes(9).toString('base64url')}`;
}
