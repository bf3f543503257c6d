/**
 * Bytes to lines for streamed logs: a 1 GB log arrives in chunks cut anywhere (mid-line, mid-character), and
 * must reach the parser as the same lines decodeText + splitLines would give, without ever holding the file.
 */
import { StringDecoder } from 'node:string_decoder';
import { ANSI_ESCAPE, guessUtf16, SNIFF_BYTES } from '../../text/decode.js';

/** A longer line is cut: a log without newlines must not grow a single line to the file's size. */
const DEFAULT_MAX_LINE = 64 * 1024;

type Encoding = 'utf8' | 'utf16le' | 'utf16be';

/**
 * Splits a byte stream into lines without holding the stream: UTF-8 (or UTF-16 with a BOM or an obvious
 * NUL pattern, as PowerShell writes it), characters split across chunks reassembled, a UTF-8 BOM dropped,
 * CRLF and lone CR ended as decodeText does, ANSI escapes removed per line. A final newline does not
 * produce an extra empty line. Lines longer than `maxLineLength` are cut (the rest up to the newline is skipped).
 */
export class LineSplitter {
  private decoder: StringDecoder | undefined;
  private encoding: Encoding = 'utf8';
  private head: Buffer[] = [];
  private headBytes = 0;
  /** UTF-16BE: a byte left over from an odd-sized chunk. */
  private carry: number | undefined;
  private pending = '';
  /** The pending line was cut; skip until its newline. */
  private overflow = false;
  private ended = false;
  private readonly maxLine: number;

  constructor(
    private readonly onLine: (line: string) => void,
    options: { maxLineLength?: number } = {},
  ) {
    this.maxLine = Math.max(1, options.maxLineLength ?? DEFAULT_MAX_LINE);
  }

  write(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    if (!this.decoder) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes >= SNIFF_BYTES) this.start();
      return;
    }
    this.feed(this.decode(chunk));
  }

  end(): void {
    if (this.ended) return;
    if (!this.decoder) this.start();
    this.feed(this.decoder!.end());
    this.ended = true;
    if (this.pending !== '' || this.overflow) {
      // As decodeText: escapes are removed first, so a last fragment of escapes only is no line.
      const line = this.pending.indexOf('\x1b') === -1 ? this.pending : this.pending.replace(ANSI_ESCAPE, '');
      this.pending = '';
      this.overflow = false;
      if (line !== '') this.emit(line, false, true);
    }
  }

  private start(): void {
    let data = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
    this.head = [];
    if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
      data = data.subarray(3);
    } else if (data[0] === 0xff && data[1] === 0xfe) {
      this.encoding = 'utf16le';
      data = data.subarray(2);
    } else if (data[0] === 0xfe && data[1] === 0xff) {
      this.encoding = 'utf16be';
      data = data.subarray(2);
    } else {
      const utf16 = guessUtf16(data);
      this.encoding = utf16 ? `utf16${utf16}` : 'utf8';
    }
    this.decoder = new StringDecoder(this.encoding === 'utf8' ? 'utf8' : 'utf16le');
    this.feed(this.decode(data));
  }

  private decode(chunk: Buffer): string {
    if (this.encoding !== 'utf16be') return this.decoder!.write(chunk);
    let data = chunk;
    if (this.carry !== undefined) {
      data = Buffer.concat([Buffer.of(this.carry), chunk]);
      this.carry = undefined;
    }
    const even = data.length & ~1;
    if (even < data.length) this.carry = data[even];
    // swap16 works in place: copy, so the caller's buffer stays intact.
    return this.decoder!.write(Buffer.from(data.subarray(0, even)).swap16());
  }

  private feed(text: string): void {
    if (text === '') return;
    const esc = text.indexOf('\x1b') !== -1;
    const cr = text.indexOf('\r') !== -1;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (this.pending === '' && !this.overflow) {
        const line = nl - start > this.maxLine ? text.slice(start, start + this.maxLine) : text.slice(start, nl);
        this.emit(line, esc, cr);
      } else {
        let line = this.pending;
        if (!this.overflow) {
          line += text.slice(start, Math.min(nl, start + this.maxLine));
          if (line.length > this.maxLine) line = line.slice(0, this.maxLine);
        }
        this.pending = '';
        this.overflow = false;
        this.emit(line, true, true);
      }
      start = nl + 1;
    }
    if (start < text.length && !this.overflow) {
      this.pending += text.slice(start, start + this.maxLine + 1);
      if (this.pending.length > this.maxLine) {
        this.pending = this.pending.slice(0, this.maxLine);
        this.overflow = true;
      }
    }
  }

  private emit(raw: string, esc: boolean, cr: boolean): void {
    let line = raw;
    if (esc && line.indexOf('\x1b') !== -1) line = line.replace(ANSI_ESCAPE, '');
    if (cr && line.indexOf('\r') !== -1) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.indexOf('\r') !== -1) {
        // A lone CR ends a line too (decodeText turns it into LF).
        for (const part of line.split('\r')) this.onLine(part);
        return;
      }
    }
    this.onLine(line);
  }
}
