// The markdown summary of a benchmark run, rendered from the same object that is written as JSON.

const table = (header, rows) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
const number = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : String(value));
const fixed = (value, digits = 2) => (typeof value === 'number' ? value.toFixed(digits) : '-');

function coreSection(core) {
  return [
    '## Core engine (in-process, memory storage and network)',
    '',
    `${core.description}; median of ${core.rounds} round(s) of ${core.durationMs / 1000} s, each in a fresh process.`,
    '',
    table(
      [
        'entry',
        '3 nodes entries/s',
        'single voter entries/s',
        'ratio',
        '3 nodes CPU µs/entry',
        'single voter CPU µs/entry',
        'CPU ratio',
      ],
      core.results.map((row) => [
        `${row.entryBytes} B`,
        number(row.threeNodes.entriesPerSecond),
        number(row.singleVoter.entriesPerSecond),
        fixed(row.throughputRatio),
        fixed(row.threeNodes.cpuMicrosPerEntry),
        fixed(row.singleVoter.cpuMicrosPerEntry),
        fixed(row.cpuPerEntryRatio),
      ]),
    ),
    '',
    'Instrumentation: the same 3-node cluster with `@raft/otel` metrics on every node (defaults, one SDK',
    'MeterProvider with a reader), measured in the same run: in each of',
    `${core.instrumentationProcesses} process(es), a plain and an instrumented cluster take ${core.instrumentationSlices} turns each of`,
    `${core.sliceMs} ms, alternating. Throughput cost = 1 - instrumented / plain entries per second over all turns;`,
    'the target is under 5%.',
    '',
    table(
      [
        'entry',
        'plain entries/s',
        'with metrics entries/s',
        'throughput cost',
        'per process (with / without)',
        'plain CPU µs/entry',
        'with metrics CPU µs/entry',
        'CPU cost',
      ],
      core.results
        .filter((row) => row.instrumentation !== undefined)
        .map(({ entryBytes, instrumentation: cost }) => [
          `${entryBytes} B`,
          number(cost.plain.entriesPerSecond),
          number(cost.instrumented.entriesPerSecond),
          `${fixed(cost.throughputCost * 100, 1)}%`,
          cost.processRatios.map((ratio) => fixed(ratio, 3)).join(', '),
          fixed(cost.plain.cpuMicrosPerEntry),
          fixed(cost.instrumented.cpuMicrosPerEntry),
          `${fixed(cost.cpuCost * 100, 1)}%`,
        ]),
    ),
  ];
}

function storageSection(storage) {
  return [
    '## Storage (LevelStorage vs raw classic-level, synced batches)',
    '',
    `${storage.description}; ${storage.entryBytes}-byte entries, ${storage.slices} alternating slices of ${storage.sliceMs} ms per side (\`${storage.source}\`).`,
    '',
    table(
      ['batch', 'LevelStorage appends/s', 'raw appends/s', 'ratio', 'median pair ratio'],
      storage.results.map((row) => [
        row.batchSize,
        number(row.storageAppendsPerSecond),
        number(row.rawAppendsPerSecond),
        fixed(row.ratio),
        fixed(row.medianPairRatio),
      ]),
    ),
  ];
}

function transportSection(transport) {
  const rtt = transport.roundTrip;
  return [
    '## Transport (webSocketTransport vs raw ws, two processes)',
    '',
    `${transport.description} (\`${transport.source}\`).`,
    '',
    table(
      ['scenario', 'transport msg/s', 'raw ws msg/s', 'ratio'],
      transport.throughput.map((row) => [
        row.scenario,
        number(row.transport.messagesPerSecond),
        number(row.raw.messagesPerSecond),
        fixed(row.ratio),
      ]),
    ),
    '',
    table(
      ['round trip', 'transport ms', 'raw ws ms', 'ratio'],
      [
        ['p50', fixed(rtt.transport.p50Ms, 3), fixed(rtt.raw.p50Ms, 3), fixed(rtt.ratio.p50)],
        ['p99', fixed(rtt.transport.p99Ms, 3), fixed(rtt.raw.p99Ms, 3), fixed(rtt.ratio.p99)],
      ],
    ),
  ];
}

