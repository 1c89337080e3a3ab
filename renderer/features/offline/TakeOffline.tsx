import { useState } from 'react';
import { invoke } from '../../api/client';
import { useFormSubmit } from '../../ui/use-form-submit';
import { toast } from '../../state/toast-store';
import { downloadBase64 } from '../handoff/handoff-files';
import './offline.css';

// "Take offline": the open exceptions, encrypted under a passphrase, for
// review on another Tieout installation. The file is saved in the data folder
// and offered as a download.

export function TakeOfflineButton() {
  const [open, setOpen] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, setError, run } = useFormSubmit();
  const close = () => {
    setOpen(false);
    setPassphrase('');
    setConfirm('');
    setError(null);
  };
  const submit = async () => {
    if (passphrase.length < 8) return setError('Use a passphrase of at least 8 characters.');
    if (passphrase !== confirm) return setError('The two passphrases differ.');
    await run(async () => {
      const r = await invoke('handoff:export', { passphrase });
      downloadBase64(r.fileName, r.base64);
      toast('success', `Exported ${r.count} open exception(s)`, [r.path]);
      close();
    });
  };
  return (
    <>
      <button type="button" className="btn btn-secondary" data-testid="take-offline" onClick={() => setOpen(true)} title="Export the open exceptions to an encrypted file">
        Take offline
      </button>
      {open ? (
        <div className="handoff-dialog" role="dialog" aria-label="Take offline">
          <form
            className="handoff-card"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <strong>Take the open exceptions offline</strong>
            <p>The file is encrypted with this passphrase. Share the passphrase separately from the file.</p>
            <label htmlFor="handoff-pass">Passphrase</label>
            <input id="handoff-pass" type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} data-testid="handoff-passphrase" />
            <label htmlFor="handoff-pass2">Repeat passphrase</label>
            <input id="handoff-pass2" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} data-testid="handoff-passphrase-confirm" />
            {error ? <div className="handoff-error">{error}</div> : null}
            <div className="handoff-buttons">
              <button type="button" className="btn btn-secondary" onClick={close}>
                Cancel
              </button>
              <button type="submit" className="btn btn-primary" disabled={busy} data-testid="handoff-export">
                {busy ? 'Encrypting…' : 'Export'}
              </button>
            </div>
          </form>
        </div>
      ) : null}
    </>
  );
}
