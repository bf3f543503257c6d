/**
 * A one-line progress indicator on stderr for runs longer than a second: the stage, and while reading,
 * how much of the bundle is read. Only on a terminal (a pipe or a CI log gets nothing), silenced by
 * `--quiet`, redrawn at most a few times a second, and erased before anything else is printed.
 */
import { formatBytes } from '../bundle/read.js';
import type { Stage } from '../pipeline.js';

const DELAY_MS = 1000;
const EVERY_MS = 200;

export interface Progress {
  update(stage: Stage, done?: number, total?: number): void;
  /** Erases the line; call before printing the summary. */
  done(): void;
}

export function progressLine(write: (text: string) => void, enabled: boolean, now: () => number = Date.now): Progress {
  const started = now();
  let last = 0;
  let shown = false;
  return {
    update(stage, done, total) {
      if (!enabled) return;
      const t = now();
      if (t - started < DELAY_MS || t - last < EVERY_MS) return;
      last = t;
      shown = true;
      const amount = done === undefined ? '' : total ? ` ${Math.floor((100 * done) / total)}% (${formatBytes(done)} of ${formatBytes(total)})` : ` ${formatBytes(done)}`;
      write(`\r\x1b[Kwaypoint-analyze: ${stage}${amount}`);
    },
    done() {
      if (shown) write('\r\x1b[K');
      shown = false;
    },
  };
}
