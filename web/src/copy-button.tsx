import { useEffect, useState } from 'react';

interface CopyButtonProps {
  text: string;
  /** Extra words for screen readers, e.g. "user ID of Ada Lovelace" → "Copy user ID of Ada Lovelace". */
  srLabel?: string;
  /** Return to "Copy" after this many milliseconds; by default "Copied!" stays. */
  resetAfterMs?: number;
  className?: string;
}

type CopyState = 'idle' | 'copied' | 'failed';

export function CopyButton({ text, srLabel, resetAfterMs, className = 'button' }: CopyButtonProps) {
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle' || resetAfterMs === undefined) return;
    const timer = setTimeout(() => setState('idle'), resetAfterMs);
    return () => clearTimeout(timer);
  }, [state, resetAfterMs]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };

  const visible = state === 'copied' ? 'Copied!' : state === 'failed' ? 'Copy failed' : 'Copy';
  return (
    <>
      <button type="button" className={`${className} copy-button`} onClick={copy} data-state={state}>
        {visible}
        {srLabel && <span className="sr-only"> {srLabel}</span>}
      </button>
      <span className="sr-only" aria-live="polite">
        {state === 'copied' && 'Copied to clipboard.'}
        {state === 'failed' && 'Could not copy. Select the text and copy it with your keyboard.'}
      </span>
    </>
  );
}
