# shellcheck shell=bash
# Sourced by ./nodepulse and deploy/local/stack.sh.
# with_progress WHAT COMMAND…: runs COMMAND, printing "… still WHAT (Ns)" every 15 s until it ends, so a long
# step is never a silent minute. Returns COMMAND's status. The ticker stops with this shell too ($$ is the
# main shell even in the subshell), so a 'die' inside COMMAND leaves nothing printing behind.
with_progress() {
  local what=$1 t0=$SECONDS ticker rc=0
  shift
  (while sleep 15 && kill -0 $$ 2>/dev/null; do printf '    … still %s (%ds)\n' "$what" $((SECONDS - t0)); done) &
  ticker=$!
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  return "$rc"
}

# to_log LOGFILE COMMAND…: runs COMMAND with its output in LOGFILE (so with_progress can still print).
to_log() {
  local log=$1
  shift
  "$@" >"$log" 2>&1
}
