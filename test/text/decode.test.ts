import { describe, expect, it } from 'vitest';
import { decodeText, splitLines } from '../../src/text/decode.js';

const SAMPLE = 'NAMESPACE  NAME\ndefault    waypoint\n';

function utf16be(s: string): Buffer {
  return Buffer.from(s, 'utf16le').swap16();
}

describe('decodeText', () => {
  it('reads plain UTF-8 with non-ASCII', () => {
    expect(decodeText(Buffer.from('héllo ✓\n', 'utf8'))).toBe('héllo ✓\n');
  });

  it('drops a UTF-8 BOM', () => {
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)]))).toBe(SAMPLE);
  });

  it('reads UTF-16LE with BOM (PowerShell redirection) and CRLF', () => {
    const data = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: é\r\nb: 2\r\n', 'utf16le')]);
    expect(decodeText(data)).toBe('a: é\nb: 2\n');
  });

  it('reads UTF-16BE with BOM without altering the input buffer', () => {
    const data = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(SAMPLE)]);
    const copy = Buffer.from(data);
    expect(decodeText(data)).toBe(SAMPLE);
    expect(data.equals(copy)).toBe(true);
  });

  it('detects UTF-16LE and UTF-16BE without BOM', () => {
    expect(decodeText(Buffer.from(SAMPLE, 'utf16le'))).toBe(SAMPLE);
    expect(decodeText(utf16be(SAMPLE))).toBe(SAMPLE);
  });

  it('converts CRLF and lone CR to LF', () => {
    expect(decodeText(Buffer.from('a\r\nb\rc\n\r\n'))).toBe('a\nb\nc\n\n');
  });

  it('strips ANSI colours as istioctl prints them', () => {
    const raw =
      '\x1b[1;31mError\x1b[0m [IST0101] (VirtualService default/reviews) Referenced host not found: "reviews2"\r\n' +
      '\x1b[36mInfo\x1b[0m [IST0118] (Service default/details) Port name  (port: 9080, targetPort: 9080) ' +
      "doesn't follow the naming convention\r\n";
    expect(decodeText(Buffer.from(raw))).toBe(
      'Error [IST0101] (VirtualService default/reviews) Referenced host not found: "reviews2"\n' +
        "Info [IST0118] (Service default/details) Port name  (port: 9080, targetPort: 9080) doesn't follow the naming convention\n",
    );
    expect(decodeText(Buffer.from('Info\x1b[0m [IST0118] x'))).toBe('Info [IST0118] x');
  });

  it('strips OSC sequences (hyperlinks, titles) but keeps their visible text', () => {
    const link = '\x1b]8;;https://istio.io/docs\x1b\\docs\x1b]8;;\x1b\\ and \x1b]0;title\x07done';
    expect(decodeText(Buffer.from(link))).toBe('docs and done');
  });

  it('does not let an unterminated OSC swallow the rest of the text', () => {
    expect(decodeText(Buffer.from('a\x1b]0;x\nb\n'))).toBe('a0;x\nb\n');
  });

  it('replaces invalid UTF-8 instead of throwing', () => {
    const data = Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x80, 0x0a]);
    // 0xff 0xfe at the start would be a BOM; here it is mid-text.
    expect(decodeText(data)).toBe('ok\uFFFD\uFFFD\uFFFD\n');
    expect(decodeText(Buffer.from([0xc3]))).toBe('\uFFFD');
  });

  it('handles empty and tiny inputs', () => {
    expect(decodeText(Buffer.alloc(0))).toBe('');
    expect(decodeText(Buffer.from('x'))).toBe('x');
    expect(decodeText(Buffer.from([0xff, 0xfe]))).toBe('');
  });
});

describe('splitLines', () => {
  it('drops one trailing empty element after a final newline', () => {
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\nb\n\n')).toEqual(['a', 'b', '']);
  });

  it('keeps the last line when there is no final newline', () => {
    expect(splitLines('a\nb')).toEqual(['a', 'b']);
    expect(splitLines('\nx')).toEqual(['', 'x']);
  });

  it('gives no lines for empty text and one empty line for a lone newline', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual(['']);
  });
});
