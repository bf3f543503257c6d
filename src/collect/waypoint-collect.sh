#!/bin/sh
# waypoint-collect: gather, read-only, what waypoint-analyze needs from a live Istio ambient cluster into one
# bundle (docs/bundle-format.md). Needs only kubectl, istioctl, tar and gzip. Never reads Secrets, never changes
# the cluster, scrubs private keys, tokens and JWTs from every file, and bounds every command by --timeout.
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
  --istio-namespace NS  where istiod and ztunnel run (default: istio-system)
  --output FILE         where to write the bundle (default: ./waypoint-bundle-<cluster>-<time>.tgz)
  --since DURATION      log window for kubectl logs, e.g. 30m, 2h (default: 1h)
  --max-log-lines N     at most N lines per log (default: 5000)
  --timeout SECONDS     stop any single command after this long (default: 60)
  --no-logs             do not collect waypoint, ztunnel and istiod logs
  --no-config-dump      do not collect waypoint Envoy config dumps (istioctl proxy-config all)
  --waypoint NS/NAME    limit config dumps to this waypoint; repeat for several (default: every waypoint in scope)
  --dry-run             print the commands that would run (after read-only discovery) and write nothing
  -h, --help            show this help
  --version             print the collector's version

Exit codes: 0 bundle written (some captures may have failed: see its manifest.json), 1 could not write a
bundle, 2 bad invocation, 130 interrupted (a partial bundle is still written).
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
ISTIO_NS="istio-system"
OUTPUT=""
SINCE="1h"
MAX_LOG_LINES=5000
TIMEOUT=60
COLLECT_LOGS=1
COLLECT_DUMPS=1
WAYPOINTS=""
DRY_RUN=0

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
    --istio-namespace) need_value "$@"; valid_name "$2" || die_usage "invalid namespace '$2'"; ISTIO_NS="$2"; shift 2 ;;
    --output | -o) need_value "$@"; OUTPUT="$2"; shift 2 ;;
    --since) need_value "$@"; SINCE="$2"; shift 2 ;;
    --max-log-lines) need_value "$@"; MAX_LOG_LINES="$2"; shift 2 ;;
    --timeout) need_value "$@"; TIMEOUT="$2"; shift 2 ;;
    --no-logs) COLLECT_LOGS=0; shift ;;
    --no-config-dump) COLLECT_DUMPS=0; shift ;;
    --waypoint) need_value "$@"
      case "$2" in */*) ;; *) die_usage "--waypoint expects NAMESPACE/NAME, not '$2'" ;; esac
      if ! valid_name "${2%%/*}" || ! valid_name "${2#*/}"; then die_usage "invalid waypoint '$2'"; fi
      WAYPOINTS="$WAYPOINTS $2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --version) printf 'waypoint-collect %s\n' "$COLLECTOR_VERSION"; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done

# No leading zeros: the shell would read 010 as octal, and JSON does not allow it.
case "$TIMEOUT" in "" | *[!0-9]* | 0*) die_usage "--timeout expects a whole number of seconds, not '$TIMEOUT'" ;; esac
case "$MAX_LOG_LINES" in "" | *[!0-9]* | 0*) die_usage "--max-log-lines expects a positive whole number, not '$MAX_LOG_LINES'" ;; esac
case "$SINCE" in *[!0-9hms]* | "") die_usage "--since expects a duration such as 30m or 2h, not '$SINCE'" ;; esac

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

json_string() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' | tr -d '\n\r')"
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

