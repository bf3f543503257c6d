/**
 * kubectl's pretty JSON Lists read item by item: the same objects as a whole JSON.parse followed by the same
 * reduction, on the samples' real kubectl Lists and on hostile shapes; anything else is left to JSON.parse.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKubectlJsonList } from '../../src/parse/kube-json.js';
import { slimObject } from '../../src/parse/kube-keep.js';
import { parseText } from '../helpers.js';

const KUBECTL = new URL('../../samples/bookinfo-broken/kubectl/', import.meta.url);

function wholeThenSlim(text: string): unknown {
  const list = JSON.parse(text) as { items: Record<string, unknown>[] };
  for (const item of list.items) slimObject(item);
  return list;
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: name }, managedFields: [{ manager: 'kubelet' }] },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'x', env: [{ name: 'A', value: '1' }] }] },
  status: { phase: 'Running', podIP: '10.0.0.1' },
  ...extra,
});
const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4);

describe('parseKubectlJsonList', () => {
  const files = readdirSync(KUBECTL).filter((f) => f.endsWith('.json'));
  it.each(files)('%s (a real kubectl List): the same as a whole parse, reduced', (file) => {
    const text = readFileSync(new URL(file, KUBECTL), 'utf8');
    const whole = wholeThenSlim(text) as { items: unknown[] };
    const itemwise = parseKubectlJsonList(text);
    if (whole.items.length === 0) expect(itemwise).toBeUndefined();
    else expect(itemwise).toEqual(whole);
  });

  it('reduces each item as it goes: a Pod keeps no env, no managedFields', () => {
    const parsed = parseKubectlJsonList(list([pod('a'), pod('b')]))!;
    const items = parsed['items'] as Record<string, Record<string, unknown>>[];
    expect(items.map((i) => (i['metadata'] as { name: string }).name)).toEqual(['a', 'b']);
    expect(JSON.stringify(items)).not.toContain('managedFields');
    expect(JSON.stringify(items)).not.toContain('"env"');
    expect(parsed).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
  });

  it('strings that look like structure, escaped newlines and braces, do not split an item', () => {
    const tricky = pod('c', { metadata: { name: 'c', namespace: 'default', annotations: { note: '\n        }\n        {\n', brace: '}' } } });
    const text = list([tricky, pod('d')]);
    expect(parseKubectlJsonList(text)).toEqual(wholeThenSlim(text));
  });

  it.each([
    ['compact JSON', JSON.stringify({ apiVersion: 'v1', items: [pod('a')], kind: 'List' })],
    ['two-space indentation', JSON.stringify({ apiVersion: 'v1', items: [pod('a')], kind: 'List' }, null, 2)],
    ['an empty List', list([])],
    ['a single object', JSON.stringify(pod('a'), null, 4)],
    ['a List cut short', list([pod('a'), pod('b')]).slice(0, -200)],
    ['an item that is not JSON', list([pod('a'), pod('b')]).replace('"Running"', 'Running')],
  ])('leaves %s to JSON.parse', (_name, text) => {
    expect(parseKubectlJsonList(text)).toBeUndefined();
  });

  it('a List too large for a whole parse is read item by item with the same records and lines', () => {
    const pods = Array.from({ length: 9000 }, (_, i) => pod(`p-${i}`, { spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'x'.repeat(900) }] } }));
    const text = list(pods);
    expect(text.length).toBeGreaterThan(8 * 1024 * 1024);
    const parsed = parseText('pods.json', text);
    expect(parsed.kind).toBe('kube-resources');
    expect(parsed.diagnostics).toEqual([]);
    const objects = parsed.records.kubeObjects!;
    expect(objects).toHaveLength(9000);
    const lineOf = (name: string) => text.slice(0, text.indexOf(`"name": "${name}"`)).split('\n').length;
    expect(objects[4321]).toMatchObject({ kind: 'Pod', name: 'p-4321', namespace: 'default' });
    // Evidence points at the object's name line, as for a whole parse.
    expect(objects[4321]!.source.line).toBe(lineOf('p-4321'));
  });
});
