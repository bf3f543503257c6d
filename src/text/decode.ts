/**
 * CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL` or `ESC ] ... ESC \`) and two-byte escapes.
 * An OSC without its terminator only loses its `ESC ]`, so a stray escape cannot swallow the text after it.
 */
export const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/** How many leading bytes to look at when guessing UTF-16 without a BOM. */
export const SNIFF_BYTES = 64;

/**
 * Decodes a captured command output of unknown origin into LF-terminated plain text.
 * Never throws: invalid UTF-8 becomes U+FFFD.
 */
export function decodeText(data: Buffer): string {
  let text: string;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    text = data.toString('utf8', 3);
  } else if (data[0] === 0xff && data[1] === 0xfe) {
    text = data.toString('utf16le', 2); // PowerShell 5 `>` writes this
  } else if (data[0] === 0xfe && data[1] === 0xff) {
    text = utf16be(data, 2);
  } else {
    const guess = guessUtf16(data);
    text = guess === 'le' ? data.toString('utf16le') : guess === 'be' ? utf16be(data, 0) : data.toString('utf8');
  }
  if (text.indexOf('\x1b') !== -1) text = text.replace(ANSI_ESCAPE, '');
  if (text.indexOf('\r') !== -1) text = text.replace(/\r\n?/g, '\n');
  return text;
}

/** Lines without their `\n`; a final newline does not produce an extra empty line, and '' has no lines. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function utf16be(data: Buffer, start: number): string {
  // swap16 needs an even length and works in place, so copy first: the caller's buffer stays intact.
  const end = start + ((data.length - start) & ~1);
  return Buffer.from(data.subarray(start, end)).swap16().toString('utf16le');
}

/** Text that is mostly ASCII, saved as UTF-16, has a NUL in every other byte; UTF-8 text has none. */
export function guessUtf16(data: Buffer): 'le' | 'be' | undefined {
  const n = Math.min(data.length, SNIFF_BYTES) & ~1;
  if (n < 2) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (data[i] === 0) evenZeros++;
    if (data[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  if (evenZeros === 0 && oddZeros * 2 >= pairs) return 'le';
  if (oddZeros === 0 && evenZeros * 2 >= pairs) return 'be';
  return undefined;
}
