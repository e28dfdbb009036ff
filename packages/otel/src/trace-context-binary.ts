import { isSpanContextValid, type SpanContext, TraceFlags } from '@opentelemetry/api';
import { TRACE_CONTEXT_BYTES } from '@raft/core';

// W3C Trace Context in binary form (the layout of the draft "binary" encoding, as OpenCensus and
// several Raft-style systems carry it): version 0, trace id (16 bytes), span id (8), flags (1). The
// API holds ids as lowercase hex, so this converts both ways with table lookups; it runs once per
// traced proposal and once per traced entry an AppendEntries carries, never for untraced ones.

const VERSION = 0;
const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Writes `hex` (2 digits per byte) at `offset`; false on a non-hex digit. */
function writeHex(target: Uint8Array, offset: number, hex: string, bytes: number): boolean {
  if (hex.length !== bytes * 2) return false;
  for (let i = 0; i < bytes; i++) {
    const high = hexValue(hex.charCodeAt(2 * i));
    const low = hexValue(hex.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) return false;
    target[offset + i] = (high << 4) | low;
  }
  return true;
}

function readHex(source: Uint8Array, offset: number, bytes: number): string {
  let hex = '';
  for (let i = 0; i < bytes; i++) hex += HEX[source[offset + i]!]!;
  return hex;
}

/** The binary form of `spanContext`, or undefined for an invalid one (nothing worth propagating). */
export function encodeTraceContext(spanContext: SpanContext): Uint8Array | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const bytes = new Uint8Array(TRACE_CONTEXT_BYTES);
  bytes[0] = VERSION;
  if (!writeHex(bytes, 1, spanContext.traceId, TRACE_ID_BYTES)) return undefined;
  if (!writeHex(bytes, 1 + TRACE_ID_BYTES, spanContext.spanId, SPAN_ID_BYTES)) return undefined;
  bytes[TRACE_CONTEXT_BYTES - 1] = spanContext.traceFlags & 0xff;
  return bytes;
}

/**
 * The remote span context carried in `bytes`, or undefined when they are not a valid version 0 context
 * (the bytes come from the network: a peer's bug must not become a span with a bogus parent).
 */
export function decodeTraceContext(bytes: Uint8Array): SpanContext | undefined {
  if (bytes.length !== TRACE_CONTEXT_BYTES || bytes[0] !== VERSION) return undefined;
  const spanContext: SpanContext = {
    traceId: readHex(bytes, 1, TRACE_ID_BYTES),
    spanId: readHex(bytes, 1 + TRACE_ID_BYTES, SPAN_ID_BYTES),
    traceFlags: bytes[TRACE_CONTEXT_BYTES - 1]! & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}
