/** Every built-in rule, in the order of docs/failure-modes.md; istioctl's own messages last. */
import { istioctlAnalyze } from './istioctl-analyze.js';
import type { Rule } from './types.js';
import { wp001 } from './binding/wp001-waypoint-missing.js';
import { wp002 } from './binding/wp002-waypoint-not-ready.js';
import { wp003 } from './binding/wp003-waypoint-no-healthy-pods.js';
import { wp004 } from './binding/wp004-pod-waypoint-service-only.js';
import { wp005 } from './binding/wp005-service-waypoint-not-for-services.js';
import { wp006 } from './binding/wp006-invalid-waypoint-for.js';
import { wp007 } from './binding/wp007-headless-service.js';
import { wp008 } from './binding/wp008-waypoint-in-other-namespace.js';
import { wp009 } from './binding/wp009-cross-namespace-not-allowed.js';
import { wp010 } from './binding/wp010-opted-out.js';
import { wp011 } from './binding/wp011-waypoint-not-reconciled.js';
import { wp012 } from './binding/wp012-not-a-waypoint-class.js';
import { wp013 } from './binding/wp013-waypoint-listener.js';
import { wp014 } from './binding/wp014-waypoint-not-programmed.js';
import { wp015, wp016, wp017 } from './binding/wp015-017-not-in-ambient.js';
import { wp018 } from './binding/wp018-ingress-bypass.js';
import { wp019 } from './binding/wp019-serviceentry-without-vip.js';
import { wp020 } from './binding/wp020-waypoint-unresolved.js';
import { wp037 } from './control-plane/wp037-waypoint-not-synced.js';
import { wp021 } from './policy/wp021-policy-without-targetrefs.js';
import { wp022 } from './policy/wp022-l7-rules-at-ztunnel.js';
import { wp023 } from './policy/wp023-l4-policy-denies-waypoint.js';
import { wp024 } from './policy/wp024-targetrefs-not-bound.js';
import { wp025 } from './policy/wp025-namespace-policy-bypassed.js';
import { wp026 } from './policy/wp026-no-require-waypoint-guard.js';
import { wp027 } from './policy/wp027-other-policies-by-selector.js';
import { wp028 } from './policy/wp028-unsupported-at-ztunnel.js';
import { wp029 } from './routing/wp029-parentref-group.js';
import { wp030 } from './routing/wp030-route-on-waypoint-gateway.js';
import { wp031 } from './routing/wp031-route-parent-not-bound.js';
import { wp032 } from './routing/wp032-parentref-port.js';
import { wp033 } from './routing/wp033-backend-unresolved.js';
import { wp034 } from './routing/wp034-tcp-port.js';
import { wp035 } from './routing/wp035-virtualservice.js';
import { wp036 } from './routing/wp036-destinationrule-subsets.js';
import { wp040 } from './config-and-logs/wp040-service-missing-from-waypoint.js';
import { wp041 } from './config-and-logs/wp041-route-or-policy-missing.js';
import { wp042 } from './config-and-logs/wp042-access-log-failures.js';
import { wp043 } from './config-and-logs/wp043-no-access-lines.js';
import { wp044 } from './config-and-logs/wp044-ztunnel-bypass.js';
import { wp038 } from './control-plane/wp038-version-skew.js';
import { wp039 } from './control-plane/wp039-unexpected-revision.js';

export const BUILTIN_RULES: readonly Rule[] = [
  wp001, wp002, wp003, wp004, wp005, wp006, wp007, wp008, wp009, wp010, wp011, wp012, wp013, wp014,
  wp015, wp016, wp017, wp018, wp019, wp020,
  wp021, wp022, wp023, wp024, wp025, wp026, wp027, wp028,
  wp029, wp030, wp031, wp032, wp033, wp034, wp035, wp036,
  wp037, wp038, wp039,
  wp040, wp041, wp042, wp043, wp044,
  istioctlAnalyze,
];
