#!/usr/bin/env node
// Proves the tests guard the safety rules: each mutation below breaks one rule in the engine's source;
// the core test suite (and, with --sim, the simulator) must then fail. Restores every file afterwards.
// Usage: node tooling/scripts/safety-mutations.mjs [--sim] [--only NAME]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const core = join(root, 'packages', 'core');

/** Each mutation: the rule it breaks, and an exact text replacement in one engine file. */
const mutations = [
  {
    name: 'commit-old-term-by-counting',
    rule: 'Raft §5.4.2 (Figure 8): only current-term entries commit by counting replicas',
    file: 'src/engine/leader.ts',
    find: 'if (index <= log.committed || log.term(index) !== term) return false;',
    replace: 'if (index <= log.committed) return false;',
  },
  {
    name: 'vote-for-stale-log',
    rule: 'Raft §5.4.1: never grant a vote to a candidate whose log is less up to date',
    file: 'src/engine/raft.ts',
    find: 'const granted = canVote && this.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);',
    replace: 'const granted = canVote;',
  },
  {
    name: 'reply-before-persisting-vote',
    rule: 'Figure 2: a vote is durable before the candidate hears of it',
    file: 'src/engine/raft.ts',
    find: 'this.sendAfterPersist(this.voteResponse(message, granted));',
    replace: 'this.send(this.voteResponse(message, granted));',
  },
  {
    name: 'ack-before-persisting-entries',
    rule: 'Figure 2: an append is acknowledged only once the entries are durable',
    file: 'src/engine/raft.ts',
    find: 'this.sendAfterPersist(this.appendResponse(message.from, true, lastNew));',
    replace: 'this.send(this.appendResponse(message.from, true, lastNew));',
  },
  {
    name: 'term-and-vote-unsynced',
    rule: 'Figure 2: currentTerm and votedFor are on stable storage before responding (only commitIndex is volatile)',
    file: 'src/engine/raft.ts',
    find: 'entries.length > 0 || hard.term !== this.previousHard.term || hard.vote !== this.previousHard.vote,',
    replace: 'entries.length > 0,',
  },
  {
    name: 'leader-truncates-own-log',
    rule: 'Leader Append-Only (§5.3): a new leader never drops entries from its own log',
    file: 'src/engine/raft.ts',
    find: "    this.appendOwn('normal', new Uint8Array(0));\n    this.leader.broadcastAppend(true);",
    replace:
      "    (this.log as unknown as { truncateFrom(index: number): void }).truncateFrom(this.log.committed + 1);\n    this.appendOwn('normal', new Uint8Array(0));\n    this.leader.broadcastAppend(true);",
  },
  {
    name: 'leader-counts-unpersisted-self',
    rule: 'Thesis §10.2.1: the leader counts itself toward commit only for entries it persisted',
    file: 'src/engine/leader.ts',
    find: 'id === this.host.id ? log.persistedIndex : (this.progress.get(id)?.match ?? 0),',
    replace: 'id === this.host.id ? log.lastIndex() : (this.progress.get(id)?.match ?? 0),',
  },
  {
    name: 'install-keeps-conflicting-log',
    rule: 'Raft §7: entries after an installed snapshot are kept only if the log agrees at its last entry',
    file: 'src/engine/raft-log.ts',
    find: 'const keep = at.index <= this.persistedIndex && this.term(at.index) === at.term;',
    replace: 'const keep = at.index <= this.persistedIndex;',
  },
  {
    name: 'single-server-change-before-term-commit',
    rule: 'Thesis §4.3 / the 2015 bug: a one-step voter change only after the leader committed in its term',
    file: 'src/engine/membership.ts',
    find: 'if (difference === 0 || (difference === 1 && committedInCurrentTerm)) return target;',
    replace: 'if (difference <= 1) return target;',
  },
  {
    name: 'skip-joint-consensus',
    rule: 'Thesis §4.3: a change of more than one voter goes through a joint configuration',
    file: 'src/engine/membership.ts',
    find: 'if (difference === 0 || (difference === 1 && committedInCurrentTerm)) return target;',
    replace: 'return target;',
  },
  {
    name: 'compact-unapplied-entries',
    rule: 'Raft §7: only entries a snapshot covers (applied, durable) are compacted',
    file: 'src/engine/raft.ts',
    find: 'const limit = Math.min(index, this.snapshot?.index ?? 0, this.log.applied, this.log.persistedIndex);',
    replace: 'const limit = Math.min(index, this.log.lastIndex());',
  },
  {
    name: 'apply-uncommitted-entries',
    rule: 'Raft §5.3: only committed entries are applied (durable on a quorum, never rewritten)',
    file: 'src/engine/raft-log.ts',
    find: 'return Math.min(this.committed, this.unstableFrom - 1);',
    replace: 'return this.unstableFrom - 1;',
  },
];

const args = process.argv.slice(2);
const withSim = args.includes('--sim');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ok: result.status === 0, output: `${result.stdout}\n${result.stderr}` };
}

/** Names of the failing tests, from vitest's JSON report. */
function failingTests(output) {
  const start = output.indexOf('{');
  if (start < 0) return [];
  try {
    const report = JSON.parse(output.slice(start, output.lastIndexOf('}') + 1));
    return report.testResults.flatMap((file) =>
      file.assertionResults
        .filter((test) => test.status === 'failed')
        .map((test) => `${file.name.slice(file.name.indexOf('/test/') + 1)}: ${test.fullName}`),
    );
  } catch {
    return [];
  }
}

const rows = [];
let escaped = 0;
for (const mutation of mutations.filter((m) => only === undefined || m.name === only)) {
  const path = join(core, mutation.file);
  const original = readFileSync(path, 'utf8');
  if (!original.includes(mutation.find)) {
    console.error(`mutation ${mutation.name}: source text not found in ${mutation.file}; update this script`);
    process.exit(2);
  }
  writeFileSync(path, original.replace(mutation.find, mutation.replace));
  try {
    const unit = run('npx', ['vitest', 'run', '--reporter=json', 'test'], core);
    let sim = 'not run';
    if (withSim) {
      const build = run('npx', ['tsc', '-p', 'tsconfig.build.json'], core);
      if (!build.ok) sim = 'build failed';
      else {
        // Plain runs, then membership changes under faults (each scenario in turn).
        const caughtBy = [[], ['--membership', 'all']].find(
          (extra) =>
            !run(
              'node',
              ['dist/cli.js', '--seeds', '200', '--nodes', '5', ...extra],
              join(root, 'packages', 'testkit'),
            ).ok,
        );
        sim = caughtBy === undefined ? 'passed (escaped)' : 'caught';
      }
    }
    const caught = !unit.ok;
    if (!caught && sim !== 'caught') escaped++;
    rows.push({
      name: mutation.name,
      rule: mutation.rule,
      unit: caught ? 'caught' : 'ESCAPED',
      sim,
      tests: failingTests(unit.output),
    });
  } finally {
    writeFileSync(path, original);
  }
}
if (withSim) run('npx', ['tsc', '-p', 'tsconfig.build.json'], core);

for (const row of rows) {
  console.log(
    `${row.unit === 'caught' ? 'ok  ' : 'FAIL'} ${row.name}: unit tests ${row.unit}; simulator ${row.sim}`,
  );
  console.log(`     rule: ${row.rule}`);
  for (const test of row.tests.slice(0, 8)) console.log(`     - ${test}`);
  if (row.tests.length > 8) console.log(`     - ... and ${row.tests.length - 8} more`);
}
console.log(`${rows.length - escaped} passed, ${escaped} failed`);
process.exit(escaped === 0 ? 0 : 1);
