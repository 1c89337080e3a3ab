import { create } from 'zustand';
import type { ApprovalPreview } from '@shared/api/approval';

// The state of a bulk approval as the clerk sees it: what is running (the busy
// state: "Checking 255…", "Approving 255…"), the confirmation waiting for an
// answer, and the batch still inside its undo window.

export type ConfirmAsk = Readonly<{ preview: ApprovalPreview; answer: (ok: boolean) => void }>;

/** The last approval's batch while its receipts wait out the undo window. */
export type HeldBatch = Readonly<{ transactionIds: readonly number[]; postsAt: string }>;

type ApprovalState = {
  busy: string | null;
  ask: ConfirmAsk | null;
  held: HeldBatch | null;
};

export const useApproval = create<ApprovalState>(() => ({ busy: null, ask: null, held: null }));

/** While a preview or an approval runs, or the confirmation is open, another `a` does nothing. */
export function approvalInProgress(): boolean {
  const s = useApproval.getState();
  return s.busy !== null || s.ask !== null;
}

export function setBusy(busy: string | null): void {
  useApproval.setState({ busy });
}

export function holdBatch(held: HeldBatch | null): void {
  useApproval.setState({ held });
}

/** Undo took rows back: the held batch (if these were its rows) is no longer waiting. */
export function batchUndone(transactionIds: readonly number[]): void {
  const held = useApproval.getState().held;
  if (held && transactionIds.some((id) => held.transactionIds.includes(id))) useApproval.setState({ held: null });
}

/** Opens the confirmation; resolves with the clerk's answer. */
export function askToConfirm(preview: ApprovalPreview): Promise<boolean> {
  return new Promise((resolve) => {
    useApproval.getState().ask?.answer(false);
    useApproval.setState({
      ask: {
        preview,
        answer: (ok) => {
          useApproval.setState({ ask: null });
          resolve(ok);
        },
      },
    });
  });
}
