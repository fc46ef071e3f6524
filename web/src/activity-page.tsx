import { api } from './api';
import type { ActivityEntry, Credential, User } from './api-types';
import { EmptyState, LoadError, Loading } from './feedback';
import { credentialLabel, formatDateTime, isAdmin, STATUS_LABEL, userName } from './format';
import { PageHeader } from './page-header';
import { hrefFor } from './routes';
import { useResource } from './use-resource';

/** Finds the credential among the lists the user may read, for the page title. */
async function findCredential(id: string, user: User): Promise<Credential | null> {
  const lists = [api.listPats()];
  if (isAdmin(user)) lists.push(api.listApiKeys());
  const settled = await Promise.allSettled(lists);
  for (const result of settled) {
    if (result.status !== 'fulfilled') continue;
    const found = result.value.data.find((credential) => credential.id === id);
    if (found) return found;
  }
  return null;
}

/** Activity entries have no id: key them by content, numbering exact repeats. */
function withKeys(entries: ActivityEntry[]): { key: string; entry: ActivityEntry }[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const base = `${entry.at}|${entry.method}|${entry.route}|${entry.status}|${entry.ip}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return { key: `${base}|${count}`, entry };
  });
}

async function loadUsers(user: User): Promise<Map<string, User>> {
  const users = isAdmin(user) ? await api.users().catch(() => [user]) : [user];
  return new Map(users.map((member) => [member.id, member]));
}

export function ActivityPage({ id, user }: { id: string; user: User }) {
  const [activity, reload] = useResource(() => api.activity(id), [id]);
  const [credential] = useResource(() => findCredential(id, user), [id, user]);
  const [users] = useResource(() => loadUsers(user), [user]);

  const found = credential.state === 'ready' ? credential.data : null;
  const backTo = found?.kind === 'api_key' ? 'api-keys' : 'tokens';
  const title = found ? `Activity for ${credentialLabel(found)}` : 'Credential activity';

  const actingUser = (actingUserId: string | null): string => {
    if (!actingUserId) return '—';
    if (actingUserId === user.id) return `You (${user.email})`;
    const member = users.state === 'ready' ? users.data.get(actingUserId) : undefined;
    return member ? `${userName(member)} (${member.email})` : actingUserId;
  };

  return (
    <>
      <p className="breadcrumb">
        <a href={hrefFor({ name: backTo })}>
          ← Back to {backTo === 'api-keys' ? 'API keys' : 'personal access tokens'}
        </a>
      </p>
      <PageHeader title={title}>
        {found ? (
          <p className="lede">
            <code className="masked">{found.maskedValue}</code> ·{' '}
            <span className={`badge badge-status badge-${found.status}`}>{STATUS_LABEL[found.status]}</span> ·{' '}
            {found.expiresLabel}
          </p>
        ) : (
          <p className="lede">
            Credential <code>{id}</code>
          </p>
        )}
      </PageHeader>

      {activity.state === 'loading' && <Loading>Loading activity…</Loading>}
      {activity.state === 'error' && <LoadError message={activity.message} onRetry={reload} />}
      {activity.state === 'ready' &&
        (activity.data.data.length === 0 ? (
          <EmptyState title="No requests yet">
            <p>Requests made with this credential will appear here.</p>
          </EmptyState>
        ) : (
          <table className="table table-stack">
            <caption className="sr-only">Recent requests made with this credential, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Method</th>
                <th scope="col">Route</th>
                <th scope="col">Status</th>
                <th scope="col">IP</th>
                <th scope="col">Acting user</th>
              </tr>
            </thead>
            <tbody>
              {withKeys(activity.data.data).map(({ key, entry }) => (
                <tr key={key}>
                  <td data-label="Time">
                    <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                  </td>
                  <td data-label="Method">
                    <code>{entry.method}</code>
                  </td>
                  <td data-label="Route">
                    <code className="route">{entry.route}</code>
                  </td>
                  <td data-label="Status">
                    <span className={entry.status >= 400 ? 'http-status http-error' : 'http-status'}>
                      {entry.status}
                    </span>
                  </td>
                  <td data-label="IP">{entry.ip ?? '—'}</td>
                  <td data-label="Acting user" title={entry.userAgent ?? undefined}>
                    {actingUser(entry.actingUserId)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </>
  );
}
