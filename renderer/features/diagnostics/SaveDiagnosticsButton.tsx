import { useState } from 'react';
import { errorMessage, invoke } from '../../api/client';
import { toast } from '../../state/toast-store';
import { useData } from '../../state/data-store';
import { downloadBase64 } from '../handoff/handoff-files';

// "Save diagnostics" for support: versions, settings without secrets, counts,
// the audit check and the recent log, as one .json.gz. The browser downloads
// it; the desktop app asks where to save it (Electron's download dialog).

export function SaveDiagnosticsButton() {
  const [busy, setBusy] = useState(false);
  const version = useData((s) => s.info?.version);
  const save = async () => {
    setBusy(true);
    try {
      const r = await invoke('diagnostics:save', {});
      downloadBase64(r.fileName, r.base64);
      toast('success', 'Diagnostics saved', [`${r.fileName} (${Math.max(1, Math.round(r.bytes / 1024))} KB). It holds no password or card number.`]);
    } catch (e) {
      toast('error', 'Could not save diagnostics', [errorMessage(e)]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {version ? <span className="muted small" data-testid="app-version">Tieout {version}</span> : null}
      <button type="button" className="btn btn-ghost btn-sm" data-testid="save-diagnostics" disabled={busy} onClick={() => void save()} title="Versions, settings without secrets, counts and the recent log, for support">
        {busy ? 'Saving…' : 'Save diagnostics'}
      </button>
    </>
  );
}
