import { useEffect, useState } from 'react';

/** The dashboard's pages, addressed by the URL hash (`#/tokens`, `#/activity/<id>`, …). */
export type Route =
  | { name: 'login' }
  | { name: 'signup' }
  | { name: 'tokens' }
  | { name: 'api-keys' }
  | { name: 'audit' }
  | { name: 'activity'; id: string }
  /** The public page where an invited user sets their password (`#/invite/<token>`). */
  | { name: 'invite'; token: string }
  | { name: 'home' }
  | { name: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  // "" and in-page anchors such as "#main" (the skip link) are not routes.
  if (!path.startsWith('/')) return { name: 'home' };
  const [first, second, ...rest] = path.replace(/^\//, '').split('/');
  if (rest.length === 0 && second === undefined) {
    switch (first) {
      case 'login':
      case 'signup':
      case 'tokens':
      case 'api-keys':
      case 'audit':
        return { name: first };
    }
  }
  if (first === 'invite' && second && rest.length === 0) {
    try {
      return { name: 'invite', token: decodeURIComponent(second) };
    } catch {
      // A malformed escape: fall through to "not found".
    }
  }
  if (first === 'activity' && second && rest.length === 0) {
    try {
      return { name: 'activity', id: decodeURIComponent(second) };
    } catch {
      // A malformed escape: fall through to "not found".
    }
  }
  return { name: 'not-found', path };
}

export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'activity':
      return `#/activity/${encodeURIComponent(route.id)}`;
    case 'invite':
      return `#/invite/${encodeURIComponent(route.token)}`;
    case 'home':
      return '#/';
    case 'not-found':
      return `#${route.path}`;
    default:
      return `#/${route.name}`;
  }
}

/** Go to a page. `replace` swaps the current history entry (for redirects). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = hrefFor(route);
  if (options.replace) {
    history.replaceState(history.state, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}

/** The current route, kept in sync with `location.hash`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => {
      const hash = window.location.hash;
      // "#main" (the skip link) and other in-page anchors leave the current page alone.
      if (hash !== '' && hash !== '#' && !hash.startsWith('#/')) return;
      setRoute(parseHash(hash));
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
