/**
 * Outputs saved or pasted by hand: undoing the damage people do without thinking, before any parser
 * sees the text. A block indented in a markdown list or commented out line by line (`# `, `> `,
 * `// `) is put back at column 0; the `$ command` lines in front of outputs (any prompt: `#`, `%`,
 * `user@host:~$`, `PS C:\>`, `❯`) split a file into the outputs they printed. Line numbers never
 * change: every transformation keeps one line per line, so evidence still points at the file.
 */
import type { FileKind } from './types.js';

/** One output of a paste: the lines a command printed, and that command when the paste shows it. */
export interface PasteSegment {
  /** The command as typed, without its prompt (`istioctl proxy-status | grep reviews`). */
  command?: string;
  /** 0-based line of the command line. */
  commandLine?: number;
  /** 0-based half-open range of the output lines. */
  start: number;
  end: number;
}

/** Files past this size are captures written by a tool, not pastes: only leading command lines are looked for. */
export const PASTE_BYTES = 2 * 1024 * 1024;

/** Commands a prompt other than `$` must be followed by, so `# Expected output` is not a command. */
const KNOWN_COMMAND = /^(?:sudo\s+)?(?:[\w.~-]*\/)*(?:istioctl|kubectl|oc|k|helm|docker|podman|nerdctl|curl|grep|egrep|echo|cat|export|watch|kind|k3d|minikube|crictl|jq|yq|go run)(?:\s|$)/;
/**
 * With no prompt at all: istioctl itself (or a path to it, or `go run` of it), or kubectl/oc/docker
 * running a command whose output a paste shows (`kubectl exec deploy/x -- istioctl ps`, `kubectl get ... -o yaml`).
 */
const BARE_COMMAND = /^\s*(?:(?:[\w.~-]*\/)*istioctl(?:-\d[\w.-]*)?|(?:\w+=\S+\s+)*go run \S*istioctl\S*)\s+[a-z]|^(?:kubectl|oc|docker|podman) (?:exec\s.*\bistioctl\s|get\s.*\s-o\s?(?:ya?ml|json)\b|logs\s)/;

