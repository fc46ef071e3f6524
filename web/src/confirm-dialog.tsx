import { type ReactNode, useRef, useState } from 'react';
import { errorMessage } from './api';
import { FormError } from './feedback';
import { ModalDialog } from './modal-dialog';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  /** Text of the confirming button, e.g. "Revoke". */
  confirmLabel: string;
  /** The action; a rejection is shown in the dialog. */
  onConfirm: () => Promise<void>;
  /** After the action succeeded (the parent closes the dialog). */
  onConfirmed: () => void;
  onClose: () => void;
  /** Set when a successful action removes the button that opened the dialog. */
  returnFocus?: 'opener' | 'heading';
}

/** Asks before a destructive action; Cancel gets the initial focus. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onConfirmed,
  onClose,
  returnFocus = 'opener',
}: ConfirmDialogProps) {
  const succeeded = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
      return;
    }
    succeeded.current = true;
    onConfirmed();
  };

  return (
    <ModalDialog
      title={title}
      returnFocus={() => (succeeded.current ? returnFocus : 'opener')}
      onCancel={() => {
        if (!busy) onClose();
      }}
    >
      <div className="dialog-body">{children}</div>
      <FormError message={error} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} disabled={busy} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={confirm} disabled={busy}>
          {busy ? `${confirmLabel}…` : confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
}
