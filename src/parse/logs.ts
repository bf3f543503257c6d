/**
 * Logs: waypoint / istio-proxy (Envoy access lines in Istio's text or JSON format, pilot-agent and Envoy
 * lines), ztunnel (`<ts>\t<level>\t<scope>\t<message>\t<k=v ...>`) and istiod (Go `<ts>\t<level>\t<scope>\t<msg>`).
 *
 * The entry point the rest of the code imports; the work is in logs/: line-splitter (bytes to lines),
 * detect (is it a log, which), readers and fields (shared readers), envoy-access and ztunnel-lines (one
 * reader per line shape), json-record (records over several lines), sample and stats (what is kept of
 * a 1 GB log: a bounded sample, and counts over every line), parser (the pass that ties them).
 */
export { LineSplitter } from './logs/line-splitter.js';
export { detectLog, type LogKind } from './logs/detect.js';
export { parseFields } from './logs/fields.js';
export { RESPONSE_FLAGS } from './logs/envoy-access.js';
export { LOG_STATS_MAX_KEYS, maskError, OTHER_KEY } from './logs/stats.js';
export { createLogParser, logParser, logParseResult, type LogLimits, type LogLineParser } from './logs/parser.js';
