/**
 * Bounded LRU cache (the article's cache of recent inputs): at most `maxEntries` entries and `maxBytes` bytes
 * (each entry's size is given on insert). A Map keeps insertion order; a hit re-inserts the key at the end, so
 * the first key is always the least recently used.
 */
export class LruCache<V> {
  private map = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: string, value: V, bytes: number): void {
    if (this.maxEntries <= 0 || bytes > this.maxBytes) return;
    const old = this.map.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.map.delete(key);
    }
    this.map.set(key, { value, bytes });
    this.bytes += bytes;
    while (this.map.size > this.maxEntries || this.bytes > this.maxBytes) {
      const first = this.map.keys().next();
      if (first.done) break;
      this.bytes -= this.map.get(first.value)!.bytes;
      this.map.delete(first.value);
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}
