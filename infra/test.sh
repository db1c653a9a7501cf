#!/usr/bin/env bash
# The test command: installs and starts what the tests need (infra/services.sh), builds, runs every test project
# of WritePipeline.sln, and ends with one line "N passed, N failed, N skipped" for all of them together.
# Exit status: 0 only when every test passed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash infra/services.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build WritePipeline.sln -c Release -warnaserror -nologo -v quiet || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# One project at a time: the integration tests need the two cores more than the unit tests need parallelism.
# The long fault scenarios are infra/faults.sh's (Category=FaultSuite); shorter forms of each run here.
dotnet test WritePipeline.sln -c Release --no-build -m:1 --filter "Category!=FaultSuite" \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
status=$?
# The cluster test stops its RabbitMQ cluster itself; this also covers a test host that crashed before it could.
bash infra/rabbitmq-cluster.sh stop >/dev/null 2>&1 || true

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  value() { echo "$counters" | grep -o "$1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run itself failed (a crashed test host writes no counters)
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
