import { type ReactNode, useEffect, useId, useRef } from 'react';
import { CopyButton } from './copy-button';

interface SecretRevealProps {
  /** "token" or "API key", used in the texts. */
  noun: 'token' | 'API key';
  /** Label of the read-only field, e.g. "New personal access token". */
  label: string;
  secret: string;
  warning?: string | undefined;
  children?: ReactNode;
}

/** The one and only time a secret is shown: a read-only field with a Copy button. */
export function SecretReveal({ noun, label, secret, warning, children }: SecretRevealProps) {
  const inputId = useId();
  const warningId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  // The reveal replaces the form that had focus; put the keyboard user on the secret itself.
  useEffect(() => {
    inputRef.current?.focus();
  }, []);
  return (
    <div className="reveal">
      <p id={warningId} className="callout callout-warning reveal-warning">
        <strong>Make sure to copy your {noun} now. You won't be able to see it again.</strong>
      </p>
      <label htmlFor={inputId} className="label">
        {label}
      </label>
      <div className="copy-row">
        <input
          id={inputId}
          ref={inputRef}
          className="input secret"
          type="text"
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={warningId}
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton text={secret} className="button button-primary" />
      </div>
      {warning && <p className="callout callout-warning">{warning}</p>}
      {children}
    </div>
  );
}
