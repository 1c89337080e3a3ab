import { errorMessage } from '../../api/client';
import { useApiMutation } from '../../api/query';
import { CheckIcon, CloseIcon } from '../../components/icons';

// "Ask the ERP": what the configured system says about the settings public
// documentation could not settle (its services, definitions, reply form,
// columns, object ids), the same lines `tieout erp check` prints. Read-only;
// a CHECK line disagrees with a setting, and names it.

export function ErpDiscovery({ disabled }: Readonly<{ disabled: boolean }>) {
  const m = useApiMutation('erp:discover');
  return (
    <div className="erp-discovery">
      <button type="button" className="btn btn-secondary btn-sm" data-testid="erp-discover" onClick={() => m.mutate({})} disabled={disabled || m.isPending}>
        {m.isPending ? 'Asking the ERP…' : 'Ask the ERP what to set'}
      </button>
      {m.isError ? (
        <div className="test-result test-fail" data-testid="erp-discover-result">
          {errorMessage(m.error)}
        </div>
      ) : null}
      {m.isSuccess ? (
        <div className="test-result" data-testid="erp-discover-result">
          <ul className="checks">
            {m.data.lines.map((l, i) => (
              <li key={`${l.name}-${i}`} className={l.ok ? 'check-ok' : 'check-fail'} data-testid="erp-discover-line" data-ok={String(l.ok)}>
                {l.ok ? <CheckIcon size={12} /> : <CloseIcon size={12} />}
                <span className="check-name">{l.name}</span>
                <span className="muted">{l.value}</span>
                {l.setting ? <code className="muted">{l.setting}</code> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
