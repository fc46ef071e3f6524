import { type FormEvent, useId, useState } from 'react';
import { errorMessage } from './api';
import type { Credential, IssuedCredential } from './api-types';
import { FormError } from './feedback';
import { credentialLabel } from './format';
import { ModalDialog } from './modal-dialog';
import { RevealStep } from './reveal-step';

const OVERLAPS = [
  { seconds: 0, label: 'Immediately', hint: 'The old one stops working right away.' },
  { seconds: 3_600, label: '1 hour', hint: undefined },
  { seconds: 86_400, label: '24 hours', hint: 'Recommended: time to deploy the new one.' },
  { seconds: 604_800, label: '7 days', hint: undefined },
] as const;

const DEFAULT_OVERLAP = 86_400;

interface RollDialogProps {
  credential: Credential;
  noun: 'token' | 'API key';
  revealLabel: string;
  roll: (overlapSeconds: number) => Promise<IssuedCredential>;
  /** Called as soon as the new secret exists (to refresh the list behind the dialog). */
  onRolled: (issued: IssuedCredential) => void;
  onClose: () => void;
}

/** Replaces a credential's secret, keeping the old one alive for a chosen overlap window. */
export function RollDialog({ credential, noun, revealLabel, roll, onRolled, onClose }: RollDialogProps) {
  const [overlap, setOverlap] = useState<number>(DEFAULT_OVERLAP);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const [escapePressed, setEscapePressed] = useState(false);
  const baseId = useId();
  const name = credentialLabel(credential);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await roll(overlap);
      setIssued(result);
      onRolled(result);
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

  return (
    <ModalDialog title={issued ? `Copy your new ${noun}` : `Roll ${name}`} onCancel={cancel}>
      {issued ? (
        <RevealStep
          noun={noun}
          label={revealLabel}
          issued={issued}
          onDone={onClose}
          escapePressed={escapePressed}
        />
      ) : (
        <form onSubmit={submit} className="stack">
          <p>
            Rolling issues a new secret for <strong>{name}</strong> with the same name and scopes. How long
            should the current {noun} keep working, so you can update your applications?
          </p>
          <fieldset className="fieldset" disabled={busy}>
            <legend>Old {noun} keeps working</legend>
            <ul className="radio-list">
              {OVERLAPS.map((option) => {
                const id = `${baseId}-${option.seconds}`;
                return (
                  <li key={option.seconds}>
                    <input
                      id={id}
                      type="radio"
                      name={`${baseId}-overlap`}
                      value={option.seconds}
                      checked={overlap === option.seconds}
                      onChange={() => setOverlap(option.seconds)}
                      aria-describedby={option.hint ? `${id}-hint` : undefined}
                      data-autofocus={overlap === option.seconds ? '' : undefined}
                    />
                    <label htmlFor={id}>{option.label}</label>
                    {option.hint && (
                      <span id={`${id}-hint`} className="hint">
                        {option.hint}
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
            <p className="hint">The old {noun} never outlives its own expiry date.</p>
          </fieldset>
          <FormError message={error} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Rolling…' : 'Roll'}
            </button>
          </div>
        </form>
      )}
    </ModalDialog>
  );
}