function e2eSection(e2e, targets) {
  if (e2e.skipped) return ['## End to end', '', `Skipped: ${e2e.skipped}.`];
  const lines = [
    '## End to end (3-node raft-kv vs 3-member etcd under wrk)',
    '',
    `${e2e.description}. ${e2e.warmupSeconds} s warm-up then ${e2e.seconds} s per point.`,
    `PUT: ${e2e.put}. GET: ${e2e.get}.`,
  ];
  for (const [operation, rows] of Object.entries(e2e.workloads)) {
    lines.push('', `### ${operation.toUpperCase()}`, '');
    const header = ['connections', 'raft-kv req/s', 'p50 ms', 'p99 ms'];
    if (e2e.etcd) header.push('etcd req/s', 'p50 ms', 'p99 ms', 'req/s ratio', 'p50 ratio', 'p99 ratio');
    lines.push(
      table(
        header,
        rows.map((row) => {
          const ours = row['raft-kv'];
          const cells = [
            row.connections,
            number(ours.requestsPerSecond),
            fixed(ours.p50Ms),
            fixed(ours.p99Ms),
          ];
          if (row.etcd) {
            cells.push(number(row.etcd.requestsPerSecond), fixed(row.etcd.p50Ms), fixed(row.etcd.p99Ms));
            cells.push(fixed(row.ratio.throughput), fixed(row.ratio.p50), fixed(row.ratio.p99));
          }
          return cells;
        }),
      ),
    );
    const failed = rows.flatMap((row) =>
      ['raft-kv', 'etcd']
        .filter((name) => row[name]?.errors > 0)
        .map((name) => `${name} at ${row.connections}: ${row[name].errors}`),
    );
    if (failed.length > 0) lines.push('', `Errors (non-2xx, timeouts, socket errors): ${failed.join('; ')}.`);
  }
  if (e2e.repeats?.length > 0) {
    lines.push('', '### Target points, repeated', '');
    lines.push(
      table(
        [
          'round',
          'workload',
          'connections',
          'raft-kv req/s',
          'p50 ms',
          'p99 ms',
          'etcd req/s',
          'p50 ms',
          'p99 ms',
        ],
        e2e.repeats.map((row) => [
          row.round,
          row.operation.toUpperCase(),
          row.connections,
          number(row['raft-kv'].requestsPerSecond),
          fixed(row['raft-kv'].p50Ms),
          fixed(row['raft-kv'].p99Ms),
          number(row.etcd.requestsPerSecond),
          fixed(row.etcd.p50Ms),
          fixed(row.etcd.p99Ms),
        ]),
      ),
    );
  }
  if (targets) {
    lines.push('', '### Performance to reach', '');
    const rounds = e2e.targetRounds ?? 1;
    if (rounds > 1) {
      lines.push(
        `Each target point was measured in ${rounds} rounds (round 1 is the sweep above, the others are listed under it); measured is the median of the rounds' ratios.`,
        '',
      );
    }
    lines.push(
      table(
        ['target', 'goal', 'measured', 'each round', 'met'],
        targets.map((row) => [
          row.target,
          row.goal,
          fixed(row.measured),
          (row.rounds ?? []).map((value) => fixed(value)).join(', '),
          row.met === null ? 'not measured' : row.met ? 'yes' : 'no',
        ]),
      ),
    );
  }
  return lines;
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
const loads = (average) =>
  Object.values(average)
    .map((value) => value.toFixed(2))
    .join(' ');

/** Renders the run as markdown. */
export function renderMarkdown(run) {
  const lines = [
    `# Benchmark results${run.quick ? ' (--quick)' : ''}`,
    '',
    `Measured ${run.started} in ${Math.round(run.durationSeconds)} s on ${run.machine.cpus} × ${run.machine.cpuModel}, ` +
      `Node ${run.machine.node}, load average ${loads(run.machine.loadAverageBefore)} before and ` +
      `${loads(run.machine.loadAverageAfter)} after. Ratios are ours / baseline, both measured in this run.`,
  ];
  const sections = { core: coreSection, storage: storageSection, transport: transportSection };
  for (const [name, render] of Object.entries(sections)) {
    const section = run.results[name];
    if (!section) continue;
    lines.push('', ...(section.error ? [`## ${name}`, '', `Failed: ${section.error}`] : render(section)));
  }
  const e2e = run.results.e2e;
  if (e2e)
    lines.push('', ...(e2e.error ? ['## e2e', '', `Failed: ${e2e.error}`] : e2eSection(e2e, run.targets)));
  return `${lines.join('\n')}\n`;
}
