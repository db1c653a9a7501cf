#!/usr/bin/env bash
# A throw-away three-node RabbitMQ cluster on this one machine, beside (never instead of) the default node
# rabbit@HOST that infra/services.sh runs on 5672.
#
#   bash infra/rabbitmq-cluster.sh start         starts wpc1..wpc3@HOST, joins them into one cluster, waits until all
#                                                three run clustered; idempotent (nodes already up are kept, a node
#                                                that is down is started again and rejoins)
#   bash infra/rabbitmq-cluster.sh stop          stops every node of it and leaves nothing of it running
#   bash infra/rabbitmq-cluster.sh status        each node: running or not, its OS pid, the nodes it sees running
#   bash infra/rabbitmq-cluster.sh hosts         the AMQP endpoints, as Transport:RabbitMq:Hosts wants them
#   bash infra/rabbitmq-cluster.sh pid N         the OS pid of node N's Erlang VM (beam.smp), for fault tests
#   bash infra/rabbitmq-cluster.sh ctl N ARGS..  rabbitmqctl against node N (e.g. ctl 1 list_queues name leader members)
#
# Node N (1..3) listens for AMQP on 127.0.0.1:(5680+N), for the management API on 127.0.0.1:(15680+N), and for
# Erlang distribution on (25680+N). Everything of the cluster lives under one folder (default
# /tmp/writepipeline-cluster, or $WP_RABBITMQ_CLUSTER_DIR): its Erlang cookie, and per node its data, logs, pid file,
# plugin expansion and configuration. Starting when no node runs begins a new cluster: the old data is wiped (logs
# are kept for reading), so every start of a stopped cluster is a clean one. The nodes share the machine's epmd (the
# Erlang port mapper, also used by the default node), which is therefore left running.
#
# Needs rabbitmq-server installed (infra/services.sh installs it); runs the nodes as the calling user.
set -euo pipefail

BASE=${WP_RABBITMQ_CLUSTER_DIR:-/tmp/writepipeline-cluster}
HOST=$(hostname -s)
NODES=(1 2 3)
# The installed scripts themselves: the /usr/sbin wrappers switch to the rabbitmq user (and its Erlang cookie).
BIN=/usr/lib/rabbitmq/bin
[ -x "$BIN/rabbitmq-server" ] || BIN=$(dirname "$(command -v rabbitmq-server 2>/dev/null || echo /nonexistent/x)")

