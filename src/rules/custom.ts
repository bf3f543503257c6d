/**
 * Custom rules for support teams, without TypeScript: YAML or JSON files validated against
 * schemas/custom-rule.schema.json, each rule compiled into the same `Rule` interface as the built-in
 * ones. Conditions are CEL (declarative ones of the first format are translated to CEL). The parts
 * live in custom/: spec (the file's types), load (reading, validating), kinds (what a rule selects),
 * variables (what expressions read), cel (compile, check, metered evaluation), translate
 * (declarative conditions to CEL), template (messages and fixes), rule (a compiled rule).
 */
import type { Rule } from './types.js';
import type { CustomRule } from './custom/spec.js';

export type { Condition, CountTest, CustomRule, CustomRuleSpec, LeafCondition, Scalar } from './custom/spec.js';
export { describeSchemaErrors, loadCustomRules, readDocument, schemaValidator, translateRuleFile } from './custom/load.js';
export { RECORD_KINDS } from './custom/kinds.js';
export { VARIABLES, variablesFor, type VariableSpec } from './custom/variables.js';
export { CEL_FUNCTIONS, CostLimitError, DEFAULT_LIMITS, type CostLimits } from './custom/cel.js';
export { conditionToCel, ruleFileToCel } from './custom/translate.js';
export { parsePath, renderTemplate, resolvePath, stringify, type PathSegment } from './custom/template.js';
export { compileRule } from './custom/rule.js';

export function isCustomRule(rule: Rule): rule is CustomRule {
  return 'origin' in rule && 'spec' in rule;
}
