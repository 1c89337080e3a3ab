import { useEffect, useMemo, useRef, useState } from 'react';
import type { OpenInvoice, TransactionDetail } from '@shared/domain';
import { centsToDecimalString, type Cents } from '@shared/money';
import { formatAmount } from '../../format';
import { canSaveAllocation, checkAllocation, type LineDraft } from './allocation-math';
import { saveAllocation } from './review-actions';
import { useAction } from '../../api/query';

type Customer = Readonly<{ id: string; name: string | null }>;

/** Customers the engine already knows for this payment: its candidates and their invoices. */
function knownCustomers(d: TransactionDetail): Customer[] {
  const byId = new Map<string, string | null>();
  if (d.outcome.customerId) byId.set(d.outcome.customerId, null);
  for (const c of d.outcome.candidates) if (c.customerId && !byId.has(c.customerId)) byId.set(c.customerId, null);
  for (const inv of d.invoices) byId.set(inv.customerId, inv.customerName ?? byId.get(inv.customerId) ?? null);
  return [...byId].map(([id, name]) => ({ id, name }));
}

function initialLines(d: TransactionDetail): LineDraft[] {
  const source = d.outcome.allocations.length > 0 ? d.outcome.allocations : (d.outcome.candidates[0]?.allocations ?? []);
  if (source.length === 0) return [{ invoiceNo: '', amount: '' }];
  return source.map((a) => ({ invoiceNo: a.invoiceNo, amount: centsToDecimalString(a.amountCents) }));
}

function DifferenceLine({ difference, currency }: Readonly<{ difference: number; currency: string }>) {
  const state = difference === 0 ? 'balanced' : difference > 0 ? 'unapplied' : 'over';
  const label = state === 'balanced' ? 'Balanced' : state === 'unapplied' ? 'Left unapplied' : 'Over-allocated by';
  return (
    <div className={`alloc-total alloc-diff alloc-${state}`} data-testid="alloc-difference" data-cents={difference} data-state={state}>
      <span>{label}</span>
      <span className="num">{formatAmount(Math.abs(difference), currency)}</span>
    </div>
  );
}

