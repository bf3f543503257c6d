/**
 * The policy rules' cluster (namespace default bound to waypoint `waypoint`, ratings and reviews behind
 * it) with its waypoint pod's config dump, for the rules that read the waypoint's Envoy config.
 */
import type { Files } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';
import { waypointDump, type ChainSpec } from './dump.js';

export const WAYPOINT_POD = 'waypoint-6f7b665c89-6hppr';
export const DUMP_FILE = `config-dumps/default/${WAYPOINT_POD}.json`;
export const host = (name: string) => `${name}.default.svc.cluster.local`;
/** The chains a healthy waypoint has for the cluster's two Services. */
export const HEALTHY: ChainSpec[] = [{ host: host('ratings'), port: 9080 }, { host: host('reviews'), port: 9080 }];

export function withDump(chains: ChainSpec[], policies: object[] = [], extra: Files = {}): Files {
  return cluster(policies, { [DUMP_FILE]: waypointDump('default', WAYPOINT_POD, '10.42.0.24', chains), ...extra });
}
