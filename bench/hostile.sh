#!/usr/bin/env bash
# The hostile-input benchmark (issue 12, item 8, first measure): builds the release binary,
# runs the hostile suite (e2e/tests/hostile.test.mjs) against it, and writes what it
# measured, with the machine it ran on, to bench/HOSTILE_RESULTS.md.
#
#   bench/hostile.sh            # the committed benchmark
#
# The measure: through the whole suite the server's resident memory stays under 200 MB
# (its peak, VmHWM, from /proc) and /health answers within 100 ms. The suite's own
# failures (a refusal without a clear message, a 500, a hang) are listed too.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cargo build --release -p sendplan || exit 1
if [ ! -d e2e/node_modules ]; then (cd e2e && npm ci) || exit 1; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=$work/hostile.json
log=$work/hostile.log

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
(cd e2e && SENDPLAN_BIN="$root/target/release/sendplan" HOSTILE_RESULTS="$results" \
  node --test --test-concurrency=1 tests/hostile.test.mjs) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

if [ ! -s "$results" ]; then
  echo "the suite wrote no results (exit $status); see the log above" >&2
  exit 1
fi

commit=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain -- crates Cargo.toml Cargo.lock)" ]; then commit="$commit (with uncommitted changes to the server)"; fi
export H_STARTED="$started" H_STATUS="$status" H_COMMIT="$commit" H_RESULTS="$results" \
  H_NPROC="$(nproc)" \
  H_MEMORY="$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)" \
  H_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
  H_OS="$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), Linux $(uname -r)" \
  H_NODE="$(node --version)" H_RUSTC="$(rustc --version)"

node --input-type=module - > bench/HOSTILE_RESULTS.md <<'EOF'
import { readFileSync } from 'node:fs'
const e = process.env
const r = JSON.parse(readFileSync(e.H_RESULTS, 'utf8'))
const ok = (v, limit) => v !== null && v < limit ? 'within' : '**over**'
const failed = r.failures.length
const lines = []
const say = (...l) => lines.push(...l)
say('# Hostile-input suite: results',
  '',
  'Issue 12, item 8, first measure: "Through the whole hostile suite: server resident memory under 200 MB, `/health` answering within 100 ms."',
  'Written by `bench/hostile.sh`, which builds the release binary and runs `e2e/tests/hostile.test.mjs` against it.',
  '',
  '## Run',
  '',
  `| | |`, `|---|---|`,
  `| date | ${e.H_STARTED} |`,
  `| commit | ${e.H_COMMIT} |`,
  `| binary | \`target/release/sendplan\` (${e.H_RUSTC}) |`,
  `| machine | ${e.H_NPROC} cores, ${e.H_MEMORY}, ${e.H_CPU} |`,
  `| system | ${e.H_OS}, Node.js ${e.H_NODE} |`,
  `| database | SQLite (the harness's demo data) |`,
  `| cases | ${r.cases} on ${r.routes} routes (${Object.entries(r.byPhase).map(([k, v]) => `${k} ${v}`).join(', ')}) |`,
  `| corpus | zip bombs of ${r.bombMegabytes} MB unzipped; made in ${r.corpusSeconds.toFixed(1)} s before measuring |`,
  `| suite exit status | ${e.H_STATUS}${e.H_STATUS === '0' ? ' (every case passed)' : ` (${failed} case failures, listed below)`} |`,
  '',
  '## The measure',
  '',
  '| | measured | limit | |', '|---|---|---|---|',
  `| peak resident memory (VmHWM, whole run incl. start-up) | ${r.memory.peakMB} MB | ${r.memory.limitMB} MB | ${ok(r.memory.peakMB, r.memory.limitMB)} |`,
  `| resident memory at start (after the demo data) | ${r.memory.startMB} MB (peak so far ${r.memory.startPeakMB} MB) | | |`,
  `| resident memory after setting up (eleven sign-ins, so eleven Argon2 hashes; every page crawled as each role) | ${r.memory.afterSetupMB} MB | | |`,
  `| highest resident memory seen during the suite | ${r.memory.maxSeenMB} MB | | |`,
  `| \`/health\` after each hostile request (${r.health.count}) | p50 ${r.health.p50} ms, p99 ${r.health.p99} ms, max ${r.health.max} ms | ${r.health.limitMs} ms | ${ok(r.health.max, r.health.limitMs)} |`,
  `| \`/health\` every 100 ms throughout (${r.background.count}) | p50 ${r.background.p50} ms, p99 ${r.background.p99} ms, max ${r.background.max} ms | ${r.health.limitMs} ms | ${ok(r.background.max, r.health.limitMs)} |`,
  `| \`/health\` not answering 200 | ${r.healthFailures.filter(f => !/took/.test(f)).length} | 0 | |`,
  '')
