import { waitFor } from '@raft/testkit/conformance';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  connectAll,
  DEADLINE,
  heartbeat,
  type NodeOverrides,
  received,
  startedNodes,
} from './node-harness.js';
import { closed } from './raw-peer.js';
import { type KeyPair, makeCa, makeNodeCertificate } from './test-certificates.js';

let ca: KeyPair;
let otherCa: KeyPair;
const certificates = new Map<string, KeyPair>();

beforeAll(async () => {
  ca = await makeCa('raft test CA');
  otherCa = await makeCa('some other CA');
  for (const id of ['a', 'b', 'c']) certificates.set(id, await makeNodeCertificate(ca, `node-${id}`));
  certificates.set('stranger', await makeNodeCertificate(otherCa, 'node-stranger'));
});

/** Mutual TLS: serve this node's certificate, trust only `ca`, and require client certificates. */
function mutualTls(id: string, trust: KeyPair = ca): NodeOverrides {
  const own = certificates.get(id)!;
  return { tls: { ca: trust.cert, cert: own.cert, key: own.key, requestCert: true } };
}

const start = startedNodes();

describe('TLS (wss) with mutual certificates', () => {
  it('nodes with certificates from the cluster CA exchange messages over wss, both ways', async () => {
    const [a, b] = [await start('a', mutualTls('a')), await start('b', mutualTls('b'))];
    expect(a.url.startsWith('wss://')).toBe(true);
    connectAll([a, b]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    b.transport.send([heartbeat('b', 'a', 2)]);
    await waitFor(() => received(b, 1) && received(a, 2), DEADLINE);
  });

  it('a client without a certificate is rejected (RAFT_WS_TLS_REJECTED) and the node keeps serving', async () => {
    const [a, b] = [await start('a', mutualTls('a')), await start('b', mutualTls('b'))];
    connectAll([a, b]);
    // Trusts b's certificate but has none of its own.
    const anonymous = new WebSocket(b.url, { ca: ca.cert });
    const errors: Error[] = [];
    anonymous.on('error', (error) => errors.push(error));
    await closed(anonymous);
    expect(errors.length).toBeGreaterThan(0);
    await waitFor(() => b.transport.stats().connectionErrors.RAFT_WS_TLS_REJECTED > 0, DEADLINE);
    expect(b.logger.codes()).toContain('RAFT_WS_TLS_REJECTED');
    a.transport.send([heartbeat('a', 'b', 3)]);
    await waitFor(() => received(b, 3), DEADLINE);
  });

  it('a node whose certificate comes from another CA cannot deliver, even with the right secret', async () => {
    const b = await start('b', mutualTls('b'));
    const stranger = await start('stranger', {
      tls: { ca: ca.cert, cert: certificates.get('stranger')!.cert, key: certificates.get('stranger')!.key },
    });
    connectAll([b, stranger]);
    stranger.transport.send([heartbeat('stranger', 'b', 1)]);
    await waitFor(() => b.transport.stats().connectionErrors.RAFT_WS_TLS_REJECTED > 0, DEADLINE);
    expect(b.inbox).toEqual([]);
  });

  it('a dialer that does not trust the server certificate sends nothing', async () => {
    const b = await start('b', mutualTls('b'));
    // c presents a good client certificate but trusts only the other CA, so b's certificate fails.
    const c = await start('c', mutualTls('c', otherCa));
    connectAll([b, c]);
    c.transport.send([heartbeat('c', 'b', 1)]);
    await waitFor(() => b.transport.stats().connectionErrors.RAFT_WS_TLS_REJECTED > 0, DEADLINE);
    expect(b.inbox).toEqual([]);
    expect(c.transport.stats().peers.find((peer) => peer.id === 'b')?.connections).toBe(0);
  });
});
