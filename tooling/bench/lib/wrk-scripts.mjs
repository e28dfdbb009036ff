// wrk Lua scripts of the end-to-end benchmark, generated so that raft-kv and etcd get the same keys and
// the same 256 value bytes. Each thread cycles through the keys; `done` prints the summary as one JSON
// line (marked BENCH_JSON) so the numbers need no scraping of wrk's text.

export const VALUE_BYTES = 256;
export const PUT_KEYS = 1_000;
/** GETs read these keys, which the benchmark writes before it reads. */
export const GET_KEYS = 100;

const value = Buffer.alloc(VALUE_BYTES, 'v');
const keyName = (n) => `bench-${n}`;
const base64 = (text) => Buffer.from(text).toString('base64');
const luaString = (text) => JSON.stringify(text); // a JSON string literal is a valid Lua string here

const DONE = `
done = function(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,' ..
    '"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"meanUs":%.1f,"maxUs":%d}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max))
end
`;

function keyTable(count, encode) {
  const keys = [];
  for (let n = 0; n < count; n++) keys.push(luaString(encode(keyName(n))));
  return `local keys = {${keys.join(',')}}\nlocal count = 0\n`;
}

/** The script of one workload: `kv-put`, `kv-get`, `etcd-put` or `etcd-get`. */
export function wrkScript(workload) {
  switch (workload) {
    case 'kv-put':
      return `${keyTable(PUT_KEYS, encodeURIComponent)}local body = ${luaString(value.toString())}
request = function()
  count = count + 1
  return wrk.format("PUT", "/kv/" .. keys[(count % ${PUT_KEYS}) + 1], nil, body)
end
${DONE}`;
    case 'kv-get':
      return `${keyTable(GET_KEYS, encodeURIComponent)}
request = function()
  count = count + 1
  return wrk.format("GET", "/kv/" .. keys[(count % ${GET_KEYS}) + 1] .. "?consistency=linearizable")
end
${DONE}`;
    case 'etcd-put':
      return `${keyTable(PUT_KEYS, base64)}local value = ${luaString(value.toString('base64'))}
local headers = {["Content-Type"] = "application/json"}
request = function()
  count = count + 1
  return wrk.format("POST", "/v3/kv/put", headers,
    '{"key":"' .. keys[(count % ${PUT_KEYS}) + 1] .. '","value":"' .. value .. '"}')
end
${DONE}`;
    case 'etcd-get':
      // serializable defaults to false: a linearizable range, confirmed through the leader.
      return `${keyTable(GET_KEYS, base64)}local headers = {["Content-Type"] = "application/json"}
request = function()
  count = count + 1
  return wrk.format("POST", "/v3/kv/range", headers, '{"key":"' .. keys[(count % ${GET_KEYS}) + 1] .. '"}')
end
${DONE}`;
    default:
      throw new Error(`unknown workload ${workload}`);
  }
}

/** Writes the GET keys once through plain HTTP, so every GET finds its key. */
export async function preloadGetKeys(system, baseUrl) {
  for (let n = 0; n < GET_KEYS; n++) {
    const response =
      system === 'kv'
        ? await fetch(`${baseUrl}/kv/${encodeURIComponent(keyName(n))}`, { method: 'PUT', body: value })
        : await fetch(`${baseUrl}/v3/kv/put`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ key: base64(keyName(n)), value: value.toString('base64') }),
          });
    if (!response.ok) throw new Error(`preloading ${keyName(n)} on ${system}: HTTP ${response.status}`);
    await response.arrayBuffer();
  }
}
