import { useState } from 'react';
import { api, errorMessage } from './api';
import type { Credential, User } from './api-types';
import { ConfirmDialog } from './confirm-dialog';
import { CopyButton } from './copy-button';
import { CreateApiKeyDialog } from './create-api-key-dialog';
import { CredentialTable, RowButton } from './credential-table';
import { EmptyState, LoadError, Loading } from './feedback';
import { useFlash } from './flash';
import { credentialLabel, isAdmin, ROLE_LABEL, userName } from './format';
import { PageHeader } from './page-header';
import { RollDialog } from './roll-dialog';
import { useResource } from './use-resource';

type DialogState =
  | { type: 'create' }
  | { type: 'revoke'; credential: Credential }
  | { type: 'roll'; credential: Credential }
  | null;

export function ApiKeysPage({ user }: { user: User }) {
  if (!isAdmin(user)) {
    return (
      <>
        <PageHeader title="API keys" />
        <div className="callout callout-info">
          <p>Only owners and admins can manage API keys.</p>
          <p>
            Ask an owner or admin of your company for access, or use a{' '}
            <a href="#/tokens">personal access token</a> to call the API as yourself.
          </p>
        </div>
      </>
    );
  }
  return <ApiKeysManager />;
}

function ApiKeysManager() {
  const [keys, reload] = useResource(() => api.listApiKeys(), []);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [pending, setPending] = useState<string | null>(null);
  const { notify } = useFlash();
  const close = () => setDialog(null);

  const toggleActive = async (credential: Credential) => {
    const activate = credential.status === 'deactivated';
    setPending(credential.id);
    try {
      if (activate) await api.activateApiKey(credential.id);
      else await api.deactivateApiKey(credential.id);
      notify(`API key “${credentialLabel(credential)}” ${activate ? 'activated' : 'deactivated'}.`);
      reload();
    } catch (caught) {
      notify(errorMessage(caught), 'error');
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      <PageHeader
        title="API keys"
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => setDialog({ type: 'create' })}
          >
            Create API key
          </button>
        }
      >
        <p className="lede">
          Platform API keys belong to the company and can act as any of its users. They expire after 1 to 90
          days. Deactivate a key to pause it; revoke it to end it for good.
        </p>
      </PageHeader>

      {keys.state === 'loading' && <Loading>Loading API keys…</Loading>}
      {keys.state === 'error' && <LoadError message={keys.message} onRetry={reload} />}
      {keys.state === 'ready' &&
        (keys.data.data.length === 0 ? (
          <EmptyState title="No API keys yet">
            <p>Create one to connect a server-side integration that works on behalf of your users.</p>
          </EmptyState>
        ) : (
          <CredentialTable
            caption="Your company's API keys"
            credentials={keys.data.data}
            renderActions={(credential) =>
              credential.status === 'revoked' ? null : (
                <>
                  {(credential.status === 'active' || credential.status === 'deactivated') && (
                    <RowButton
                      verb={credential.status === 'active' ? 'Deactivate' : 'Activate'}
                      credential={credential}
                      disabled={pending === credential.id}
                      onClick={() => toggleActive(credential)}
                    />
                  )}
                  {credential.status === 'active' && !credential.replacedById && (
                    <RowButton
                      verb="Roll"
                      credential={credential}
                      onClick={() => setDialog({ type: 'roll', credential })}
                    />
                  )}
                  <RowButton
                    verb="Revoke"
                    variant="danger"
                    credential={credential}
                    onClick={() => setDialog({ type: 'revoke', credential })}
                  />
                </>
              )
            }
          />
        ))}

      <ActingUserHelp />

      {dialog?.type === 'create' && (
        <CreateApiKeyDialog
          onCreated={(issued) => {
            reload();
            notify(`API key “${credentialLabel(issued.credential)}” created.`);
          }}
          onClose={close}
        />
      )}
      {dialog?.type === 'roll' && (
        <RollDialog
          credential={dialog.credential}
          noun="API key"
          revealLabel="New API key"
          roll={(overlap) => api.rollApiKey(dialog.credential.id, overlap)}
          onRolled={() => {
            reload();
            notify(`API key “${credentialLabel(dialog.credential)}” rolled.`);
          }}
          onClose={close}
        />
      )}
      {dialog?.type === 'revoke' && (
        <ConfirmDialog
          title={`Revoke ${credentialLabel(dialog.credential)}?`}
          confirmLabel="Revoke"
          returnFocus="heading"
          onClose={close}
          onConfirm={async () => {
            await api.revokeApiKey(dialog.credential.id);
          }}
          onConfirmed={() => {
            close();
            reload();
            notify(`API key “${credentialLabel(dialog.credential)}” revoked.`);
          }}
        >
          <p>
            Integrations using <strong>{credentialLabel(dialog.credential)}</strong> lose access immediately.
            Revoking is permanent; to pause a key instead, deactivate it.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** Explains `x-meetergo-api-user-id` and lists the user ids it accepts. */
function ActingUserHelp() {
  const [users, reload] = useResource(() => api.users(), []);
  return (
    <section className="help-box" aria-labelledby="acting-user-heading">
      <h2 id="acting-user-heading">
        Choosing the user: <code>x-meetergo-api-user-id</code>
      </h2>
      <p>
        An API key acts as the user named by the <code>x-meetergo-api-user-id</code> header, with that user's
        role. Most endpoints require the header; without it, <code>GET /v4/user/me</code> and{' '}
        <code>POST /v4/user</code> act as the company owner. The user must belong to your company.
      </p>
      <pre className="code-block">
        <code>
          {`curl ${window.location.origin}/v4/meeting-type \\\n`}
          {'  -H "Authorization: Bearer ak_live:…" \\\n'}
          {'  -H "x-meetergo-api-user-id: <user id>"'}
        </code>
      </pre>
      <h3>Your company's users</h3>
      {users.state === 'loading' && <Loading>Loading users…</Loading>}
      {users.state === 'error' && <LoadError message={users.message} onRetry={reload} />}
      {users.state === 'ready' &&
        (users.data.length === 0 ? (
          <p>No users found.</p>
        ) : (
          <table className="table table-stack">
            <caption className="sr-only">Users an API key can act as</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">User ID</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((member) => (
                <tr key={member.id}>
                  <th scope="row" data-label="Name">
                    {userName(member)}
                  </th>
                  <td data-label="Email">{member.email}</td>
                  <td data-label="Role">{ROLE_LABEL[member.role] ?? member.role}</td>
                  <td data-label="User ID">
                    <span className="id-cell">
                      <code className="user-id">{member.id}</code>
                      <CopyButton
                        text={member.id}
                        srLabel={`user ID of ${userName(member)}`}
                        resetAfterMs={3000}
                        className="button button-small"
                      />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
