import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { ApiError, api, errorMessage } from './api';
import type { AuthResponse } from './api-types';
import { FormError } from './feedback';
import { PageHeader } from './page-header';

const KNOWN_BROWSER_KEY = 'keywarden:has-account';

/** Whether someone has signed in from this browser before (to decide how loudly to offer sign-up). */
function isReturningVisitor(): boolean {
  try {
    return localStorage.getItem(KNOWN_BROWSER_KEY) === '1';
  } catch {
    return false;
  }
}

export function rememberReturningVisitor(): void {
  try {
    localStorage.setItem(KNOWN_BROWSER_KEY, '1');
  } catch {
    // Storage can be unavailable (private mode); the flag is only a nicety.
  }
}

interface AuthPageProps {
  onAuthenticated: (response: AuthResponse) => void;
  /** A message from the app, e.g. that the session expired. */
  notice?: string | null;
}

interface LoginPageProps extends AuthPageProps {
  /** Whether this server takes sign-ups (`GET /auth/options`); if not, no page offers them. */
  signupEnabled: boolean;
}

const ASK_FOR_ACCOUNT = "Ask your company's owner or admin for an account.";

function useSubmit(action: () => Promise<AuthResponse>, onAuthenticated: AuthPageProps['onAuthenticated']) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await action();
      rememberReturningVisitor();
      onAuthenticated(response);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

function Field(props: {
  label: string;
  type: 'text' | 'email' | 'password';
  value: string;
  onChange: (value: string) => void;
  autoComplete: string;
  hint?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="label">
        {props.label}
      </label>
      <input
        id={id}
        className="input"
        type={props.type}
        required
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        autoComplete={props.autoComplete}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      {props.hint && (
        <span id={`${id}-hint`} className="hint">
          {props.hint}
        </span>
      )}
    </div>
  );
}

function SignupInvite({ prominent }: { prominent: boolean }) {
  return prominent ? (
    <div className="callout callout-invite">
      <p className="callout-title">New to Keywarden?</p>
      <p>Create a workspace for your company and issue your first token in a minute.</p>
      <a className="button button-primary" href="#/signup">
        Sign up
      </a>
    </div>
  ) : (
    <p className="auth-switch">
      New to Keywarden? <a href="#/signup">Sign up</a>
    </p>
  );
}

export function LoginPage({ onAuthenticated, notice, signupEnabled }: LoginPageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [firstVisit] = useState(() => !isReturningVisitor());
  const { busy, error, submit } = useSubmit(
    () => api.login({ email: email.trim(), password }),
    onAuthenticated,
  );

  return (
    <div className="auth">
      {signupEnabled && firstVisit && <SignupInvite prominent />}
      <div className="card auth-card">
        <PageHeader title="Log in" />
        <p role="status" className={notice ? 'callout callout-info' : undefined}>
          {notice}
        </p>
        <form onSubmit={submit} className="stack">
          <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" />
          <Field
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
          />
          <FormError message={error} />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
        {signupEnabled ? (
          !firstVisit && <SignupInvite prominent={false} />
        ) : (
          <p className="auth-switch">No account yet? {ASK_FOR_ACCOUNT}</p>
        )}
      </div>
    </div>
  );
}

export function SignupPage({ onAuthenticated }: AuthPageProps) {
  const [company, setCompany] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(
    () => api.signup({ company: company.trim(), name: name.trim(), email: email.trim(), password }),
    onAuthenticated,
  );

  return (
    <div className="auth">
      <div className="card auth-card">
        <PageHeader title="Create your account">
          <p className="lede">You become the owner of a new company workspace.</p>
        </PageHeader>
        <form onSubmit={submit} className="stack">
          <Field
            label="Company"
            type="text"
            value={company}
            onChange={setCompany}
            autoComplete="organization"
          />
          <Field label="Your name" type="text" value={name} onChange={setName} autoComplete="name" />
          <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="email" />
          <Field
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            hint="Use a long password you do not use anywhere else."
          />
          <FormError message={error} />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Signing up…' : 'Sign up'}
          </button>
        </form>
        <p className="auth-switch">
          Already have an account? <a href="#/login">Log in</a>
        </p>
      </div>
    </div>
  );
}

/** `#/signup` on a server with `SIGNUP_ENABLED=false`: say so, rather than offer a form that must fail. */
export function SignupClosedPage() {
  return (
    <div className="auth">
      <div className="card auth-card">
        <PageHeader title="Sign-up is closed" />
        <p>Sign-up is closed on this server. {ASK_FOR_ACCOUNT}</p>
        <p className="auth-switch">
          Already have an account? <a href="#/login">Log in</a>
        </p>
      </div>
    </div>
  );
}

/** The shape of an invitation token (`kwi_` + 32 base62 characters): anything else cannot work. */
const INVITATION_TOKEN = /^kwi_[0-9A-Za-z]{32}$/;

function InvalidInvitation() {
  return (
    <div className="callout callout-error" role="alert">
      <p className="callout-title">This invitation link is invalid or has expired</p>
      <p>
        An invitation link works once, for 7 days, and only the newest one sent to you works. Ask your
        company's owner or admin for a new one.
      </p>
    </div>
  );
}

/**
 * `#/invite/<token>`: a user created by an owner or admin sets their first password, and is
 * logged in. An unknown, used or expired link says so instead of showing the form again.
 */
export function InvitePage({ token, onAuthenticated }: AuthPageProps & { token: string }) {
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [invalid, setInvalid] = useState(() => !INVITATION_TOKEN.test(token));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (password !== confirmation) {
      setError('The two passwords do not match.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const response = await api.acceptInvitation({ token, password });
      rememberReturningVisitor();
      onAuthenticated(response);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'invalid_invitation') setInvalid(true);
      else setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <div className="card auth-card">
        <PageHeader title="Set your password">
          {!invalid && <p className="lede">You were invited to Keywarden. Choose a password to log in.</p>}
        </PageHeader>
        {invalid ? (
          <InvalidInvitation />
        ) : (
          <form onSubmit={submit} className="stack">
            <Field
              label="New password"
              type="password"
              value={password}
              onChange={setPassword}
              autoComplete="new-password"
              hint="8 to 200 characters. Use a long password you do not use anywhere else."
            />
            <Field
              label="Confirm password"
              type="password"
              value={confirmation}
              onChange={setConfirmation}
              autoComplete="new-password"
            />
            <FormError message={error} />
            <button type="submit" className="button button-primary button-block" disabled={busy}>
              {busy ? 'Setting password…' : 'Set password and log in'}
            </button>
          </form>
        )}
        <p className="auth-switch">
          Already have a password? <a href="#/login">Log in</a>
        </p>
      </div>
    </div>
  );
}