# Scrubs one file in place and adds what it replaced to the redaction counts. awk's gsub() counts its
# replacements; PEM blocks that span lines are replaced as a whole.
scrub() {
  scrubbed="$1"
  [ -s "$scrubbed" ] || return 0
  if awk -v counts="$WORK/.redactions" '
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

# ---------------------------------------------------------------------------------------------------------------
# Captures: the one list of what is collected. In "count" mode capture() only counts, so progress can say
# [i/N]; in "run" mode it runs each command, records it in the manifest and scrubs its output.

MODE=count
TOTAL=0
INDEX=0
SUPPORTS_ZC=1

# capture FILE COMMAND ARGS...   (FILE relative to the bundle root)
capture() {
  file="$1"
  shift
  if [ "$MODE" = count ]; then TOTAL=$((TOTAL + 1)); return 0; fi
  INDEX=$((INDEX + 1))
  if [ "$DRY_RUN" = 1 ]; then printf '%s\n' "$(display "$@")"; return 0; fi
  if [ "$INTERRUPTED" = 1 ]; then record "$file" null 0 0 false null "interrupted before it ran" "$@"; return 0; fi
  printf '[%d/%d] %s\n' "$INDEX" "$TOTAL" "$(display "$@")" >&2
  mkdir -p "$BUNDLE/$(dirname "$file")" "$BUNDLE/stderr"
  err="stderr/$INDEX.txt"
  start=$(now_ms)
  run_bounded "$BUNDLE/$file" "$BUNDLE/$err" "$@"
  end=$(now_ms)
  scrub "$BUNDLE/$file"
  scrub "$BUNDLE/$err"
  if [ -s "$BUNDLE/$err" ]; then err_json=$(json_string "$err"); else rm -f "$BUNDLE/$err"; err_json=null; fi
  bytes=$(wc -c <"$BUNDLE/$file" 2>/dev/null | tr -d ' ')
  duration=$((end - start))
  [ "$duration" -ge 0 ] 2>/dev/null || duration=0
  record "$file" "$RC" "$duration" "${bytes:-0}" "$TIMED_OUT" "$err_json" "" "$@"
}

# skip FILE REASON COMMAND ARGS...: a capture that is not run, recorded with why.
skip() {
  file="$1"
  reason="$2"
  shift 2
  if [ "$MODE" = count ]; then TOTAL=$((TOTAL + 1)); return 0; fi
  INDEX=$((INDEX + 1))
  if [ "$DRY_RUN" = 1 ]; then printf '# skipped (%s): %s\n' "$reason" "$(display "$@")"; return 0; fi
  printf '[%d/%d] skipped (%s): %s\n' "$INDEX" "$TOTAL" "$reason" "$(display "$@")" >&2
  record "$file" null 0 0 false null "$reason" "$@"
}

# record FILE EXIT DURATION BYTES TIMED_OUT STDERR_JSON SKIPPED ARGV...
record() {
  r_file="$1" r_exit="$2" r_ms="$3" r_bytes="$4" r_timed="$5" r_err="$6" r_skip="$7"
  shift 7
  argv=""
  for a in "$@"; do
    case "$a" in
      kubectl_cmd | istioctl_cmd)
        argv="$argv${argv:+, }$(json_string "${a%_cmd}")"
        [ -n "$CONTEXT" ] && argv="$argv, \"--context\", $(json_string "$CONTEXT")"
        ;;
      *) argv="$argv${argv:+, }$(json_string "$a")" ;;
    esac
  done
  {
    printf '    {"argv": [%s], "file": %s, "exitCode": %s, "durationMs": %s, "bytes": %s, "timedOut": %s, "stderrFile": %s' \
      "$argv" "$(json_string "$r_file")" "$r_exit" "$r_ms" "$r_bytes" "$r_timed" "$r_err"
    [ -n "$r_skip" ] && printf ', "skipped": %s' "$(json_string "$r_skip")"
    printf '}\n'
  } >>"$WORK/.commands"
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
  # Namespaced built-ins, per namespace in scope: a cluster's pods can be tens of megabytes.
  for ns in $SCOPE; do
    for res in services pods endpointslices deployments events; do
      capture "kubectl/$res.$ns.json" kubectl_cmd get "$res" -n "$ns" -o json
    done
  done
  capture kubectl/configmap-istio.json kubectl_cmd get configmap istio -n "$ISTIO_NS" -o json
  capture kubectl/deployments.istiod.json kubectl_cmd get deployments -n "$ISTIO_NS" -l app=istiod -o json
  capture kubectl/crds.gateway-api.json kubectl_cmd get crd gateways.gateway.networking.k8s.io \
    gatewayclasses.gateway.networking.k8s.io httproutes.gateway.networking.k8s.io -o json

  for zt in $ZTUNNELS; do
    for sub in workload service policy certificate; do
      if [ "$SUPPORTS_ZC" = 1 ]; then capture "ztunnel/$ISTIO_NS/$zt/$sub.txt" istioctl_cmd ztunnel-config "$sub" "$zt.$ISTIO_NS"
      else skip "ztunnel/$ISTIO_NS/$zt/$sub.txt" "unsupported: this istioctl has no ztunnel-config" istioctl_cmd ztunnel-config "$sub" "$zt.$ISTIO_NS"; fi
    done
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
    for zt in $ZTUNNELS; do
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
INTERRUPTED=0
WORK=$(mktemp -d 2>/dev/null || { d="${TMPDIR:-/tmp}/waypoint-collect.$$"; mkdir -m 700 "$d" && echo "$d"; }) ||
  { printf 'waypoint-collect: cannot create a temporary folder\n' >&2; exit 1; }

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
mkdir -p "$BUNDLE"

# Ctrl-C or SIGTERM: stop the running command, mark the bundle partial, and still write it.
# shellcheck disable=SC2317
on_interrupt() {
  INTERRUPTED=1
  [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
}
trap on_interrupt INT TERM

# Namespace and pod names from the API are checked before use as file names and arguments.
names() { for n in $1; do valid_name "$n" && printf '%s\n' "$n"; done; }

if [ -z "$NAMESPACES" ]; then
  AMBIENT=$(query get namespaces -l istio.io/dataplane-mode=ambient -o 'jsonpath={.items[*].metadata.name}')
  LABELLED=$(query get namespaces -l istio.io/use-waypoint -o 'jsonpath={.items[*].metadata.name}')
  WP_NS=$(query get gateways.gateway.networking.k8s.io -A -o 'jsonpath={range .items[?(@.spec.gatewayClassName=="istio-waypoint")]}{.metadata.namespace}{"\n"}{end}')
  NAMESPACES="$AMBIENT $LABELLED $WP_NS"
fi
SCOPE=$(names "$ISTIO_NS $NAMESPACES" | sort -u | tr '\n' ' ')

WAYPOINT_PODS=""
for ns in $SCOPE; do
  pods=$(query get pods -n "$ns" -l gateway.istio.io/managed=istio.io-mesh-controller \
    -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.metadata.labels.gateway\.networking\.k8s\.io/gateway-name}{"\n"}{end}')
  # "pod gateway" lines; --waypoint NS/NAME keeps only the pods of those Gateways.
  while read -r pod gw; do
    valid_name "$pod" || continue
    if [ -n "$WAYPOINTS" ]; then
      case " $WAYPOINTS " in *" $ns/$gw "*) ;; *) continue ;; esac
    fi
    WAYPOINT_PODS="$WAYPOINT_PODS $ns/$pod"
  done <<EOF
