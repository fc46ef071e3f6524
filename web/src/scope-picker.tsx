import { useId } from 'react';
import { api } from './api';
import { Loading } from './feedback';
import { useResource } from './use-resource';

interface ScopePickerProps {
  selected: readonly string[];
  onChange: (scopes: string[]) => void;
  /** What a credential without scopes may do, e.g. "everything you can do". */
  fullAccessText: string;
  disabled?: boolean;
}

/** Optional scope checkboxes; none checked means the full access of the acting user. */
export function ScopePicker({ selected, onChange, fullAccessText, disabled }: ScopePickerProps) {
  const [scopes] = useResource(() => api.scopes(), []);
  const hintId = useId();
  const baseId = useId();

  const toggle = (name: string, checked: boolean) => {
    onChange(checked ? [...selected, name] : selected.filter((scope) => scope !== name));
  };

  return (
    <fieldset className="fieldset" aria-describedby={hintId} disabled={disabled}>
      <legend>Scopes (optional)</legend>
      <p id={hintId} className="hint">
        Leave every scope unchecked for full access: {fullAccessText}. Check scopes to limit it.
      </p>
      {scopes.state === 'loading' && <Loading>Loading scopes…</Loading>}
      {scopes.state === 'error' && <p className="form-error">Could not load scopes: {scopes.message}</p>}
      {scopes.state === 'ready' && scopes.data.data.length === 0 && (
        <p className="hint">No scopes available.</p>
      )}
      {scopes.state === 'ready' && scopes.data.data.length > 0 && (
        <ul className="checkbox-list">
          {scopes.data.data.map((scope, index) => {
            const id = `${baseId}-${index}`;
            return (
              <li key={scope.name}>
                <input
                  id={id}
                  type="checkbox"
                  checked={selected.includes(scope.name)}
                  onChange={(event) => toggle(scope.name, event.target.checked)}
                  aria-describedby={scope.description ? `${id}-description` : undefined}
                />
                <label htmlFor={id}>
                  <code>{scope.name}</code>
                </label>
                {scope.description && (
                  <span id={`${id}-description`} className="hint">
                    {scope.description}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
