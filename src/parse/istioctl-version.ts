/**
 * `istioctl version`: text (`client version: 1.26.2` / `control plane version: ...` /
 * `data plane version: 1.26.2 (6 proxies), 1.25.1 (1 proxies)`) and `-o json` (`clientVersion`,
 * `meshVersion[]`, `dataPlaneVersion[]`).
 */
import { isRecord } from './kube.js';
import { commandIntent } from './paste.js';
import type { FileParser } from './parser.js';
import type { IstioVersionInfo, ParseResult } from './types.js';

const TEXT_LINE = /^(client|control plane|data plane|istiod|pilot|ztunnel) version: (.+)$/i;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fromJson(json: Record<string, unknown>, file: string): IstioVersionInfo {
  const info: IstioVersionInfo = { controlPlane: [], dataPlane: [], source: { file, line: 1 } };
  const client = isRecord(json['clientVersion']) ? str(json['clientVersion']['version']) : undefined;
  if (client) info.client = client;
  for (const m of Array.isArray(json['meshVersion']) ? json['meshVersion'] : []) {
    if (!isRecord(m)) continue;
    const version = isRecord(m['Info']) ? str(m['Info']['version']) : undefined;
    if (!version) continue;
    const revision = str(m['Revision']);
    info.controlPlane.push({ component: str(m['Component']) ?? 'istiod', ...(revision ? { revision } : {}), version });
  }
  for (const d of Array.isArray(json['dataPlaneVersion']) ? json['dataPlaneVersion'] : []) {
    if (!isRecord(d)) continue;
    const version = str(d['IstioVersion']);
    if (!version) continue;
    const id = str(d['ID']);
    const type = str(d['Type']);
    info.dataPlane.push({ version, ...(id ? { id } : {}), ...(type ? { type } : {}) });
  }
  return info;
}

export const istioctlVersionParser: FileParser = {
  kind: 'istioctl-version',
  detect: ({ json, head, command }) => {
    // kubectl's `version -o json` has a clientVersion too, with gitVersion rather than version.
    if (json !== undefined) return isRecord(json) && isRecord(json['clientVersion']) && typeof json['clientVersion']['version'] === 'string' ? 0 : -1;
    const first = head.findIndex((l) => TEXT_LINE.test(l.trim()));
    // Under an `istioctl version` command line one line is enough (no control plane: only the client's).
    const needed = command !== undefined && commandIntent(command).kind === 'istioctl-version' ? 1 : 2;
    return first >= 0 && head.filter((l) => TEXT_LINE.test(l.trim())).length >= needed ? first : -1;
  },
  parse({ file, json, lines }): ParseResult {
    if (json !== undefined && isRecord(json)) {
      const info = fromJson(json, file);
      return { records: { versions: [info] }, diagnostics: [], summary: describe(info) };
    }
    const info: IstioVersionInfo = { controlPlane: [], dataPlane: [], source: { file } };
    lines.forEach((line, i) => {
      const m = TEXT_LINE.exec(line.trim());
      if (!m) return;
      info.source.line ??= i + 1;
      const what = m[1]!.toLowerCase();
      const values = m[2]!.split(/,\s*/);
      if (what === 'client') info.client = values[0]!.trim();
      else if (what === 'data plane') {
        for (const v of values) {
          const dm = /^(\S+)(?: \((\d+) prox(?:y|ies)\))?$/.exec(v.trim());
          if (dm) info.dataPlane.push({ version: dm[1]!, ...(dm[2] ? { count: Number(dm[2]) } : {}) });
        }
      } else {
        for (const v of values) info.controlPlane.push({ component: what === 'control plane' ? 'istiod' : what, version: v.trim() });
      }
    });
    return { records: { versions: [info] }, diagnostics: [], summary: describe(info) };
  },
};

function describe(info: IstioVersionInfo): string {
  const control = [...new Set(info.controlPlane.map((c) => c.version))].join(', ') || 'unknown';
  const data = [...new Set(info.dataPlane.map((d) => d.version))].join(', ') || 'unknown';
  return `client ${info.client ?? 'unknown'}, control plane ${control}, data plane ${data}`;
}

/**
 * The `versions` file of an `istioctl bug-report` (docs/BUG-REPORT.md §4.2): the CLI's BuildInfo,
 * then per revision the control plane's (Go `%#v`, one line or pretty-printed), then proxy versions.
 */
export const bugReportVersionsParser: FileParser = {
  kind: 'istioctl-version',
  detect: ({ head }) => (head[0]?.trim() === 'CLI version:' && head.some((l) => l.includes('BuildInfo{')) ? 0 : -1),
  parse({ file, text }): ParseResult {
    const info: IstioVersionInfo = { controlPlane: [], dataPlane: [], source: { file, line: 1 } };
    const [cliPart = '', rest = ''] = text.split(/^(?:✅ )?The following Istio control plane/m);
    const cli = /Version:\s*"([^"]+)"/.exec(cliPart);
    if (cli) info.client = cli[1]!;
    const [controlPart = '', proxyPart = ''] = rest.split(/^(?:✅ )?The following proxy/m);
    for (const block of controlPart.split(/^Revision /m).slice(1)) {
      const revision = /^(\S+):/.exec(block)?.[1];
      for (const m of block.matchAll(/Component:\s*"([^"]+)"[\s\S]*?Version:\s*"([^"]+)"/g)) {
        info.controlPlane.push({ component: m[1]!, ...(revision ? { revision } : {}), version: m[2]! });
      }
    }
    for (const m of proxyPart.matchAll(/^Revision (\S+): Versions \{([^}]*)\}/gm)) {
      for (const v of m[2]!.split(',').map((s) => s.trim()).filter(Boolean)) info.dataPlane.push({ version: v });
    }
    return { records: { versions: [info] }, diagnostics: [], summary: describe(info) };
  },
};
