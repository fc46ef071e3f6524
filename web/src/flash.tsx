import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';

type FlashKind = 'success' | 'error';

interface Flash {
  kind: FlashKind;
  message: string;
  /** A new node per message, so the same text twice in a row is announced twice. */
  serial: number;
}

interface FlashApi {
  notify: (message: string, kind?: FlashKind) => void;
  clear: () => void;
}

const FlashApiContext = createContext<FlashApi>({ notify: () => {}, clear: () => {} });
const FlashStateContext = createContext<Flash | null>(null);

/** Page-level status messages ("Token revoked."), shown under the header. */
export function FlashProvider({ children }: { children: ReactNode }) {
  const [flash, setFlash] = useState<Flash | null>(null);
  const notify = useCallback((message: string, kind: FlashKind = 'success') => {
    setFlash((previous) => ({ kind, message, serial: (previous?.serial ?? 0) + 1 }));
  }, []);
  const clear = useCallback(() => setFlash(null), []);
  const api = useMemo(() => ({ notify, clear }), [notify, clear]);
  return (
    <FlashApiContext.Provider value={api}>
      <FlashStateContext.Provider value={flash}>{children}</FlashStateContext.Provider>
    </FlashApiContext.Provider>
  );
}

export function useFlash(): FlashApi {
  return useContext(FlashApiContext);
}

/**
 * Both live regions stay mounted (a region inserted together with its text is often not read);
 * successes are polite, failures assertive.
 */
export function FlashOutlet() {
  const flash = useContext(FlashStateContext);
  const { clear } = useContext(FlashApiContext);
  return (
    <div className="flash-outlet">
      <div role="status" className={flash?.kind === 'success' ? 'flash flash-success' : 'flash-empty'}>
        {flash?.kind === 'success' && (
          <FlashBody key={flash.serial} message={flash.message} onDismiss={clear} />
        )}
      </div>
      <div role="alert" className={flash?.kind === 'error' ? 'flash flash-error' : 'flash-empty'}>
        {flash?.kind === 'error' && (
          <FlashBody key={flash.serial} message={flash.message} onDismiss={clear} />
        )}
      </div>
    </div>
  );
}

function FlashBody({ message, onDismiss }: { message: string; onDismiss: () => void }) {
  return (
    <>
      <span>{message}</span>
      <button type="button" className="button-link flash-dismiss" onClick={onDismiss}>
        Dismiss
      </button>
    </>
  );
}
