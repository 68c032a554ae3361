/**
 * The shell: the login gate, the navigation (NeuVector's sections: Dashboard, Assets, Security
 * Risks, Settings) and the route table. Pages own their data; the shell owns only the session.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { api, clearSession, getToken, getUsername, SESSION_EXPIRED } from './api/client';
import { LoginPage } from './pages/login';
import { DashboardPage } from './pages/dashboard';
import { RegistriesPage } from './pages/registries';
import { RegistryPage } from './pages/registry';
import { ImagePage } from './pages/image';
import { SettingsPage } from './pages/settings';
import { VulnerabilitiesPage } from './pages/vulnerabilities';
import { CompliancePage } from './pages/compliance';
import { AssetPage, ASSET_KINDS } from './pages/assets';

interface NavItem {
  href: string;
  label: string;
}

const NAV: Array<{ section: string; items: NavItem[] }> = [
  { section: '', items: [{ href: '/', label: 'Dashboard' }] },
  {
    section: 'Assets',
    items: [{ href: '/assets/registries', label: 'Registries' }, ...ASSET_KINDS.map((k) => ({ href: `/assets/${k.path}`, label: k.title }))],
  },
  {
    section: 'Security Risks',
    items: [
      { href: '/risks/vulnerabilities', label: 'Vulnerabilities' },
      { href: '/risks/compliance', label: 'Compliance' },
    ],
  },
  { section: '', items: [{ href: '/settings', label: 'Settings' }] },
];

function isCurrent(location: string, href: string): boolean {
  return href === '/' ? location === '/' : location === href || location.startsWith(`${href}/`);
}

function Shell({ onLogout }: { onLogout: () => void }): ReactNode {
  const [location] = useLocation();
  const username = getUsername();
  // Each page starts with its heading in view and focus at the top of the main area.
  useEffect(() => {
    document.getElementById('main')?.scrollTo(0, 0);
  }, [location]);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Vigil
        </div>
        <nav aria-label="Main">
          {NAV.map((g, i) => (
            <div key={i} className="nav-group">
              {g.section && <div className="nav-section">{g.section}</div>}
              <ul>
                {g.items.map((it) => (
                  <li key={it.href}>
                    <Link href={it.href} className={`nav-link${isCurrent(location, it.href) ? ' current' : ''}`} aria-current={isCurrent(location, it.href) ? 'page' : undefined}>
                      {it.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="sidebar-foot">
          <span className="muted">Signed in as</span> <strong>{username}</strong>
          <button type="button" className="link-button" onClick={onLogout}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/" component={DashboardPage} />
          <Route path="/assets/registries" component={RegistriesPage} />
          <Route path="/assets/registries/:id">{(p) => <RegistryPage id={p.id} />}</Route>
          <Route path="/images/:digest">{(p) => <ImagePage digest={decodeURIComponent(p.digest)} />}</Route>
          {ASSET_KINDS.map((k) => (
            <Route key={k.path} path={`/assets/${k.path}`}>
              <AssetPage kind={k} />
            </Route>
          ))}
          <Route path="/risks/vulnerabilities" component={VulnerabilitiesPage} />
          <Route path="/risks/compliance" component={CompliancePage} />
          <Route path="/settings" component={SettingsPage} />
          <Route path="/login">
            <Redirect to="/" />
          </Route>
          <Route>
            <h1>Not found</h1>
            <p>
              There is no page here. <Link href="/">Back to the dashboard</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </div>
  );
}

export function App(): ReactNode {
  const [authed, setAuthed] = useState(() => getToken() !== null);
  const [location, navigate] = useLocation();
  useEffect(() => {
    const expired = (): void => setAuthed(false);
    window.addEventListener(SESSION_EXPIRED, expired);
    return () => window.removeEventListener(SESSION_EXPIRED, expired);
  }, []);

  if (!authed) {
    return (
      <LoginPage
        onLogin={() => {
          setAuthed(true);
          if (location === '/login') navigate('/');
        }}
      />
    );
  }
  return (
    <Shell
      onLogout={() => {
        void api('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
        clearSession();
        setAuthed(false);
      }}
    />
  );
}
