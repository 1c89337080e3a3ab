import { useData, type BannerEntry, type RemoteId } from '../state/data-store';
import { AlertIcon, CheckIcon, CloseIcon } from './icons';

const NAMES: Record<RemoteId, string> = { paytrace: 'PayTrace', erp: 'ERP', engine: 'Tieout engine' };

function text(entry: BannerEntry, erpLabel: string): string {
  const name = entry.remote === 'erp' ? erpLabel : NAMES[entry.remote];
  if (entry.resolved) return `${name} is reachable again.`;
  if (entry.problem.reachability === 'offline') {
    return `${name} is offline. ${entry.problem.message ?? 'Tieout cannot reach it; data shown may be out of date.'}`;
  }
  return `${name} is failing: ${entry.problem.message ?? 'requests are being rejected.'}`;
}

export function Banner() {
  const banner = useData((s) => s.banner);
  const dismiss = useData((s) => s.dismissBanner);
  const erpLabel = useData((s) => s.info?.erpLabel ?? 'ERP');
  if (banner.length === 0) return null;
  return (
    <div className="banners">
      {banner.map((entry) => {
        const kind = entry.resolved ? 'resolved' : entry.problem.reachability;
        return (
          <div
            key={entry.remote}
            className={`banner banner-${kind}`}
            role={entry.resolved ? 'status' : 'alert'}
            data-testid="banner"
            data-remote={entry.remote}
            data-kind={kind}
          >
            {entry.resolved ? <CheckIcon size={16} /> : <AlertIcon />}
            <span className="banner-text">{text(entry, erpLabel)}</span>
            {entry.resolved ? (
              <button type="button" className="btn-link" data-testid="banner-dismiss" onClick={() => dismiss(entry.remote)} aria-label="Dismiss">
                <CloseIcon />
              </button>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
