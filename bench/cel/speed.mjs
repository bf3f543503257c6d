// compile + 10,000 evaluations of a realistic condition, per CEL library (see conformance.mjs for how to run).
import * as buf from '@bufbuild/cel';
import { Environment } from '@marcbachmann/cel-js';
import * as cj from 'cel-js';
const expr = "object.conditions.exists(c, c.type == 'istio.io/WaypointBound' && c.status == 'False') && !(object.namespace in ['kube-system', 'istio-system'])";
const mk = (i) => ({ name: `svc-${i}`, namespace: i % 7 ? 'default' : 'kube-system', labels: { 'istio.io/use-waypoint': 'waypoint' }, conditions: [{ type: 'Ready', status: 'True' }, { type: 'istio.io/WaypointBound', status: i % 3 ? 'True' : 'False', reason: 'x' }] });
const objs = Array.from({ length: 10000 }, (_, i) => mk(i));
const time = (name, f) => { f(); const t = performance.now(); const n = f(); console.log(name, (performance.now() - t).toFixed(1), 'ms', n); };
// compile once, eval 10k
const bufEnv = buf.celEnv({});
const bufPlan = buf.plan(bufEnv, buf.parse(expr));
time('buf      compile once + 10k evals', () => { const p = buf.plan(bufEnv, buf.parse(expr)); let n = 0; for (const o of objs) if (p({ object: o }) === true) n++; return n; });
const env = new Environment().registerVariable('object', 'map');
time('marcb    compile once + 10k evals', () => { const p = env.parse(expr); p.check(); let n = 0; for (const o of objs) if (p({ object: o }) === true) n++; return n; });
time('cel-js   compile once + 10k evals', () => { const p = cj.parse(expr); let n = 0; for (const o of objs) if (cj.evaluate(p.cst, { object: o }) === true) n++; return n; });
time('buf      10k x (compile+eval)', () => { let n = 0; for (const o of objs) if (buf.run(expr, { object: o }) === true) n++; return n; });
time('marcb    10k x (compile+eval)', () => { let n = 0; for (const o of objs) if (env.evaluate(expr, { object: o }) === true) n++; return n; });
time('cel-js   10k x (compile+eval)', () => { let n = 0; for (const o of objs) if (cj.evaluate(expr, { object: o }) === true) n++; return n; });
