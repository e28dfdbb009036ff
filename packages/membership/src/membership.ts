import {
  type ClusterConfig,
  type NodeId,
  NotLeaderError,
  type RaftStatus,
  type RequestOptions,
} from '@raft/core';
import { checkMembershipChange } from './check-membership-change.js';
import { clockDelay, throwIfAborted } from './clock-wait.js';
import { AlreadyMemberError, InvalidTargetError, QuorumAtRiskError, UnknownMemberError } from './errors.js';
import { validateAddress, validateMemberId } from './member-validation.js';
import {
  type MembershipCallOptions,
  type MembershipOptions,
  type ResolvedMembershipOptions,
  resolveMembershipOptions,
} from './membership-options.js';
import {
  type MembershipTarget,
  planAddLearner,
  planChangeMembers,
  planPromote,
  planRemove,
  planReplace,
  roleOf,
} from './membership-plan.js';
import { reachableMembers } from './reachable-members.js';
import { SerialQueue } from './serial-queue.js';
import { type MembershipNode, waitForCatchUp } from './wait-for-catch-up.js';

/**
 * Safe membership workflows on one node; every call must be made on the leader. Each resolves with
 * the configuration in force once the last change is applied on this node.
 *
 * Every call can reject with:
 * - the core's errors, passed through unchanged: `NotLeaderError` (with `leaderHint`) when this node is
 *   not the leader, `ConfigChangeInProgressError` when a change made elsewhere is unfinished,
 *   `TimeoutError` (the change may still complete), `StoppedError`, `ProposalDroppedError`;
 * - `InvalidMemberIdError` / `InvalidAddressError` for bad input;
 * - the guards' refusals ({@link checkMembershipChange}): `QuorumAtRiskError`, `LastVoterError`;
 * - the signal's reason when `options.signal` aborts.
 *
 * Calls on one `Membership` run one at a time, in call order (a workflow is several changes with waits
 * in between); a call waiting for its turn still honours its signal.
 */
export interface Membership {
  /** The node the workflows run on. */
  readonly node: MembershipNode;
  /**
   * Add `id` as a learner at `address`: it receives the log (or a snapshot) but does not vote, so it
   * cannot slow commits down while it catches up. Resolves at once if it already is a learner there.
   *
   * @throws AlreadyMemberError when `id` is a voter, or a learner at another address.
   */
  addLearner(id: NodeId, address: string, options?: MembershipCallOptions): Promise<ClusterConfig>;
  /**
   * Wait until learner `id` is within `catchUpMaxLagEntries` of the leader's log, then make it a voter.
   *
   * @throws UnknownMemberError (expected `learner`), AlreadyMemberError (it is a voter),
   * CatchUpTimeoutError with the lag seen (it stays a learner).
   */
  promote(id: NodeId, options?: MembershipCallOptions): Promise<ClusterConfig>;
  /**
   * {@link addLearner}, then {@link promote}: the safe way to add a voter. Picks up where it left off
   * when `id` already is a learner at `address` (a retry after a timeout or a leader change).
   *
   * @throws AlreadyMemberError when `id` is a voter, or a member at another address;
   * CatchUpTimeoutError (it stays a learner).
   */
  addVoter(id: NodeId, address: string, options?: MembershipCallOptions): Promise<ClusterConfig>;
  /**
   * Remove voter or learner `id`. Removing the leader itself is allowed: it leads until the change
   * commits, then steps down and the remaining voters elect a leader among themselves. A removed node
   * refuses to start again on its old storage (`RAFT_NODE_REMOVED`); wipe it to join again.
   *
   * @throws UnknownMemberError (expected `member`), LastVoterError, QuorumAtRiskError.
   */
  removeNode(id: NodeId, options?: MembershipCallOptions): Promise<ClusterConfig>;
  /**
   * Replace voter `oldId` by a new node `newId` at `address`: add `newId` as a learner, wait for it to
   * catch up, then swap the two in ONE change (the leader goes through a joint configuration), so the
   * number of voters never drops and never grows to an even count on the way.
   *
   * @throws UnknownMemberError (`oldId` not a voter), AlreadyMemberError (`newId` a voter, or a learner
   * at another address), InvalidTargetError (same ids), CatchUpTimeoutError (`newId` stays a learner).
   */
  replaceNode(
    oldId: NodeId,
    newId: NodeId,
    address: string,
    options?: MembershipCallOptions,
  ): Promise<ClusterConfig>;
  /**
   * Move to `target` in one change: the leader goes through a joint configuration when more than one
   * voter changes (and takes a single step when only one does, which is as safe, thesis §4.1). New
   * voters are not waited for: only reachable nodes count for the guard, so add newcomers as learners
   * first ({@link addLearner}) and let them catch up.
   *
   * @throws InvalidTargetError, LastVoterError, QuorumAtRiskError.
   */
  changeMembers(target: MembershipTarget, options?: MembershipCallOptions): Promise<ClusterConfig>;
}

/**
 * Membership workflows for `node` (add a learner, catch it up, promote, remove, replace, change in one
 * joint step), guarded so that a change that would cost the cluster its quorum is refused before it is
 * proposed.
 *
 * @throws InvalidOptionsError (`RAFT_INVALID_OPTIONS`) for options that cannot work.
 * @example
 * ```ts
 * const membership = createMembership(leaderNode, { clock });
 * await membership.addVoter('d', 'ws://10.0.0.4:7001'); // learner, catch up, promote
 * await membership.removeNode('a');
 * ```
 */
