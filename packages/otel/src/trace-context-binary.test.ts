import { type SpanContext, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeTraceContext, encodeTraceContext } from './trace-context-binary.js';

// Rule: a valid span context survives the 26-byte binary form exactly (as a remote context); bytes
// that are not a valid version 0 context decode to nothing rather than to a bogus parent.
const sampled: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

describe('binary trace context', () => {
  it('lays out version 0, trace id, span id and flags in 26 bytes, and reads them back as remote', () => {
    const bytes = encodeTraceContext(sampled);
    expect(Array.from(bytes ?? [], (byte) => byte.toString(16).padStart(2, '0')).join('')).toBe(
      `00${sampled.traceId}${sampled.spanId}01`,
    );
    expect(decodeTraceContext(bytes!)).toEqual({ ...sampled, isRemote: true });
    const unsampled = { ...sampled, traceFlags: TraceFlags.NONE };
    expect(decodeTraceContext(encodeTraceContext(unsampled)!)).toEqual({ ...unsampled, isRemote: true });
  });

  it('encodes nothing for an invalid span context', () => {
    expect(encodeTraceContext({ ...sampled, traceId: '0'.repeat(32) })).toBeUndefined();
    expect(encodeTraceContext({ ...sampled, spanId: 'xyz' })).toBeUndefined();
  });

  it('decodes nothing from a wrong length, an unknown version or zero ids', () => {
    const bytes = encodeTraceContext(sampled)!;
    expect(decodeTraceContext(bytes.subarray(0, 25))).toBeUndefined();
    const version = bytes.slice();
    version[0] = 1;
    expect(decodeTraceContext(version)).toBeUndefined();
    const zeroTrace = bytes.slice();
    zeroTrace.fill(0, 1, 17);
    expect(decodeTraceContext(zeroTrace)).toBeUndefined();
    const zeroSpan = bytes.slice();
    zeroSpan.fill(0, 17, 25);
    expect(decodeTraceContext(zeroSpan)).toBeUndefined();
  });
});
