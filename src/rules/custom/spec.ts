/** The rule file, as schemas/custom-rule.schema.json describes it, and a compiled rule. */
import type { Capture } from '../../model/captures.js';
import type { Rule, Severity } from '../types.js';

export type Scalar = string | number | boolean | null;

/** The declarative condition of the first rule format: still read, translated to CEL when loaded. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | LeafCondition;

export interface LeafCondition {
  field: string;
  equals?: Scalar;
  notEquals?: Scalar;
  matches?: string;
  exists?: boolean;
  in?: Scalar[];
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  some?: Condition;
}

export interface CountTest {
  equals?: number;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface CustomRuleSpec {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  docs?: string;
  select: { kind: string };
  /** A CEL expression, or a declarative condition (translated to CEL when the file loads). */
  where?: string | Condition;
  count?: CountTest;
  message: string;
  fix: { text: string; commands?: string[]; yaml?: string };
  needs?: Capture[];
}

/** A compiled custom rule: a `Rule`, plus where it was defined, its source form and its condition as CEL. */
export interface CustomRule extends Rule {
  origin: { file: string; pointer: string };
  spec: CustomRuleSpec;
  /** The `where` condition as CEL (the translation of a declarative one). */
  cel?: string;
}
