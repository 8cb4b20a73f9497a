/** Bytes received → kbit/s over the last second or so. */

const WINDOW_MS = 1_000;
const MAX_ENTRIES = 4_096;

export class ByteRate {
  private readonly entries: { at: number; bytes: number }[] = [];

  /** `at`: performance.now() (ms). */
  add(bytes: number, at: number): void {
    this.entries.push({ at, bytes });
    this.forget(at);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
  }

  kbps(now: number): number {
    this.forget(now);
    const bytes = this.entries.reduce((sum, entry) => sum + entry.bytes, 0);
    return Math.round((bytes * 8) / WINDOW_MS);
  }

  private forget(now: number): void {
    while (this.entries.length > 0 && this.entries[0]!.at <= now - WINDOW_MS) this.entries.shift();
  }
}
