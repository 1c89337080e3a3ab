import { useState } from 'react';
import type { MethodArgs } from '@shared/api-contract';
import { EXCEPTION_CODES, type ExceptionCode } from '@shared/domain';
import type { HandoffDecision, HandoffException, HandoffSession } from '@shared/api/offline';
import { centsToDecimalString, parseDecimalToCents, type Cents } from '@shared/money';
import { invoke } from '../../api/client';
import { useFormSubmit } from '../../ui/use-form-submit';
import { formatAmount, formatScore } from '../../format';
import { exceptionLabel } from '../../labels';

// The reviewer's decision on one exception of a hand-off file: pick a
// candidate or edit the allocation, set the exception reason, a note, an
// owner, and whether to approve. Only what the reviewer changed is sent, so
// the exporting installation applies exactly that.

type Line = { invoiceNo: string; amount: string };

function linesOf(allocations: HandoffException['allocations']): Line[] {
  return allocations.map((a) => ({ invoiceNo: a.invoiceNo, amount: centsToDecimalString(a.amountCents) }));
}

function parseLines(lines: readonly Line[], session: HandoffSession, item: HandoffException): { allocations: Array<{ invoiceNo: string; amountCents: Cents }> } | { error: string } {
  const known = new Map(session.invoices.map((i) => [i.invoiceNo, i]));
  const allocations: Array<{ invoiceNo: string; amountCents: Cents }> = [];
  let total = 0;
  for (const l of lines) {
    const inv = known.get(l.invoiceNo);
    if (!inv) return { error: `Choose an invoice for every line (${l.invoiceNo || 'empty line'}).` };
    let amountCents: Cents;
    try {
      amountCents = parseDecimalToCents(l.amount);
    } catch {
      return { error: `"${l.amount}" is not an amount (invoice ${l.invoiceNo}).` };
    }
    if (amountCents <= 0) return { error: `The amount for invoice ${l.invoiceNo} must be more than zero.` };
    if (amountCents > inv.openBalanceCents) return { error: `Invoice ${l.invoiceNo} had ${formatAmount(inv.openBalanceCents, inv.currency)} open.` };
    total += amountCents;
    allocations.push({ invoiceNo: l.invoiceNo, amountCents });
  }
  if (allocations.length === 0) return { error: 'Add at least one invoice.' };
  if (total > item.amountCents) return { error: `The lines add up to ${formatAmount(total, item.currency)}, more than the payment's ${formatAmount(item.amountCents, item.currency)}.` };
  return { allocations };
}

