/**
 * Builds one scenario bundle per rule under samples/scenarios/<name>/: a copy of samples/bookinfo-ambient
 * (the healthy Istio 1.26.2 cluster) with the few edits a real cluster would show for that fault, in every
 * file that would show it. Objects are edited as data and written back the way the tools print them:
 * kubectl JSON (keys sorted, 4-space indent, Go's HTML escaping), kubectl YAML (go-yaml v2 style: sorted
 * keys, sequences not indented, no line wrapping), Go tabwriter tables re-rendered from their rows, and
 * `istioctl version -o json` (2-space indent, struct order). Also writes samples/scenarios/expected.json
 * and a scenario.md per folder whose line numbers are computed from the files as written.
 *
 * Run with `npx tsx scripts/make-scenarios.ts`. The output is deterministic: ids, hashes and container ids
 * are derived from fixed seeds, so a re-run rewrites the same bytes.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ZS_COLUMNS, ZW_COLUMNS, kubectlYaml, loadYaml, parseTable, renderTable } from './serializers.js';
import { BASE, OUT, Refs, type Scenario, filesUnder } from './bundle.js';
import { writeBase } from './base.js';
import { certsNeeded, loadBundle, regenerate } from './generate.js';
import { ensureCerts } from './certs.js';
import { resetResourceVersion } from './edits.js';
import { bindingScenarios } from './binding.js';
import { bypassScenarios } from './bypass.js';
import { controlPlaneScenarios } from './control-plane.js';
import { policyScenarios } from './policy.js';
import { routingScenarios } from './routing.js';
import { configAndLogScenarios } from './config-and-logs.js';

// =====================================================================================================
// Main
// =====================================================================================================

/** Every written file must read back: JSON parses, YAML loads, tables re-render to the same bytes. */
export function validate(name: string, files: Map<string, string>): void {
  for (const [path, text] of files) {
    const where = `${name}/${path}`;
    if (path.endsWith('.json')) JSON.parse(text);
    if (path.endsWith('.yaml')) {
      const value = loadYaml(text);
      if (kubectlYaml(value) !== text) throw new Error(`${where}: YAML does not round-trip`);
    }
    if (/ztunnel-config|proxy-status/.test(path)) {
      const header = text.slice(0, text.indexOf('\n'));
      const columns = path.includes('service') ? ZS_COLUMNS : path.includes('workload') ? ZW_COLUMNS : header.trim().split(/\s{2,}/);
      const t = parseTable(text, columns, path.includes('proxy-status') ? 5 : 1);
      if (renderTable(t) !== text) throw new Error(`${where}: table does not round-trip`);
      if (/ +$/m.test(text)) throw new Error(`${where}: trailing spaces`);
    }
  }
}

const scenarios: Scenario[] = [...bindingScenarios, ...bypassScenarios, ...policyScenarios, ...routingScenarios, ...controlPlaneScenarios, ...configAndLogScenarios]
  .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

export function main(): void {
  // Certificates for every waypoint pod of every bundle, issued together when one is missing.
  ensureCerts([loadBundle(BASE), ...scenarios.map((s) => {
    resetResourceVersion();
    const b = loadBundle(BASE);
    s.build(b);
    return b;
  })].flatMap(certsNeeded));
  // Step 1: the healthy sample's generated files (ConfigMap, guard policy, config dumps, logs).
  writeBase();
  // The base must render back to itself byte for byte, or the serializers are not kubectl's/istioctl's;
  // and regenerating its dumps and logs must give the files written.
  const base = loadBundle(BASE);
  const check = (what: string) => {
    for (const [path, text] of base.render()) {
      if (readFileSync(join(BASE, path), 'utf8') !== text) throw new Error(`bookinfo-ambient/${path} does not ${what}`);
    }
  };
  check('round-trip');
  regenerate(base);
  check('regenerate to the same bytes');
  const baseFiles = filesUnder(BASE).map((f) => relative(BASE, f).split('\\').join('/')).filter((f) => !/^(config-dumps|logs)\//.test(f));

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const expected: Record<string, string[]> = {};
  for (const s of scenarios) {
    resetResourceVersion();
    const b = loadBundle(BASE);
    s.build(b);
    regenerate(b);
    s.edit?.(b);
    const files = b.render();
    for (const f of baseFiles) if (!files.has(f)) throw new Error(`${s.name}: ${f} not rendered`);
    validate(s.name, files);
    const dir = join(OUT, s.name);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = new Refs(b, files);
    const md = [
      `# ${s.title}`,
      '',
      `Built by \`scripts/make-scenarios.ts\` from \`samples/bookinfo-ambient\` (Istio 1.26.2 on k3d; captured at 09:39 UTC, ` +
        'istiod\'s last push 14 minutes earlier). Only what this fault changes differs from that healthy sample; every file shows it ' +
        'as the real cluster would.',
      '',
      '## What is wrong, and where it shows',
      '',
      ...s.doc(r, b),
      '',
      `## Expected findings`,
      '',
      `${s.expected.join(', ')} ${s.expected.length > 1 ? 'fail' : 'fails'} (see \`../expected.json\`). No other WP rule should fail. ` +
        (s.expected.includes('WP042') ? 'WP042 reports what the waypoint\'s access log shows of the same fault (the failing or denied requests). ' : '') +
        '`istioctl analyze` messages in `istioctl/analyze.txt` are reported under their IST codes as well.',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'scenario.md'), md);
    expected[s.name] = s.expected;
    console.log(`${relative(process.cwd(), dir)}: ${files.size + 1} files`);
  }
  writeFileSync(join(OUT, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
  if (!existsSync(join(OUT, 'expected.json'))) throw new Error('expected.json not written');
}
