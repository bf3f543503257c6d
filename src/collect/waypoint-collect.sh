#!/bin/sh
# waypoint-collect: gather, read-only, what waypoint-analyze needs from a live Istio ambient cluster into one
# bundle (docs/bundle-format.md). Needs only kubectl, istioctl, tar and gzip. Never reads Secrets, never changes
# the cluster, scrubs private keys, tokens and JWTs from every file, and bounds every command by --timeout, the
# whole run by --max-time, and logs and dumps by --max-log-bytes and --max-dump-bytes.
#
# Runnable as a single copied file: `sh waypoint-collect.sh --help`.

set -u

COLLECTOR_VERSION="0.1.0"
SCHEMA_VERSION=1

usage() {
  cat <<'EOF'
Usage: waypoint-collect [options]

Gathers, read-only, the outputs and resources waypoint-analyze needs from the current kubectl context into
waypoint-bundle-<cluster>-<time>.tgz. Needs kubectl, istioctl, tar and gzip. Secrets are never read; private
keys, bearer tokens, Authorization values and JWTs are scrubbed from every captured file.

Options:
  --context NAME        kubectl context to use (default: the current context)
  --namespace NS        a namespace in scope; repeat for several (default: every namespace enrolled in ambient
                        or labelled with istio.io/use-waypoint, plus the Istio namespace and the namespaces of
                        waypoints)
  -A, --all-namespaces  every namespace is in scope
  --istio-namespace NS  where istiod and ztunnel run (default: istio-system)
  --output FILE         where to write the bundle (default: ./waypoint-bundle-<cluster>-<time>.tgz)
  --since DURATION      log window for kubectl logs, e.g. 30m, 2h (default: 1h)
  --max-log-lines N     at most N lines per log (default: 5000)
  --max-log-bytes SIZE  at most this much of logs in all, e.g. 100M; each log keeps its latest lines within
                        an even share of what is left (default: 100M)
  --max-dump-bytes SIZE at most this much of config dumps (waypoint Envoy dumps, the ztunnel dump) in all; a dump
                        that does not fit is left out (default: 256M)
  --timeout SECONDS     stop any single command after this long (default: 60)
  --max-time DURATION   start no capture after this long, e.g. 900, 15m (default: 15m); running ones finish
                        or time out, and the bundle says what was left out
  --parallel N          run up to N captures at once (default: 4)
  --per-namespace-max N list namespaced resources namespace by namespace for at most N namespaces in scope;
                        a larger scope, or every namespace, is listed with one -A query per kind (default: 10)
  --no-logs             do not collect waypoint, ztunnel and istiod logs
  --no-config-dump      do not collect waypoint Envoy config dumps (istioctl proxy-config all)
  --waypoint NS/NAME    limit config dumps to this waypoint; repeat for several (default: every waypoint in scope)
  --redact MAP          also write <output>-redacted.tgz with pseudonyms for names and addresses, using (or
                        creating) the map MAP, which stays with you; needs node and waypoint-analyze (on
                        PATH or in ./node_modules/.bin); without them it says so and redacts nothing
  --dry-run             print the commands that would run (after read-only discovery) and write nothing
  -h, --help            show this help
  --version             print the collector's version

ztunnel: one ztunnel's whole state is captured (one on a waypoint's node where there is one); the others
give the rows that can differ (their node's workloads, the namespaces in scope when few), their certificates,
and a checksum of their whole tables in manifest.json, which shows a ztunnel that disagrees.

Exit codes: 0 bundle written (some captures may have failed or been left out: see its manifest.json), 1 could
not write a bundle, 2 bad invocation, 130 interrupted (a partial bundle is still written).
EOF
}

die_usage() {
  printf 'waypoint-collect: %s\n' "$1" >&2
  printf "Run 'waypoint-collect --help' for the options.\n" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------------------------
# Options

CONTEXT=""
NAMESPACES=""
ALL_NAMESPACES=0
ISTIO_NS="istio-system"
OUTPUT=""
SINCE="1h"
MAX_LOG_LINES=5000
MAX_LOG_BYTES=100M
MAX_DUMP_BYTES=256M
TIMEOUT=60
MAX_TIME=15m
PARALLEL=4
PER_NS_MAX=10
COLLECT_LOGS=1
COLLECT_DUMPS=1
WAYPOINTS=""
DRY_RUN=0
REDACT_MAP=""
REDACTOR=""
REDACT_NOTE=""

# Names in argv become file names and command arguments: only what Kubernetes allows in a name.
valid_name() {
  case "$1" in
    "" | *[!a-z0-9.-]*) return 1 ;;
  esac
  return 0
}

need_value() {
  if [ "$#" -lt 2 ] || [ -z "$2" ]; then die_usage "$1 needs a value"; fi
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --context) need_value "$@"; CONTEXT="$2"; shift 2 ;;
    --context=*) CONTEXT="${1#*=}"; shift ;;
    --namespace | -n) need_value "$@"; valid_name "$2" || die_usage "invalid namespace '$2'"; NAMESPACES="$NAMESPACES $2"; shift 2 ;;
    --all-namespaces | -A) ALL_NAMESPACES=1; shift ;;
    --istio-namespace) need_value "$@"; valid_name "$2" || die_usage "invalid namespace '$2'"; ISTIO_NS="$2"; shift 2 ;;
    --output | -o) need_value "$@"; OUTPUT="$2"; shift 2 ;;
    --since) need_value "$@"; SINCE="$2"; shift 2 ;;
    --max-log-lines) need_value "$@"; MAX_LOG_LINES="$2"; shift 2 ;;
    --max-log-bytes) need_value "$@"; MAX_LOG_BYTES="$2"; shift 2 ;;
    --max-dump-bytes) need_value "$@"; MAX_DUMP_BYTES="$2"; shift 2 ;;
    --timeout) need_value "$@"; TIMEOUT="$2"; shift 2 ;;
    --max-time) need_value "$@"; MAX_TIME="$2"; shift 2 ;;
    --parallel) need_value "$@"; PARALLEL="$2"; shift 2 ;;
    --per-namespace-max) need_value "$@"; PER_NS_MAX="$2"; shift 2 ;;
    --no-logs) COLLECT_LOGS=0; shift ;;
    --no-config-dump) COLLECT_DUMPS=0; shift ;;
    --waypoint) need_value "$@"
      case "$2" in */*) ;; *) die_usage "--waypoint expects NAMESPACE/NAME, not '$2'" ;; esac
      if ! valid_name "${2%%/*}" || ! valid_name "${2#*/}"; then die_usage "invalid waypoint '$2'"; fi
      WAYPOINTS="$WAYPOINTS $2"; shift 2 ;;
    --redact) need_value "$@"; REDACT_MAP="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --version) printf 'waypoint-collect %s\n' "$COLLECTOR_VERSION"; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done

# A size with an optional K, M or G (powers of 1024), in bytes; fails on anything else. No leading zeros: the
# shell would read 010 as octal, and JSON does not allow it.
to_bytes() {
  tb_num=${1%%[!0-9]*}
  tb_unit=${1#"$tb_num"}
  case "$tb_num" in "" | 0[0-9]*) return 1 ;; esac
  case "$tb_unit" in
    "" | B) tb_mul=1 ;;
    K | KB | Ki | KiB) tb_mul=1024 ;;
    M | MB | Mi | MiB) tb_mul=1048576 ;;
    G | GB | Gi | GiB) tb_mul=1073741824 ;;
    *) return 1 ;;
  esac
  echo "$((tb_num * tb_mul))"
}

