/** Who is calling an op, for the audit log, and what they may see. */
export interface OpContext {
  /** The actor written to the audit log: a token name, `cli:<user>`, `ci:<GITHUB_ACTOR>`, … */
  actor: string;
  /**
   * The audit log's `node` for the changes: the API node (user/add_local) or the reconciler's
   * change (apply). Defaults to the op's own node name.
   */
  via?: string;
  /**
   * The caller writes the audit log itself (apply: one row per plan change, with the plan's
   * action, kind and key); the ops then write none, so that a phone update applied as a
   * removal and an addition is recorded once, as the update it is.
   */
  auditedByCaller?: boolean;
  /** Whether results may include passwords (write tokens, hermes call). */
  showSecrets?: boolean;
  /** Injected clock, for tests. */
  now?: () => Date;
  /**
   * Called by callNode with the underlying error when a node answers response 'error'
   * (cause 'dbfail'), so that the caller can log it; the envelope never carries driver text.
   */
  onError?: (error: unknown) => void;
}
