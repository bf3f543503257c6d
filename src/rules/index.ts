/** Every built-in rule, in the order of docs/failure-modes.md; istioctl's own messages last. */
import { istioctlAnalyze } from './istioctl-analyze.js';
import type { Rule } from './types.js';
import { wp001 } from './wp001-waypoint-missing.js';
import { wp002 } from './wp002-waypoint-not-ready.js';
import { wp003 } from './wp003-waypoint-no-healthy-pods.js';
import { wp004 } from './wp004-pod-waypoint-service-only.js';
import { wp005 } from './wp005-service-waypoint-not-for-services.js';
import { wp006 } from './wp006-invalid-waypoint-for.js';
import { wp007 } from './wp007-headless-service.js';
import { wp008 } from './wp008-waypoint-in-other-namespace.js';
import { wp009 } from './wp009-cross-namespace-not-allowed.js';
import { wp010 } from './wp010-opted-out.js';
import { wp011 } from './wp011-waypoint-not-reconciled.js';
import { wp012 } from './wp012-not-a-waypoint-class.js';
import { wp013 } from './wp013-waypoint-listener.js';
import { wp014 } from './wp014-waypoint-not-programmed.js';
import { wp015, wp016, wp017 } from './wp015-017-not-in-ambient.js';
import { wp018 } from './wp018-ingress-bypass.js';
import { wp019 } from './wp019-serviceentry-without-vip.js';
import { wp020 } from './wp020-waypoint-unresolved.js';
import { wp037 } from './wp037-waypoint-not-synced.js';
import { wp038 } from './wp038-version-skew.js';
import { wp039 } from './wp039-unexpected-revision.js';

export const BUILTIN_RULES: readonly Rule[] = [
  wp001, wp002, wp003, wp004, wp005, wp006, wp007, wp008, wp009, wp010, wp011, wp012, wp013, wp014,
  wp015, wp016, wp017, wp018, wp019, wp020, wp037, wp038, wp039, istioctlAnalyze,
];
