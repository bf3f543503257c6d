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
    const count = this.starts.length;
    if (i < 0 || i >= count) return '';
    const last = i + 1 === count;
    const end = !last ? this.starts[i + 1]! - 1 : this.text.endsWith('\n') ? this.text.length - 1 : this.text.length;
    return this.text.slice(this.starts[i]!, end);
  }

  /** Offset of the first character of line `i` (text length past the end). */
  offsetOf(i: number): number {
    return i < this.starts.length ? this.starts[i]! : this.text.length;
  }

  /** The 0-based line that holds `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * The lines of one piece of a larger file, addressed by the file's line numbers: line `first` of the file is
 * the piece's first line. Offsets stay the piece's own. Lets a parser that streams a file item by item hand
 * each item to code written for a whole file's TextLines, with every line number already the file's.
 */
export class WindowLines extends TextLines {
  readonly first: number;

  constructor(text: string, first: number) {
    super(text);
    this.first = first;
    Object.defineProperty(this, 'length', { value: first + this.length });
  }

  override get(i: number): string {
    return i < this.first ? '' : super.get(i - this.first);
  }

  override offsetOf(i: number): number {
    return i < this.first ? 0 : super.offsetOf(i - this.first);
  }

  override lineOf(offset: number): number {
    return this.first + super.lineOf(offset);
  }
}