export function createMembership(node: MembershipNode, options: MembershipOptions = {}): Membership {
  return new GuardedMembership(node, resolveMembershipOptions(options));
}

class GuardedMembership implements Membership {
  private readonly queue = new SerialQueue();

  constructor(
    readonly node: MembershipNode,
    private readonly options: ResolvedMembershipOptions,
  ) {}

  addLearner(id: NodeId, address: string, options: MembershipCallOptions = {}): Promise<ClusterConfig> {
    return this.serially(options, (resolved) =>
      this.propose((config) => planAddLearner(config, id, address), resolved, options),
    );
  }

  promote(id: NodeId, options: MembershipCallOptions = {}): Promise<ClusterConfig> {
    return this.serially(options, async (resolved) => {
      planPromote(this.leaderStatus().config, id);
      await waitForCatchUp(this.node, id, resolved, options.signal);
      return this.propose((config) => planPromote(config, id), resolved, options);
    });
  }

  addVoter(id: NodeId, address: string, options: MembershipCallOptions = {}): Promise<ClusterConfig> {
    return this.serially(options, async (resolved) => {
      validateMemberId(id);
      validateAddress(address);
      const config = this.leaderStatus().config;
      if (roleOf(config, id) === 'voter') throw new AlreadyMemberError(id, 'voter', config.addresses?.[id]);
      await this.propose((current) => planAddLearner(current, id, address), resolved, options);
      await waitForCatchUp(this.node, id, resolved, options.signal);
      return this.propose((current) => planPromote(current, id), resolved, options);
    });
  }

  removeNode(id: NodeId, options: MembershipCallOptions = {}): Promise<ClusterConfig> {
    return this.serially(options, (resolved) =>
      this.propose((config) => planRemove(config, id), resolved, options),
    );
  }

  replaceNode(
    oldId: NodeId,
    newId: NodeId,
    address: string,
    options: MembershipCallOptions = {},
  ): Promise<ClusterConfig> {
    return this.serially(options, async (resolved) => {
      validateMemberId(oldId);
      validateMemberId(newId);
      validateAddress(address);
      if (oldId === newId) throw new InvalidTargetError('a node cannot replace itself');
      const config = this.leaderStatus().config;
      // Refuse before adding anything: a replacement of a node that is not a voter would otherwise
      // leave a stray learner behind.
      if (roleOf(config, oldId) !== 'voter') throw new UnknownMemberError(oldId, 'voter');
      if (roleOf(config, newId) === 'voter') {
        throw new AlreadyMemberError(newId, 'voter', config.addresses?.[newId]);
      }
      await this.propose((current) => planAddLearner(current, newId, address), resolved, options);
      await waitForCatchUp(this.node, newId, resolved, options.signal);
      return this.propose((current) => planReplace(current, oldId, newId), resolved, options);
    });
  }

  changeMembers(target: MembershipTarget, options: MembershipCallOptions = {}): Promise<ClusterConfig> {
    return this.serially(options, (resolved) =>
      this.propose((config) => planChangeMembers(config, target), resolved, options),
    );
  }

  /** Run `task` after every earlier call on this object finished, with this call's options resolved. */
  private serially(
    options: MembershipCallOptions,
    task: (resolved: ResolvedMembershipOptions) => Promise<ClusterConfig>,
  ): Promise<ClusterConfig> {
    let resolved: ResolvedMembershipOptions;
    try {
      resolved = resolveMembershipOptions(options, this.options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.run(() => task(resolved), options.signal);
  }

  /** This node's status, if it leads; otherwise the core's NotLeaderError with its leader hint. */
  private leaderStatus(): RaftStatus {
    const status = this.node.status();
    if (status.role !== 'leader') throw new NotLeaderError(status.leader);
    return status;
  }

  /**
   * Plan the target from the configuration in force, check it against the guards and hand it to the
   * core. `plan` returning undefined means there is nothing to change.
   *
   * A refusal for lack of a reachable quorum is confirmed by a second sample one poll interval later
   * (a node counts if either sample saw it): right after a CheckQuorum window ends every
   * `recentActive` flag is false until the next heartbeat answers arrive, see {@link reachableMembers}.
   */
  private async propose(
    plan: (config: ClusterConfig) => ClusterConfig | undefined,
    resolved: ResolvedMembershipOptions,
    options: MembershipCallOptions,
  ): Promise<ClusterConfig> {
    throwIfAborted(options.signal);
    let status = this.leaderStatus();
    let target = plan(status.config);
    if (target === undefined) return status.config;
    let reachable = reachableMembers(status);
    let refusal = checkMembershipChange(status.config, target, reachable);
    if (refusal instanceof QuorumAtRiskError) {
      await clockDelay(resolved.clock, resolved.pollIntervalMs, options.signal);
      status = this.leaderStatus();
      target = plan(status.config);
      if (target === undefined) return status.config;
      reachable = [...new Set([...reachable, ...reachableMembers(status)])];
      refusal = checkMembershipChange(status.config, target, reachable);
    }
    if (refusal !== undefined) throw refusal;
    return this.node.changeMembership(target, requestOptions(resolved, options));
  }
}

function requestOptions(resolved: ResolvedMembershipOptions, options: MembershipCallOptions): RequestOptions {
  const timeout = resolved.changeTimeoutMs === undefined ? {} : { timeoutMs: resolved.changeTimeoutMs };
  return options.signal === undefined ? timeout : { ...timeout, signal: options.signal };
}
