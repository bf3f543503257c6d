/**
 * Commands a fix hands to the user, built so that pasting them into a shell cannot run anything hidden in
 * a captured name or label. Every value from the bundle is shell-quoted; a value declared to be a
 * Kubernetes name that is not one (Kubernetes would never have stored it: the bundle was edited, or is
 * hostile) is not put into a command at all, and the fix says why instead.
 *
 *     fix: fixOf('Label the Service.', [sh`kubectl label service ${nameOf(svc)} -n ${nsOf(svc)} ${USE_WAYPOINT}=${labelValue(wp, 'the waypoint name')}`])
 *
 * `sh` takes only checked values (`k8sName`, `nameOf`, `nsOf`, `kindOf`, `labelValue`, `labelSelector`),
 * quoted free text (`word`), numbers and compile-time constants: interpolating a captured `string` as it is
 * does not compile. It returns a `ShellCommand`, not a string, so a fix gets its commands through `fixOf`
 * (or `orElse`), which is where a refused value turns into the reason written in the fix's text.
 */
import type { Fix } from './types.js';

// ---------------------------------------------------------------------------------------------
// Kubernetes' name rules, as k8s.io/apimachinery writes them (pkg/util/validation/validation.go and
// pkg/api/validate/content: IsDNS1123Label, IsDNS1123Subdomain, IsLabelKey/IsQualifiedName, IsLabelValue).

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*$`);
/** qualifiedNameFmt / labelKeyFmt: `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`. */
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE = new RegExp(`^(${QUALIFIED_NAME_FMT})?$`);

/** Namespaces, Services and most names: at most 63 lower-case letters, digits and `-`, alphanumeric at both ends. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** Pods, Deployments, Gateways, AuthorizationPolicies, routes...: DNS-1123 labels joined by dots, at most 253. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** A label value: empty, or at most 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** A label key (a qualified name): an optional DNS subdomain prefix and `/`, then a name of at most 63. */
export function isLabelKey(value: string): boolean {
  const slash = value.indexOf('/');
  const name = slash < 0 ? value : value.slice(slash + 1);
  if (slash >= 0 && (slash === 0 || !isDns1123Subdomain(value.slice(0, slash)))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** Which of Kubernetes' rules a value must follow. */
export type NameRule = 'label' | 'subdomain' | 'label-value' | 'label-key';

const RULES: Record<NameRule, { test: (value: string) => boolean; what: string }> = {
  label: { test: isDns1123Label, what: 'a DNS-1123 label: at most 63 lower-case letters, digits and "-"' },
  subdomain: { test: isDns1123Subdomain, what: 'a DNS-1123 subdomain: lower-case letters, digits, "-" and "."' },
  'label-value': { test: isLabelValue, what: 'a label value: at most 63 letters, digits, "-", "_" and "."' },
  'label-key': { test: isLabelKey, what: 'a label key: an optional DNS prefix and "/", then letters, digits, "-", "_" and "."' },
};

export function isValidName(value: string, rule: NameRule): boolean {
  return RULES[rule].test(value);
}

/** The rule Kubernetes applies to the names of a kind: a label for Namespaces and Services, else a subdomain. */
export function nameRuleOf(kind: string): NameRule {
  return kind === 'Namespace' || kind === 'Service' ? 'label' : 'subdomain';
}

// ---------------------------------------------------------------------------------------------
// Quoting

/**
 * Words a shell reads as they are, so they are left unquoted and commands stay readable: nothing special to
 * sh, bash or zsh (`,` only matters inside braces), not starting with `-` (an option) or `=` (zsh's `=cmd`).
 */
const SAFE_WORD = /^[A-Za-z0-9_./:@%+,][A-Za-z0-9_./:=@%+,-]*$/;

/**
 * One shell word that the shell reads back as exactly `value`: plain words as they are, anything else in
 * single quotes (inside which nothing is special), an embedded `'` written `'\''`.
 */
export function shellQuote(value: string): string {
  return SAFE_WORD.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// The values a command may hold

/** A value for `sh`: its text, and why it may not go into a command when it is not what it should be. */
class Arg {
  private constructor(readonly text: string, readonly problem: string | undefined) {}

  static checked(text: string, problem: string | undefined): Arg {
    return new Arg(text, problem);
  }
}

/** How a refused value is shown in a fix's text: escaped (a newline stays visible), cut when long. */
function show(value: string): string {
  const quoted = JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return quoted.length > 80 ? `${quoted.slice(0, 76)}..."` : quoted;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A value that must be a valid Kubernetes name (by `rule`) to be put into a command; `what` names it in
 * the reason given otherwise ("the Service's name", "the waypoint name").
 */
