import { type ReactNode, useEffect } from 'react';

/** The page's `<h1>` (focused by the app after navigation) and document title. */
export function PageHeader({
  title,
  children,
  actions,
}: {
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Keywarden`;
  }, [title]);
  return (
    <div className="page-header">
      <div className="page-header-text">
        <h1 tabIndex={-1}>{title}</h1>
        {children}
      </div>
      {actions && <div className="page-header-actions">{actions}</div>}
    </div>
  );
}
