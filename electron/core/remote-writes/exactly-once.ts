// The exactly-once step every remote write goes through (receipts, credit
// memos, reversals, refunds and voids):
// - a write that may already have reached the remote system is looked up
//   first, and is done when the look-up finds it;
// - one that was never sent is not looked up here (the connector's send does
//   its own "look up then post", so a second look-up would only cost a call);
// - the intent ("sending") is committed before the request leaves.
// Kinds supply the look-up and the send; leases, retries and parking are the
// caller's (RemoteWriteRunner for queued rows).

export type RemoteWrite<Doc> = Readonly<{
  /** The row was sent before, or a send was in flight when its lease or reply was lost. */
  mayHaveBeenSent: boolean;
  /** Asks the remote system for this write; null when it does not hold it. */
  lookup(): Promise<Doc | null>;
  /**
   * Last checks before the intent is committed: a Stop ends the write with
   * nothing sent; `{ found }` when a check of its own found the write already
   * in the remote system.
   */
  beforeSend?(): Promise<Stop | Readonly<{ found: Doc }> | null>;
  /** Commits the intent: from here on the row counts as possibly sent. */
  commitSending(): void;
  send(): Promise<Doc>;
}>;

export type Stop = Readonly<{ state: 'dead' | 'conflict'; message: string }>;

export type StepResult<Doc> =
  | Readonly<{ outcome: 'found'; doc: Doc }>
  | Readonly<{ outcome: 'sent'; doc: Doc }>
  | Readonly<{ outcome: 'stopped'; stop: Stop }>
  /** `sent` says whether the intent was committed before the failure. */
  | Readonly<{ outcome: 'failed'; error: unknown; sent: boolean }>;

export async function sendExactlyOnce<Doc>(w: RemoteWrite<Doc>): Promise<StepResult<Doc>> {
  let sent = false;
  try {
    if (w.mayHaveBeenSent) {
      const found = await w.lookup();
      if (found !== null) return { outcome: 'found', doc: found };
    }
    const check = w.beforeSend ? await w.beforeSend() : null;
    if (check && 'found' in check) return { outcome: 'found', doc: check.found };
    if (check) return { outcome: 'stopped', stop: check };
    w.commitSending();
    sent = true;
    return { outcome: 'sent', doc: await w.send() };
  } catch (error) {
    return { outcome: 'failed', error, sent };
  }
}
