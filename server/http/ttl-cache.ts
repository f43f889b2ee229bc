/**
 * A small in-memory cache whose entries expire after `ttlMs` and whose size is capped (the oldest entry is
 * dropped first). The proxy keys some caches by values a caller chooses (ids in the URL, key hashes), so an
 * unbounded map would let a flood of made-up values grow the web process without limit.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: V }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000, private readonly now: () => number = Date.now) {}

  /** `{ value }` while fresh (the value may itself be null: a cached miss), undefined otherwise. */
  get(key: K): { value: V } | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.now() - hit.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return { value: hit.value };
  }

  set(key: K, value: V): void {
    // Re-inserting moves the key to the end, so the Map's first key is always the oldest entry.
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), value });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
