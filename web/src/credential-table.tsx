import type { ReactNode } from 'react';
import type { Credential } from './api-types';
import { expiryWarning, formatDateTime, formatRelative, rowLabel, STATUS_LABEL } from './format';
import { hrefFor } from './routes';

interface CredentialTableProps {
  caption: string;
  credentials: Credential[];
  /** Buttons for one row; the Activity link is added by the table. */
  renderActions: (credential: Credential) => ReactNode;
}

/** Personal access tokens or API keys, one row each; stacks into cards on narrow screens. */
export function CredentialTable({ caption, credentials, renderActions }: CredentialTableProps) {
  return (
    <table className="table table-stack credential-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value</th>
          <th scope="col">Expires</th>
          <th scope="col">Status</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {credentials.map((credential) => (
          <CredentialRow key={credential.id} credential={credential} actions={renderActions(credential)} />
        ))}
      </tbody>
    </table>
  );
}

function CredentialRow({ credential, actions }: { credential: Credential; actions: ReactNode }) {
  const label = rowLabel(credential);
  const warning = expiryWarning(credential);
  const dead = credential.status === 'revoked';
  return (
    <tr className={dead ? 'row-dead' : undefined}>
      <th scope="row" data-label="Name">
        <span className="credential-name">{credential.name.trim() || <em>Unnamed key</em>}</span>
        <span className="cell-meta">
          {credential.scopes && credential.scopes.length > 0 ? (
            <>
              Scopes:{' '}
              {credential.scopes.map((scope, index) => (
                <span key={scope}>
                  {index > 0 && ', '}
                  <code>{scope}</code>
                </span>
              ))}
            </>
          ) : (
            'Full access'
          )}
        </span>
        <span className="cell-meta">
          Created <time dateTime={credential.createdAt}>{formatDateTime(credential.createdAt)}</time>
        </span>
      </th>
      <td data-label="Value">
        <code className="masked">{credential.maskedValue}</code>
      </td>
      <td data-label="Expires">
        {credential.expiresAt ? (
          <time dateTime={credential.expiresAt} title={formatDateTime(credential.expiresAt)}>
            {credential.expiresLabel}
          </time>
        ) : (
          <span>{credential.expiresLabel}</span>
        )}
        {warning && ' '}
        {warning === 'never' && <span className="badge badge-warning">No expiry</span>}
        {warning === 'soon' && <span className="badge badge-warning">Expires soon</span>}
      </td>
      <td data-label="Status">
        <span className={`badge badge-status badge-${credential.status}`}>
          {STATUS_LABEL[credential.status]}
        </span>
        {credential.replacedById && <span className="cell-meta">Rolled: replaced by a newer one</span>}
      </td>
      <td data-label="Last used">
        {credential.lastUsedAt ? (
          <>
            <time dateTime={credential.lastUsedAt} title={formatDateTime(credential.lastUsedAt)}>
              {formatRelative(credential.lastUsedAt)}
            </time>
            {credential.lastUsedIp && <span className="cell-meta">from {credential.lastUsedIp}</span>}
          </>
        ) : (
          <span className="muted">Never used</span>
        )}
      </td>
      <td data-label="Actions" className="cell-actions">
        <div className="row-actions">
          <a
            className="button button-small"
            href={hrefFor({ name: 'activity', id: credential.id })}
            aria-label={`Activity for ${label}`}
          >
            Activity
          </a>
          {actions}
        </div>
      </td>
    </tr>
  );
}

interface RowButtonProps {
  verb: string;
  credential: Credential;
  onClick: () => void;
  variant?: 'danger';
  disabled?: boolean;
}

/** A row action whose accessible name includes the credential, e.g. "Revoke my-token" (see `rowLabel`). */
export function RowButton({ verb, credential, onClick, variant, disabled }: RowButtonProps) {
  return (
    <button
      type="button"
      className={variant === 'danger' ? 'button button-small button-danger-quiet' : 'button button-small'}
      aria-label={`${verb} ${rowLabel(credential)}`}
      onClick={onClick}
      disabled={disabled}
    >
      {verb}
    </button>
  );
}
