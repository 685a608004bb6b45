import { useEffect, useState } from 'react';
import { claims, signOut, takeToken } from './api';
import { RangePicker } from './components/RangePicker';
import { Live } from './pages/Live';
import { Overview } from './pages/Overview';
import { Sessions } from './pages/Sessions';
import { Speakers } from './pages/Speakers';
import { SqlConsole } from './pages/SqlConsole';
import { Settings } from './pages/Settings';
import { SttQuality } from './pages/SttQuality';
import { presetRange, type Range } from './range';

const PAGES = {
  overview: 'Overview',
  quality: 'STT quality',
  speakers: 'Speakers',
  live: 'Live',
  sessions: 'Sessions',
  sql: 'SQL',
  settings: 'Settings',
} as const;
type Page = keyof typeof PAGES;

const pageFromHash = (): Page => {
  const h = window.location.hash.replace(/^#\/?/, '');
  return h in PAGES ? (h as Page) : 'overview';
};

/** Without a token nothing is shown: the service answers 401 to every request anyway. */
function SignIn(props: { onToken: (t: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <main className="signin" data-testid="signin">
      <h1>Backbone</h1>
      <p>
        Sign in with a token. <code>npm start</code> prints a link that signs you in.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) props.onToken(value.trim());
        }}
      >
        <textarea
          aria-label="Token"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          rows={4}
        />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

export function App() {
  const [token, setToken] = useState(takeToken);
  const [page, setPage] = useState<Page>(pageFromHash);
  const [range, setRange] = useState<Range>(() => presetRange('24h'));
  useEffect(() => {
    // A sign-in link opened in a tab that already shows the app changes only the hash.
    const onHash = () => {
      const given = takeToken();
      if (given) setToken(given);
      setPage(pageFromHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (!token)
    return (
      <SignIn
        onToken={(t) => {
          sessionStorage.setItem('backbone-token', t);
          setToken(t);
        }}
      />
    );
  const who = claims(token);
  const expired = who.exp !== undefined && who.exp * 1000 < Date.now();
  return (
    <div className="app">
      <header>
        <strong>Backbone</strong>
        <nav>
          {(Object.keys(PAGES) as Page[]).map((p) => (
            <a key={p} href={`#/${p}`} className={p === page ? 'active' : ''}>
              {PAGES[p]}
            </a>
          ))}
        </nav>
        {page !== 'live' && page !== 'sql' && page !== 'settings' && (
          <RangePicker value={range} onChange={setRange} />
        )}
        <span className="who">
          {who.tenant_id ?? '?'} · {who.role ?? '?'}
          <button
            onClick={() => {
              signOut();
              setToken(null);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      {expired && (
        <div className="state error" role="alert">
          Your token has expired: sign out and use a new one.
        </div>
      )}
      <main>
        <h1 className="page-title">{PAGES[page]}</h1>
        {page === 'overview' && <Overview token={token} range={range} />}
        {page === 'quality' && <SttQuality token={token} range={range} />}
        {page === 'speakers' && <Speakers token={token} range={range} />}
        {page === 'live' && <Live token={token} />}
        {page === 'sessions' && <Sessions token={token} range={range} />}
        {page === 'sql' && <SqlConsole token={token} admin={who.role === 'admin'} />}
        {page === 'settings' && <Settings token={token} admin={who.role === 'admin'} />}
      </main>
    </div>
  );
}
