// Compares CEL libraries on the cel-spec conformance tests that need no bindings, container or type
// environment and expect a scalar or an error (the core suites; extensions, optionals and macros2 left out).
// Not part of the build: run in a scratch folder after `npm i @bufbuild/cel @bufbuild/protobuf @marcbachmann/cel-js cel-js`.
// The harness is ours and rough (uint and cross-type results are normalised by hand): read its numbers as a ranking.
import { tests } from '@bufbuild/cel-spec/testdata/conformance.js';
import * as buf from '@bufbuild/cel';
import * as mb from '@marcbachmann/cel-js';
import * as cj from 'cel-js';
const cases = [];
const walk = (s, path) => { for (const t of s.tests ?? []) cases.push({ ...t.original, suite: path }); for (const c of s.suites ?? []) walk(c, path ? `${path}/${c.name}` : c.name); };
walk(tests, '');
// subset: no bindings, no container, no type env, no check-only, expected scalar value or error
const scalarOf = (v) => {
  if (!v) return undefined;
  if ('int64Value' in v) return { t: 'int', v: BigInt(v.int64Value) };
  if ('uint64Value' in v) return { t: 'uint', v: BigInt(v.uint64Value) };
  if ('doubleValue' in v) return { t: 'double', v: Number(v.doubleValue) };
  if ('stringValue' in v) return { t: 'string', v: v.stringValue };
  if ('boolValue' in v) return { t: 'bool', v: v.boolValue };
  if ('nullValue' in v) return { t: 'null', v: null };
  return undefined;
};
const EXT = /_ext$|^optionals$|^macros2$/; const subset = cases.filter((c) => !EXT.test(c.suite.split("/")[0]) && !c.bindings && !c.container && !c.typeEnv && !c.disableMacros && !c.checkOnly && (c.evalError || scalarOf(c.value)));
const norm = (lib, x) => {
  if (x === null || x === undefined) return { t: 'null', v: null };
  if (typeof x === 'bigint') return { t: 'int', v: x };
  if (typeof x === 'number') return { t: 'double', v: x };
  if (typeof x === 'string') return { t: 'string', v: x };
  if (typeof x === 'boolean') return { t: 'bool', v: x };
  if (x && typeof x === 'object' && 'value' in x && typeof x.value === 'bigint') return { t: 'uint', v: x.value };
  if (x && x.constructor && /Uint/.test(x.constructor.name) && 'valueOf' in x) return { t: 'uint', v: BigInt(x.valueOf()) };
  return { t: 'other', v: x };
};
const eq = (a, b) => {
  if (b.t === 'uint' && (a.t === 'uint' || a.t === 'int')) return a.v === b.v;
  if (a.t !== b.t && !(b.t==='int'&&a.t==='double')) return false;
  if (b.t === 'double') return Object.is(a.v, b.v) || a.v === b.v || (Number.isNaN(a.v) && Number.isNaN(b.v));
  return a.v === b.v;
};
const libs = {
  '@bufbuild/cel': (e) => { const r = buf.run(e, {}); if (buf.isCelError(r)) throw r; return r; },
  '@marcbachmann/cel-js': (e) => mb.evaluate(e), 'marcb (mixed literals)': (() => { const en = new mb.Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false }); return (e) => en.evaluate(e); })(),
  'cel-js': (e) => cj.evaluate(e),
};
for (const [name, ev] of Object.entries(libs)) {
  let pass = 0, fail = 0;
  const bySuite = {};
  for (const c of subset) {
    let ok;
    try {
      const r = ev(c.expr);
      if (r && typeof r.then === 'function') { ok = false; }
      else ok = c.evalError ? false : eq(norm(name, r), scalarOf(c.value));
    } catch (e) { ok = !!c.evalError; }
    ok ? pass++ : fail++;
    if (!ok) { const top = c.suite.split('/')[0]; bySuite[top] = (bySuite[top] ?? 0) + 1; }
  }
  console.log(`${name}: ${pass}/${subset.length} (${(100*pass/subset.length).toFixed(1)}%) failures by suite`, JSON.stringify(bySuite));
}
console.log('all cases', cases.length, 'subset', subset.length);
