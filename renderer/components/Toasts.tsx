import { useToasts } from '../state/toast-store';
import { CloseIcon } from './icons';

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid="toast" data-tone={t.tone}>
          <div className="toast-body">
            <div className="toast-title">{t.title}</div>
            {t.lines.map((line, i) => (
              <div key={i} className="toast-line">
                {line}
              </div>
            ))}
          </div>
          <button type="button" className="btn-link" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <CloseIcon size={12} />
          </button>
        </div>
      ))}
    </div>
  );
}
