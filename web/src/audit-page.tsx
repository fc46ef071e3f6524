import { api } from './api';
import type { User } from './api-types';
import { EmptyState, LoadError, Loading } from './feedback';
import { formatDateTime, isAdmin } from './format';
import { PageHeader } from './page-header';
import { hrefFor } from './routes';
import { useResource } from './use-resource';

export function AuditPage({ user }: { user: User }) {
  if (!isAdmin(user)) {
    return (
      <>
        <PageHeader title="Audit log" />
        <div className="callout callout-info">
          <p>Only owners and admins can view the audit log.</p>
        </div>
      </>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const [log, reload] = useResource(() => api.auditLog(), []);
  return (
    <>
      <PageHeader
        title="Audit log"
        actions={
          <button type="button" className="button" onClick={reload}>
            Refresh
          </button>
        }
      >
        <p className="lede">Every sign-in and every change to a credential in your company.</p>
      </PageHeader>
      {log.state === 'loading' && <Loading>Loading audit log…</Loading>}
      {log.state === 'error' && <LoadError message={log.message} onRetry={reload} />}
      {log.state === 'ready' &&
        (log.data.data.length === 0 ? (
          <EmptyState title="No audit events yet" />
        ) : (
          <table className="table table-stack">
            <caption className="sr-only">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Credential</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {log.data.data.map((entry) => (
                <tr key={entry.id}>
                  <td data-label="Time">
                    <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                  </td>
                  <td data-label="Action">
                    <code>{entry.action}</code>
                  </td>
                  <td data-label="Actor">{entry.actorEmail ?? entry.actorUserId ?? '—'}</td>
                  <td data-label="Credential">
                    {entry.credentialId ? (
                      <a href={hrefFor({ name: 'activity', id: entry.credentialId })}>
                        {entry.credentialName || entry.credentialId}
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label="IP">{entry.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </>
  );
}
