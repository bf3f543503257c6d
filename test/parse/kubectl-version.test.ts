/** `kubectl version` and `oc version`, on outputs as people pasted them and as the collector saves them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseText } from '../helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/kubectl-version/${name}`, import.meta.url), 'utf8');

describe('kubectl version', () => {
  it.each([
    ['kubernetes-issue.txt', 'v1.33.5', 'v1.33.3', 2],
    ['oc-version.txt', '4.14.16', 'v1.27.10+c79e5e2', 2],
    ['client-only-blank-lines.txt', 'v1.32.2', undefined, 2],
    ['old-version-info.txt', 'v1.20.4', 'v1.19.7', 1],
    ['version.json', 'v1.30.2', 'v1.30.0', 1],
  ])('%s: client %s, server %s', (name, client, server, line) => {
    const parsed = parseText(name, fixture(name));
    expect(parsed.kind).toBe('kubectl-version');
    expect(parsed.diagnostics).toEqual([]);
    const [info] = parsed.records.kubernetesVersions!;
    expect(info).toEqual({ ...(client ? { client } : {}), ...(server ? { server } : {}), source: { file: name, line } });
  });

  it('is not taken for istioctl version, whose JSON has clientVersion.version', () => {
    const parsed = parseText('v.json', '{"clientVersion": {"version": "1.26.2", "revision": "abc", "golang_version": "go1.24.4", "status": "Clean", "tag": "1.26.2"}}');
    expect(parsed.kind).toBe('istioctl-version');
  });

  it('a prose line that names a version is not a kubectl version output', () => {
    expect(parseText('notes.txt', 'Client Version: v1.30.2\nwe upgraded yesterday and the waypoint broke\n').kind).not.toBe('kubectl-version');
  });

  it('a version it cannot read is reported at its line, not guessed', () => {
    const parsed = parseText('v.txt', 'Client Version: v1.30.2\nServer Version: unknown\n');
    expect(parsed.kind).toBe('kubectl-version');
    expect(parsed.records.kubernetesVersions![0]).toEqual({ client: 'v1.30.2', source: { file: 'v.txt', line: 1 } });
    expect(parsed.diagnostics).toEqual([{ file: 'v.txt', line: 2, message: 'could not read a version from "unknown"' }]);
  });
});
