import { useCallback, useState } from 'react';
import { useCloseOnOutsideClick } from '../../ui/use-outside-click';
import type { ExportFile, ExportFormat } from '@shared/api/export';
import { errorMessage } from '../../api/client';
import { toast } from '../../state/toast-store';
import { deliverExport } from './deliver';
import './export.css';

// One export button for every grid and queue: the caller says what to export
// (a function that asks the engine for a file in the chosen format), the menu
// offers CSV and XLSX, shows it is busy, and hands the file to the shell.

export type ExportMenuProps = Readonly<{
  /** Asks the engine for the file (export:grid with the current view, export:list with a kind, …). */
  run: (format: ExportFormat) => Promise<ExportFile>;
  /** What the rows are, for the button's title and the toast: "transactions in this view". */
  what: string;
  testId?: string;
  label?: string;
  /** Further entries below the formats (the work queue adds the day's journal). */
  more?: ReadonlyArray<Readonly<{ label: string; testId: string; title?: string; onSelect: () => void }>>;
}>;

const FORMAT_LABELS: Readonly<Record<ExportFormat, string>> = { csv: 'CSV (.csv)', xlsx: 'Excel (.xlsx)' };

export function ExportMenu({ run, what, testId = 'export', label = 'Export', more = [] }: ExportMenuProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const closeMenu = useCallback(() => setOpen(false), []);
  const ref = useCloseOnOutsideClick(open, closeMenu);

  const exportAs = async (format: ExportFormat) => {
    setOpen(false);
    setBusy(format);
    try {
      const file = await run(format);
      const delivered = await deliverExport(file);
      if (delivered.error) toast('error', 'Export not saved', [delivered.error]);
      else if (delivered.saved) toast('success', `Exported ${file.rows.toLocaleString('en-US')} ${what}`, [file.fileName]);
    } catch (e) {
      toast('error', 'Export failed', [errorMessage(e)]);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="export-menu" ref={ref}>
      <button
        type="button"
        className="btn btn-secondary"
        data-testid={testId}
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={busy !== null}
        title={`Export the ${what} as CSV or Excel`}
        onClick={() => setOpen((o) => !o)}
      >
        {busy ? `Exporting ${busy.toUpperCase()}…` : label}
      </button>
      {open ? (
        <div className="export-menu-list" role="menu">
          {(Object.keys(FORMAT_LABELS) as ExportFormat[]).map((f) => (
            <button key={f} type="button" role="menuitem" className="export-menu-item" data-testid={`${testId}-${f}`} onClick={() => void exportAs(f)}>
              {FORMAT_LABELS[f]}
            </button>
          ))}
          {more.length > 0 ? <hr className="export-menu-rule" /> : null}
          {more.map((m) => (
            <button
              key={m.testId}
              type="button"
              role="menuitem"
              className="export-menu-item"
              data-testid={m.testId}
              title={m.title}
              onClick={() => {
                setOpen(false);
                m.onSelect();
              }}
            >
              {m.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
