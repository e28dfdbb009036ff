import {
  type MemoryStorage,
  memoryNetwork,
  memoryStorage,
  type NodeId,
  type Storage,
  type Transport,
} from '@raft/core';
import { describeStorage, describeTransport } from '../src/conformance/index.js';

// memoryStorage is not durable, but a new store started from contents() stands for a restart, so the
// suite's reopen tests run against it too.
const opened = new Map<Storage, MemoryStorage>();
describeStorage('memoryStorage', {
  async setup() {
    const storage = memoryStorage();
    opened.set(storage, storage);
    return storage;
  },
  async reopen(storage) {
    const previous = opened.get(storage);
    if (previous === undefined) throw new Error('not a store from this factory');
    await previous.close();
    opened.delete(storage);
    const reopened = memoryStorage({ initial: previous.contents() });
    opened.set(reopened, reopened);
    return reopened;
  },
  async teardown(storage) {
    opened.delete(storage);
    await storage.close();
  },
});

let addressBook: ReadonlyMap<NodeId, string> = new Map();
describeTransport('memoryNetwork', {
  async setup(ids: readonly NodeId[]) {
    const network = memoryNetwork();
    addressBook = new Map(ids.map((id) => [id, `memory:${id}`]));
    const transports = new Map<NodeId, Transport>();
    for (const id of ids) {
      const transport = network.transport(id);
      transport.setPeers(addressBook);
      transports.set(id, transport);
    }
    return transports;
  },
  addresses() {
    return addressBook;
  },
});
