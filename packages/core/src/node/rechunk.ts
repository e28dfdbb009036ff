/**
 * Re-slices a stream of byte chunks into chunks of `size` bytes (the last may be shorter), so what a
 * state machine yields, however it is cut, becomes storage records and messages of a bounded size.
 * Small chunks are gathered, large ones split; at most one output chunk is buffered.
 */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      if (filled === 0 && chunk.length - at >= size) {
        // A whole output chunk straight from the input: no copy into the buffer.
        yield chunk.subarray(at, at + size);
        at += size;
        continue;
      }
      const take = Math.min(size - filled, chunk.length - at);
      buffer.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