// Where memory grew: the cases after which the resident size rose most.
let prev = r.memory.afterSetupMB
const jumps = []
for (const c of r.allCases) {
  if (c.rssMB == null) continue
  jumps.push({ ...c, jump: c.rssMB - prev })
  prev = c.rssMB
}
jumps.sort((a, b) => b.jump - a.jump)
say('### Where resident memory grew', '', '| after case | route, role | grew by | to |', '|---|---|---|---|',
  ...jumps.filter(j => j.jump >= 1).slice(0, 12).map(j => `| ${j.phase}: ${j.case} | \`${j.route}\`, ${j.role} | ${j.jump.toFixed(1)} MB | ${j.rssMB} MB |`), '')
const argon = jumps.filter(j => j.jump >= 18 && /password|sign-in|invitations|reset/.test(j.route))
if (argon.length) say(`${argon.length} of these rises (${argon.map(j => j.jump.toFixed(0)).join(', ')} MB) follow a password check, each an Argon2 hash with 19 MiB of working memory; setting up signs in eleven times. The memory is not given back to the system after the hash.`, '')
say('### Slowest cases', '', '| case | route, role | answer | time |', '|---|---|---|---|',
  ...r.slowest.map(c => `| ${c.phase}: ${c.case} | \`${c.route}\`, ${c.role} | ${c.status} | ${c.ms} ms |`), '')
say('### Slow and half-sent connections', '', '| connection | what happened | after |', '|---|---|---|',
  ...r.stalls.map(s => `| ${s.name} | ${s.problem ? `**${s.problem}**` : (s.data ? JSON.stringify(s.data.split('\r\n')[0]) : 'closed without an answer')} | ${s.seconds.toFixed(1)} s |`), '')
say('## Failures', '')
if (!failed) say('None: every case was refused with a clear message, or (strange but valid text) stored exactly.', '')
else {
  const groups = new Map()
  for (const f of r.failures) {
    // The same problem with the same kind of value is one kind of failure.
    const value = f.case.includes(': ') ? f.case.slice(f.case.indexOf(': ') + 2) : f.case
    const key = `${f.problem.replace(/\(\d{3} to [^)]*\)|\(\d{3}\)/g, '(…)').replace(/\d+ KB/g, '… KB')} | ${/^#|does not name/.test(f.problem) ? '' : value}`
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(f)
  }
  say(`${failed} case failures, in ${groups.size} kinds:`, '')
  for (const [, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    const f = list[0]
    const value = /^#|does not name/.test(f.problem) || !f.case.includes(': ') ? '' : `: sent ${f.case.slice(f.case.indexOf(': ') + 2)}`
    say(`- **${list.length}×** ${f.problem.replace(/ \(\d{3} to [^)]*\)/, '').slice(0, 300)}${value}`,
      `  - e.g. \`${f.route}\` as ${f.role}, ${f.case}${list.length > 1 ? `; also ${[...new Set(list.slice(1).map(x => `\`${x.route}\``))].slice(0, 6).join(', ')}` : ''}`)
  }
  say('')
}
say('## Routes and the role each was sent as', '',
  'Found by following links as each role, from the least privileged up (viewer, action lead, plan manager, administrator, then deployment administrator, then signed out); a route is sent as the first role that reached its form.', '',
  '| route | role | form on | file |', '|---|---|---|---|',
  ...r.routeList.map(x => `| \`${x.pattern}\` | ${x.role} | \`${x.page.replace(/[0-9a-f]{32,}/, 'TOKEN')}\` | ${x.upload ? 'yes' : ''} |`), '')
if (r.warnings.length) say('## Not checked', '', `${r.warnings.length} accepted values could not be found again on the page the form went to (the round trip was not checked for them), e.g.:`, '', ...r.warnings.slice(0, 8).map(w => `- ${w}`), '')
process.stdout.write(lines.join('\n'))
EOF

echo "wrote bench/HOSTILE_RESULTS.md"
exit "$status"
