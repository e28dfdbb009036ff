/**
 * One client operation against the replicated key-value store. Every operation touches exactly one key,
 * which is what lets the checker split a history per key (linearizability is compositional: a history is
 * linearizable iff its restriction to each object is, Herlihy & Wing 1990, §3.3).
 */
export type KvOperation =
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'delete'; readonly key: string }
  /** Compare-and-set; `expected: null` means the key must be absent. */
  | { readonly kind: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

/** What the store answered to a {@link KvOperation} of the same `kind`. */
export type KvOutput =
  | { readonly kind: 'get'; readonly value: string | null }
  | { readonly kind: 'put' }
  | { readonly kind: 'delete'; readonly existed: boolean }
  | { readonly kind: 'cas'; readonly ok: boolean };
