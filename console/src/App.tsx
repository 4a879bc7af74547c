/**
 * The console's shell: sign-in, then one screen at a time chosen by the URL's hash (#employees,
 * #runs/<runId>…), so the browser's back button and a bookmarked link work, and the source the
 * screens act on.
 */
import { useEffect, useMemo, useState } from 'react';
import { createApi, forgetToken, storedToken, storeToken } from './api';
import { ApiContext } from './hooks';
import { SourcePicker } from './SourcePicker';
import { SignIn } from './screens/SignIn';
import { Connections } from './screens/Connections';
import { Employees } from './screens/Employees';
import { SyncScreen } from './screens/Sync';
import { Runs } from './screens/Runs';
import { Policy } from './screens/Policy';

export type Source = 'BAMBOOHR' | 'NAMELY';

/** What every screen is handed: the source it acts on, and a way to open another screen. */
export interface ScreenProps {
  source: Source;
  /** The part of the hash after the screen's name, e.g. a run id. */
  detail: string | undefined;
  navigate: (hash: string) => void;
}

const SCREENS = [
  { id: 'employees', title: 'Employees', Screen: Employees },
  { id: 'sync', title: 'Sync', Screen: SyncScreen },
  { id: 'runs', title: 'Runs', Screen: Runs },
  { id: 'policy', title: 'Policy', Screen: Policy },
  { id: 'connections', title: 'Connections', Screen: Connections },
] as const;

function useHash(): [string, string | undefined] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const [screen = '', ...rest] = hash.replace(/^#/, '').split('/');
  return [screen, rest.length ? decodeURIComponent(rest.join('/')) : undefined];
}

export function App() {
  const [token, setToken] = useState(storedToken);
  const api = useMemo(() => (token ? createApi(token) : null), [token]);
  useEffect(() => () => api?.close(), [api]);
  const [source, setSource] = useState<Source>('BAMBOOHR');
  const [screenId, detail] = useHash();
  const current = SCREENS.find((screen) => screen.id === screenId) ?? SCREENS[0];

  if (!api) {
    return (
      <SignIn
        onSignedIn={(accepted) => {
          storeToken(accepted);
          setToken(accepted);
        }}
      />
    );
  }
  const signOut = () => {
    forgetToken();
    setToken(null);
  };
  const navigate = (hash: string) => {
    location.hash = hash;
  };
  const { Screen } = current;
  return (
    <ApiContext.Provider value={api}>
      <header className="top">
        <h1>rostergate</h1>
        <nav aria-label="Screens">
          <ul>
            {SCREENS.map((screen) => (
              <li key={screen.id}>
                <a href={`#${screen.id}`} aria-current={screen === current ? 'page' : undefined}>
                  {screen.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SourcePicker source={source} onChange={setSource} />
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Screen key={`${current.id}/${source}`} source={source} detail={detail} navigate={navigate} />
      </main>
    </ApiContext.Provider>
  );
}
