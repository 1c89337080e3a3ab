// The one place that names the states of a remote write (an outbox row or a
// receipt reversal). The SQL CHECK constraints in the migrations list the same
// strings; everything else imports them from here instead of repeating them.

export const WRITE_STATES = ['queued', 'sending', 'retry_wait', 'unknown_outcome', 'posted', 'dead', 'discarded', 'conflict'] as const;
export type WriteState = (typeof WRITE_STATES)[number];

/** States with work left for the runner: it claims rows in these. */
export const UNFINISHED_STATES = ['queued', 'sending', 'retry_wait', 'unknown_outcome'] as const satisfies readonly WriteState[];
export type UnfinishedState = (typeof UNFINISHED_STATES)[number];

/** A parked row waiting for its next attempt. */
export type WaitingState = Extract<WriteState, 'retry_wait' | 'unknown_outcome'>;

/** Receipt reversals never reach 'discarded' or 'conflict' (their table's CHECK). */
export type ReversalState = Exclude<WriteState, 'discarded' | 'conflict'>;

/** SQL list of the unfinished states, for the store's IN (...) clauses; built from the union, never typed by hand. */
export const UNFINISHED_SQL = UNFINISHED_STATES.map((s) => `'${s}'`).join(', ');

/**
 * Whether a row may already have reached the remote system: it has been sent
 * before, or a send was in flight when its lease ended or its reply got lost.
 * Such a row is looked up before it is sent again; a row for which this is
 * false is sent without a look-up.
 */
export function mayHaveBeenSent(row: Readonly<{ attempts: number; state: WriteState }>): boolean {
  return row.attempts > 0 || row.state === 'sending' || row.state === 'unknown_outcome';
}
