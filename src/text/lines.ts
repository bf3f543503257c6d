/**
 * Line access without splitting: the start offset of every line, and a line's text sliced only
 * when asked for. A 40 MB capture has ~1M lines, and most parsers need only a few of them.
 */
export class TextLines {
  private readonly starts: Int32Array;
  readonly length: number;

  constructor(readonly text: string) {
    const starts: number[] = [];
    if (text !== '') {
      starts.push(0);
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      // As splitLines: a final newline does not start another line.
      if (starts[starts.length - 1] === text.length) starts.pop();
    }
    this.starts = Int32Array.from(starts);
    this.length = this.starts.length;
  }

  /** The 0-based line `i` without its newline; '' past the end. */
  get(i: number): string {
    if (i < 0 || i >= this.length) return '';
    const last = i + 1 === this.length;
    const end = !last ? this.starts[i + 1]! - 1 : this.text.endsWith('\n') ? this.text.length - 1 : this.text.length;
    return this.text.slice(this.starts[i]!, end);
  }

  /** Offset of the first character of line `i` (text length past the end). */
  offsetOf(i: number): number {
    return i < this.length ? this.starts[i]! : this.text.length;
  }

  /** The 0-based line that holds `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