log() { printf '[rabbitmq-cluster] %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

node_name() { echo "wpc$1@$HOST"; }
amqp_port() { echo $((5680 + $1)); }
dir_of() { echo "$BASE/wpc$1"; }

# Runs a RabbitMQ script in node N's environment: its own names, ports and folders, the cluster's cookie.
in_node_env() {
  local n=$1; shift
  local dir; dir=$(dir_of "$n")
  env HOME="$BASE" \
    RABBITMQ_NODENAME="$(node_name "$n")" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(amqp_port "$n")" \
    RABBITMQ_DIST_PORT=$((25680 + n)) \
    RABBITMQ_CONF_ENV_FILE="$BASE/rabbitmq-env.conf" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins" \
    RABBITMQ_PLUGINS_EXPAND_DIR="$dir/plugins-expand" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/beam.pid" \
    ERL_CRASH_DUMP="$dir/log/erl_crash.dump" \
    "$@"
}

ctl() { local n=$1; shift; in_node_env "$n" "$BIN/rabbitmqctl" -n "$(node_name "$n")" "$@"; }

# A node without a live VM is not asked (a CLI call to a node that is down takes seconds to give up).
is_running() { pid_of "$1" >/dev/null && ctl "$1" -q ping >/dev/null 2>&1; }

# The OS pid of node N's VM, if it is alive.
pid_of() {
  local file; file="$(dir_of "$1")/beam.pid"
  [ -s "$file" ] || return 1
  local pid; pid=$(tr -d '[:space:]' < "$file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

running_count() { ctl "$1" -q eval 'length(rabbit_nodes:all_running()).' 2>/dev/null | tr -d '[:space:]'; }

sees_all() { [ "$(running_count "$1")" = "${#NODES[@]}" ]; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { log "$what did not happen within ${seconds}s"; return 1; }
    sleep 0.5
  done
}

prepare() {
  [ -x "$BIN/rabbitmq-server" ] || fail "rabbitmq-server is not installed (bash infra/services.sh installs it)"
  mkdir -p "$BASE"
  if [ ! -s "$BASE/.erlang.cookie" ]; then
    # Only these nodes and the CLI calls of this script read it (HOME=$BASE); never the default node's cookie.
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$BASE/.erlang.cookie"
  fi
  chmod 400 "$BASE/.erlang.cookie"
  : > "$BASE/rabbitmq-env.conf"
  echo '[rabbitmq_management].' > "$BASE/enabled_plugins"
  for n in "${NODES[@]}"; do
    local dir; dir=$(dir_of "$n")
    mkdir -p "$dir/log" "$dir/mnesia"
    cat > "$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$(amqp_port "$n")
management.tcp.ip = 127.0.0.1
management.tcp.port = $((15680 + n))
# Of three nodes, the one cut off from the other two stops serving instead of carrying on alone.
cluster_partition_handling = pause_minority
log.console = false
log.file.level = info
EOF
  done
}

start_node() {
  local n=$1 dir; dir=$(dir_of "$n")
  log "starting $(node_name "$n") on 127.0.0.1:$(amqp_port "$n")"
  in_node_env "$n" "$BIN/rabbitmq-server" -detached >"$dir/log/start.out" 2>&1 || {
    cat "$dir/log/start.out" >&2
    fail "$(node_name "$n") did not start"
  }
}

cmd_start() {
  prepare
  local any_running=0
  for n in "${NODES[@]}"; do
    if is_running "$n"; then any_running=1; fi
  done
  if [ $any_running -eq 0 ]; then
    for n in "${NODES[@]}"; do
      local dir; dir=$(dir_of "$n")
      # A node killed with SIGKILL leaves its pid file; no VM of this cluster may survive into the new one.
      if pid=$(pid_of "$n"); then kill -9 "$pid" 2>/dev/null || true; fi
      rm -rf "$dir/mnesia" "$dir/plugins-expand" "$dir/beam.pid"
      mkdir -p "$dir/mnesia"
    done
  fi

  # Booting takes seconds per node and is mostly waiting: start the missing ones together.
  for n in "${NODES[@]}"; do
    if ! is_running "$n"; then start_node "$n"; fi
  done
  for n in "${NODES[@]}"; do
    wait_for 120 "$(node_name "$n") answering" is_running "$n" || { tail -n 40 "$(dir_of "$n")/log/"*.log >&2 || true; exit 1; }
    ctl "$n" -q await_startup --timeout 120 >/dev/null || fail "$(node_name "$n") did not finish booting"
  done

  local first; first=$(node_name 1)
  for n in "${NODES[@]:1}"; do
    if ctl "$n" -q eval 'rabbit_nodes:all().' 2>/dev/null | grep -qF "$first"; then
      continue # already a member (a node started again rejoins by itself)
    fi
    log "joining $(node_name "$n") to $first"
    {
      ctl "$n" -q stop_app &&
        ctl "$n" -q join_cluster "$first" &&
        ctl "$n" -q start_app &&
        ctl "$n" -q await_startup --timeout 120
    } >>"$(dir_of "$n")/log/join.out" 2>&1 || { cat "$(dir_of "$n")/log/join.out" >&2; fail "$(node_name "$n") could not join $first"; }
  done

  for n in "${NODES[@]}"; do
    wait_for 120 "$(node_name "$n") seeing all ${#NODES[@]} nodes running" sees_all "$n" ||
      fail "$(node_name "$n") sees $(running_count "$n" || echo no) running nodes, not ${#NODES[@]}"
  done
  wait_for 60 "management API on 127.0.0.1:15681" curl -fsS -u guest:guest http://127.0.0.1:15681/api/overview
  log "cluster of ${#NODES[@]} nodes is up: $(cmd_hosts)"
}

cmd_stop() {
  [ -d "$BASE" ] || { log "nothing to stop"; return 0; }
  local pids=()
  for n in "${NODES[@]}"; do
    if is_running "$n"; then
      log "stopping $(node_name "$n")"
      # Waits until the VM has exited (it reads the pid file).
      ctl "$n" -q stop "$(dir_of "$n")/beam.pid" >/dev/null 2>&1 &
      pids+=($!)
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  for n in "${NODES[@]}"; do
    if pid=$(pid_of "$n"); then
      log "$(node_name "$n") (pid $pid) did not stop: killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$(dir_of "$n")/beam.pid"
  done
  for n in "${NODES[@]}"; do
    ! is_running "$n" || fail "$(node_name "$n") is still running"
  done
  log "stopped"
}

cmd_status() {
  local status=0
  for n in "${NODES[@]}"; do
    if is_running "$n"; then
      echo "$(node_name "$n") running pid=$(pid_of "$n" || echo '?') amqp=127.0.0.1:$(amqp_port "$n") sees=$(running_count "$n")"
    else
      echo "$(node_name "$n") stopped"
      status=3
    fi
  done
  return $status
}

cmd_hosts() {
  local hosts=()
  for n in "${NODES[@]}"; do hosts+=("127.0.0.1:$(amqp_port "$n")"); done
  (IFS=,; echo "${hosts[*]}")
}

node_arg() {
  case "${1:-}" in
    1|2|3) echo "$1" ;;
    *) fail "name a node: 1, 2 or 3" ;;
  esac
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  hosts) cmd_hosts ;;
  pid) n=$(node_arg "${2:-}"); pid_of "$n" || fail "$(node_name "$n") is not running" ;;
  ctl)
    n=$(node_arg "${2:-}"); shift 2
    # Without the cookie the CLI's VM cannot start at all (and leaves a crash dump behind).
    [ -s "$BASE/.erlang.cookie" ] || fail "the cluster in $BASE was never started"
    ctl "$n" "$@" ;;
  *) echo "usage: $0 start|stop|status|hosts|pid N|ctl N ARGS..." >&2; exit 2 ;;
esac
