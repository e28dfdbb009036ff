import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { RaftNode } from '@raft/core';
import type { Route } from './http-router.js';
import { sendJson } from './http-service.js';

/** What `GET /cluster` says about one member. */
export interface MemberView {
  readonly id: string;
  readonly role: 'voter' | 'learner';
  readonly peerUrl: string | null;
  readonly clientUrl: string | null;
  /** The leader's view of this member's replication; null unless this node leads (and for itself). */
  readonly progress: {
    readonly match: number;
    readonly next: number;
    readonly state: string;
    readonly recentActive: boolean;
  } | null;
}

/** Inputs of {@link opsRoutes}. */
export interface OpsRouteOptions {
  readonly node: RaftNode<unknown>;
  readonly metrics: PrometheusExporter;
  readonly peerUrls: ReadonlyMap<string, string>;
  /** Client URL of a member, when known (from its announcement, or this node's own). */
  readonly clientUrl: (id: string) => string | undefined;
}

/** Whether the node can serve consistent requests now: it knows a leader and has applied what it knows is committed. */
export function isReady(node: RaftNode<unknown>): boolean {
  const status = node.status();
  return status.leader !== '' && status.appliedIndex >= status.commitIndex;
}

/** The cluster view of `GET /cluster`. */
export function describeCluster(options: OpsRouteOptions) {
  const status = options.node.status();
  const member = (id: string, role: 'voter' | 'learner'): MemberView => {
    const progress = status.progress.get(id);
    return {
      id,
      role,
      // The configuration's address wins: it is how members that joined later are known.
      peerUrl: status.config.addresses?.[id] ?? options.peerUrls.get(id) ?? null,
      clientUrl: options.clientUrl(id) ?? null,
      progress:
        progress === undefined
          ? null
          : {
              match: progress.match,
              next: progress.next,
              state: progress.state,
              recentActive: progress.recentActive,
            },
    };
  };
  return {
    id: status.id,
    role: status.role,
    term: status.term,
    leader: status.leader === '' ? null : status.leader,
    commitIndex: status.commitIndex,
    appliedIndex: status.appliedIndex,
    lastIndex: status.lastIndex,
    members: [
      ...status.config.voters.map((id) => member(id, 'voter')),
      ...status.config.learners.map((id) => member(id, 'learner')),
    ],
  };
}

/** `GET /healthz`, `GET /readyz`, `GET /metrics` and `GET /cluster`: the same for every server app. */
export function opsRoutes(options: OpsRouteOptions): Route[] {
  return [
    { path: '/healthz', methods: { GET: ({ response }) => sendJson(response, 200, { status: 'ok' }) } },
    {
      path: '/readyz',
      methods: {
        GET: ({ response }) => {
          const status = options.node.status();
          const ready = isReady(options.node);
          sendJson(
            response,
            ready ? 200 : 503,
            {
              ready,
              leader: status.leader === '' ? null : status.leader,
              commitIndex: status.commitIndex,
              appliedIndex: status.appliedIndex,
            },
            ready ? {} : { 'retry-after': '1' },
          );
        },
      },
    },
    {
      path: '/metrics',
      methods: {
        GET: ({ request, response }) => options.metrics.getMetricsRequestHandler(request, response),
      },
    },
    {
      path: '/cluster',
      methods: { GET: ({ response }) => sendJson(response, 200, describeCluster(options)) },
    },
  ];
}