# A duration in seconds: N, Ns, Nm or Nh.
to_seconds() {
  ts_num=${1%[smh]}
  case "$ts_num" in "" | *[!0-9]* | 0*) return 1 ;; esac
  case "$1" in
    *m) echo "$((ts_num * 60))" ;;
    *h) echo "$((ts_num * 3600))" ;;
    *) echo "$ts_num" ;;
  esac
}

case "$TIMEOUT" in "" | *[!0-9]* | 0*) die_usage "--timeout expects a whole number of seconds, not '$TIMEOUT'" ;; esac
case "$MAX_LOG_LINES" in "" | *[!0-9]* | 0*) die_usage "--max-log-lines expects a positive whole number, not '$MAX_LOG_LINES'" ;; esac
case "$PARALLEL" in "" | *[!0-9]* | 0*) die_usage "--parallel expects a positive whole number, not '$PARALLEL'" ;; esac
case "$PER_NS_MAX" in 0) ;; "" | *[!0-9]* | 0*) die_usage "--per-namespace-max expects a whole number, not '$PER_NS_MAX'" ;; esac
case "$SINCE" in *[!0-9hms]* | "") die_usage "--since expects a duration such as 30m or 2h, not '$SINCE'" ;; esac
MAX_TIME_S=$(to_seconds "$MAX_TIME") || die_usage "--max-time expects a duration such as 900, 90s, 15m or 1h, not '$MAX_TIME'"
MAX_LOG_B=$(to_bytes "$MAX_LOG_BYTES") || die_usage "--max-log-bytes expects a size such as 100M, 2G or 500000, not '$MAX_LOG_BYTES'"
MAX_DUMP_B=$(to_bytes "$MAX_DUMP_BYTES") || die_usage "--max-dump-bytes expects a size such as 256M, 1G or 500000, not '$MAX_DUMP_BYTES'"

if [ -n "$OUTPUT" ] && [ ! -d "$(dirname "$OUTPUT")" ]; then
  printf 'waypoint-collect: the folder of %s does not exist\n' "$OUTPUT" >&2
  exit 1
fi

for tool in kubectl istioctl tar gzip; do
  command -v "$tool" >/dev/null 2>&1 || { printf 'waypoint-collect: %s is required but not on PATH\n' "$tool" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------------------------
# Helpers. POSIX sh has no local variables: each function's variables carry its own prefix or name.

now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

now_s() {
  ns_s=$(date +%s 2>/dev/null)
  case "$ns_s" in *[!0-9]* | "") echo 0 ;; *) echo "$ns_s" ;; esac
}

# Milliseconds since the epoch where `date +%N` works, else whole seconds times 1000. Never empty:
# Ctrl-C reaches `date` too, and an empty operand would stop the shell in an arithmetic expansion.
now_ms() {
  ms=$(date +%s%N 2>/dev/null)
  case "$ms" in
    *[!0-9]* | "")
      s=$(date +%s 2>/dev/null)
      case "$s" in *[!0-9]* | "") echo 0 ;; *) echo "$((s * 1000))" ;; esac ;;
    *) echo "$((ms / 1000000))" ;;
  esac
}

# The command as a user would type it (the *_cmd wrappers add --context).
display() {
  shown=""
  for a in "$@"; do
    case "$a" in
      kubectl_cmd | istioctl_cmd) a=${a%_cmd}; [ -n "$CONTEXT" ] && a="$a --context $CONTEXT" ;;
    esac
    shown="$shown${shown:+ }$a"
  done
  printf '%s' "$shown"
}

TAB=$(printf '\t')
CR=$(printf '\r')
# A JSON string into JSV; a value that needs escaping (rare: names are checked) goes through sed.
json_var() {
  case "$1" in
    *[\\\"]* | *"$TAB"* | *"$CR"* | *"
"*) JSV=$(json_string "$1") ;;
    *) JSV="\"$1\"" ;;
  esac
}

# A JSON string. Most values need no escaping: they are printed as they are, without a subshell.
json_string() {
  case "$1" in
    *[\\\"]* | *"$TAB"* | *"$CR"* | *"
"*) printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' | tr -d '\n\r')" ;;
    *) printf '"%s"' "$1" ;;
  esac
}

# The *_cmd wrappers only ever run as run_bounded's background job: `exec` makes that job the tool
# itself, so a timeout or Ctrl-C stops the tool rather than an intermediate subshell.
# They and the trap handlers are called indirectly (through "$@" and trap).
# shellcheck disable=SC2317
kubectl_cmd() {
  if [ -n "$CONTEXT" ]; then exec kubectl --context "$CONTEXT" "$@"; else exec kubectl "$@"; fi
}

# shellcheck disable=SC2317
istioctl_cmd() {
  if [ -n "$CONTEXT" ]; then exec istioctl --context "$CONTEXT" "$@"; else exec istioctl "$@"; fi
}

# Discovery queries: read-only, small, bounded by the same timeout; their failure only narrows the scope.
query() {
  out_file="$WORK/.query"
  run_bounded "$out_file" /dev/null kubectl_cmd "$@"
  cat "$out_file" 2>/dev/null
  rm -f "$out_file"
}

# Poll in tenths of a second where sleep takes fractions (GNU, BusyBox, BSD), else in seconds.
if sleep 0.1 2>/dev/null; then TICK=0.1 TICKS_PER_SECOND=10; else TICK=1 TICKS_PER_SECOND=1; fi

CHILD=""
# Runs "$@" with stdout to $1 and stderr to $2, stopping it after $TIMEOUT seconds. Sets RC and TIMED_OUT.
run_bounded() {
  stdout_file="$1"
  stderr_file="$2"
  shift 2
  "$@" >"$stdout_file" 2>"$stderr_file" &
  CHILD=$!
  TIMED_OUT=false
  waited=0
  while kill -0 "$CHILD" 2>/dev/null; do
    if [ "$waited" -ge "$((TIMEOUT * TICKS_PER_SECOND))" ] || [ "$INTERRUPTED" = 1 ]; then
      [ "$INTERRUPTED" = 1 ] || TIMED_OUT=true
      kill -TERM "$CHILD" 2>/dev/null
      grace=0
      while kill -0 "$CHILD" 2>/dev/null && [ "$grace" -lt "$TICKS_PER_SECOND" ]; do sleep "$TICK"; grace=$((grace + 1)); done
      kill -KILL "$CHILD" 2>/dev/null
      break
    fi
    sleep "$TICK"
    waited=$((waited + 1))
  done
  wait "$CHILD" 2>/dev/null
  RC=$?
  CHILD=""
  if [ "$TIMED_OUT" = true ]; then RC=124; fi
}

