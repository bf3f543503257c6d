/**
 * shell.ts: quoting that a real shell reads back as exactly the value, Kubernetes' own name rules (with the
 * examples of k8s.io/apimachinery's validation tests), and the `sh` builder that refuses invalid names.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fillShellTemplate, fixOf, isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, k8sName, kindOf, labelSelector, labelValue, nameOf, nsOf, sh, shellQuote, word,
} from '../../src/rules/shell.js';

const HOSTILE = [
  'two words',
  '$(touch pwned)',
  '`touch pwned`',
  '${HOME}',
  '$HOME',
  'a; touch pwned',
  'a | touch pwned',
  'a && touch pwned',
  'a\ntouch pwned',
  'a\r\ntouch pwned',
  "it's",
  "'",
  "''",
  `'"'"'`,
  '"double"',
  'back\\slash',
  '\\',
  '-rf',
  '--all-namespaces',
  '=ls',
  '~',
  '~root/x',
  '*',
  '?',
  '[a-z]*',
  '{a,b}',
  'a#b',
  '#comment',
  '!!',
  '!$',
  '%1',
  '> out',
  '< /etc/passwd',
  '(subshell)',
  'tab\there',
  'ünïcödé ✓ 名前',
  '\u2028line separator',
  '\u001b[31mred',
  ' leading and trailing ',
  '',
];

/** What shellQuote leaves unquoted. */
const PLAIN = /^[A-Za-z0-9_./:@%+,][A-Za-z0-9_./:=@%+,-]*$/;

