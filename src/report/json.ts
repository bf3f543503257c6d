import type { AnalysisResult } from '../pipeline.js';

/** The machine-readable report: the analysis result as is, one schema version for consumers. */
export const JSON_REPORT_SCHEMA_VERSION = 1;

export function renderJson(result: AnalysisResult): string {
  return `${JSON.stringify({ schemaVersion: JSON_REPORT_SCHEMA_VERSION, ...result }, null, 2)}\n`;
}
