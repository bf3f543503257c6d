/** Runs the CLI in-process, as the tests of its commands do, capturing what it prints. */
import { join } from 'node:path';
import { main, type Io } from '../../src/cli/main.js';
import { ROOT } from '../helpers.js';

export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** `waypoint-analyze <args> --format json -o -`, with the report parsed. */
export async function jsonReport<R = any>(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; report: R }> {
  const r = await runCli(...args, '--format', 'json', '-o', '-');
  return { ...r, report: JSON.parse(r.stdout) as R };
}

export const sample = (name: string): string => join(ROOT, 'samples', name);
