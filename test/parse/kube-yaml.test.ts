/**
 * The fast reader of kubectl's YAML against js-yaml (the reference): on every YAML document of the
 * samples, the scenarios and Istio's fixtures, it gives js-yaml's value or gives up, never another
 * value; on kubectl's own form it does not give up; and what it refuses, it refuses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKubeYaml } from '../../src/parse/kube-yaml.js';
import { loadKubeYaml } from '../../src/parse/yaml.js';
import { FIXTURES, HAVE_FIXTURES, ROOT } from '../helpers.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

/** Documents as kube.ts splits them: at `---` lines. */
const documents = (text: string) => text.split(/^---[^\n]*$/m).filter((d) => d.trim() !== '');

describe('fast kubectl YAML reader', () => {
  const files = [...yamlFiles(join(ROOT, 'samples')), ...yamlFiles(join(ROOT, 'test')), ...(HAVE_FIXTURES ? yamlFiles(FIXTURES) : [])];

  it(`agrees with js-yaml or gives up, on every document of ${files.length} YAML files`, () => {
    let read = 0;
    let refused = 0;
    for (const file of files) {
      for (const doc of documents(readFileSync(file, 'utf8'))) {
        let reference: unknown;
        try {
          reference = loadKubeYaml(doc);
        } catch {
          // Not YAML at all: the fast reader must not make something of it either.
          expect(readKubeYaml(doc), file).toBeUndefined();
          continue;
        }
        const fast = readKubeYaml(doc);
        if (fast === undefined) refused++;
        else {
          read++;
          expect(fast, file).toEqual(reference);
        }
      }
    }
    expect(read).toBeGreaterThan(refused);
  });

  it('reads every kubectl List of the samples without giving up', () => {
    const kubectl = yamlFiles(join(ROOT, 'samples')).filter((f) => /[/\\]kubectl[/\\]/.test(f));
    expect(kubectl.length).toBeGreaterThan(10);
    for (const file of kubectl) expect(readKubeYaml(readFileSync(file, 'utf8')), file).not.toBeUndefined();
  });

  it('reads kubectl\'s forms exactly', () => {
    const text = [
      'apiVersion: v1',
      'items:',
      '- metadata:',
      '    annotations:',
      '      kubectl.kubernetes.io/last-applied-configuration: |',
      '        {"a":1}',
      '      note: \'it\'\'s\'',
      '    labels:',
      '      "8": eight',
      '      enabled: "true"',
      '      on: yes',
      '    name: x',
      '  spec:',
      '    ports:',
      '    - port: 9080',
      '      protocol: TCP',
      '    - port: 0x1F',
      '    empty: {}',
      '    none: []',
      '    ratio: 1.5',
      '    nothing: ~',
      '    escaped: "tab\\there \\u00e9"',
      '    text: |-',
      '      line 1',
      '',
      '      line 3',
      'kind: List',
      '',
    ].join('\n');
    const value = readKubeYaml(text);
    expect(value).toEqual(loadKubeYaml(text));
    expect(value).toEqual({
      apiVersion: 'v1',
      items: [{
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}\n', note: "it's" }, labels: { '8': 'eight', enabled: 'true', true: true }, name: 'x' },
        spec: { ports: [{ port: 9080, protocol: 'TCP' }, { port: 31 }], empty: {}, none: [], ratio: 1.5, nothing: null, escaped: 'tab\there é', text: 'line 1\n\nline 3' },
      }],
      kind: 'List',
    });
  });

  it.each([
    ['a flow mapping', 'a: {b: 1}\n'],
    ['an anchor', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a comment', 'a: 1 # one\n'],
    ['a folded scalar', 'a: >\n  b\n'],
    ['a multi-line plain scalar', 'a: long\n  text\n'],
    ['a multi-line quoted scalar', 'a: "long\n  text"\n'],
    ['tabs', 'a:\t1\n'],
    ['CRLF', 'a: 1\r\nb: 2\r\n'],
  ])('gives up on %s', (_, text) => {
    expect(readKubeYaml(text)).toBeUndefined();
  });

  it('keeps a `__proto__` key as data', () => {
    const value = readKubeYaml('metadata:\n  __proto__: x\n') as { metadata: Record<string, unknown> };
    expect(Object.keys(value.metadata)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value.metadata)).toBe(Object.prototype);
  });
});
