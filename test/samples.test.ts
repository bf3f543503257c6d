import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../src/bundle/read.js';
import { DEFAULT_LIMITS } from '../src/bundle/types.js';
import { ROOT } from './helpers.js';

/** Path -> text of every file; `topFolder` is stripped from archive paths. */
async function contents(path: string, topFolder?: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  await readBundle(path, DEFAULT_LIMITS, (f) => {
    files.set(topFolder ? f.path.slice(topFolder.length + 1) : f.path, f.data.toString('utf8'));
  });
  return files;
}

describe('sample archives', () => {
  it.each([['bookinfo-ambient', 'bookinfo-ambient.tgz'], ['bookinfo-broken', 'bookinfo-broken.tgz'], ['bug-report', 'bug-report.tar.gz']])('%s: %s holds exactly the files of its folder (run `npm run samples` after editing)', async (name, archiveFile) => {
    const folder = await contents(join(ROOT, 'samples', name));
    const archive = await contents(join(ROOT, 'samples', archiveFile), name);
    expect(folder.size).toBeGreaterThanOrEqual(9);
    expect(archive).toEqual(folder);
  });
});
