// The benchmark's second process: a raw `ws` server (the baseline) and a transport node 'b'. It acks
// throughput runs every `ackEvery` messages and echoes latency probes at once, on both stacks alike.

import { WebSocketServer } from 'ws';
import { webSocketTransport } from '../dist/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ACK_EVERY = Number(process.env.ACK_EVERY ?? 250);

const raw = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
raw.on('connection', (socket) => {
  let mode = 'count';
  let count = 0;
  socket.on('message', (data, isBinary) => {
    if (!isBinary) {
      mode = String(data);
      return;
    }
    if (mode === 'echo') {
      socket.send(data);
      return;
    }
    count++;
    if (count % ACK_EVERY === 0) socket.send(String(count));
  });
});
await new Promise((resolve) => raw.once('listening', resolve));

const transport = webSocketTransport(
  { id: 'b', listen: { host: '127.0.0.1', port: 0 }, clusterId: 'bench', secret: 'bench secret' },
  { logger: silent },
);
let received = 0;
await transport.start((message) => {
  if (message.type === 'AppendEntries') {
    received++;
    if (received % ACK_EVERY === 0) {
      transport.send([{ type: 'HeartbeatResponse', from: 'b', to: 'a', term: 1, readSeq: received }]);
    }
  } else if (message.type === 'Heartbeat') {
    transport.send([{ type: 'HeartbeatResponse', from: 'b', to: 'a', term: 2, readSeq: message.readSeq }]);
  }
});

process.on('message', (message) => {
  if (message.type === 'peers') transport.setPeers(new Map([['a', message.url]]));
  if (message.type === 'stop') {
    raw.close();
    transport.stop().then(() => process.exit(0));
  }
});
process.send({ type: 'ready', rawPort: raw.address().port, transportPort: transport.address().port });