export function DecisionForm({ session, item, onSaved }: Readonly<{ session: HandoffSession; item: HandoffException; onSaved: (s: HandoffSession) => void }>) {
  const earlier: HandoffDecision = session.decisions[String(item.transactionId)] ?? {};
  const [reason, setReason] = useState<ExceptionCode | ''>(earlier.exceptionReason !== undefined ? (earlier.exceptionReason ?? '') : (item.exception ?? ''));
  const [note, setNote] = useState(earlier.note ?? item.note ?? '');
  const [owner, setOwner] = useState(earlier.owner !== undefined ? (earlier.owner ?? '') : (item.owner ?? ''));
  const [customerId, setCustomerId] = useState(earlier.allocation?.customerId ?? item.customerId ?? '');
  const [lines, setLines] = useState<Line[]>(earlier.allocation ? linesOf(earlier.allocation.allocations) : linesOf(item.allocations));
  const [allocationTouched, setAllocationTouched] = useState(false);
  const [approve, setApprove] = useState(earlier.approve ?? false);
  const { busy, error, setError, run } = useFormSubmit();
  const [savedAt, setSavedAt] = useState<string | null>(null);

  const names = new Map(session.customers.map((c) => [c.customerId, c.name]));
  const customerInvoices = session.invoices.filter((i) => !customerId || i.customerId === customerId);
  const editLines = (next: Line[]) => {
    setLines(next);
    setAllocationTouched(true);
    setSavedAt(null);
  };

  const save = async () => {
    const decision: MethodArgs<'handoff:decide'>['decision'] = {};
    const origReason = item.exception ?? '';
    if (reason !== origReason || earlier.exceptionReason !== undefined) decision.exceptionReason = reason === '' ? null : reason;
    if (note !== (item.note ?? '') || earlier.note !== undefined) decision.note = note;
    if (owner.trim() !== (item.owner ?? '') || earlier.owner !== undefined) decision.owner = owner.trim() === '' ? null : owner.trim();
    if (allocationTouched || earlier.allocation || (approve && lines.length > 0)) {
      if (!customerId) return setError('Choose the customer the payment belongs to.');
      const parsed = parseLines(lines, session, item);
      if ('error' in parsed) return setError(parsed.error);
      decision.allocation = { customerId, allocations: parsed.allocations };
    }
    if (approve && !decision.allocation) return setError('To approve, pick a candidate or allocate the payment to at least one invoice.');
    if (approve || earlier.approve !== undefined) decision.approve = approve;
    if (Object.keys(decision).length === 0) return setError('Nothing changed: set a reason, a note, an owner or an allocation first.');
    await run(async () => {
      onSaved(await invoke('handoff:decide', { sessionId: session.sessionId, transactionId: item.transactionId, decision }));
      setSavedAt(new Date().toLocaleTimeString());
    });
  };

  return (
    <div className="hf-decision" data-testid="handoff-decision" data-transaction-id={item.transactionId}>
      <section>
        <h4>Candidates</h4>
        {item.candidates.length === 0 ? <p className="muted small">The matcher found no candidate: allocate by hand below, or set a reason.</p> : null}
        {item.candidates.map((c, i) => (
          <div key={i} className="hf-candidate" data-testid="handoff-candidate">
            <div>
              <strong>{c.customerId ? (names.get(c.customerId) ?? c.customerId) : 'Unknown customer'}</strong>
              <span className="muted small"> · score {formatScore(c.score)}</span>
              <div className="small">
                {c.allocations.map((a) => `${a.invoiceNo} ${formatAmount(a.amountCents, item.currency)}`).join(' · ') || 'no invoices'}
              </div>
              {c.blockers.length > 0 ? <div className="muted small">{c.blockers.join(' ')}</div> : null}
            </div>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              data-testid="handoff-candidate-use"
              disabled={!c.customerId || c.allocations.length === 0}
              onClick={() => {
                setCustomerId(c.customerId ?? '');
                editLines(linesOf(c.allocations));
              }}
            >
              Use
            </button>
          </div>
        ))}
      </section>

      <section>
        <h4>Allocation</h4>
        <div className="hf-row">
          <label htmlFor="hf-customer">Customer</label>
          <select
            id="hf-customer"
            data-testid="handoff-customer"
            value={customerId}
            onChange={(e) => {
              setCustomerId(e.target.value);
              editLines([]);
            }}
          >
            <option value="">—</option>
            {session.customers.map((c) => (
              <option key={c.customerId} value={c.customerId}>
                {c.name || c.customerId} ({c.customerId})
              </option>
            ))}
          </select>
        </div>
        {lines.map((l, i) => (
          <div key={i} className="hf-row" data-testid="handoff-alloc-line">
            <select aria-label={`Invoice of line ${i + 1}`} value={l.invoiceNo} onChange={(e) => editLines(lines.map((x, j) => (j === i ? { ...x, invoiceNo: e.target.value } : x)))}>
              <option value="">Invoice…</option>
              {customerInvoices.map((inv) => (
                <option key={inv.invoiceNo} value={inv.invoiceNo}>
                  {inv.invoiceNo} · {formatAmount(inv.openBalanceCents, inv.currency)} open
                </option>
              ))}
            </select>
            <input className="num" aria-label={`Amount of line ${i + 1}`} value={l.amount} inputMode="decimal" onChange={(e) => editLines(lines.map((x, j) => (j === i ? { ...x, amount: e.target.value } : x)))} />
            <button type="button" className="btn btn-ghost btn-sm" aria-label={`Remove line ${i + 1}`} onClick={() => editLines(lines.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-ghost btn-sm" data-testid="handoff-alloc-add" disabled={!customerId} onClick={() => editLines([...lines, { invoiceNo: '', amount: '' }])}>
          + Add invoice
        </button>
      </section>

      <section>
        <h4>Exception and note</h4>
        <div className="hf-row">
          <label htmlFor="hf-reason">Reason</label>
          <select
            id="hf-reason"
            data-testid="handoff-reason"
            value={reason}
            onChange={(e) => {
              setReason(e.target.value as ExceptionCode | '');
              setSavedAt(null);
            }}
          >
            <option value="">(none: the matcher decides)</option>
            {EXCEPTION_CODES.map((c) => (
              <option key={c} value={c}>
                {exceptionLabel(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="hf-row">
          <label htmlFor="hf-owner">Owner</label>
          <input id="hf-owner" data-testid="handoff-owner" value={owner} maxLength={128} placeholder="nobody" onChange={(e) => setOwner(e.target.value)} />
        </div>
        <textarea data-testid="handoff-note" aria-label="Note" rows={3} maxLength={2000} placeholder="Note for the clerk who imports this" value={note} onChange={(e) => setNote(e.target.value)} />
        <label className="checkbox">
          <input type="checkbox" data-testid="handoff-approve" checked={approve} onChange={(e) => setApprove(e.target.checked)} />
          Approve this allocation (the first installation re-checks it against fresh ERP and PayTrace data before posting)
        </label>
      </section>

      {error ? (
        <div className="hf-error" role="alert" data-testid="handoff-decision-error">
          {error}
        </div>
      ) : null}
      <div className="hf-buttons">
        {savedAt ? (
          <span className="muted small" data-testid="handoff-decision-saved">
            Decision recorded {savedAt}
          </span>
        ) : null}
        <button type="button" className="btn btn-primary" data-testid="handoff-decide" disabled={busy} onClick={() => void save()}>
          {busy ? 'Saving…' : 'Record decision'}
        </button>
      </div>
    </div>
  );
}
