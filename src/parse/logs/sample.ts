/**
 * The bounded sample of log entries: a 1 GB log keeps at most a few thousand entries, and the ones a rule
 * quotes (failed requests, errors) win over healthy ones when room runs out.
 */

/** Healthy entries kept per log at most: the whole-log statistics count them all, a few examples are enough. */
export const MAX_ORDINARY = 200;

/** A bounded sample that prefers priority entries: a priority entry evicts the latest ordinary one. */
export class Sample<T> {
  readonly priority: T[] = [];
  readonly ordinary: T[] = [];
  dropped = 0;

  constructor(private readonly max: number, private readonly maxOrdinary = Math.min(max, MAX_ORDINARY)) {}

  /** Whether an entry of this class would be kept; a refusal counts it as dropped. Call once per entry. */
  wants(priority: boolean): boolean {
    if (!priority && this.ordinary.length >= this.maxOrdinary) {
      this.dropped++;
      return false;
    }
    if (this.priority.length + this.ordinary.length < this.max) return true;
    if (priority && this.ordinary.length > 0) return true;
    this.dropped++;
    return false;
  }

  add(entry: T, priority: boolean): void {
    if (this.priority.length + this.ordinary.length >= this.max) {
      this.ordinary.pop();
      this.dropped++;
    }
    (priority ? this.priority : this.ordinary).push(entry);
  }

  /** Priority entries first, then the ordinary ones, each in line order. */
  items(): T[] {
    return [...this.priority, ...this.ordinary];
  }
}

