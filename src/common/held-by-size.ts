/**
 * Answers held in memory by key, up to a total size in bytes: past it, the ones used least
 * lately are dropped first (to be made again when next asked for). A Map keeps its keys in
 * the order they were set, so a key set again, or read, moves to the end.
 */
export class HeldBySize<Value extends { body: Buffer }> {
  private readonly held = new Map<string, Value>();
  private heldBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.heldBytes;
  }

  get(key: string): Value | undefined {
    const value = this.held.get(key);
    if (value !== undefined) {
      this.held.delete(key);
      this.held.set(key, value);
    }
    return value;
  }

  set(key: string, value: Value): void {
    this.delete(key);
    this.held.set(key, value);
    this.heldBytes += value.body.length;
    for (const [oldest] of this.held) {
      if (this.heldBytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const value = this.held.get(key);
    if (value === undefined) return;
    this.held.delete(key);
    this.heldBytes -= value.body.length;
  }

  /** Drops every value `drop` picks. */
  deleteWhere(drop: (value: Value) => boolean): void {
    for (const [key, value] of this.held) if (drop(value)) this.delete(key);
  }

  clear(): void {
    this.held.clear();
    this.heldBytes = 0;
  }

  get size(): number {
    return this.held.size;
  }
}