export function k8sName(value: string | undefined, rule: NameRule, what: string): Arg {
  if (value === undefined) return Arg.checked('', `${what} is not in the bundle`);
  if (isValidName(value, rule)) return Arg.checked(value, undefined);
  return Arg.checked(value, `${what} ${show(value)} is not a valid Kubernetes name (${RULES[rule].what})`);
}

/** An object's name, by the rule of its kind: "the Service's name". */
export function nameOf(object: { kind: string; name: string }): Arg {
  return k8sName(object.name, nameRuleOf(object.kind), `the ${object.kind}'s name`);
}

/** A namespace: an object's, or one given by name. */
export function nsOf(object: { namespace?: string | undefined } | string | undefined): Arg {
  const value = typeof object === 'object' ? object.namespace : object;
  return k8sName(value, 'label', 'the namespace');
}

/** A label value (a waypoint named in `istio.io/use-waypoint`, a revision). */
export function labelValue(value: string | undefined, what: string): Arg {
  return k8sName(value, 'label-value', what);
}

/** A kind as kubectl takes it, lower case (`authorizationpolicy`). */
export function kindOf(kind: string): Arg {
  return /^[A-Za-z][A-Za-z0-9]*$/.test(kind) ? Arg.checked(kind.toLowerCase(), undefined) : Arg.checked(kind, `the kind ${show(kind)} is not a Kubernetes kind`);
}

/** `key=value,key=value` for `-l`, every key and value checked; one word. */
export function labelSelector(labels: Record<string, unknown>, what: string): Arg {
  const entries = Object.entries(labels).map(([k, v]) => [k, String(v)] as const);
  const bad = entries.flatMap(([k, v]) => [...(isLabelKey(k) ? [] : [`key ${show(k)}`]), ...(isLabelValue(v) ? [] : [`value ${show(v)}`])]);
  const text = entries.map(([k, v]) => `${k}=${v}`).join(',');
  if (entries.length === 0) return Arg.checked(text, `${what} is empty`);
  return Arg.checked(text, bad.length ? `${what} has label ${bad.join(', ')} that Kubernetes does not allow` : undefined);
}

/** Text quoted as one word and not checked: for what the rule computes itself (a JSON patch), never for a name. */
export function word(value: string): Arg {
  return Arg.checked(value, undefined);
}

// ---------------------------------------------------------------------------------------------
// Commands

/** A command, or the reasons it could not be given. */
class ShellCommand {
  private constructor(private readonly text: string | undefined, readonly problems: readonly string[]) {}

  static of(text: string | undefined, problems: readonly string[]): ShellCommand {
    return new ShellCommand(text, problems);
  }

  get ok(): boolean {
    return this.text !== undefined;
  }

  /** The command when it could be built, else `fallback` (a command with `<placeholders>`, say). */
  orElse(fallback: string): string {
    return this.text ?? fallback;
  }

  /** The command; throws when it could not be built (for tests and callers that checked `ok`). */
  get command(): string {
    if (this.text === undefined) throw new Error(`no command: ${this.problems.join('; ')}`);
    return this.text;
  }
}

export type { Arg, ShellCommand };

type Part = Arg | number;
/** What `sh` says when handed a captured string as it is: say what it is (`k8sName`, `nameOf`...) or `word`. */
interface UncheckedString {
  readonly 'a string from the bundle must be checked (k8sName, nameOf, nsOf, labelValue, kindOf, labelSelector) or quoted (word)': never;
}
/** Parts as they are; a `string` that is not a compile-time constant becomes a type error. */
type Checked<T> = T extends Part ? T : T extends string ? (string extends T ? UncheckedString : T) : never;

type QuoteState = 'plain' | 'single' | 'double' | 'double-escape' | 'comment' | 'escape';

