// API key → tenant. Keys are stored as SHA-256 digests; the gateway keeps the active ones in memory
// and reloads them from the store every `refreshMs`, so keys created or revoked by the CLI (another
// process on the same database) take effect within that time without a store read per request.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GatewayError } from '../core/errors.js';
import type { ApiKeyRecord, Scope, Store } from '../store/store.js';
import { every, systemClock, type Clock } from '../core/clock.js';

export const keyPrefix = 'sk-sov-';

export interface Tenant {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
  rpm: number;
}

/** The open local mode's tenant (auth.required: false, loopback only). */
export const anonymousTenant: Tenant = { keyId: 'anonymous', name: 'anonymous', scopes: ['admin'], rpm: 0 };

/** The key id a record keeps for a tenant: none for the open local mode's tenant, which no key stands behind. */
export function storedKeyId(tenant: Pick<Tenant, 'keyId'>): string | null {
  return tenant.keyId === anonymousTenant.keyId ? null : tenant.keyId;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateKey(): string {
  return keyPrefix + randomBytes(32).toString('base64url');
}

export async function createApiKey(
  store: Store,
  options: { name: string; scopes: Scope[]; rpm: number | null; now: number },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = generateKey();
  const record = await store.createKey({
    id: randomUUID(),
    name: options.name,
    keyHash: hashKey(key),
    keyPrefix: key.slice(0, keyPrefix.length + 4),
    scopes: options.scopes,
    rpm: options.rpm,
    createdAt: options.now,
  });
  return { key, record };
}

export class KeyRing {
  private byHash = new Map<string, Tenant>();
  /**
   * Keys already seen valid since the last reload, to skip hashing them on every request. Only valid keys enter it, so
   * its size is bounded by the number of keys.
   */
  private seen = new Map<string, Tenant>();
  private readonly running = new AbortController();
  private loaded = false;
  private readonly revokedListeners: Array<(keyId: string) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly defaultRpm: number,
    private readonly onError: (error: unknown) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  async start(refreshMs: number): Promise<void> {
    await this.refresh();
    void every(this.clock, refreshMs, this.running.signal, () => this.refresh(), this.onError);
  }

  stop(): void {
    this.running.abort();
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Told the id of every key that was active and no longer is, at the reload that finds it gone (ends its streams). */
  onRevoked(listener: (keyId: string) => void): void {
    this.revokedListeners.push(listener);
  }

  async refresh(): Promise<void> {
    const keys = await this.store.activeKeys();
    const next = new Map<string, Tenant>();
    for (const key of keys)
      next.set(key.keyHash, { keyId: key.id, name: key.name, scopes: key.scopes, rpm: key.rpm ?? this.defaultRpm });
    const before = this.byHash;
    this.byHash = next;
    this.seen = new Map();
    this.loaded = true;
    if (this.revokedListeners.length === 0) return;
    const active = new Set(keys.map((key) => key.id));
    for (const tenant of before.values())
      if (!active.has(tenant.keyId)) for (const listener of this.revokedListeners) listener(tenant.keyId);
  }

  /**
   * The tenant for a presented key. The lookup is by SHA-256 of the key, so timing reveals nothing
   * about a stored key's bytes (an attacker would need a preimage), which is why no constant-time
   * compare is needed here. The `seen` cache holds only keys that already proved valid; a guess
   * that misses it takes the hashed path like any other.
   */
  authenticate(presented: string | undefined): Tenant {
    if (!this.loaded) throw new GatewayError('invalid_api_key', 'The key store is not loaded yet; retry in a moment.');
    if (!presented)
      throw new GatewayError(
        'invalid_api_key',
        'Missing API key: send it as "Authorization: Bearer <key>" (or x-api-key).',
      );
    const known = this.seen.get(presented);
    if (known) return known;
    const tenant = this.byHash.get(hashKey(presented));
    if (!tenant) throw new GatewayError('invalid_api_key', 'Invalid API key (unknown or revoked).');
    this.seen.set(presented, tenant);
    return tenant;
  }
}

/** Fixed one-minute windows per key: cheap, and Retry-After is exact. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number) {}

  check(tenant: Tenant): void {
    if (tenant.rpm <= 0) return;
    const now = this.now();
    let window = this.windows.get(tenant.keyId);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.windows.set(tenant.keyId, window);
    }
    if (window.count >= tenant.rpm) {
      const retryAfterSeconds = Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000));
      throw new GatewayError(
        'rate_limited',
        `Rate limit of ${tenant.rpm} requests per minute reached for key "${tenant.name}".`,
        { retryAfterSeconds },
      );
    }
    window.count += 1;
  }
}
