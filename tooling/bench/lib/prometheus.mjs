// Reading a node's Prometheus text (`GET /metrics`) for the profiling tools.

/** For each name in `names` (e.g. `raft_persist_duration_count`), the sum over all its series. */
export async function metricSums(url, names) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sums = Object.fromEntries(names.map((name) => [name, 0]));
  for (const line of text.split('\n')) {
    const name = line.slice(0, line.search(/[{ ]/));
    if (name in sums) sums[name] += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sums;
}
