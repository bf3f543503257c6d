import { describe, expect, it } from 'vitest';
import { readTable, splitHeader } from '../../src/parse/tabwriter.js';
import { tabwrite } from '../helpers.js';

describe('splitHeader', () => {
  it('joins known multi-word labels separated by one space and keeps single words apart', () => {
    expect(splitHeader('NAMESPACE POLICY NAME    ACTION SCOPE')).toEqual([
      { label: 'NAMESPACE', start: 0 },
      { label: 'POLICY NAME', start: 10 },
      { label: 'ACTION', start: 25 },
      { label: 'SCOPE', start: 32 },
    ]);
    expect(splitHeader('NAMESPACE    SERVICE NAME            SERVICE VIP   WAYPOINT').map((c) => c.label))
      .toEqual(['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT']);
    expect(splitHeader('NAME NAMESPACE IP NODE').map((c) => c.label)).toEqual(['NAME', 'NAMESPACE', 'IP', 'NODE']);
  });
});

describe('readTable', () => {
  it('cuts cells at header offsets: empty cells, multi-word values, one-space separators', () => {
    const rendered = tabwrite([
      ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
      ['waypoint-6f7b.default', 'Kubernetes', 'SYNCED (6m40s)', 'SYNCED', 'NOT SENT', 'NOT SENT', '', 'istiod-1', '1.26.2'],
      ['ztunnel-x.istio-system', 'Kubernetes', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'istiod-1', '1.26.2'],
    ], 5).split('\n');
    const good = [rendered[0]!, rendered[1]!, '...', rendered[2]!];
    // A row whose first cell overflows into the next column, which real tabwriter output never does.
    const lines = [good[0]!, `${good[0]!.replace(/^NAME +/, 'waypoint-6f7b.default.x')}`];
    const { table, diagnostics } = readTable(good, 0, 'ps.txt');
    expect(table.rows).toHaveLength(2);
    expect(table.rows[0]!.cells).toEqual({
      NAME: 'waypoint-6f7b.default', CLUSTER: 'Kubernetes', CDS: 'SYNCED (6m40s)', LDS: 'SYNCED', EDS: 'NOT SENT',
      RDS: 'NOT SENT', ECDS: '', ISTIOD: 'istiod-1', VERSION: '1.26.2',
    });
    expect(table.rows[1]!.line).toBe(4);
    expect(diagnostics).toEqual([]);
    const bad = readTable(lines.slice(0, 2), 0, 'ps.txt');
    expect(bad.diagnostics[0]).toMatchObject({ file: 'ps.txt', line: 2 });
  });

  it('reads padding-1 tables where one space separates columns', () => {
    const lines = ['NAMESPACE POLICY NAME    ACTION SCOPE', 'default   allow-nothing  Allow  Namespace', 'default   allow-waypoint Allow  WorkloadSelector'];
    const { table } = readTable(lines, 0, 'p.txt');
    expect(table.rows.map((r) => r.cells)).toEqual([
      { NAMESPACE: 'default', 'POLICY NAME': 'allow-nothing', ACTION: 'Allow', SCOPE: 'Namespace' },
      { NAMESPACE: 'default', 'POLICY NAME': 'allow-waypoint', ACTION: 'Allow', SCOPE: 'WorkloadSelector' },
    ]);
  });

  it('stops at a blank line', () => {
    const lines = ['A B', '1 2', '', 'A B', '3 4'];
    const read = readTable(lines, 0, 'x');
    expect(read.table.rows.map((r) => r.cells['B'])).toEqual(['2']);
    expect(read.end).toBe(2);
  });
});
