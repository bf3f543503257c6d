/**
 * `kubectl version`: `-o json` (`clientVersion.gitVersion`, `serverVersion.gitVersion`), the text of kubectl
 * 1.28+ (`Client Version: v1.30.2` / `Kustomize Version: ...` / `Server Version: v1.30.0`), the text of older
 * kubectl (`Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.0", ...}`), and `oc version`,
 * whose Server Version is OpenShift's and whose `Kubernetes Version:` line is the API server's.
 * Field names from k8s.io/apimachinery/pkg/version.Info and kubectl's `version` command.
 */
import { isRecord } from './kube.js';
import type { FileParser } from './parser.js';
import type { KubernetesVersionInfo, ParseResult } from './types.js';

const TEXT_LINE = /^(Client|Server|Kubernetes) Version:\s*(.+)$/;
/** Only the lines kubectl prints (and its skew warning), so a prose line naming a version is not taken for it. */
const OTHER_LINE = /^(?:Kustomize Version:|WARNING: version difference)/;

function gitVersion(value: unknown): string | undefined {
  return isRecord(value) && typeof value['gitVersion'] === 'string' && value['gitVersion'] !== '' ? value['gitVersion'] : undefined;
}

/** `v1.30.2`, or the GitVersion inside an old `version.Info{...}`. */
function textVersion(value: string): string | undefined {
  const info = /GitVersion:"([^"]+)"/.exec(value);
  if (info) return info[1];
  return /^v?\d+\.\d+\S*$/.test(value.trim()) ? value.trim() : undefined;
}

export const kubectlVersionParser: FileParser = {
  kind: 'kubectl-version',
  detect: ({ json, head }) => {
    // istioctl's `version -o json` has a clientVersion too, with `version` rather than gitVersion.
    if (json !== undefined) return isRecord(json) && (gitVersion(json['clientVersion']) ?? gitVersion(json['serverVersion'])) ? 0 : -1;
    const first = head.findIndex((l) => TEXT_LINE.test(l.trim()));
    if (first === -1) return -1;
    const rest = head.slice(first).map((l) => l.trim()).filter(Boolean);
    return rest.every((l) => TEXT_LINE.test(l) || OTHER_LINE.test(l)) && rest.some((l) => textVersion(TEXT_LINE.exec(l)?.[2] ?? '')) ? first : -1;
  },
  parse({ file, json, lines }): ParseResult {
    const info: KubernetesVersionInfo = { source: { file, line: 1 } };
    const diagnostics: ParseResult['diagnostics'] = [];
    if (json !== undefined && isRecord(json)) {
      const client = gitVersion(json['clientVersion']);
      const server = gitVersion(json['serverVersion']);
      if (client) info.client = client;
      if (server) info.server = server;
    } else {
      let firstLine: number | undefined;
      let kubernetes: string | undefined;
      lines.forEach((line, i) => {
        const m = TEXT_LINE.exec(line.trim());
        if (!m) return;
        const version = textVersion(m[2]!);
        if (!version) {
          diagnostics.push({ file, line: i + 1, message: `could not read a version from "${m[2]!.slice(0, 80)}"` });
          return;
        }
        firstLine ??= i + 1;
        if (m[1] === 'Client') info.client = version;
        else if (m[1] === 'Kubernetes') kubernetes = version;
        else info.server = version;
      });
      if (kubernetes) info.server = kubernetes;
      info.source.line = firstLine ?? 1;
    }
    return { records: { kubernetesVersions: [info] }, diagnostics, summary: `kubectl ${info.client ?? 'unknown'}, Kubernetes ${info.server ?? 'unknown'}` };
  },
};
