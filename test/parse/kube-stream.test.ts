/**
 * kubectl Lists read item by item as they stream: the same objects, lines and kinds as the whole-file parser,
 * on the samples' real kubectl Lists (JSON and YAML) and on the same Lists written as kubectl writes YAML;
 * damaged Lists give diagnostics at their lines and keep every readable item.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { KubeListStream, kubeListForm } from '../../src/parse/kube-stream.js';
import { parseText } from '../helpers.js';

const sampleFiles = (sample: string) => {
  const dir = new URL(`../../samples/${sample}/kubectl/`, import.meta.url);
  return readdirSync(dir).filter((f) => /\.(json|yaml)$/.test(f)).map((f) => ({ name: `${sample}/${f}`, text: readFileSync(new URL(f, dir), 'utf8') }));
};
const REAL = [...sampleFiles('bookinfo-ambient'), ...sampleFiles('bookinfo-broken')];

function streamed(file: string, text: string) {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const form = kubeListForm(lines.slice(0, 80));
  if (!form) return undefined;
  const stream = new KubeListStream(file, form);
  for (const line of lines) stream.line(line);
  return stream.finish();
}

/** kubectl's YAML: keys sorted, sequences not indented under their key. */
const asKubectlYaml = (json: string) => dump(JSON.parse(json), { sortKeys: true, noArrayIndent: true, lineWidth: -1 });

describe('KubeListStream', () => {
  const lists = REAL.filter((f) => streamed(f.name, f.text) !== undefined);

  it('recognizes the samples\' kubectl Lists of both forms', () => {
    expect(lists.filter((f) => f.name.endsWith('.json')).length).toBeGreaterThan(5);
    expect(lists.filter((f) => f.name.endsWith('.yaml')).length).toBeGreaterThan(2);
  });

  it.each(REAL.map((f) => [f.name, f] as const))('%s: the same records as the whole-file parser', (_name, f) => {
    const stream = streamed(f.name, f.text);
    if (!stream) return;
    const whole = parseText(f.name, f.text);
    expect(stream.records.kubeObjects).toEqual(whole.records.kubeObjects);
    expect(stream.diagnostics).toEqual(whole.diagnostics);
    expect([...(stream.capturedKinds ?? [])].sort()).toEqual([...(whole.capturedKinds ?? [])].sort());
    expect(stream.summary).toBe(whole.summary);
  });

  it.each(REAL.filter((f) => f.name.endsWith('.json')).map((f) => [f.name, f] as const))('%s as kubectl YAML: the same records as the whole-file parser', (_name, f) => {
    const yaml = asKubectlYaml(f.text);
    const name = f.name.replace(/\.json$/, '.yaml');
    const stream = streamed(name, yaml);
    const whole = parseText(name, yaml);
    if (!stream) {
      // A single object (the mesh ConfigMap) or an empty List: nothing to stream.
      expect(/^apiVersion: \S+\nitems:\n- /.test(yaml)).toBe(false);
      return;
    }
    expect(stream.records.kubeObjects).toEqual(whole.records.kubeObjects);
    expect(stream.diagnostics).toEqual(whole.diagnostics);
  });

  it('leaves other shapes to the whole-file parsers', () => {
    expect(kubeListForm(['{', '  "apiVersion": "v1",', '  "items": [', '    {'])).toBeUndefined();
    expect(kubeListForm(['{"apiVersion":"v1","items":[]}'])).toBeUndefined();
    expect(kubeListForm(['apiVersion: v1', 'kind: Pod'])).toBeUndefined();
    expect(kubeListForm(['$ kubectl get pods -o yaml', 'apiVersion: v1', 'items:', '- apiVersion: v1'])).toBeUndefined();
  });

  it('an item that is not JSON is reported at its line and the others are read', () => {
    const list = JSON.stringify({ apiVersion: 'v1', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'x' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'x' } }], kind: 'List', metadata: { resourceVersion: '' } }, null, 4);
    const damaged = list.replace('"name": "b"', '"name": b');
    const lineOfB = damaged.split('\n').findIndex((l) => l.includes('"name": b'));
    const result = streamed('pods.json', damaged)!;
    expect(result.records.kubeObjects!.map((o) => o.name)).toEqual(['a', 'c']);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]!.message).toMatch(/^item could not be parsed as JSON \(.*\); skipped$/);
    // The item's first line: a few lines above its name.
    expect(result.diagnostics[0]!.line).toBeLessThan(lineOfB + 1);
    expect(result.diagnostics[0]!.line).toBeGreaterThan(lineOfB - 6);
    expect(result.capturedKinds).toContain('Pod');
  });

  it('a List cut inside an item keeps the items before it and says where it ends', () => {
    const list = JSON.stringify({ apiVersion: 'v1', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'x' } }], kind: 'List' }, null, 4);
    const cut = list.slice(0, list.indexOf('"b"'));
    const result = streamed('pods.json', cut)!;
    expect(result.records.kubeObjects!.map((o) => o.name)).toEqual(['a']);
    expect(result.diagnostics).toEqual([{ file: 'pods.json', line: cut.split('\n').findIndex((l, i, all) => l === '        {' && i > 5 && all.slice(i).join('\n').includes('"kind": "Pod"')) + 1, message: 'the List ends inside this item; it was not read' }]);
  });
});
