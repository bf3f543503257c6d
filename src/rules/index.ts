/** Every built-in rule, in the order of docs/failure-modes.md; istioctl's own messages last. */
import { istioctlAnalyze } from './istioctl-analyze.js';
import type { Rule } from './types.js';
import { wp001 } from './wp001-waypoint-missing.js';
import { wp004 } from './wp004-pod-waypoint-service-only.js';
import { wp037 } from './wp037-waypoint-not-synced.js';

export const BUILTIN_RULES: readonly Rule[] = [wp001, wp004, wp037, istioctlAnalyze];
