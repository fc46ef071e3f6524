import { type FormEvent, useId, useState } from 'react';
import { api, errorMessage } from './api';
import type { CreateApiKeyBody, IssuedCredential } from './api-types';
import { FormError } from './feedback';
import { formatDate } from './format';
import { ModalDialog } from './modal-dialog';
import { RevealStep } from './reveal-step';
import { ScopePicker } from './scope-picker';

const MAX_DAYS = 90;

interface CreateApiKeyDialogProps {
  onCreated: (issued: IssuedCredential) => void;
  onClose: () => void;
}

export function CreateApiKeyDialog({ onCreated, onClose }: CreateApiKeyDialogProps) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('30');
  const [scopes, setScopes] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const [escapePressed, setEscapePressed] = useState(false);
  const ids = useId();

  const dayCount = Number(days);
  const validDays = days.trim() !== '' && Number.isInteger(dayCount) && dayCount >= 1 && dayCount <= MAX_DAYS;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    if (!validDays) {
      setError(`Expiry must be a whole number of days from 1 to ${MAX_DAYS}.`);
      return;
    }
    const body: CreateApiKeyBody = { expiresInDays: dayCount };
    if (name.trim()) body.name = name.trim();
    if (scopes.length > 0) body.scopes = scopes;
    setBusy(true);
    try {
      const result = await api.createApiKey(body);
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
      <ModalDialog title="Copy your new API key" onCancel={cancel}>
        <RevealStep
          noun="API key"
          label="New API key"
          issued={issued}
          onDone={onClose}
          escapePressed={escapePressed}
        />
      </ModalDialog>
    );
  }

  return (
    <ModalDialog title="Create API key" onCancel={cancel}>
      <form onSubmit={submit} className="stack">
        <p className="hint">
          The key belongs to the company. Each request chooses the user it acts as with the{' '}
          <code>x-meetergo-api-user-id</code> header.
        </p>
        <div className="field">
          <label htmlFor={`${ids}-name`} className="label">
            Name (optional)
          </label>
          <input
            id={`${ids}-name`}
            className="input"
            type="text"
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-describedby={`${ids}-name-hint`}
            autoComplete="off"
            disabled={busy}
          />
          <span id={`${ids}-name-hint`} className="hint">
            For example “Production integration”.
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-days`} className="label">
            Expires in (days)
          </label>
          <input
            id={`${ids}-days`}
            className="input input-number"
            type="number"
            inputMode="numeric"
            required
            min={1}
            max={MAX_DAYS}
            step={1}
            value={days}
            onChange={(event) => setDays(event.target.value)}
            aria-describedby={`${ids}-days-hint`}
            disabled={busy}
          />
          <span id={`${ids}-days-hint`} className="hint">
            1 to {MAX_DAYS} days.
            {validDays &&
              ` The key will expire on ${formatDate(new Date(Date.now() + dayCount * 86_400_000).toISOString())}.`}
          </span>
        </div>

        <ScopePicker
          selected={scopes}
          onChange={setScopes}
          fullAccessText="everything the acting user can do"
          disabled={busy}
        />

        <FormError message={error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create API key'}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