export function AllocationEditor({ d, onClose }: Readonly<{ d: TransactionDetail; onClose: () => void }>) {
  const { row } = d;
  const customers = useMemo(() => knownCustomers(d), [d]);
  const [customerId, setCustomerId] = useState(d.outcome.customerId ?? d.outcome.candidates[0]?.customerId ?? '');
  const [lines, setLines] = useState<LineDraft[]>(() => initialLines(d));
  const saving = useAction(saveAllocation, (ok) => ok && onClose());
  const busy = saving.busy;
  const check = useMemo(() => checkAllocation(row.amountCents, lines), [row.amountCents, lines]);
  const invoicesByNo = useMemo(() => new Map(d.invoices.map((i) => [i.invoiceNo.toUpperCase(), i])), [d.invoices]);
  const suggestions: readonly OpenInvoice[] = d.invoices.filter((i) => !customerId.trim() || i.customerId === customerId.trim());
  const canSave = canSaveAllocation(check, customerId) && !busy;
  const listId = `alloc-invoices-${row.transactionId}`;
  const rootRef = useRef<HTMLDivElement>(null);
  // The editor opens below the candidates: bring it into view so the clerk sees what they are editing.
  // (Block body: newer Chromium returns a Promise from scrollIntoView, which must not become the effect's cleanup.)
  useEffect(() => {
    void rootRef.current?.scrollIntoView({ block: 'nearest' });
  }, []);

  const setLine = (i: number, patch: Partial<LineDraft>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const fillRemaining = (i: number) => {
    const others = checkAllocation(row.amountCents, lines.filter((_, j) => j !== i)).allocatedCents;
    const rest = row.amountCents - others;
    if (rest > 0) setLine(i, { amount: centsToDecimalString(rest as Cents) });
  };
  const save = (thenApprove: boolean) => saving.run(row.transactionId, customerId, check.lines, thenApprove);

  return (
    <div className="alloc-editor" data-testid="alloc-editor" ref={rootRef}>
      <div className="field">
        <label htmlFor="alloc-customer">Customer</label>
        <input
          id="alloc-customer"
          list={`${listId}-customers`}
          data-testid="alloc-customer"
          value={customerId}
          onChange={(e) => setCustomerId(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          placeholder="ERP customer id"
        />
        <datalist id={`${listId}-customers`}>
          {customers.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name ?? ''}
            </option>
          ))}
        </datalist>
        {customers.find((c) => c.id === customerId.trim())?.name ? <span className="field-hint">{customers.find((c) => c.id === customerId.trim())?.name}</span> : null}
      </div>

      <table className="alloc-lines">
        <thead>
          <tr>
            <th>Invoice</th>
            <th className="r">Open</th>
            <th className="r">Apply</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => {
            const inv = invoicesByNo.get(l.invoiceNo.trim().toUpperCase());
            const error = check.lineErrors[i];
            const touched = l.invoiceNo !== '' || l.amount !== '';
            return (
              <tr key={i} data-testid="alloc-line" className={error && touched ? 'alloc-line-bad' : undefined}>
                <td>
                  <input
                    className="mono"
                    list={listId}
                    data-testid="alloc-line-invoice"
                    aria-label={`Invoice number, line ${i + 1}`}
                    value={l.invoiceNo}
                    onChange={(e) => setLine(i, { invoiceNo: e.target.value })}
                    spellCheck={false}
                    autoComplete="off"
                    placeholder="Invoice no."
                  />
                  {error && touched ? <div className="alloc-error">{error}</div> : null}
                </td>
                <td className="r num muted">{inv ? formatAmount(inv.openBalanceCents, inv.currency) : '—'}</td>
                <td className="r">
                  <input
                    className="num alloc-amount"
                    inputMode="decimal"
                    data-testid="alloc-line-amount"
                    aria-label={`Amount to apply, line ${i + 1}`}
                    value={l.amount}
                    onChange={(e) => setLine(i, { amount: e.target.value })}
                    onDoubleClick={() => fillRemaining(i)}
                    placeholder="0.00"
                    title="Double-click to fill the remaining amount"
                  />
                </td>
                <td className="alloc-line-tools">
                  <button type="button" className="btn-link" title="Fill with the remaining amount" aria-label="Fill remaining" onClick={() => fillRemaining(i)}>
                    =
                  </button>
                  <button
                    type="button"
                    className="btn-link"
                    data-testid="alloc-line-remove"
                    title="Remove line"
                    aria-label={`Remove line ${i + 1}`}
                    disabled={lines.length === 1}
                    onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <datalist id={listId}>
        {suggestions.map((i) => (
          <option key={i.invoiceNo} value={i.invoiceNo}>
            {`${i.customerName ?? i.customerId} · open ${centsToDecimalString(i.openBalanceCents)}`}
          </option>
        ))}
      </datalist>
      <button type="button" className="btn btn-ghost btn-sm" data-testid="alloc-add-line" onClick={() => setLines((ls) => [...ls, { invoiceNo: '', amount: '' }])}>
        + Add invoice
      </button>

      <div className="alloc-totals">
        <div className="alloc-total">
          <span>Payment</span>
          <span className="num">{formatAmount(row.amountCents, row.currency)}</span>
        </div>
        <div className="alloc-total" data-testid="alloc-allocated" data-cents={check.allocatedCents}>
          <span>Allocated</span>
          <span className="num">{formatAmount(check.allocatedCents, row.currency)}</span>
        </div>
        <DifferenceLine difference={check.differenceCents} currency={row.currency} />
      </div>
      {check.state === 'unapplied' ? <p className="muted small alloc-note">The difference stays on the receipt as unapplied cash.</p> : null}
      {check.state === 'over' ? <p className="error-text small alloc-note">The lines add up to more than the payment. Reduce them to save.</p> : null}

      <div className="alloc-actions">
        <button type="button" className="btn btn-ghost btn-sm" data-testid="alloc-cancel" onClick={onClose}>
          Cancel
        </button>
        <span className="spacer" />
        <button type="button" className="btn btn-secondary btn-sm" data-testid="alloc-save" disabled={!canSave} onClick={() => save(false)}>
          Save allocation
        </button>
        <button type="button" className="btn btn-primary btn-sm" data-testid="alloc-save-approve" disabled={!canSave} onClick={() => save(true)}>
          Save &amp; approve
        </button>
      </div>
    </div>
  );
}