$pods
EOF
done

# The ztunnels on the nodes that run pods in scope (all ztunnels when nodes are unknown).
# The Istio namespace is left out: its ztunnels run on every node.
NODES=""
for ns in $SCOPE; do
  [ "$ns" = "$ISTIO_NS" ] && continue
  NODES="$NODES $(query get pods -n "$ns" -o 'jsonpath={.items[*].spec.nodeName}')"
done
ZTUNNELS=""
zt_lines=$(query get pods -n "$ISTIO_NS" -l app=ztunnel -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.nodeName}{"\n"}{end}')
while read -r zt node; do
  valid_name "$zt" || continue
  case " $NODES " in *" $node "*) ZTUNNELS="$ZTUNNELS $zt" ;; *) [ -z "$(printf '%s' "$NODES" | tr -d ' ')" ] && ZTUNNELS="$ZTUNNELS $zt" ;; esac
done <<EOF
$zt_lines
EOF
ISTIODS=$(names "$(query get pods -n "$ISTIO_NS" -l app=istiod -o 'jsonpath={.items[*].metadata.name}')" | tr '\n' ' ')

# istioctl before 1.22 has no ztunnel-config (1.22 has it under `x`, which this collector does not use).
run_bounded "$WORK/.zc" /dev/null istioctl_cmd ztunnel-config --help
[ "$RC" = 0 ] || SUPPORTS_ZC=0
# proxy-status grew `-v 1` (per-type sync state) in 1.27 and `-o json` in 1.30; the client version decides.
run_bounded "$WORK/.version" /dev/null istioctl_cmd version --remote=false
ISTIOCTL_MINOR=$(sed -n 's/^\(client version: \)\{0,1\}1\.\([0-9][0-9]*\).*/\2/p' "$WORK/.version" | head -n 1)

# ---------------------------------------------------------------------------------------------------------------
# Collection

: >"$WORK/.commands"
: >"$WORK/.redactions"
MODE=count
captures
MODE=run

if [ "$DRY_RUN" = 1 ]; then
  printf '# waypoint-collect --dry-run: %d commands for namespaces %s (discovery above was read-only)\n' "$TOTAL" "$SCOPE" >&2
  captures
  exit 0
fi

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
  commands=$(sed '$!s/$/,/' "$WORK/.commands")
  logs_bool=false; [ "$COLLECT_LOGS" = 1 ] && logs_bool=true
  dumps_bool=false; [ "$COLLECT_DUMPS" = 1 ] && dumps_bool=true
  interrupted=false; [ "$INTERRUPTED" = 1 ] && interrupted=true
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
  "options": {"since": $(json_string "$SINCE"), "maxLogLines": $MAX_LOG_LINES, "timeoutSeconds": $TIMEOUT, "logs": $logs_bool, "configDumps": $dumps_bool, "waypoints": [$wp_json]},
  "redactions": {$redactions},
  "interrupted": $interrupted,
  "commands": [
$commands
  ]
}
EOF
}

pack() {
  write_manifest
  out_dir=$(dirname "$OUTPUT")
  [ -d "$out_dir" ] || { printf 'waypoint-collect: the folder of %s does not exist\n' "$OUTPUT" >&2; return 1; }
  if ! tar -cf "$WORK/bundle.tar" -C "$WORK" "$NAME" || ! gzip -9 -c "$WORK/bundle.tar" >"$OUTPUT.partial"; then
    printf 'waypoint-collect: could not write %s\n' "$OUTPUT" >&2
    rm -f "$OUTPUT.partial"
    return 1
  fi
  mv "$OUTPUT.partial" "$OUTPUT"
  size=$(wc -c <"$OUTPUT" | tr -d ' ')
  printf 'waypoint-collect: wrote %s (%s bytes, %d commands%s)\n' "$OUTPUT" "$size" "$INDEX" \
    "$([ "$INTERRUPTED" = 1 ] && printf ', interrupted: partial bundle')" >&2
}

captures
# Packing takes a moment; a second Ctrl-C must not leave a half-written bundle behind.
trap '' INT TERM
pack || exit 1
[ "$INTERRUPTED" = 1 ] && exit 130
exit 0
