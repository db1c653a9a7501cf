#!/usr/bin/env bash
# The fault suite: long fault scenarios under load (worker kill -9 every 5 s, broker connection drops, broker restart,
# one node of a three-node RabbitMQ cluster killed (infra/rabbitmq-cluster.sh), PostgreSQL down 30 s, worker hosts
# vanishing mid-commit behind a silent proxy), each through real HTTP, RabbitMQ, PostgreSQL and worker processes. Prints one JSON line:
#   {"scenarios":[{"name":...,"writes":N,"applied":N,"lost":N,"duplicated":N,"out_of_order":N,"stuck":N,"seconds":N,
#                  "retried":N,"answered_503":N}, ...]}
# Exit status: 0 only when every scenario lost, doubled, reordered and left stuck nothing, and the PostgreSQL outage
# answered no submission 503 (a 202 needs only the broker). Needs root (or sudo) like
# the test command: it starts the services and stops and starts the broker. Takes about ten minutes on two cores.
# docs/operations.md ("Faults") lists the scenarios and their last figures.
set -uo pipefail
cd "$(dirname "$0")/.."

bash infra/services.sh >&2 || exit 1
dotnet build WritePipeline.sln -c Release -warnaserror -nologo -v quiet >&2 || exit 1

reports="$PWD/artifacts/faults"
rm -rf "$reports"
mkdir -p "$reports"
WP_FAULT_REPORTS="$reports" dotnet test tests/WritePipeline.IntegrationTests -c Release --no-build \
  --filter "Category=FaultSuite" --logger "console;verbosity=normal" >&2
status=$?

lines=()
for report in "$reports"/*.json; do
  [ -f "$report" ] && lines+=("$(tr -d '\n' < "$report")")
done
joined=$(IFS=,; echo "${lines[*]:-}")
echo "{\"scenarios\":[${joined}]}"
exit "$status"