# Scrubs one file in place and appends what it replaced to the counts file $2 ("key bearer auth jwt").
# awk's gsub() counts its replacements; PEM blocks that span lines are replaced as a whole.
scrub() {
  scrubbed="$1"
  scrub_counts="$2"
  [ -s "$scrubbed" ] || return 0
  if awk -v counts="$scrub_counts" '
    BEGIN { key = 0; bearer = 0; auth = 0; jwt = 0; inblock = 0 }
    {
      line = $0
      if (inblock) {
        if (line ~ /-----END [A-Z ]*PRIVATE KEY-----/) { inblock = 0; sub(/.*-----END [A-Z ]*PRIVATE KEY-----/, "[REDACTED:private-key]", line); print line }
        next
      }
      key += gsub(/-----BEGIN [A-Z ]*PRIVATE KEY-----[^"]*-----END [A-Z ]*PRIVATE KEY-----/, "[REDACTED:private-key]", line)
      if (line ~ /-----BEGIN [A-Z ]*PRIVATE KEY-----/) {
        key++; inblock = 1; sub(/-----BEGIN [A-Z ]*PRIVATE KEY-----.*/, "", line); print line; next
      }
      # base64 of "-----BEGIN PRIVATE", "RSA PRIVATE", "EC PRIVATE", "ENCRYPTED PRIVATE", "OPENSSH PRIVATE"
      key += gsub(/LS0tLS1CRUdJTiB(QUklWQVRF|SU0EgUFJJVkFURS|FQyBQUklWQVRF|FTkNSWVBURUQgUFJJVkFURS|PUEVOU1NIIFBSSVZBVEUg)[A-Za-z0-9+\/=]*/, "[REDACTED:private-key]", line)
      jwt += gsub(/eyJ[A-Za-z0-9_-][A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-][A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/, "[REDACTED:jwt]", line)
      bearer += gsub(/[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9._~+\/=-][A-Za-z0-9._~+\/=-]*/, "Bearer [REDACTED:bearer-token]", line)
      # Only the value (to its closing quote, or the end of a text line), so JSON stays JSON; a value the
      # bearer rule already replaced is left as it is.
      rest = line; line = ""
      while (match(rest, /[Aa]uthorization("?: *"?|= *"?)/)) {
        line = line substr(rest, 1, RSTART + RLENGTH - 1); rest = substr(rest, RSTART + RLENGTH)
        if (rest ~ /^([Bb]earer )?\[REDACTED/ || rest ~ /^[{[]/) continue
        if (match(rest, /^[^"]+/)) { line = line "[REDACTED:authorization]"; rest = substr(rest, RLENGTH + 1); auth++ }
      }
      line = line rest
      # Envoy dumps: whatever inline bytes a private_key holds (a key may follow a certificate in one blob).
      key += gsub(/"private_?[Kk]ey" *: *\{ *"inline_(bytes|string)" *: *"[^"\[][^"]*"/, "\"private_key\": {\"inline_bytes\": \"[REDACTED:private-key]\"", line)
      print line
    }
    END { printf "%d %d %d %d\n", key, bearer, auth, jwt >> counts }
  ' "$scrubbed" >"$scrubbed.tmp"; then
    mv "$scrubbed.tmp" "$scrubbed"
  else
    # Scrubbing was cut short (Ctrl-C reaches awk too): the file is not shipped unscrubbed.
    rm -f "$scrubbed.tmp"
    printf '[REDACTED:unscrubbed] scrubbing did not finish; the capture was dropped\n' >"$scrubbed"
  fi
}


# The redaction markers in a file, counted as scrub() counts what it replaced (for a log cut to its share).
count_markers() {
  awk '{ k += gsub(/\[REDACTED:private-key\]/, ""); b += gsub(/\[REDACTED:bearer-token\]/, "")
         a += gsub(/\[REDACTED:authorization\]/, ""); j += gsub(/\[REDACTED:jwt\]/, "") }
       END { printf "%d %d %d %d\n", k, b, a, j }' "$1"
}

# Reads `istioctl ztunnel-config all` (its tables a blank line apart) on stdin and writes what the bundle keeps:
# every row when $1 is "full"; else the workloads on node $2 and the rows of the namespaces listed in $3
# (" ns1 ns2 ", or empty), every certificate (they are the node's own), and at most 1000 rows of any other table.
# A table that lost rows ends in `...`, which tells the analyzer it is not whole. Cells are cut at the header's
# offsets, as istioctl's tabwriter aligns them. The workload, service and policy tables also stream, whole, into
# cksum, without being stored: $4.<table> gets "CRC BYTES" and $4.rows a line "<table> <rows>" per table.
reduce_ztunnel() {
  awk -v mode="$1" -v node="$2" -v scope="$3" -v dig="$4" '
    function classify(h) {
      if (index(h, "SERVICE VIP")) return "services"
      if (index(h, "POLICY NAME")) return "policies"
      if (index(h, "CERTIFICATE NAME") || index(h, "SERIAL NUMBER")) return "certificates"
      if (index(h, "DIRECTION") && index(h, "REMOTE")) return "connections"
      if (index(h, "NODE") && index(h, "NAME")) return "workloads"
      return "other"
    }
    # Where the column headed `label` starts (0: no such column); `ce` where the next one starts (0: the last).
    function col(h, label) {
      cs = index(" " h " ", " " label " ")
      ce = 0
      if (cs && match(substr(h, cs + length(label)), /[^ ]/)) ce = cs + length(label) + RSTART - 1
      return cs
    }
    function cell(line, s, e,    v) {
      if (!s) return ""
      v = e ? substr(line, s, e - s) : substr(line, s)
      gsub(/^ +| +$/, "", v)
      return v
    }
    function open_table(h) {
      intable = 1; kind = classify(h); rows = 0; dropped = 0
      ns_s = col(h, "NAMESPACE"); ns_e = ce
      node_s = col(h, "NODE"); node_e = ce
      digest = (kind == "workloads" || kind == "services" || kind == "policies")
      if (digest) { sum = "cksum > \"" dig "." kind "\""; print h | sum }
    }
    function close_table() {
      if (!intable) return
      if (dropped) print "..."
      if (digest) { close(sum); print kind, rows > (dig ".rows") }
      intable = 0
    }
    function in_scope(ns) { return scope != "" && index(scope, " " ns " ") > 0 }
    { sub(/\r$/, "") }
    /^[ \t]*$/ { close_table(); print; next }
    !intable { open_table($0); print; next }
    {
      rows++
      if (digest) print | sum
      keep = 1
      if (mode != "full") {
        if (kind == "workloads") keep = (cell($0, node_s, node_e) == node || in_scope(cell($0, ns_s, ns_e)))
        else if (kind == "services" || kind == "policies") keep = in_scope(cell($0, ns_s, ns_e))
        else if (kind != "certificates") keep = (rows <= 1000)
      }
      if (keep) print; else dropped++
    }
    END { close_table() }
  '
}

# ---------------------------------------------------------------------------------------------------------------
# Captures: the one list of what is collected. In "count" mode capture() only counts, so progress can say
# [i/N]; in "run" mode it starts each command as a background job, at most --parallel at once. A job leaves its
# result in $JOBS; commit() takes results in index order, so the manifest, the size budgets and the redaction
# counts do not depend on which job finished first.

MODE=count
TOTAL=0
LOG_TOTAL=0
INDEX=0
SUPPORTS_ZC=1
RUNNING=""
NRUN=0
NEXT=1
LOG_USED=0
LOG_DONE=0
DUMP_USED=0
TIME_CUT=0
SIZE_CUT=0

# What budget a capture counts against, from its file: log, dump, ztunnel (reduced tables) or plain.
# Sets CLASS in this shell (no subshell for Ctrl-C to kill, no fork per capture).
class_of() {
  case "$1" in
    logs/*) CLASS=log ;;
    config-dumps/* | ztunnel/*/all.json) CLASS=dump ;;
    ztunnel/*/all.txt) CLASS=ztunnel ;;
    *) CLASS=plain ;;
  esac
}

# The JSON array items of a command's argv, --context included, into ARGV_JSON. Set in this shell, not
# printed into a $(...): Ctrl-C reaches every process of the group, and a command substitution killed by it
# would leave an empty argv in the manifest.
argv_json() {
  ARGV_JSON=""
  for a in "$@"; do
    case "$a" in
      kubectl_cmd | istioctl_cmd)
        ARGV_JSON="$ARGV_JSON${ARGV_JSON:+, }\"${a%_cmd}\""
        if [ -n "$CONTEXT" ]; then json_var "$CONTEXT"; ARGV_JSON="$ARGV_JSON, \"--context\", $JSV"; fi
        ;;
      *) json_var "$a"; ARGV_JSON="$ARGV_JSON${ARGV_JSON:+, }$JSV" ;;
    esac
  done
}

# write_record INDEX ARGV_JSON FILE EXIT DURATION BYTES TIMED_OUT STDERR_JSON SKIPPED TRUNCATED
write_record() {
  {
    printf '    {"argv": [%s], "file": %s, "exitCode": %s, "durationMs": %s, "bytes": %s, "timedOut": %s, "stderrFile": %s' \
      "$2" "$(json_string "$3")" "$4" "$5" "$6" "$7" "$8"
    [ -n "$9" ] && printf ', "skipped": %s' "$(json_string "$9")"
    [ -n "${10}" ] && printf ', "truncated": %s' "$(json_string "${10}")"
    printf '}\n'
  } >"$REC/$1"
}

# A capture that is not run, recorded with why (its index is $INDEX).
skip_record() {
  sr_file="$1" sr_reason="$2"
  shift 2
  class_of "$sr_file"
  [ "$CLASS" = log ] && LOG_DONE=$((LOG_DONE + 1))
  argv_json "$@"
  write_record "$INDEX" "$ARGV_JSON" "$sr_file" null 0 0 false null "$sr_reason" ""
}

# One capture, as a background job: runs the command (for ztunnel tables, through reduce_ztunnel by a FIFO),
# scrubs what it printed, and leaves for commit() $JOBS/<i>.res "EXIT DURATION BYTES TIMED_OUT", .red and
# .errred (redaction counts of the output and of stderr), and .dig.* (ztunnel table checksums).
# Called in the background (`job ... &`), which shellcheck does not follow.
# shellcheck disable=SC2317
job() {
  j_i="$1" j_file="$2" j_class="$3"
  shift 3
  trap 'INTERRUPTED=1' TERM
  trap '' INT
  j_err="stderr/$j_i.txt"
  mkdir -p "$BUNDLE/$(dirname "$j_file")"
  j_start=$(now_ms)
  if [ "$j_class" = ztunnel ]; then
    j_fifo="$JOBS/$j_i.fifo"
    if mkfifo "$j_fifo" 2>/dev/null; then
      reduce_ztunnel "$JOB_MODE" "$JOB_NODE" "$JOB_SCOPE" "$JOBS/$j_i.dig" <"$j_fifo" >"$BUNDLE/$j_file" &
      j_reader=$!
      run_bounded "$j_fifo" "$BUNDLE/$j_err" "$@"
      # Had the command ended before it opened the FIFO, the reader would wait for a writer forever.
      (exec 3>"$j_fifo") 2>/dev/null &
      j_opener=$!
      wait "$j_reader"
      kill -KILL "$j_opener" 2>/dev/null
      wait "$j_opener" 2>/dev/null
      rm -f "$j_fifo"
    else
      run_bounded "$JOBS/$j_i.raw" "$BUNDLE/$j_err" "$@"
      reduce_ztunnel "$JOB_MODE" "$JOB_NODE" "$JOB_SCOPE" "$JOBS/$j_i.dig" <"$JOBS/$j_i.raw" >"$BUNDLE/$j_file"
      rm -f "$JOBS/$j_i.raw"
    fi
  else
    run_bounded "$BUNDLE/$j_file" "$BUNDLE/$j_err" "$@"
  fi
  j_end=$(now_ms)
  scrub "$BUNDLE/$j_file" "$JOBS/$j_i.red"
  scrub "$BUNDLE/$j_err" "$JOBS/$j_i.errred"
  [ -s "$BUNDLE/$j_err" ] || rm -f "$BUNDLE/$j_err"
  j_bytes=$(wc -c <"$BUNDLE/$j_file" 2>/dev/null | tr -d ' ')
  j_ms=$((j_end - j_start))
  [ "$j_ms" -ge 0 ] 2>/dev/null || j_ms=0
  printf '%s %s %s %s\n' "$RC" "$j_ms" "${j_bytes:-0}" "$TIMED_OUT" >"$JOBS/$j_i.tmp"
  mv "$JOBS/$j_i.tmp" "$JOBS/$j_i.res"
}

# Takes a finished capture in: the size budgets (a log keeps its latest lines within an even share of what is
# left of --max-log-bytes; a dump that does not fit in what is left of --max-dump-bytes is left out), the
# ztunnel checksums, the redaction counts, and its manifest record.
commit() {
  c_i="$1"
  { read -r c_file; read -r c_class; read -r c_zt; read -r c_argv; } <"$JOBS/$c_i.desc"
  read -r c_rc c_ms c_bytes c_timed <"$JOBS/$c_i.res"
  c_skip="" c_trunc=""
  case "$c_class" in
    log)
      c_left=$((LOG_TOTAL - LOG_DONE))
      [ "$c_left" -ge 1 ] || c_left=1
      c_share=$(((MAX_LOG_B - LOG_USED) / c_left))
      LOG_DONE=$((LOG_DONE + 1))
      if [ "$c_bytes" -gt "$c_share" ]; then
        SIZE_CUT=1
        if [ "$c_share" -lt 1024 ]; then
          c_skip="size budget: --max-log-bytes $MAX_LOG_BYTES is used up ($c_bytes bytes left out)"
        else
          # Whole lines only: the first, cut, line goes.
          tail -c "$c_share" "$BUNDLE/$c_file" | sed '1d' >"$BUNDLE/$c_file.cut"
          mv "$BUNDLE/$c_file.cut" "$BUNDLE/$c_file"
          c_new=$(wc -c <"$BUNDLE/$c_file" | tr -d ' ')
          c_trunc="size budget: the latest $c_new of $c_bytes bytes, this log's share of --max-log-bytes $MAX_LOG_BYTES"
          c_bytes=$c_new
          count_markers "$BUNDLE/$c_file" >"$JOBS/$c_i.red"
        fi
      fi
      [ -n "$c_skip" ] || LOG_USED=$((LOG_USED + c_bytes))
      ;;
    dump)
      if [ "$((DUMP_USED + c_bytes))" -gt "$MAX_DUMP_B" ]; then
        SIZE_CUT=1
        c_skip="size budget: this dump ($c_bytes bytes) does not fit in what is left of --max-dump-bytes $MAX_DUMP_BYTES ($((MAX_DUMP_B - DUMP_USED)) bytes)"
      else
        DUMP_USED=$((DUMP_USED + c_bytes))
      fi
      ;;
    ztunnel)
      # Checksums of a table that was cut short (a failure, a timeout, Ctrl-C) would only mislead.
      if [ "$c_rc" = 0 ] && [ -f "$JOBS/$c_i.dig.rows" ]; then
        while read -r c_kind c_rows; do
          [ -f "$JOBS/$c_i.dig.$c_kind" ] || continue
          read -r c_crc c_len <"$JOBS/$c_i.dig.$c_kind"
          printf '%s %s %s %s\n' "$c_kind" "$c_crc" "$c_len" "$c_rows"
        done <"$JOBS/$c_i.dig.rows" >"$WORK/.zt/$c_zt"
      fi
      ;;
  esac
  if [ -n "$c_skip" ]; then
    rm -f "$BUNDLE/$c_file"
    c_bytes=0
  else
    cat "$JOBS/$c_i.red" >>"$WORK/.redactions" 2>/dev/null
  fi
  cat "$JOBS/$c_i.errred" >>"$WORK/.redactions" 2>/dev/null
  c_err=null
  [ -f "$BUNDLE/stderr/$c_i.txt" ] && c_err="\"stderr/$c_i.txt\""
  write_record "$c_i" "$c_argv" "$c_file" "$c_rc" "$c_ms" "$c_bytes" "$c_timed" "$c_err" "$c_skip" "$c_trunc"
  rm -f "$JOBS/$c_i".*
}

# Notes the jobs that finished and commits, in index order, every capture up to the first still running.
reap() {
  r_left=""
  for r_e in $RUNNING; do
    r_i=${r_e%%:*} r_pid=${r_e#*:}
    if [ -f "$JOBS/$r_i.res" ]; then
      wait "$r_pid" 2>/dev/null
      NRUN=$((NRUN - 1))
    elif ! kill -0 "$r_pid" 2>/dev/null; then
      # Gone without a word: stopped by a signal before its trap was set.
      [ -f "$JOBS/$r_i.res" ] || printf '143 0 0 false\n' >"$JOBS/$r_i.res"
      wait "$r_pid" 2>/dev/null
      NRUN=$((NRUN - 1))
    else
      r_left="$r_left $r_e"
    fi
  done
  RUNNING=$r_left
  while [ "$NEXT" -le "$INDEX" ]; do
    if [ -f "$REC/$NEXT" ]; then :
    elif [ -f "$JOBS/$NEXT.res" ]; then commit "$NEXT"
    else break
    fi
    NEXT=$((NEXT + 1))
  done
}

wait_slot() {
  reap
  while [ "$NRUN" -ge "$PARALLEL" ]; do
    sleep "$TICK"
    reap
  done
}

wait_all() {
  reap
  while [ "$NRUN" -gt 0 ]; do
    sleep "$TICK"
    reap
  done
}

# The node (ZT_NODE) and image (ZT_IMAGE) of an in-scope ztunnel, from ZT_MAP (" name=node=image ...").
ztunnel_of() {
  zo=${ZT_MAP#*" $1="}
  ZT_NODE=${zo%%=*}
  zo=${zo#*=}
  ZT_IMAGE=${zo%% *}
}

# capture FILE COMMAND ARGS...   (FILE relative to the bundle root)
capture() {
  file="$1"
  shift
  class_of "$file"
  class=$CLASS
  if [ "$MODE" = count ]; then
    TOTAL=$((TOTAL + 1))
    [ "$class" = log ] && LOG_TOTAL=$((LOG_TOTAL + 1))
    return 0
  fi
  INDEX=$((INDEX + 1))
  if [ "$DRY_RUN" = 1 ]; then printf '%s\n' "$(display "$@")"; return 0; fi
  wait_slot
  if [ "$INTERRUPTED" = 1 ]; then skip_record "$file" "interrupted before it ran" "$@"; return 0; fi
  reason=""
  if [ "$TIME_CUT" = 1 ] || [ "$(now_s)" -ge "$DEADLINE" ]; then
    TIME_CUT=1
    reason="time budget: --max-time $MAX_TIME was reached"
  elif [ "$class" = log ] && [ "$((MAX_LOG_B - LOG_USED))" -lt 1024 ]; then
    SIZE_CUT=1
    reason="size budget: --max-log-bytes $MAX_LOG_BYTES is used up"
  elif [ "$class" = dump ] && [ "$DUMP_USED" -ge "$MAX_DUMP_B" ]; then
    SIZE_CUT=1
    reason="size budget: --max-dump-bytes $MAX_DUMP_BYTES is used up"
  fi
  if [ -n "$reason" ]; then
    printf '[%d/%d] skipped (%s): %s\n' "$INDEX" "$TOTAL" "$reason" "$(display "$@")" >&2
    skip_record "$file" "$reason" "$@"
    return 0
  fi
  printf '[%d/%d] %s\n' "$INDEX" "$TOTAL" "$(display "$@")" >&2
  zt=""
  if [ "$class" = ztunnel ]; then
    zt=${file#ztunnel/*/}
    zt=${zt%%/*}
    ztunnel_of "$zt"
    JOB_NODE=$ZT_NODE
    if [ "$zt" = "$PRIMARY" ]; then JOB_MODE=full; else JOB_MODE=reduced; fi
    if [ "$WIDE" = 1 ]; then JOB_SCOPE=""; else JOB_SCOPE=" $SCOPE "; fi
  fi
  argv_json "$@"
  printf '%s\n%s\n%s\n%s\n' "$file" "$class" "$zt" "$ARGV_JSON" >"$JOBS/$INDEX.desc"
  job "$INDEX" "$file" "$class" "$@" &
  RUNNING="$RUNNING $INDEX:$!"
  NRUN=$((NRUN + 1))
}

# skip FILE REASON COMMAND ARGS...: a capture that is not run, recorded with why.
skip() {
  file="$1"
  reason="$2"
  shift 2
  if [ "$MODE" = count ]; then
    TOTAL=$((TOTAL + 1))
    class_of "$file"
    [ "$CLASS" = log ] && LOG_TOTAL=$((LOG_TOTAL + 1))
    return 0
  fi
  INDEX=$((INDEX + 1))
  if [ "$DRY_RUN" = 1 ]; then printf '# skipped (%s): %s\n' "$reason" "$(display "$@")"; return 0; fi
  if [ "$INTERRUPTED" = 1 ]; then skip_record "$file" "interrupted before it ran" "$@"; return 0; fi
  printf '[%d/%d] skipped (%s): %s\n' "$INDEX" "$TOTAL" "$reason" "$(display "$@")" >&2
  skip_record "$file" "$reason" "$@"
}

# True when istioctl is at least 1.<minor>, or its version is unknown (then the command is tried).
since_minor() {
  [ -z "${ISTIOCTL_MINOR:-}" ] || [ "$ISTIOCTL_MINOR" -ge "$1" ]
}

captures() {
  capture kubectl/version.json kubectl_cmd version -o json
  capture istioctl/version.txt istioctl_cmd version
  capture istioctl/version.json istioctl_cmd version -o json
  capture istioctl/analyze.txt istioctl_cmd analyze -A
  capture istioctl/analyze.json istioctl_cmd analyze -A -o json
  capture istioctl/proxy-status.txt istioctl_cmd proxy-status
  if since_minor 27; then capture istioctl/proxy-status-v1.txt istioctl_cmd proxy-status -v 1
  else skip istioctl/proxy-status-v1.txt "unsupported: istioctl before 1.27 shows sync state in its default table" istioctl_cmd proxy-status -v 1; fi
  if since_minor 30; then capture istioctl/proxy-status.json istioctl_cmd proxy-status -o json
  else skip istioctl/proxy-status.json "unsupported: istioctl before 1.30 has no proxy-status -o json" istioctl_cmd proxy-status -o json; fi
  capture istioctl/waypoint-list.txt istioctl_cmd waypoint list -A

  # Cluster-wide kinds: small, and cross-namespace references (waypoints elsewhere) need all of them.
  for res in namespaces gateways.gateway.networking.k8s.io gatewayclasses.gateway.networking.k8s.io \
    httproutes.gateway.networking.k8s.io grpcroutes.gateway.networking.k8s.io tcproutes.gateway.networking.k8s.io \
    referencegrants.gateway.networking.k8s.io authorizationpolicies.security.istio.io \
    requestauthentications.security.istio.io peerauthentications.security.istio.io \
    serviceentries.networking.istio.io workloadentries.networking.istio.io destinationrules.networking.istio.io \
    virtualservices.networking.istio.io telemetries.telemetry.istio.io wasmplugins.extensions.istio.io \
    envoyfilters.networking.istio.io sidecars.networking.istio.io; do
    capture "kubectl/${res%%.*}.json" kubectl_cmd get "$res" -A -o json
  done
  # Namespaced built-ins: per namespace for a small scope (a cluster's pods can be a hundred megabytes), one -A
  # query per kind for a large one (the same objects for a fraction of the calls).
  if [ "$WIDE" = 1 ]; then
    for res in services pods endpointslices deployments events; do
      capture "kubectl/$res.json" kubectl_cmd get "$res" -A -o json
    done
  else
    for ns in $SCOPE; do
      for res in services pods endpointslices deployments events; do
        capture "kubectl/$res.$ns.json" kubectl_cmd get "$res" -n "$ns" -o json
      done
    done
  fi
  capture kubectl/configmap-istio.json kubectl_cmd get configmap istio -n "$ISTIO_NS" -o json
  capture kubectl/deployments.istiod.json kubectl_cmd get deployments -n "$ISTIO_NS" -l app=istiod -o json
  capture kubectl/crds.gateway-api.json kubectl_cmd get crd gateways.gateway.networking.k8s.io \
    gatewayclasses.gateway.networking.k8s.io httproutes.gateway.networking.k8s.io -o json

  # ztunnel: the primary's whole state (its tables and its dump), then the others' reduced tables.
  for zt in $ZT_ORDER; do
    if [ "$SUPPORTS_ZC" = 1 ]; then capture "ztunnel/$ISTIO_NS/$zt/all.txt" istioctl_cmd ztunnel-config all "$zt.$ISTIO_NS"
    else skip "ztunnel/$ISTIO_NS/$zt/all.txt" "unsupported: this istioctl has no ztunnel-config" istioctl_cmd ztunnel-config all "$zt.$ISTIO_NS"; fi
    [ "$zt" = "$PRIMARY" ] || continue
    if [ "$SUPPORTS_ZC" = 1 ]; then capture "ztunnel/$ISTIO_NS/$zt/all.json" istioctl_cmd ztunnel-config all "$zt.$ISTIO_NS" -o json
    else skip "ztunnel/$ISTIO_NS/$zt/all.json" "unsupported: this istioctl has no ztunnel-config" istioctl_cmd ztunnel-config all "$zt.$ISTIO_NS" -o json; fi
  done

  if [ "$COLLECT_DUMPS" = 1 ]; then
    for wp in $WAYPOINT_PODS; do
      ns=${wp%%/*} pod=${wp#*/}
      capture "config-dumps/$ns/$pod.json" istioctl_cmd proxy-config all "$pod.$ns" -o json
    done
  fi

  if [ "$COLLECT_LOGS" = 1 ]; then
    for wp in $WAYPOINT_PODS; do
      ns=${wp%%/*} pod=${wp#*/}
      capture "logs/$ns/$pod.log" kubectl_cmd logs "$pod" -n "$ns" -c istio-proxy "--since=$SINCE" "--tail=$MAX_LOG_LINES"
    done
    for zt in $ZT_ORDER; do
      capture "logs/$ISTIO_NS/$zt.log" kubectl_cmd logs "$zt" -n "$ISTIO_NS" -c istio-proxy "--since=$SINCE" "--tail=$MAX_LOG_LINES"
    done
    for pod in $ISTIODS; do
      capture "logs/$ISTIO_NS/$pod.log" kubectl_cmd logs "$pod" -n "$ISTIO_NS" -c discovery "--since=$SINCE" "--tail=$MAX_LOG_LINES"
    done
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Discovery (read-only): which namespaces, waypoint pods, ztunnels and istiods are in scope.

STARTED_AT=$(now_iso)
DEADLINE=$(($(now_s) + MAX_TIME_S))
INTERRUPTED=0
WORK=$(mktemp -d 2>/dev/null || { d="${TMPDIR:-/tmp}/waypoint-collect.$$"; mkdir -m 700 "$d" && echo "$d"; }) ||
  { printf 'waypoint-collect: cannot create a temporary folder\n' >&2; exit 1; }
JOBS="$WORK/.jobs"
REC="$WORK/.records"
mkdir -p "$JOBS" "$REC" "$WORK/.zt"

# shellcheck disable=SC2317
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

CURRENT_CONTEXT=$(query config current-context)
CONTEXT_NAME="${CONTEXT:-$CURRENT_CONTEXT}"
CLUSTER=$(query config view --minify -o 'jsonpath={.clusters[0].name}')
SAFE_CLUSTER=$(printf '%s' "${CLUSTER:-${CONTEXT_NAME:-cluster}}" | tr -c 'A-Za-z0-9._-' '-' | cut -c1-60)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME="waypoint-bundle-$SAFE_CLUSTER-$STAMP"
[ -n "$OUTPUT" ] || OUTPUT="./$NAME.tgz"
BUNDLE="$WORK/$NAME"
mkdir -p "$BUNDLE/stderr"

# Ctrl-C or SIGTERM: stop the running commands, mark the bundle partial, and still write it.
# shellcheck disable=SC2317
on_interrupt() {
  INTERRUPTED=1
  [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
  for oi_e in $RUNNING; do kill -TERM "${oi_e#*:}" 2>/dev/null; done
}
trap on_interrupt INT TERM

# Namespace and pod names from the API are checked before use as file names and arguments.
names() { for n in $1; do valid_name "$n" && printf '%s\n' "$n"; done; }
count_words() { cw=0; for _ in $1; do cw=$((cw + 1)); done; echo "$cw"; }
in_words() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

CLUSTER_NS=$(names "$(query get namespaces -o 'jsonpath={.items[*].metadata.name}')" | tr '\n' ' ')
if [ "$ALL_NAMESPACES" = 1 ]; then
  NAMESPACES="$CLUSTER_NS"
elif [ -z "$NAMESPACES" ]; then
  AMBIENT=$(query get namespaces -l istio.io/dataplane-mode=ambient -o 'jsonpath={.items[*].metadata.name}')
  LABELLED=$(query get namespaces -l istio.io/use-waypoint -o 'jsonpath={.items[*].metadata.name}')
  WP_NS=$(query get gateways.gateway.networking.k8s.io -A -o 'jsonpath={range .items[?(@.spec.gatewayClassName=="istio-waypoint")]}{.metadata.namespace}{"\n"}{end}')
  NAMESPACES="$AMBIENT $LABELLED $WP_NS"
fi
SCOPE=$(names "$ISTIO_NS $NAMESPACES" | sort -u | tr '\n' ' ')
SCOPE_COUNT=$(count_words "$SCOPE")
CLUSTER_NS_COUNT=$(count_words "$CLUSTER_NS")
# -A queries for every namespace, a scope past --per-namespace-max, or one that holds every namespace.
WIDE=0
if [ "$ALL_NAMESPACES" = 1 ] || [ "$SCOPE_COUNT" -gt "$PER_NS_MAX" ] ||
  { [ "$CLUSTER_NS_COUNT" -gt 0 ] && [ "$SCOPE_COUNT" -ge "$CLUSTER_NS_COUNT" ]; }; then
  WIDE=1
fi

# Waypoint pods: one query for the whole cluster (a label selector: small whatever the cluster's size).
WAYPOINT_PODS=""
WAYPOINT_NODES=""
wp_lines=$(query get pods -A -l gateway.istio.io/managed=istio.io-mesh-controller \
  -o 'jsonpath={range .items[*]}{.metadata.namespace}{" "}{.metadata.name}{" "}{.metadata.labels.gateway\.networking\.k8s\.io/gateway-name}{" "}{.spec.nodeName}{"\n"}{end}')
# "namespace pod gateway node" lines; --waypoint NS/NAME keeps only the pods of those Gateways.
while read -r ns pod gw node; do
  if ! valid_name "$ns" || ! valid_name "$pod"; then continue; fi
  in_words "$ns" "$SCOPE" || continue
  if [ -n "$WAYPOINTS" ]; then in_words "$ns/$gw" "$WAYPOINTS" || continue; fi
  WAYPOINT_PODS="$WAYPOINT_PODS $ns/$pod"
  WAYPOINT_NODES="$WAYPOINT_NODES $node"
done <<EOF
$wp_lines
EOF

# The ztunnels on the nodes that run pods in scope (all ztunnels when nodes are unknown).
# The Istio namespace is left out: its ztunnels run on every node.
NODES=""
if [ "$WIDE" = 1 ]; then
  NODES=$(query get pods -A -o 'jsonpath={range .items[*]}{.metadata.namespace}{" "}{.spec.nodeName}{"\n"}{end}' |
    awk -v scope=" $SCOPE " -v istio="$ISTIO_NS" '$1 != istio && $2 != "" && index(scope, " " $1 " ") && !seen[$2]++ { printf "%s ", $2 }')
else
  for ns in $SCOPE; do
    [ "$ns" = "$ISTIO_NS" ] && continue
    NODES="$NODES $(query get pods -n "$ns" -o 'jsonpath={.items[*].spec.nodeName}')"
  done
fi
ZTUNNELS=""
ZT_MAP=" "
zt_lines=$(query get pods -n "$ISTIO_NS" -l app=ztunnel -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.nodeName}{" "}{.spec.containers[0].image}{"\n"}{end}')
any_node=0
[ -z "$(printf '%s' "$NODES" | tr -d ' ')" ] && any_node=1
while read -r zt node image; do
  valid_name "$zt" || continue
  if [ "$any_node" = 1 ] || in_words "$node" "$NODES"; then
    ZTUNNELS="$ZTUNNELS $zt"
    ZT_MAP="$ZT_MAP$zt=$node=$image "
  fi
done <<EOF
$zt_lines
EOF
# The primary ztunnel, whose whole state is captured: one on a waypoint's node, else the first in scope.
PRIMARY=""
for node in $WAYPOINT_NODES; do
  for zt in $ZTUNNELS; do
    ztunnel_of "$zt"
    if [ "$ZT_NODE" = "$node" ]; then PRIMARY=$zt; break 2; fi
  done
done
if [ -z "$PRIMARY" ]; then for zt in $ZTUNNELS; do PRIMARY=$zt; break; done; fi
ZT_ORDER=$PRIMARY
for zt in $ZTUNNELS; do [ "$zt" = "$PRIMARY" ] || ZT_ORDER="$ZT_ORDER $zt"; done
ISTIODS=$(names "$(query get pods -n "$ISTIO_NS" -l app=istiod -o 'jsonpath={.items[*].metadata.name}')" | tr '\n' ' ')

# istioctl before 1.22 has no ztunnel-config (1.22 has it under `x`, which this collector does not use).
run_bounded "$WORK/.zc" /dev/null istioctl_cmd ztunnel-config --help
[ "$RC" = 0 ] || SUPPORTS_ZC=0
# proxy-status grew `-v 1` (per-type sync state) in 1.27 and `-o json` in 1.30; the client version decides.
run_bounded "$WORK/.version" /dev/null istioctl_cmd version --remote=false
ISTIOCTL_MINOR=$(sed -n 's/^\(client version: \)\{0,1\}1\.\([0-9][0-9]*\).*/\2/p' "$WORK/.version" | head -n 1)

# ---------------------------------------------------------------------------------------------------------------
# Collection

: >"$WORK/.redactions"
MODE=count
captures
MODE=run

if [ "$DRY_RUN" = 1 ]; then
  how="per namespace"
  [ "$WIDE" = 1 ] && how="with -A queries"
  printf '# waypoint-collect --dry-run: %d commands for namespaces %s(%s; primary ztunnel %s; discovery above was read-only)\n' \
    "$TOTAL" "$SCOPE" "$how" "${PRIMARY:-none}" >&2
  captures
  exit 0
fi

# The ztunnels in scope, with the checksums of their whole tables and how they compare with the primary's.
ztunnels_json() {
  zj=""
  p_workloads="" p_services="" p_policies="" primary_known=0
  if [ -n "$PRIMARY" ] && [ -f "$WORK/.zt/$PRIMARY" ]; then
    primary_known=1
    while read -r kind crc len rows; do
      case "$kind" in
        workloads) p_workloads="$crc $len $rows" ;;
        services) p_services="$crc $len $rows" ;;
        policies) p_policies="$crc $len $rows" ;;
      esac
    done <"$WORK/.zt/$PRIMARY"
  fi
  for zt in $ZT_ORDER; do
    tables="" differs="" known=1
    if [ -f "$WORK/.zt/$zt" ]; then
      while read -r kind crc len rows; do
        tables="$tables${tables:+, }\"$kind\": {\"rows\": $rows, \"cksum\": $crc, \"bytes\": $len}"
        case "$kind" in
          workloads) primary_sum=$p_workloads ;;
          services) primary_sum=$p_services ;;
          *) primary_sum=$p_policies ;;
        esac
        if [ "$primary_known" = 1 ]; then
          [ "$primary_sum" = "$crc $len $rows" ] || differs="$differs${differs:+, }\"$kind\""
        else
          known=0
        fi
      done <"$WORK/.zt/$zt"
    else
      known=0
    fi
    if [ "$zt" = "$PRIMARY" ]; then
      kept="every row"
    elif [ "$WIDE" = 1 ]; then
      kept="the workloads on its node and every certificate"
    else
      kept="the workloads on its node, the rows of the namespaces in scope and every certificate"
    fi
    if [ "$known" = 1 ]; then differs="[$differs]"; else differs=null; fi
    ztunnel_of "$zt"
    zj="$zj${zj:+,
}    {\"pod\": $(json_string "$zt"), \"namespace\": $(json_string "$ISTIO_NS"), \"node\": $(json_string "$ZT_NODE"), \"image\": $(json_string "$ZT_IMAGE"), \"primary\": $([ "$zt" = "$PRIMARY" ] && echo true || echo false), \"file\": $(json_string "ztunnel/$ISTIO_NS/$zt/all.txt"), \"kept\": $(json_string "$kept"), \"tables\": {$tables}, \"differsFromPrimary\": $differs}"
  done
  printf '%s' "$zj"
}

write_manifest() {
  finished=$(now_iso)
  redactions=$(awk '{ k += $1; b += $2; a += $3; j += $4 } END { printf "\"private-key\": %d, \"bearer-token\": %d, \"authorization\": %d, \"jwt\": %d", k, b, a, j }' "$WORK/.redactions")
  ns_json=""
  for ns in $SCOPE; do ns_json="$ns_json${ns_json:+, }$(json_string "$ns")"; done
  wp_json=""
  for wp in $WAYPOINTS; do wp_json="$wp_json${wp_json:+, }$(json_string "$wp")"; done
  istioctl_version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$BUNDLE/istioctl/version.json" 2>/dev/null | head -n 1)
  istio_version=$(sed -n 's/^control plane version: *//p' "$BUNDLE/istioctl/version.txt" 2>/dev/null | head -n 1)
  kubectl_version=$(sed -n '/"clientVersion"/,/}/s/.*"gitVersion": *"\([^"]*\)".*/\1/p' "$BUNDLE/kubectl/version.json" 2>/dev/null | head -n 1)
  kube_version=$(sed -n '/"serverVersion"/,/}/s/.*"gitVersion": *"\([^"]*\)".*/\1/p' "$BUNDLE/kubectl/version.json" 2>/dev/null | head -n 1)
  commands=$(i=1; while [ "$i" -le "$INDEX" ]; do cat "$REC/$i"; i=$((i + 1)); done | sed '$!s/$/,/')
  logs_bool=false; [ "$COLLECT_LOGS" = 1 ] && logs_bool=true
  dumps_bool=false; [ "$COLLECT_DUMPS" = 1 ] && dumps_bool=true
  all_bool=false; [ "$ALL_NAMESPACES" = 1 ] && all_bool=true
  wide_bool=false; [ "$WIDE" = 1 ] && wide_bool=true
  interrupted=false; [ "$INTERRUPTED" = 1 ] && interrupted=true
  time_cut=false; [ "$TIME_CUT" = 1 ] && time_cut=true
  size_cut=false; [ "$SIZE_CUT" = 1 ] && size_cut=true
  cat >"$BUNDLE/manifest.json" <<EOF
{
  "schemaVersion": $SCHEMA_VERSION,
  "collector": {"name": "waypoint-collect", "version": $(json_string "$COLLECTOR_VERSION")},
  "startedAt": $(json_string "$STARTED_AT"),
  "finishedAt": $(json_string "$finished"),
  "context": $(json_string "$CONTEXT_NAME"),
  "cluster": $(json_string "$CLUSTER"),
  "versions": {"istioctl": $(json_string "$istioctl_version"), "istio": $(json_string "$istio_version"), "kubectl": $(json_string "$kubectl_version"), "kubernetes": $(json_string "$kube_version")},
  "namespaces": [$ns_json],
  "options": {"since": $(json_string "$SINCE"), "maxLogLines": $MAX_LOG_LINES, "timeoutSeconds": $TIMEOUT, "logs": $logs_bool, "configDumps": $dumps_bool, "waypoints": [$wp_json], "allNamespaces": $all_bool, "parallel": $PARALLEL, "maxTimeSeconds": $MAX_TIME_S, "maxLogBytes": $MAX_LOG_B, "maxDumpBytes": $MAX_DUMP_B, "perNamespaceMax": $PER_NS_MAX},
  "allNamespaceQueries": $wide_bool,
  "budgets": {"timeReached": $time_cut, "sizeReached": $size_cut, "logBytes": $LOG_USED, "dumpBytes": $DUMP_USED},
  "redactions": {$redactions},$(redact_field)
  "interrupted": $interrupted,
  "ztunnels": [
$(ztunnels_json)
  ],
  "commands": [
$commands
  ]
}
EOF
}

# The bundle folder streams through tar and gzip into the output: no second copy is staged.
pack() {
  write_manifest
  out_dir=$(dirname "$OUTPUT")
  [ -d "$out_dir" ] || { printf 'waypoint-collect: the folder of %s does not exist\n' "$OUTPUT" >&2; return 1; }
  rm -f "$WORK/.tarfail"
  if ! { tar -cf - -C "$WORK" "$NAME" || : >"$WORK/.tarfail"; } | gzip -6 >"$OUTPUT.partial" || [ -f "$WORK/.tarfail" ]; then
    printf 'waypoint-collect: could not write %s\n' "$OUTPUT" >&2
    rm -f "$OUTPUT.partial"
    return 1
  fi
  mv "$OUTPUT.partial" "$OUTPUT"
  size=$(wc -c <"$OUTPUT" | tr -d ' ')
  cut=""
  [ "$TIME_CUT" = 1 ] && cut="$cut, --max-time reached: partial bundle"
  [ "$SIZE_CUT" = 1 ] && cut="$cut, size budget reached: logs or dumps cut"
  [ "$INTERRUPTED" = 1 ] && cut="$cut, interrupted: partial bundle"
  printf 'waypoint-collect: wrote %s (%s bytes, %d commands%s)\n' "$OUTPUT" "$size" "$INDEX" "$cut" >&2
}

# --redact: `waypoint-analyze redact` when node and the analyzer are installed, else said and recorded.
find_redactor() {
  [ -n "$REDACT_MAP" ] || return 0
  if ! command -v node >/dev/null 2>&1; then
    REDACT_NOTE="skipped: node is not installed"
  elif command -v waypoint-analyze >/dev/null 2>&1; then
    REDACTOR=path
  elif [ -x ./node_modules/.bin/waypoint-analyze ]; then
    # A project-local install; not `npx`, which asks the registry for a package it does not find.
    REDACTOR=local
  else
    REDACT_NOTE="skipped: waypoint-analyze is not installed"
  fi
  [ -n "$REDACTOR" ] && REDACT_NOTE="requested: waypoint-analyze redact"
  return 0
}

redact_field() {
  [ -n "$REDACT_MAP" ] && printf ' "pseudonymize": %s,' "$(json_string "$REDACT_NOTE")"
  return 0
}

run_redactor() {
  if [ "$REDACTOR" = local ]; then ./node_modules/.bin/waypoint-analyze "$@"; else waypoint-analyze "$@"; fi
}

redact_bundle() {
  [ -n "$REDACT_MAP" ] || return 0
  if [ -z "$REDACTOR" ]; then
    printf 'waypoint-collect: --redact %s; the bundle is NOT redacted (run waypoint-analyze redact on a machine with node)\n' "$REDACT_NOTE" >&2
    return 0
  fi
  clean="${OUTPUT%.tgz}-redacted.tgz"
  if run_redactor redact "$OUTPUT" -o "$clean" --map "$REDACT_MAP" >&2; then
    printf 'waypoint-collect: wrote %s (pseudonymized); keep %s, do not send it\n' "$clean" "$REDACT_MAP" >&2
  else
    printf 'waypoint-collect: redaction failed; %s is NOT redacted\n' "$OUTPUT" >&2
  fi
}

find_redactor
captures
wait_all
# Packing takes a moment; a second Ctrl-C must not leave a half-written bundle behind.
trap '' INT TERM
pack || exit 1
redact_bundle
[ "$INTERRUPTED" = 1 ] && exit 130
exit 0
