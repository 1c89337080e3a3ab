import { useState, type ReactNode } from 'react';
import { readFileAsBase64 } from './handoff-files';
import { useFormSubmit } from '../../ui/use-form-submit';

// One form for both directions: pick a .tieout file, type its passphrase,
// and hand the bytes (base64) to `submit`. Any error stays on the form, in
// the engine's words (wrong passphrase or changed file, wrong kind of file…).

export function FilePassphraseForm({
  idPrefix,
  intro,
  submitLabel,
  busyLabel,
  submit,
  onCancel,
}: Readonly<{
  idPrefix: string;
  intro: ReactNode;
  submitLabel: string;
  busyLabel: string;
  submit: (base64: string, passphrase: string) => Promise<void>;
  onCancel: () => void;
}>) {
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const { busy, error, setError, run } = useFormSubmit();
  const go = async () => {
    if (!file) return setError('Choose a hand-off file (.tieout) first.');
    if (passphrase.length < 8) return setError('The passphrase has at least 8 characters.');
    await run(async () => {
      await submit(await readFileAsBase64(file), passphrase);
    });
  };
  return (
    <form
      className="hf-form"
      data-testid={`${idPrefix}-form`}
      onSubmit={(e) => {
        e.preventDefault();
        void go();
      }}
    >
      <div className="hf-intro">{intro}</div>
      <label htmlFor={`${idPrefix}-file`}>Hand-off file</label>
      <input
        id={`${idPrefix}-file`}
        type="file"
        accept=".tieout,application/octet-stream"
        data-testid={`${idPrefix}-file`}
        onChange={(e) => {
          setFile(e.target.files?.[0] ?? null);
          setError(null);
        }}
      />
      <label htmlFor={`${idPrefix}-passphrase`}>Passphrase</label>
      <input
        id={`${idPrefix}-passphrase`}
        type="password"
        autoComplete="off"
        value={passphrase}
        data-testid={`${idPrefix}-passphrase`}
        onChange={(e) => {
          setPassphrase(e.target.value);
          setError(null);
        }}
      />
      {error ? (
        <div className="hf-error" role="alert" data-testid={`${idPrefix}-error`}>
          {error}
        </div>
      ) : null}
      <div className="hf-buttons">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid={`${idPrefix}-submit`}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}
