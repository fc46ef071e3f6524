import { type FormEvent, useId, useState } from 'react';
import { api, errorMessage } from './api';
import type { CreatePatBody, IssuedCredential, PatExpiryPreset } from './api-types';
import { FormError } from './feedback';
import { formatDate } from './format';
import { ModalDialog } from './modal-dialog';
import { RevealStep } from './reveal-step';
import { ScopePicker } from './scope-picker';

type ExpiryChoice = PatExpiryPreset | 'custom';

const EXPIRY_OPTIONS: { value: ExpiryChoice; label: string }[] = [
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '6m', label: '6 months' },
  { value: '1y', label: '1 year' },
  { value: 'never', label: 'No expiration' },
  { value: 'custom', label: 'Custom date' },
];

/** The same arithmetic as the server, for the "expires on" preview only. */
function previewExpiry(choice: ExpiryChoice, now: Date): Date | null {
  const at = new Date(now.getTime());
  switch (choice) {
    case '30d':
      return new Date(now.getTime() + 30 * 86_400_000);
    case '90d':
      return new Date(now.getTime() + 90 * 86_400_000);
    case '6m':
      at.setUTCMonth(at.getUTCMonth() + 6);
      return at;
    case '1y':
      at.setUTCFullYear(at.getUTCFullYear() + 1);
      return at;
    default:
      return null;
  }
}

/** `YYYY-MM-DD` of a local date. */
function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A picked date means "valid through that day": the end of the day in the user's time zone. */
function endOfLocalDay(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [, year, month, date] = match.map(Number);
  if (year === undefined || month === undefined || date === undefined) return null;
  return new Date(year, month - 1, date, 23, 59, 59, 999);
}

interface CreateTokenDialogProps {
  onCreated: (issued: IssuedCredential) => void;
  onClose: () => void;
}

export function CreateTokenDialog({ onCreated, onClose }: CreateTokenDialogProps) {
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<ExpiryChoice>('30d');
  const [customDate, setCustomDate] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const [escapePressed, setEscapePressed] = useState(false);
  const ids = useId();

  const today = new Date();
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  const preview = previewExpiry(expiry, today);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Give the token a name.');
      return;
    }
    let body: CreatePatBody;
    if (expiry === 'custom') {
      const at = endOfLocalDay(customDate);
      if (!at || customDate < isoDay(tomorrow)) {
        setError('Choose an expiration date in the future.');
        return;
      }
      body = { name: trimmed, expiresAt: at.toISOString() };
    } else {
      body = { name: trimmed, expiresIn: expiry };
    }
    if (scopes.length > 0) body.scopes = scopes;

    setBusy(true);
    try {
      const result = await api.createPat(body);
      setIssued(result);
      onCreated(result);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const cancel = () => {
    if (issued) setEscapePressed(true);
    else if (!busy) onClose();
  };

  if (issued) {
    return (
      <ModalDialog title="Copy your new token" onCancel={cancel}>
        <RevealStep
          noun="token"
          label="New personal access token"
          issued={issued}
          onDone={onClose}
          escapePressed={escapePressed}
        />
      </ModalDialog>
    );
  }

  return (
    <ModalDialog title="Create personal access token" onCancel={cancel}>
      <form onSubmit={submit} className="stack" aria-describedby={`${ids}-intro`}>
        <p id={`${ids}-intro`} className="hint">
          The token acts as you, with your role and permissions.
        </p>
        <div className="field">
          <label htmlFor={`${ids}-name`} className="label">
            Name
          </label>
          <input
            id={`${ids}-name`}
            className="input"
            type="text"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-describedby={`${ids}-name-hint`}
            autoComplete="off"
            disabled={busy}
          />
          <span id={`${ids}-name-hint`} className="hint">
            What is this token for? For example “CI deploys” or “Analytics export”.
          </span>
        </div>

        <fieldset className="fieldset" disabled={busy}>
          <legend>Expiration</legend>
          <ul className="radio-list radio-grid">
            {EXPIRY_OPTIONS.map((option) => (
              <li key={option.value}>
                <input
                  id={`${ids}-expiry-${option.value}`}
                  type="radio"
                  name={`${ids}-expiry`}
                  value={option.value}
                  checked={expiry === option.value}
                  onChange={() => setExpiry(option.value)}
                />
                <label htmlFor={`${ids}-expiry-${option.value}`}>{option.label}</label>
              </li>
            ))}
          </ul>
          {preview && <p className="hint">The token will expire on {formatDate(preview.toISOString())}.</p>}
          {expiry === 'never' && (
            <p className="callout callout-warning">
              <strong>Not recommended.</strong> A token without an expiration date works until you revoke it.
              Prefer an expiration date and roll the token when it comes due.
            </p>
          )}
          {expiry === 'custom' && (
            <div className="field">
              <label htmlFor={`${ids}-date`} className="label">
                Expiration date
              </label>
              <input
                id={`${ids}-date`}
                className="input input-date"
                type="date"
                required
                min={isoDay(tomorrow)}
                value={customDate}
                onChange={(event) => setCustomDate(event.target.value)}
                aria-describedby={`${ids}-date-hint`}
              />
              <span id={`${ids}-date-hint`} className="hint">
                Must be in the future. The token works until the end of that day.
              </span>
            </div>
          )}
        </fieldset>

        <ScopePicker
          selected={scopes}
          onChange={setScopes}
          fullAccessText="everything you can do"
          disabled={busy}
        />

        <FormError message={error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
