import { useCallback, useEffect, useRef, useState } from 'react';
import { ActivityPage } from './activity-page';
import { ApiError, api, errorMessage, UNAUTHORIZED_EVENT } from './api';
import { ApiKeysPage } from './api-keys-page';
import type { AuthResponse, Company, User } from './api-types';
import { AuditPage } from './audit-page';
import { InvitePage, LoginPage, SignupClosedPage, SignupPage } from './auth-pages';
import { LoadError, Loading } from './feedback';
import { FlashOutlet, useFlash } from './flash';
import { isAdmin, ROLE_LABEL, userName } from './format';
import { PageHeader } from './page-header';
import { hrefFor, navigate, type Route, useRoute } from './routes';
import { TokensPage } from './tokens-page';

type Session =
  | { state: 'loading' }
  | { state: 'anonymous' }
  | { state: 'error'; message: string }
  | { state: 'user'; user: User; company: Company | null };

const PUBLIC_ROUTES: readonly Route['name'][] = ['login', 'signup'];

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const [notice, setNotice] = useState<string | null>(null);
  const returnTo = useRef<Route | null>(null);
  const loggedOut = useRef(false);
  const { clear: clearFlash } = useFlash();

  const loadSession = useCallback(() => {
    setSession({ state: 'loading' });
    api.session().then(
      ({ user, company }) => setSession({ state: 'user', user, company }),
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setSession({ state: 'anonymous' });
        else setSession({ state: 'error', message: errorMessage(error) });
      },
    );
  }, []);

  useEffect(loadSession, [loadSession]);

  // Whether the server takes sign-ups decides what the login pages offer, so they wait for it.
  // If the question fails, offer sign-up (the server's default): the form then shows the answer.
  const [signupEnabled, setSignupEnabled] = useState<boolean | null>(null);
  useEffect(() => {
    api.authOptions().then(
      (options) => setSignupEnabled(options.signupEnabled),
      () => setSignupEnabled(true),
    );
  }, []);

  // Any 401 from the API means the cookie session is gone (expired, or logged out elsewhere).
  useEffect(() => {
    const onUnauthorized = () => {
      if (sessionRef.current.state !== 'user') return;
      setNotice('Your session has ended. Log in again to continue.');
      setSession({ state: 'anonymous' });
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);

  // Keep the URL and the session consistent.
  useEffect(() => {
    // An invitation link is for anyone: logged out, or logged in as someone else on this browser.
    if (route.name === 'invite') return;
    if (session.state === 'anonymous' && !PUBLIC_ROUTES.includes(route.name)) {
      // Come back here after logging in, unless the user just logged out on purpose.
      if (loggedOut.current) loggedOut.current = false;
      else if (route.name !== 'home' && route.name !== 'not-found') returnTo.current = route;
      navigate({ name: 'login' }, { replace: true });
    } else if (session.state === 'user' && (PUBLIC_ROUTES.includes(route.name) || route.name === 'home')) {
      navigate(returnTo.current ?? { name: 'tokens' }, { replace: true });
      returnTo.current = null;
    }
  }, [session, route]);

  // After navigating, move focus to the new page's heading so screen readers announce it. Not for
  // the redirects of the initial load, before the user did anything: the page starts at the top.
  const routeKey = hrefFor(route);
  const userActed = useRef(false);
  useEffect(() => {
    const acted = () => {
      userActed.current = true;
    };
    window.addEventListener('keydown', acted, { once: true, capture: true });
    window.addEventListener('pointerdown', acted, { once: true, capture: true });
    return () => {
      window.removeEventListener('keydown', acted, { capture: true });
      window.removeEventListener('pointerdown', acted, { capture: true });
    };
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every page change.
  useEffect(() => {
    if (!userActed.current) return;
    clearFlash();
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [routeKey]);

  const onAuthenticated = (response: AuthResponse) => {
    loggedOut.current = false;
    setNotice(null);
    setSession({ state: 'user', user: response.user, company: response.company ?? null });
  };

  // The invitation link has done its job: leave it out of the history and show the tokens page.
  const onInvitationAccepted = (response: AuthResponse) => {
    returnTo.current = null;
    onAuthenticated(response);
    navigate({ name: 'tokens' }, { replace: true });
  };

  const logout = async () => {
    try {
      await api.logout();
    } catch {
      // Even if the server call fails, forget the session locally.
    }
    returnTo.current = null;
    loggedOut.current = true;
    setNotice('You have logged out.');
    setSession({ state: 'anonymous' });
  };

  const user = session.state === 'user' ? session.user : null;
  const invite = route.name === 'invite' && (session.state === 'anonymous' || user) ? route : null;

  return (
    <>
      <SiteHeader
        user={user}
        company={session.state === 'user' ? session.company : null}
        route={route}
        onLogout={logout}
      />
      <main id="main" tabIndex={-1} className="main">
        <FlashOutlet />
        {(session.state === 'loading' ||
          (session.state === 'anonymous' && signupEnabled === null && !invite)) && (
          <Loading>Loading Keywarden…</Loading>
        )}
        {session.state === 'error' && (
          <>
            <PageHeader title="Keywarden is unavailable" />
            <LoadError message={session.message} onRetry={loadSession} />
          </>
        )}
        {invite && (
          <InvitePage key={invite.token} token={invite.token} onAuthenticated={onInvitationAccepted} />
        )}
        {session.state === 'anonymous' &&
          !invite &&
          signupEnabled !== null &&
          (route.name !== 'signup' ? (
            <LoginPage onAuthenticated={onAuthenticated} notice={notice} signupEnabled={signupEnabled} />
          ) : signupEnabled ? (
            <SignupPage onAuthenticated={onAuthenticated} />
          ) : (
            <SignupClosedPage />
          ))}
        {user && !invite && <AuthenticatedPage route={route} user={user} />}
      </main>
    </>
  );
}

function AuthenticatedPage({ route, user }: { route: Route; user: User }) {
  switch (route.name) {
    case 'api-keys':
      return <ApiKeysPage user={user} />;
    case 'audit':
      return <AuditPage user={user} />;
    case 'activity':
      return <ActivityPage key={route.id} id={route.id} user={user} />;
    case 'not-found':
      return (
        <>
          <PageHeader title="Page not found" />
          <p>
            There is nothing at <code>{route.path}</code>. Go to your{' '}
            <a href="#/tokens">personal access tokens</a>.
          </p>
        </>
      );
    default:
      // `tokens`, and `home`/`login`/`signup` for the moment before the redirect.
      return <TokensPage user={user} />;
  }
}

interface SiteHeaderProps {
  user: User | null;
  company: Company | null;
  route: Route;
  onLogout: () => void;
}

function SiteHeader({ user, company, route, onLogout }: SiteHeaderProps) {
  const links: { route: Route; label: string }[] = user
    ? [
        { route: { name: 'tokens' }, label: 'Personal access tokens' },
        ...(isAdmin(user)
          ? [
              { route: { name: 'api-keys' } as Route, label: 'API keys' },
              { route: { name: 'audit' } as Route, label: 'Audit log' },
            ]
          : []),
      ]
    : [];
  return (
    <header className="site-header">
      {/* Hashes that do not start with "#/" are in-page anchors, not routes (see routes.ts). */}
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <div className="site-header-inner">
        <a className="brand" href={user ? '#/tokens' : '#/login'}>
          <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <circle cx="8" cy="12" r="4" fill="none" stroke="currentColor" strokeWidth="2.2" />
            <path d="M12 12h9M18 12v3.5M21 12v2.5" fill="none" stroke="currentColor" strokeWidth="2.2" />
          </svg>
          Keywarden
        </a>
        {user && (
          <nav aria-label="Main" className="site-nav">
            <ul>
              {links.map((link) => (
                <li key={link.label}>
                  <a
                    href={hrefFor(link.route)}
                    aria-current={route.name === link.route.name ? 'page' : undefined}
                  >
                    {link.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {user && (
          <div className="account">
            <span className="account-who">
              <span className="account-name">{userName(user)}</span>
              <span className="account-meta">
                {ROLE_LABEL[user.role]}
                {company ? ` · ${company.name}` : ''}
              </span>
            </span>
            <button type="button" className="button button-small" onClick={onLogout}>
              Log out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}