const scratch = mkdtempSync(join(tmpdir(), 'wp-shell-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SHELLS = ['sh', 'bash', 'dash', 'zsh'].filter((s) => spawnSync(s, ['-c', 'true']).status === 0);

/** What `printf %s <word>` prints in that shell, run in an empty folder that is also $HOME. */
function printed(shell: string, script: string): string {
  const r = spawnSync(shell, ['-c', script], { cwd: scratch, env: { PATH: '/usr/bin:/bin', HOME: scratch }, encoding: 'utf8' });
  expect(r.stderr, script).toBe('');
  expect(r.status, script).toBe(0);
  return r.stdout;
}

describe('shellQuote', () => {
  it.each([
    'default', 'reviews-v2', 'istio.io/use-waypoint=waypoint', 'istio.io/use-waypoint-', 'deployment/waypoint', 'app=reviews,version=v1',
    'gateway.networking.k8s.io/gateway-name=waypoint', 'cluster.local/ns/default/sa/waypoint', '10.96.0.20:9080', 'user@host', '50%', 'a+b',
  ])('leaves the plain word %j as it is', (w) => {
    expect(shellQuote(w)).toBe(w);
  });

  it.each([
    ['two words', "'two words'"],
    ['$(touch pwned)', "'$(touch pwned)'"],
    ['`id`', "'`id`'"],
    ['a; rm -rf ~', "'a; rm -rf ~'"],
    ['a | b', "'a | b'"],
    ['a\nb', "'a\nb'"],
    ["it's", "'it'\\''s'"],
    ['"x"', `'"x"'`],
    ['-rf', "'-rf'"],
    ['=ls', "'=ls'"],
    ['~', "'~'"],
    ['{a,b}', "'{a,b}'"],
    ['ünï', "'ünï'"],
    ['', "''"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it(`round-trips through ${SHELLS.join(', ')}: printf %s gets back exactly the value`, () => {
    expect(SHELLS).toContain('sh');
    for (const shell of SHELLS) {
      for (const value of HOSTILE) {
        expect(printed(shell, `printf %s ${shellQuote(value)}`), `${shell}: ${JSON.stringify(value)}`).toBe(value);
      }
    }
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('keeps every value one word, next to others', () => {
    for (const shell of SHELLS) {
      const out = printed(shell, `printf '%s\\0' ${HOSTILE.map(shellQuote).join(' ')}`);
      expect(out.split('\0').slice(0, -1), shell).toEqual(HOSTILE);
    }
  });
});

describe("Kubernetes' name rules (k8s.io/apimachinery pkg/util/validation, its tests' examples)", () => {
  const repeat = (c: string, n: number) => c.repeat(n);

  it('IsDNS1123Label', () => {
    const good = ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '012', '1a', '1-a', '1--a--b--2', repeat('a', 63)];
    const bad = ['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A', '-', 'a-', '-a', '1-', '-1', '_', 'a_', '_a', 'a_b', '1_', '_1', '1_2',
      '.', 'a.', '.a', 'a.b', '1.', '.1', '1.2', ' ', 'a ', ' a', 'a b', '1 ', ' 1', '1 2', repeat('a', 64), 'a\n', 'ratings\n'];
    for (const v of good) expect(isDns1123Label(v), v).toBe(true);
    for (const v of bad) expect(isDns1123Label(v), JSON.stringify(v)).toBe(false);
  });

  it('IsDNS1123Subdomain', () => {
    const good = ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '012', '1a', '1-a', '1--a--b--2',
      'a.a', 'ab.a', 'abc.a', 'a1.a', 'a-1.a', 'a--1--2--b.a', 'a.1', 'ab.1', 'abc.1', 'a1.1', 'a-1.1', 'a--1--2--b.1',
      '0.a', '01.a', '012.a', '1a.a', '1-a.a', '1--a--b--2', '0.1', '01.1', '012.1', '1a.1', '1-a.1', '1--a--b--2.1',
      'a.b.c.d.e', 'aa.bb.cc.dd.ee', '1.2.3.4.5', '11.22.33.44.55', repeat('a', 253)];
    const bad = ['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A', '-', 'a-', '-a', '1-', '-1', '_', 'a_', '_a', 'a_b', '1_', '_1', '1_2',
      '.', 'a.', '.a', 'a..b', '1.', '.1', '1..2', ' ', 'a ', ' a', 'a b', '1 ', ' 1', '1 2',
      'A.a', 'aB.a', 'ab.A', 'A1.a', 'a1.A', 'A.1', 'aB.1', 'A1.1', '1A.1', '0.A', '01.A', '012.A', '1A.a', '1a.A',
      'A.B.C.D.E', 'AA.BB.CC.DD.EE', 'a.B.c.d.e', 'aa.bB.cc.dd.ee', 'a@b', 'a,b', 'a_b', 'a;b', 'a:b', 'a%b', 'a?b', 'a$b', repeat('a', 254)];
    for (const v of good) expect(isDns1123Subdomain(v), v).toBe(true);
    for (const v of bad) expect(isDns1123Subdomain(v), JSON.stringify(v)).toBe(false);
  });

  it('IsQualifiedName (label keys)', () => {
    const good = ['simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now-with-dashes/simple', 'now-with-dashes/now-with-dashes',
      'now.with.dots/simple', 'now-with.dashes-and.dots/simple', '1-num.2-num/3-num', '1234/5678', '1.2.3.4/5678', 'Uppercase_Is_OK_123',
      'example.com/Uppercase_Is_OK_123', 'requests.storage-foo', repeat('a', 63), `${repeat('a', 253)}/${repeat('b', 63)}`,
      'istio.io/use-waypoint', 'gateway.networking.k8s.io/gateway-name', 'app'];
    const bad = ['nospecialchars%^=@', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', 'Example.com/abc', 'example_com/abc',
      'example.com/', '/simple', repeat('a', 64), `${repeat('a', 254)}/abc`, '', 'app; id'];
    for (const v of good) expect(isLabelKey(v), v).toBe(true);
    for (const v of bad) expect(isLabelKey(v), v).toBe(false);
  });

  it('IsValidLabelValue', () => {
    const good = ['simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', repeat('a', 63), '', 'Mixed_Case.1'];
    const bad = ['nospecialchars%^=@', 'Tama-nui-te-rā.is.Māori.sun', '\\backslashes\\are\\bad', '-starts-with-dash', 'ends-with-dash-',
      '.starts.with.dot', 'ends.with.dot.', repeat('a', 64), 'waypoint; curl evil', 'a b', 'a\n'];
    for (const v of good) expect(isLabelValue(v), v).toBe(true);
    for (const v of bad) expect(isLabelValue(v), JSON.stringify(v)).toBe(false);
  });
});

describe('sh', () => {
  const svc = { kind: 'Service', name: 'reviews', namespace: 'default' };
  const pod = { kind: 'Pod', name: 'reviews-v2-5b5d6494f4-nrvfx', namespace: 'default' };

  it('builds the command as it always read for valid names', () => {
    expect(sh`kubectl label service ${nameOf(svc)} -n ${nsOf(svc)} istio.io/use-waypoint=${labelValue('waypoint', 'the waypoint name')}`.command)
      .toBe('kubectl label service reviews -n default istio.io/use-waypoint=waypoint');
    expect(sh`kubectl delete pod ${nameOf(pod)} -n ${nsOf(pod)}  # its controller recreates it`.command)
      .toBe('kubectl delete pod reviews-v2-5b5d6494f4-nrvfx -n default  # its controller recreates it');
    expect(sh`kubectl edit ${kindOf('AuthorizationPolicy')} ${k8sName('allow.get', 'subdomain', 'the name')} -n ${nsOf('default')}`.command)
      .toBe('kubectl edit authorizationpolicy allow.get -n default');
    expect(sh`kubectl get pods -n default -l ${labelSelector({ app: 'reviews', version: 'v1' }, 'the selector')}`.command).toBe('kubectl get pods -n default -l app=reviews,version=v1');
    expect(sh`kubectl patch service x -p ${word('[{"op":"add"}]')} --port ${9080}`.command).toBe(`kubectl patch service x -p '[{"op":"add"}]' --port 9080`);
  });

  it('gives no command for a value that is not a valid name, and says why', () => {
    const bad = sh`kubectl label service ${nameOf({ kind: 'Service', name: 'reviews; rm -rf ~' })} -n ${nsOf('$(id)')}`;
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual([
      'the Service\'s name "reviews; rm -rf ~" is not a valid Kubernetes name (a DNS-1123 label: at most 63 lower-case letters, digits and "-")',
      'the namespace "$(id)" is not a valid Kubernetes name (a DNS-1123 label: at most 63 lower-case letters, digits and "-")',
    ]);
    expect(() => bad.command).toThrow(/no command/);
    expect(bad.orElse('kubectl label service <name> -n <namespace>')).toBe('kubectl label service <name> -n <namespace>');
    expect(sh`kubectl logs ${nsOf(undefined)}`.problems).toEqual(['the namespace is not in the bundle']);
    expect(sh`kubectl edit ${kindOf('Auth;Policy')} x`.problems).toEqual(['the kind "Auth;Policy" is not a Kubernetes kind']);
    expect(sh`kubectl get pods -l ${labelSelector({ app: 'a b' }, 'the selector')}`.problems).toEqual(['the selector has label value "a b" that Kubernetes does not allow']);
  });

  it('shows a refused value escaped and cut short', () => {
    const [problem] = sh`x ${k8sName(`a\nb${'c'.repeat(200)}`, 'label', 'the name')}`.problems;
    expect(problem).toMatch(/^the name "a\\nbc+\.\.\." is not a valid/);
    expect(problem!.length).toBeLessThan(200);
  });

  it('quotes values even when they pass a check with characters a shell reads (a label value with a dot is plain)', () => {
    expect(sh`x ${labelValue('v1.2_beta', 'v')}`.command).toBe('x v1.2_beta');
    expect(sh`x ${word('a b')}`.command).toBe("x 'a b'");
  });

  it('refuses a value put inside quotes, a comment or after a backslash in the literal text', () => {
    const n = nsOf('default');
    expect(() => sh`kubectl get pods -l 'app=${n}'`).toThrow(/inside quotes/);
    expect(() => sh`kubectl get pods -l "app=${n}"`).toThrow(/inside quotes/);
    expect(() => sh`kubectl get pods # in ${n}`).toThrow(/inside a comment/);
    expect(() => sh`kubectl get pods \\${n}`).toThrow(/backslash/);
    expect(sh`kubectl get pods -l 'app=x' -n ${n}`.command).toBe("kubectl get pods -l 'app=x' -n default");
  });

  it('does not compile with a captured string interpolated as it is', () => {
    const captured: string = 'reviews';
    const constant = 'istio.io/use-waypoint';
    // @ts-expect-error a string from the bundle must be checked or quoted
    sh`kubectl label service ${captured}`;
    // @ts-expect-error undefined is no value either (and throws when forced through)
    expect(() => sh`kubectl label service ${undefined as string | undefined}`).toThrow(/value 1/);
    // Compile-time constants are fine, and quoted like any value.
    expect(sh`kubectl label service x ${constant}-`.command).toBe('kubectl label service x istio.io/use-waypoint-');
  });
});

describe('fixOf', () => {
  it('is the fix as it was when every command could be built', () => {
    expect(fixOf('Label it.', [sh`kubectl label ns ${nsOf('default')} a=b`], 'kind: X\n')).toEqual({ text: 'Label it.', commands: ['kubectl label ns default a=b'], yaml: 'kind: X\n' });
    expect(fixOf('Look.', [])).toEqual({ text: 'Look.' });
  });

  it('leaves a refused command out and says why in the text', () => {
    const ok = sh`kubectl logs -n istio-system -l app=istiod`;
    const bad = sh`kubectl describe gateway ${nameOf({ kind: 'Gateway', name: 'wp\n; id' })} -n ${nsOf('default')}`;
    expect(fixOf('Act on the reason.', [bad, ok])).toEqual({
      text: 'Act on the reason. The Gateway\'s name "wp\\n; id" is not a valid Kubernetes name (a DNS-1123 subdomain: lower-case letters, digits, "-" and "."), so the command that would use it is left out; make that change by hand.',
      commands: ['kubectl logs -n istio-system -l app=istiod'],
    });
    expect(fixOf('Label it.', [bad]).text).toMatch(/so no command is given; make that change by hand\.$/);
    expect(fixOf('Label it.', [bad, bad, ok]).text).toMatch(/so the commands that would use it are left out;/);
  });
});

describe('fillShellTemplate (custom rules)', () => {
  const fill = (template: string, value: string) => {
    const [before, after] = template.split('{{}}');
    return fillShellTemplate([before!, after!], [value]);
  };

  it.each([
    'printf %s {{}}',
    "printf %s '{{}}'",
    "printf %s 'pre {{}} post'",
    'printf %s "{{}}"',
    'printf %s "pre {{}} post"',
    'printf %s \\{{}}',
    'printf %s "\\{{}}"',
  ])('%s: the shell prints exactly the value, whatever it holds', (template) => {
    for (const value of HOSTILE) {
      const script = fill(template, value);
      const [pre, post] = template.includes('pre') ? ['pre ', ' post'] : ['', ''];
      // Inside double quotes an author's backslash before a plain word stays (sh keeps `\a`); before a quoted value it goes.
      const expected = template === 'printf %s "\\{{}}"' && PLAIN.test(value) ? `\\${value}` : `${pre}${value}${post}`;
      expect(printed('sh', script), `${script}`).toBe(expected);
    }
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('keeps a value in a comment on the comment line', () => {
    for (const value of HOSTILE) expect(printed('sh', fill("printf ok # {{}}", value)), JSON.stringify(value)).toBe('ok');
  });

  it('leaves plain values as they were', () => {
    expect(fillShellTemplate(['kubectl describe pod ', ' -n ', ''], ['waypoint-6f7b9c8d4-6hppr', 'default'])).toBe('kubectl describe pod waypoint-6f7b9c8d4-6hppr -n default');
    expect(fillShellTemplate(['kubectl get service ', " -o jsonpath='{.status.conditions}'"], ['ratings'])).toBe("kubectl get service ratings -o jsonpath='{.status.conditions}'");
  });
});
