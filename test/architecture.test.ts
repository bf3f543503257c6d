/**
 * The pipeline flows one way (DESIGN.md): bundle -> parse -> model -> rules -> report -> cli, and
 * no module imports itself through others. Read from the sources' import lines, type imports too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const graph = new Map<string, string[]>();
for (const file of sources(SRC)) {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map((m) => relative(SRC, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
  graph.set(relative(SRC, file), targets);
}

/** Each folder's place in the pipeline; a module may import only its own stage or earlier ones. */
const STAGE: Record<string, number> = { text: 0, 'errors.ts': 0, 'version.ts': 0, bundle: 1, parse: 2, model: 3, rules: 4, 'inventory.ts': 5, 'pipeline.ts': 5, 'guide-steps.ts': 5, 'anchors.ts': 5, 'evidence-context.ts': 5, 'row-verdicts.ts': 5, 'waypoint-details.ts': 5, 'read-budget.ts': 5, report: 6, redact: 6, cli: 7, trace: 5, 'state-digest.ts': 5, compare: 5.5 };
const stageOf = (file: string) => STAGE[file.split('/')[0]!] ?? -1;

describe('architecture', () => {
  it('reads every source module', () => {
    expect(graph.size).toBeGreaterThan(50);
    for (const file of graph.keys()) expect(stageOf(file), file).toBeGreaterThanOrEqual(0);
  });

  it('has no import circle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('lets only the report and the CLI use compare/ (diff, what-if): the analysis never depends on them', () => {
    const users = [...graph].filter(([file, targets]) => !file.startsWith('compare/') && targets.some((t) => t.startsWith('compare/'))).map(([file]) => file.split('/')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect([...new Set(users)].sort()).toEqual(['cli', 'report']);
  });

  it('imports only earlier stages of the pipeline', () => {
    const backwards: string[] = [];
    for (const [file, targets] of graph) for (const t of targets) if (stageOf(t) > stageOf(file)) backwards.push(`${file} -> ${t}`);
    expect(backwards).toEqual([]);
  });
});