/** Where a shell is after reading `text` from `state`: in quotes, in a comment, after a backslash, or plain. */
function scan(text: string, from: QuoteState, wordStart: boolean): { state: QuoteState; wordStart: boolean } {
  let state = from;
  let atWordStart = wordStart;
  for (const c of text) {
    switch (state) {
      case 'escape': state = 'plain'; atWordStart = false; continue;
      case 'single': if (c === "'") state = 'plain'; continue;
      case 'comment': if (c === '\n') { state = 'plain'; atWordStart = true; } continue;
      case 'double': if (c === '"') state = 'plain'; else if (c === '\\') state = 'double-escape'; continue;
      case 'double-escape': state = 'double'; continue;
      case 'plain':
        if (c === '\\') state = 'escape';
        else if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        else if (c === '#' && atWordStart) state = 'comment';
        atWordStart = /[\s;&|()<>]/.test(c);
    }
  }
  return { state, wordStart: atWordStart };
}

/**
 * A command with every interpolated value shell-quoted. A value that failed its check leaves no command,
 * only its reason. Values belong outside quotes and comments in the literal text (a programming error
 * otherwise, thrown at once).
 */
export function sh<const T extends readonly unknown[]>(strings: TemplateStringsArray, ...parts: T & { [K in keyof T]: Checked<T[K]> }): ShellCommand {
  const values = parts as readonly (Part | string)[];
  let out = strings[0] ?? '';
  let at = scan(out, 'plain', true);
  const problems: string[] = [];
  values.forEach((part, i) => {
    if (at.state !== 'plain') throw new Error(`sh: value ${i + 1} of \`${strings.join('${}')}\` is inside ${at.state === 'escape' ? 'a backslash escape' : at.state === 'comment' ? 'a comment' : 'quotes'}`);
    if (!(part instanceof Arg) && typeof part !== 'string' && typeof part !== 'number') throw new Error(`sh: value ${i + 1} of \`${strings.join('${}')}\` is ${String(part)}`);
    const text = typeof part === 'number' ? String(part) : typeof part === 'string' ? part : part.text;
    if (part instanceof Arg && part.problem) problems.push(part.problem);
    out += shellQuote(text);
    const literal = strings[i + 1] ?? '';
    out += literal;
    at = scan(literal, 'plain', false);
  });
  return problems.length ? ShellCommand.of(undefined, [...new Set(problems)]) : ShellCommand.of(out, []);
}

/**
 * A fix with the commands that could be built; when a value was refused, the text says which and why, so
 * the user makes that change by hand.
 */
export function fixOf(text: string, commands: readonly ShellCommand[], yaml?: string): Fix {
  const given = commands.filter((c) => c.ok).map((c) => c.command);
  const problems = [...new Set(commands.flatMap((c) => c.problems))];
  const left = commands.length - given.length;
  const so = given.length === 0 ? 'no command is given' : left > 1 ? 'the commands that would use it are left out' : 'the command that would use it is left out';
  const fix: Fix = { text: problems.length ? `${text} ${capitalized(problems.join('; '))}, so ${so}; make that change by hand.` : text };
  if (given.length) fix.commands = given;
  if (yaml !== undefined) fix.yaml = yaml;
  return fix;
}

// ---------------------------------------------------------------------------------------------
// Templates written by rule authors (custom rules' `fix.commands`)

/**
 * Fills a command template: each value quoted for where it sits in the author's text (bare, inside '...',
 * inside "...", in a comment), so that the shell reads it back as exactly the value and nothing else.
 */
export function fillShellTemplate(literals: readonly string[], values: readonly string[]): string {
  let out = '';
  let at = { state: 'plain' as QuoteState, wordStart: true };
  literals.forEach((literal, i) => {
    out += literal;
    at = scan(literal, at.state, at.wordStart);
    if (i >= values.length) return;
    const value = values[i]!;
    switch (at.state) {
      case 'single':
        out += value.replace(/'/g, `'\\''`);
        break;
      case 'double':
      case 'double-escape':
        if (SAFE_WORD.test(value)) {
          out += value;
        } else {
          // Close the double quotes around a single-quoted value, so nothing in it is expanded (an author's
          // backslash before it would escape that closing quote: quoting makes the value literal anyway).
          if (at.state === 'double-escape') out = out.slice(0, -1);
          out += `"${shellQuote(value)}"`;
        }
        at = { state: 'double', wordStart: false };
        break;
      case 'comment':
        // Only a line break ends a comment.
        out += value.replace(/[\r\n]+/g, ' ');
        break;
      case 'escape':
        // The author's backslash would escape the quote that opens the value: quoting makes it literal anyway.
        out = out.slice(0, -1) + shellQuote(value);
        at = { state: 'plain', wordStart: false };
        break;
      case 'plain':
        out += shellQuote(value);
        at = { state: 'plain', wordStart: false };
        break;
    }
  });
  return out;
}
