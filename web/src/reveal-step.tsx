import type { IssuedCredential } from './api-types';
import { formatDateTime } from './format';
import { SecretReveal } from './secret-reveal';

interface RevealStepProps {
  noun: 'token' | 'API key';
  label: string;
  issued: IssuedCredential;
  onDone: () => void;
  /** Set when Escape was pressed on this step. */
  escapePressed: boolean;
}

/**
 * The second step of the create and roll dialogs. Only "Done" closes it, so a stray Escape cannot
 * throw away a secret that will never be shown again.
 */
export function RevealStep({ noun, label, issued, onDone, escapePressed }: RevealStepProps) {
  const previous = issued.previous;
  return (
    <>
      <SecretReveal noun={noun} label={label} secret={issued.token} warning={issued.warning}>
        <p className="hint">
          Send it in the <code>Authorization</code> header as{' '}
          <code>Bearer &lt;{noun === 'token' ? 'token' : 'key'}&gt;</code>.
        </p>
        {previous && (
          <p className="hint">
            {previous.status === 'active' && previous.expiresAt
              ? `The previous ${noun} keeps working until ${formatDateTime(previous.expiresAt)}.`
              : `The previous ${noun} no longer works.`}
          </p>
        )}
      </SecretReveal>
      <p role="status" className="hint">
        {escapePressed && `Copy your ${noun} first, then choose Done to close this dialog.`}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </>
  );
}
