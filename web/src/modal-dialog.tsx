import { type ReactNode, type SyntheticEvent, useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';

interface ModalDialogProps {
  title: string;
  /** Called on Escape; return without closing to keep the dialog open. */
  onCancel: () => void;
  children: ReactNode;
  /**
   * Where focus goes on close: back to the opener (default), or to the page heading when the
   * action removes the opener (a revoked credential loses its buttons).
   */
  returnFocus?: FocusTarget | (() => FocusTarget);
}

type FocusTarget = 'opener' | 'heading';

const FOCUSABLE =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/**
 * A modal `<dialog>`: focus moves into it on open (to `[data-autofocus]` or the first control) and
 * back to the control that opened it on close. The dialog is rendered outside `#root`, which is
 * hidden from assistive technology while the dialog is open.
 */
export function ModalDialog({ title, onCancel, children, returnFocus = 'opener' }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCancelRef = useRef(onCancel);
  onCancelRef.current = onCancel;
  const returnFocusRef = useRef(returnFocus);
  returnFocusRef.current = returnFocus;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const initial =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    initial?.focus();
    const root = document.getElementById('root');
    root?.setAttribute('aria-hidden', 'true');
    return () => {
      root?.removeAttribute('aria-hidden');
      if (dialog.open) dialog.close();
      const target =
        typeof returnFocusRef.current === 'function' ? returnFocusRef.current() : returnFocusRef.current;
      if (target === 'opener' && opener?.isConnected) opener.focus();
      else document.querySelector<HTMLElement>('main h1')?.focus();
    };
  }, []);

  const handleCancel = (event: SyntheticEvent<HTMLDialogElement>) => {
    // React state decides whether the dialog is shown; never let the browser close it by itself.
    event.preventDefault();
    onCancelRef.current();
  };

  return createPortal(
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onCancel={handleCancel}>
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>,
    document.body,
  );
}

/** Moves focus to an element when `key` changes (for a dialog that switches to a second step). */
export function useFocusOnChange<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect must re-run when `key` changes.
  useEffect(() => {
    ref.current?.focus();
  }, [key]);
  return ref;
}
