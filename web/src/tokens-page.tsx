import { useState } from 'react';
import { api } from './api';
import type { Credential, User } from './api-types';
import { ConfirmDialog } from './confirm-dialog';
import { CreateTokenDialog } from './create-token-dialog';
import { CredentialTable, RowButton } from './credential-table';
import { EmptyState, LoadError, Loading } from './feedback';
import { useFlash } from './flash';
import { credentialLabel, ROLE_LABEL } from './format';
import { PageHeader } from './page-header';
import { RollDialog } from './roll-dialog';
import { useResource } from './use-resource';

type DialogState =
  | { type: 'create' }
  | { type: 'revoke'; credential: Credential }
  | { type: 'roll'; credential: Credential }
  | null;

export function TokensPage({ user }: { user: User }) {
  const [tokens, reload] = useResource(() => api.listPats(), []);
  const [dialog, setDialog] = useState<DialogState>(null);
  const { notify } = useFlash();

  const close = () => setDialog(null);

  return (
    <>
      <PageHeader
        title="Personal access tokens"
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => setDialog({ type: 'create' })}
          >
            Create token
          </button>
        }
      >
        <p className="lede">
          A personal access token acts as you, with your role ({ROLE_LABEL[user.role]}). Send it as{' '}
          <code>Authorization: Bearer &lt;token&gt;</code>. It cannot manage users or act for anyone else.
        </p>
      </PageHeader>

      {tokens.state === 'loading' && <Loading>Loading personal access tokens…</Loading>}
      {tokens.state === 'error' && <LoadError message={tokens.message} onRetry={reload} />}
      {tokens.state === 'ready' &&
        (tokens.data.data.length === 0 ? (
          <EmptyState title="No personal access tokens yet">
            <p>Create one to call the API as yourself from scripts, CI or other tools.</p>
          </EmptyState>
        ) : (
          <CredentialTable
            caption="Your personal access tokens"
            credentials={tokens.data.data}
            renderActions={(credential) =>
              credential.status === 'revoked' ? null : (
                <>
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

      {dialog?.type === 'create' && (
        <CreateTokenDialog
          onCreated={(issued) => {
            reload();
            notify(`Token “${credentialLabel(issued.credential)}” created.`);
          }}
          onClose={close}
        />
      )}
      {dialog?.type === 'roll' && (
        <RollDialog
          credential={dialog.credential}
          noun="token"
          revealLabel="New personal access token"
          roll={(overlap) => api.rollPat(dialog.credential.id, overlap)}
          onRolled={() => {
            reload();
            notify(`Token “${credentialLabel(dialog.credential)}” rolled.`);
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
            await api.revokePat(dialog.credential.id);
          }}
          onConfirmed={() => {
            close();
            reload();
            notify(`Token “${credentialLabel(dialog.credential)}” revoked.`);
          }}
        >
          <p>
            Applications using <strong>{credentialLabel(dialog.credential)}</strong> lose access immediately.
            This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
