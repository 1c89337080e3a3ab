import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

// The one set of form controls for settings and dialogs: a labelled field, text,
// number and select inputs that report plain values, a submit button that shows
// its busy state, and the error line. Class names are the app's (styles.css).

export function Field({ label, hint, htmlFor, children, className }: Readonly<{ label: ReactNode; hint?: ReactNode; htmlFor: string; children: ReactNode; className?: string }>) {
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint ? <span className="field-hint">{hint}</span> : null}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'>;

export function TextInput({ value, onChange, testId, type = 'text', ...rest }: InputProps & Readonly<{ value: string; onChange: (value: string) => void; testId?: string; type?: 'text' | 'password' }>) {
  return <input {...rest} type={type} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)} />;
}

/** An integer input: an empty or unreadable entry keeps the current value. */
export function NumberInput({ value, onChange, testId, ...rest }: InputProps & Readonly<{ value: number; onChange: (value: number) => void; testId?: string }>) {
  return <input {...rest} type="number" data-testid={testId} value={value} onChange={(e) => onChange(integerOr(e.target.value, value))} />;
}

export function integerOr(text: string, fallback: number): number {
  const n = Number(text);
  return text.trim() === '' || !Number.isFinite(n) ? fallback : Math.trunc(n);
}

export type SelectOption<T extends string> = Readonly<{ value: T; label: ReactNode }>;

export function Select<T extends string>({
  value,
  options,
  onChange,
  testId,
  ...rest
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & Readonly<{ value: T; options: readonly SelectOption<T>[]; onChange: (value: T) => void; testId?: string }>) {
  return (
    <select {...rest} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value as T)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** A submit button that is disabled while its action runs, optionally with its own busy label. */
export function SubmitButton({
  busy,
  disabled,
  children,
  busyLabel,
  testId,
  className = 'btn btn-primary btn-sm',
  type = 'submit',
  onClick,
}: Readonly<{ busy: boolean; disabled?: boolean; children: ReactNode; busyLabel?: ReactNode; testId?: string; className?: string; type?: 'submit' | 'button'; onClick?: () => void }>) {
  return (
    <button type={type} className={className} data-testid={testId} disabled={busy || disabled === true} onClick={onClick}>
      {busy && busyLabel !== undefined ? busyLabel : children}
    </button>
  );
}

/** The error line of a form or panel; nothing when there is no error. */
export function ErrorText({ error, testId, className = 'error-text' }: Readonly<{ error: string | null | undefined; testId?: string; className?: string }>) {
  if (!error) return null;
  return (
    <p className={className} data-testid={testId}>
      {error}
    </p>
  );
}
