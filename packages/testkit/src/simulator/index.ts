export { findLostWrites } from './acknowledged-writes.js';
export { cloneMessage } from './clone-message.js';
export type {
  FaultInjector,
  FaultInjectorOptions,
  FaultKind,
  FaultListErrorCode,
  FaultStats,
} from './fault-injector.js';
export { ALL_FAULTS, createFaultInjector, FaultListError, parseFaults } from './fault-injector.js';
export type { KvCommand, KvStateMachine, KvStateMachineOptions } from './kv-state-machine.js';
export { decodeKvCommand, encodeKvCommand, kvStateMachine } from './kv-state-machine.js';
export type { LeaderRecovery, LeadershipTracker } from './leadership-tracker.js';
export { createLeadershipTracker } from './leadership-tracker.js';
export type { Prng } from './prng.js';
export { createPrng } from './prng.js';
export type { ClientStats, SimulatedClients, SimulatedClientsOptions } from './simulated-clients.js';
export { createSimulatedClients, describeKvOperation } from './simulated-clients.js';
export type { NodeInstance, SimulatedCluster, SimulatedClusterOptions } from './simulated-cluster.js';
export { createSimulatedCluster } from './simulated-cluster.js';
export type {
  MembershipScenario,
  MembershipStats,
  SimulatedMembership,
  SimulatedMembershipOptions,
} from './simulated-membership.js';
export { createSimulatedMembership, foundersFor, MEMBERSHIP_SCENARIOS } from './simulated-membership.js';
export type {
  NetworkConditions,
  NetworkStats,
  SimulatedNetwork,
  SimulatedNetworkOptions,
} from './simulated-network.js';
export { createSimulatedNetwork, describeMessage, RELIABLE_NETWORK } from './simulated-network.js';
export type { SimulatedDisk, SimulatedStorageOptions } from './simulated-storage.js';
export { createSimulatedDisk, simulatedStorage } from './simulated-storage.js';
export type { LeaderRecoveryReport, SimulationOptions, SimulationReport } from './simulation.js';
export { runSimulation } from './simulation.js';
export type { TraceBuffer, TraceRecord } from './trace-buffer.js';
export { createTraceBuffer, formatTraceRecord } from './trace-buffer.js';
export type { EventOwner, ScheduleOptions, SimEvent, VirtualScheduler } from './virtual-scheduler.js';
export { createVirtualScheduler } from './virtual-scheduler.js';
