import type { ErpOptionFieldInfo } from '@shared/api/erp';
import { errorMessage } from '../../api/client';
import { useErpKinds } from './erp-kinds';
import './erp-settings.css';

type OptionValue = string | number | boolean;
type Options = Readonly<Record<string, OptionValue>>;

function OptionInput({ field, value, onChange }: Readonly<{ field: ErpOptionFieldInfo; value: OptionValue; onChange: (v: OptionValue) => void }>) {
  const id = `erp-opt-${field.key}`;
  const testId = `settings-erp-option-${field.key}`;
  if (field.choices && field.choices.length > 0) {
    return (
      <select id={id} data-testid={testId} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        {field.choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  }
  if (typeof field.default === 'boolean') {
    return (
      <label className="checkbox">
        <input id={id} type="checkbox" data-testid={testId} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        {value === true ? 'On' : 'Off'}
      </label>
    );
  }
  if (typeof field.default === 'number') {
    return (
      <input
        id={id}
        type="number"
        data-testid={testId}
        value={String(value)}
        onChange={(e) => {
          const n = Number(e.target.value);
          onChange(e.target.value.trim() === '' || !Number.isFinite(n) ? field.default : n);
        }}
      />
    );
  }
  return <input id={id} data-testid={testId} value={String(value)} placeholder={String(field.default) || '(empty)'} spellCheck={false} onChange={(e) => onChange(e.target.value)} />;
}

/** The connector options of one ERP kind, with labels, defaults and help from the engine; values equal to the default are not stored. */
export function ErpOptionFields({ kind, options, onChange }: Readonly<{ kind: string; options: Options; onChange: (next: Record<string, OptionValue>) => void }>) {
  const { data: kinds, error } = useErpKinds();
  if (error) return <p className="error-text small">Could not load the options of this ERP: {errorMessage(error)}</p>;
  if (!kinds) return <p className="muted small">Loading options…</p>;
  const info = kinds.find((k) => k.kind === kind);
  if (!info) return <p className="muted small">This ERP kind is not available in this build.</p>;
  const fieldKeys = new Set(info.optionFields.map((f) => f.key));
  const set = (field: ErpOptionFieldInfo, v: OptionValue) => {
    const next: Record<string, OptionValue> = { ...options };
    if (v === field.default) delete next[field.key];
    else next[field.key] = v;
    onChange(next);
  };
  const stray = Object.keys(options).filter((k) => !fieldKeys.has(k));
  const unconfirmed = info.optionFields.filter((f) => f.unconfirmed).length;
  return (
    <div className="erp-options" data-testid="settings-erp-options" data-kind={kind}>
      <div className="options-title">
        {info.label} options
        {unconfirmed > 0 ? (
          <span className="muted small erp-options-note">
            {unconfirmed} marked <span className="unconfirmed-badge">unconfirmed</span> are assumptions from public documentation: check them with your site.
          </span>
        ) : null}
      </div>
      {info.optionFields.length === 0 ? <p className="muted small">This ERP needs no extra options.</p> : null}
      <div className="erp-option-grid">
        {info.optionFields.map((f) => {
          const value = options[f.key] ?? f.default;
          const changed = options[f.key] !== undefined && options[f.key] !== f.default;
          return (
            <div key={f.key} className={`field erp-option${changed ? ' erp-option-changed' : ''}`} data-testid={`settings-erp-field-${f.key}`}>
              <label htmlFor={`erp-opt-${f.key}`}>
                {f.label}
                {f.unconfirmed ? (
                  <span className="unconfirmed-badge" title="Unconfirmed: check with your site" data-testid={`settings-erp-unconfirmed-${f.key}`}>
                    unconfirmed — check with your site
                  </span>
                ) : null}
              </label>
              <OptionInput field={f} value={value} onChange={(v) => set(f, v)} />
              <span className="field-hint">
                {f.help}
                <span className="erp-default">
                  {' '}
                  Default: <span className="mono">{String(f.default) === '' ? '(empty)' : String(f.default)}</span>
                  {changed ? (
                    <button type="button" className="link-button" onClick={() => set(f, f.default)}>
                      reset
                    </button>
                  ) : null}
                </span>
              </span>
            </div>
          );
        })}
      </div>
      {stray.length > 0 ? (
        <p className="muted small">
          Also stored, not used by {info.label}: <span className="mono">{stray.join(', ')}</span>{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              const next: Record<string, OptionValue> = {};
              for (const [k, v] of Object.entries(options)) if (fieldKeys.has(k)) next[k] = v;
              onChange(next);
            }}
          >
            remove
          </button>
        </p>
      ) : null}
    </div>
  );
}
