/** A request's path through ambient, hop by hop, as `waypoint-analyze trace` prints it. */
import type { Evidence } from '../rules/types.js';

/** `unknown`: the bundle lacks the capture that would tell; the walk goes on past it. */
export type HopStatus = 'ok' | 'broken' | 'unknown';

export interface TraceHop {
  /** Short name: `source`, `address`, `waypoint`, `ztunnel`, `gateway`, `sync`, `listener`, `route`, `cluster`, `endpoints`, `policy`, `destination`. */
  step: string;
  status: HopStatus;
  summary: string;
  evidence: Evidence[];
  /** For `unknown` hops: the commands whose output would decide it. */
  collect?: string[];
}

export interface Trace {
  from: string;
  to: string;
  hops: TraceHop[];
  /** `broken` at the first broken hop; `unknown` when a hop could not be decided and none broke; else `ok`. */
  result: HopStatus;
  brokenAt?: string;
  /** Why the walk ended before the last hop (a broken hop, or no waypoint in the path). */
  stoppedBecause?: string;
}
