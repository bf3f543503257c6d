/**
 * `npm run gen:bundle -- --pods N --services M --waypoints W --seed S --out FILE.tgz [--format yaml|json] [--plant LIST]`
 *
 * Writes a realistic large bundle in the collector's layout and the exact formats of kubectl and istioctl, for
 * benchmarks and scale tests (issue "Big clusters"). The defaults are the benchmark bundle: 20,000 pods,
 * 5,000 Services, 200 waypoints. The same arguments write the same bytes. `--plant` adds faults the analyzer's
 * rules must find (see scripts/gen-bundle/plan.ts: PLANTS). Prints the time, sizes and peak RSS.
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateBundle } from './gen-bundle/generate.js';
import { PLANTS, type Plant } from './gen-bundle/plan.js';

const USAGE = `usage: npm run gen:bundle -- [--pods 20000] [--services 5000] [--waypoints 200] [--seed 1] [--out FILE.tgz]
                            [--format yaml|json] [--plant ${PLANTS.join(',')}]`;

function fail(message: string): never {
  process.stderr.write(`gen-bundle: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function count(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} takes a whole number, not ${value}`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        pods: { type: 'string', default: '20000' },
        services: { type: 'string', default: '5000' },
        waypoints: { type: 'string', default: '200' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string' },
        format: { type: 'string', default: 'yaml' },
        plant: { type: 'string', default: '' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (v.format !== 'yaml' && v.format !== 'json') fail(`--format is yaml or json, not ${v.format}`);
  const plants = v.plant.split(',').filter(Boolean);
  for (const p of plants) if (!(PLANTS as readonly string[]).includes(p)) fail(`unknown plant ${p}`);
  const pods = count(v.pods, 'pods');
  const out = v.out ?? `gen-bundle-${pods}.tgz`;
  const started = performance.now();
  let result;
  try {
    result = await generateBundle({
      pods, services: count(v.services, 'services'), waypoints: count(v.waypoints, 'waypoints'), seed: v.seed, format: v.format, plants: plants as Plant[],
    }, out);
  } catch (err) {
    fail((err as Error).message);
  }
  const seconds = (performance.now() - started) / 1000;
  const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MB`;
  const gz = statSync(out).size;
  process.stdout.write(`wrote ${out}: ${result.files.length + 1} files, ${mb(result.textBytes)} of text, ${mb(gz)} gzipped, in ${seconds.toFixed(1)} s ` +
    `(peak RSS ${mb(process.resourceUsage().maxRSS * 1024)})\n`);
}

await main();
