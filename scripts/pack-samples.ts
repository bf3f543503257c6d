/**
 * Packs each samples/<name>/ folder into samples/<name>.tgz (bug-report/ into bug-report.tar.gz) with
 * a `<name>/` top folder, the way a bundle arrives on a ticket. Entries are sorted and carry fixed metadata so repacking an
 * unchanged folder gives the same archive. Run with `npm run samples` after editing a sample.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

const SAMPLES = fileURLToPath(new URL('../samples/', import.meta.url));
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

async function packFolder(name: string): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  const root = join(SAMPLES, name);
  for (const file of filesUnder(root)) {
    const path = `${name}/${relative(root, file).split('\\').join('/')}`;
    archive.entry({ name: path, mode: 0o644, mtime: FIXED_MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root' }, readFileSync(file));
  }
  archive.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

/** `istioctl bug-report` always names its archive bug-report.tar.gz; our bundles are .tgz. */
function archiveName(folder: string): string {
  return folder === 'bug-report' ? 'bug-report.tar.gz' : `${folder}.tgz`;
}

// guide-outputs/ is what a customer pastes by hand: loose files, read as a folder, never archived.
const names = readdirSync(SAMPLES).filter((n) => statSync(join(SAMPLES, n)).isDirectory() && !['rules', 'scenarios', 'guide-outputs'].includes(n));
for (const name of names) {
  const out = join(SAMPLES, archiveName(name));
  writeFileSync(out, await packFolder(name));
  console.log(`${relative(process.cwd(), out)}: ${statSync(out).size} bytes`);
}