const PROMPTS: { re: RegExp; anyCommand: boolean }[] = [
  // `$ cmd`, a lone `$`
  { re: /^\s*\$(?:\s+(.*))?$/, anyCommand: true },
  // `user@host:~/dir$ cmd`, `(venv) user@host dir % cmd`, `root@host:/# cmd`
  { re: /^\s*(?:\(\S+\)\s*)?[\w.-]+@[\w.-]+(?:[:\s][^$#%\s]*)?\s*[$#%]\s*(.*)$/, anyCommand: true },
  // `[user@host dir]$ cmd`
  { re: /^\s*\[[^\]]+\]\s*[$#]\s*(.*)$/, anyCommand: true },
  // PowerShell `PS C:\Users\me> cmd`
  { re: /^\s*PS(?: [^>]*)?>\s*(.*)$/, anyCommand: true },
  // `# cmd` (root; at column 0 only: indented `#` is a YAML comment), `% cmd`, `> cmd`, `❯ cmd`, `λ cmd`, oh-my-zsh `➜  dir git:(main) ✗ cmd`
  { re: /^(?:#|\s*(?:%|>|❯|λ|»|➜(?:\s+\S+(?:\s+git:\([^)]*\))?(?:\s+✗)?)?))\s+(.*)$/, anyCommand: false },
];

/** The command of a command line (`''` for a lone prompt), or undefined when the line is not one. */
export function commandOf(line: string): string | undefined {
  for (const { re, anyCommand } of PROMPTS) {
    const m = re.exec(line);
    if (!m) continue;
    const command = (m[1] ?? '').trim();
    if (anyCommand || KNOWN_COMMAND.test(command)) return command;
  }
  return BARE_COMMAND.test(line) ? line.trim() : undefined;
}

/** A `$ istioctl ...` line (any prompt) as pasted in front of an output in docs and tickets. */
export function isCommandLine(line: string): boolean {
  return commandOf(line) !== undefined;
}

/** Lines that hand-edited documentation puts in place of elided rows, and doc-site markup. */
export function isElision(line: string): boolean {
  const t = line.trim();
  return t === '...' || t === '…' || /^-*\s*snip\s*-*$/i.test(t) || t === '<snip>' || t.startsWith('{{<') || /^`{3}[\w-]*$/.test(t);
}

/** Commands whose output is not a capture (`echo $?`, `export X=...`, a lone prompt). */
function isNoise(command: string): boolean {
  return command === '' || /^(?:echo \$\?|export\s|clear$|cd\s)/.test(command);
}

/** Markdown code fences and Hugo shortcodes around a pasted block (istio.io's `{{< text bash >}}`). */
const MARKUP_LINE = /^\s*(?:`{3,}[\w+-]*|~{3,}[\w+-]*|\{\{<\s*\/?text\b[^}]*>\}\})\s*$/;

/**
 * A paste put back as the tool printed it, line for line: markup lines blanked, then the block's
 * common indent or comment marker removed. The same array when there was nothing to undo.
 */
export function cleanPaste(lines: string[]): string[] {
  const unmarked = lines.some((l) => MARKUP_LINE.test(l)) ? lines.map((l) => (MARKUP_LINE.test(l) ? '' : l)) : lines;
  return stripCommonPrefix(unmarked);
}

/**
 * Removes, from every line, what the whole block carries in front: a common indent (spaces or tabs),
 * or a comment or quote marker (`# `, `> `, `// `), repeatedly (`> ` then an indent). Lines that are
 * only a marker become empty. Returns the lines unchanged (same array) when there is nothing to strip.
 */
export function stripCommonPrefix(lines: string[]): string[] {
  let current = lines;
  for (let round = 0; round < 4; round++) {
    const next = stripOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** A comment or quote marker in front of every line: `# `, `### `, `> `, `// `, `;; `. */
const MARKER = /^(?:#+|>|\/\/|;+)(?: |$)/;

function stripOnce(lines: string[]): string[] {
  const content = lines.filter((l) => l.trim() !== '');
  if (content.length === 0) return lines;
  const first = content[0]!;
  // Cheap exit for captures written by tools: their first line starts at column 0 with no marker.
  const marker = MARKER.exec(first)?.[0];
  if (!/^[ \t]/.test(first) && marker === undefined) return lines;
  let indent = /^[ \t]*/.exec(first)![0];
  for (const line of content) {
    if (indent === '') break;
    while (!line.startsWith(indent)) indent = indent.slice(0, -1);
  }
  if (indent !== '') return lines.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trim() === '' ? '' : l));
  if (marker === undefined) return lines;
  const bare = marker.trim();
  const spaced = `${bare} `;
  if (!content.every((l) => l.startsWith(spaced) || l.trimEnd() === bare)) return lines;
  return lines.map((l) => (l.startsWith(spaced) ? l.slice(spaced.length) : l.trimEnd() === bare ? '' : l));
}

/**
 * Splits a paste at its command lines: each output with the command that printed it. A file with no
 * command line is one segment. Outputs of noise commands (`echo $?`) and empty trailing prompts are
 * dropped. Large files (captures written by tools) are only checked for leading command lines.
 */
export function splitAtCommands(lines: readonly string[], textLength: number): PasteSegment[] {
  const commandLines: { line: number; command: string; last: number }[] = [];
  const scanTo = textLength > PASTE_BYTES ? Math.min(lines.length, 20) : lines.length;
  for (let i = 0; i < scanTo; i++) {
    const line = lines[i]!;
    if (line.length > 2000) continue;
    const command = commandOf(line);
    if (command === undefined) {
      if (textLength > PASTE_BYTES && line.trim() !== '') break;
      continue;
    }
    // A command continued over several lines with `\`.
    let last = i;
    let full = command;
    while (lines[last]!.endsWith('\\') && last + 1 < lines.length) {
      last++;
      full = `${full.replace(/\\$/, '').trimEnd()} ${lines[last]!.trim()}`;
    }
    commandLines.push({ line: i, command: full.replace(/\\$/, '').trim(), last });
    i = last;
  }
  if (commandLines.length === 0) return [{ start: 0, end: lines.length }];
  const segments: PasteSegment[] = [];
  if (commandLines[0]!.line > 0 && hasContent(lines, 0, commandLines[0]!.line)) segments.push({ start: 0, end: commandLines[0]!.line });
  commandLines.forEach((c, k) => {
    const end = commandLines[k + 1]?.line ?? lines.length;
    if (isNoise(c.command)) return;
    segments.push({ command: c.command, commandLine: c.line, start: c.last + 1, end });
  });
  return segments.length > 0 ? segments : [{ start: 0, end: lines.length }];
}

function hasContent(lines: readonly string[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (lines[i]!.trim() !== '') return true;
  return false;
}

/** What a command line says about the output under it. */
export interface CommandIntent {
  /** The output kind the command prints, when known. */
  kind?: FileKind;
  /** Piped through grep/head/awk...: table rows may come without their header. */
  filtered: boolean;
}

const ZTUNNEL_SUBCOMMANDS: Record<string, FileKind> = {
  workload: 'ztunnel-workloads', workloads: 'ztunnel-workloads', w: 'ztunnel-workloads',
  service: 'ztunnel-services', services: 'ztunnel-services', s: 'ztunnel-services', svc: 'ztunnel-services',
  policy: 'ztunnel-policies', policies: 'ztunnel-policies', p: 'ztunnel-policies', pol: 'ztunnel-policies',
  certificate: 'ztunnel-certificates', certificates: 'ztunnel-certificates', certs: 'ztunnel-certificates', cert: 'ztunnel-certificates',
  connections: 'ztunnel-connections', cons: 'ztunnel-connections', all: 'ztunnel-all',
};

/** `istioctl proxy-config <type>`: the Envoy tables, and (1.18-1.21) ztunnel's workload and secret tables. */
const PROXY_CONFIG_SUBCOMMANDS: Record<string, FileKind> = {
  workload: 'ztunnel-workloads', workloads: 'ztunnel-workloads', w: 'ztunnel-workloads',
  cluster: 'proxy-config-table', clusters: 'proxy-config-table', c: 'proxy-config-table',
  listener: 'proxy-config-table', listeners: 'proxy-config-table', l: 'proxy-config-table',
  route: 'proxy-config-table', routes: 'proxy-config-table', r: 'proxy-config-table',
  endpoint: 'proxy-config-table', endpoints: 'proxy-config-table', ep: 'proxy-config-table', eds: 'proxy-config-table',
  secret: 'proxy-config-table', secrets: 'proxy-config-table', s: 'proxy-config-table',
  all: 'proxy-config-table',
};

/** Flags of istioctl and kubectl that take a value, so the value is not read as a subcommand. */
const VALUED_FLAGS = new Set(['-n', '--namespace', '-i', '--istioNamespace', '--istio-namespace', '--context', '--kubeconfig', '-c', '--revision', '-r', '-o', '--output', '-l', '--selector', '--node', '--file', '-f']);

/** Reads what a command prints: `kubectl exec ... -- istioctl ps`, `docker exec x istioctl zc w`, `./istioctl x zc svc`. */
export function commandIntent(command: string): CommandIntent {
  const [main = '', ...pipes] = command.split(/\s\|\s?|\|\s/);
  // Piped through a filter, or `istioctl ps --revision x` (only that revision's proxies).
  const filtered = pipes.some((p) => /^\s*(?:grep|egrep|head|tail|less|more)\b/.test(p)) || /\s(?:-r|--revision)[\s=]/.test(main);
  // Through awk, cut, jq...: what is printed is no longer the command's output.
  if (pipes.some((p) => !/^\s*(?:grep|egrep|head|tail|less|more|cat|tee)\b/.test(p))) return { filtered };
  const words = main.trim().split(/\s+/);
  const at = words.findIndex((w) => /(?:^|\/)istioctl(?:-\d[\w.-]*)?$|^istioctl\/cmd\/istioctl\/main\.go$/.test(w));
  if (at === -1) return { ...kubectlIntent(words), filtered };
  const args: string[] = [];
  let output: string | undefined;
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i]!;
    const inline = /^(?:-o|--output)=?(\w+)$/.exec(w);
    if (inline?.[1] && w !== '-o') output = inline[1];
    if (w.startsWith('-')) {
      if (VALUED_FLAGS.has(w)) {
        if (w === '-o' || w === '--output') output = words[i + 1];
        i++;
      }
      continue;
    }
    args.push(w);
  }
  const [first = '', second = ''] = args[0] === 'x' || args[0] === 'experimental' ? args.slice(1) : args;
  const structured = output === 'json' || output === 'yaml';
  let kind: FileKind | undefined;
  if (first === 'ps' || first === 'proxy-status') kind = structured ? 'proxy-status-json' : 'proxy-status';
  else if (first === 'zc' || first === 'ztunnel-config') kind = structured ? 'ztunnel-config-dump' : ZTUNNEL_SUBCOMMANDS[second];
  else if (first === 'pc' || first === 'proxy-config') kind = structured ? (second === 'all' ? 'envoy-config-dump' : undefined) : PROXY_CONFIG_SUBCOMMANDS[second];
  else if (first === 'analyze') kind = structured ? 'analyze-json' : 'analyze';
  else if (first === 'waypoint' && (second === 'list' || second === 'ls')) kind = 'waypoint-list';
  else if (first === 'version') kind = 'istioctl-version';
  return kind ? { kind, filtered } : { filtered };
}

function kubectlIntent(words: string[]): Omit<CommandIntent, 'filtered'> {
  const tool = words.findIndex((w) => /(?:^|\/)(?:kubectl|oc|k)$/.test(w));
  if (tool === -1) return {};
  const verb = words.slice(tool + 1).find((w) => !w.startsWith('-'));
  if (verb === 'logs') return { kind: 'log' };
  if (verb === 'version') return { kind: 'kubectl-version' };
  if (verb === 'get' && words.some((w) => /^(?:-o|--output)=?(?:ya?ml|json)$/.test(w) || w === 'yaml' || w === 'json')) return { kind: 'kube-resources' };
  return {};
}
