import { useEffect, useState } from 'preact/hooks';
import { AgentPage, agentTab } from './agent-page.js';
import { Agents } from './agents.js';
import { Audit } from './audit.js';
import { EventPage } from './event-page.js';
import { Events } from './events.js';
import { Hooks } from './hooks.js';
import { Login } from './login.js';
import { Overview } from './overview.js';
import { RunPage, Runs } from './runs.js';
import { Secrets } from './secrets.js';
import { currentSession, logOut } from './session.js';
import { StackPage } from './stack-page.js';
import { Stacks } from './stacks.js';

type Phase = 'loading' | 'login' | 'ready' | { error: string };

/**
 * The screen the address's #fragment names: #/overview (the default), #/agents, #/agents/NAME (its tabs:
 * #/agents/NAME/system, /metrics, /work, /work/ID, /events, /exec), #/runs, #/runs/ID, #/stacks, #/stacks/NAME, #/events
 * (#/events?run=ID: a run's), #/events/ID, #/hooks, #/secrets, #/audit.
 */
function useRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#/, '') || '/overview';
}

/** The dashboard: the login page until the server knows this browser, then the screens. */
export function App() {
  const [phase, setPhase] = useState<Phase>('loading');
  const [tokenRequired, setTokenRequired] = useState(true);
  const [control, setControl] = useState(false);
  const route = useRoute();
  const check = () => {
    currentSession()
      .then((s) => {
        setTokenRequired(s.tokenRequired);
        setControl(s.control === true);
        setPhase(s.csrf ? 'ready' : 'login');
      })
      .catch((err: unknown) => setPhase({ error: `the server does not answer: ${String(err)}` }));
  };
  useEffect(check, []);
  if (phase === 'loading') return <p class="empty">Loading…</p>;
  if (phase === 'login') return <Login onLoggedIn={check} />;
  if (typeof phase === 'object') return <p class="error">{phase.error}</p>;
  const lost = () => setPhase('login');
  const runId = /^\/runs\/(.+)$/.exec(route)?.[1];
  const agentRoute = /^\/agents\/([^/]+)(?:\/([^/]*)(?:\/(.+))?)?$/.exec(route);
  const eventId = /^\/events\/(.+)$/.exec(route)?.[1];
  // The Events screen, with filters in the address: #/events?run=ID.
  const eventsRoute = /^\/events(?:\?(.*))?$/.exec(route);
  const stackName = /^\/stacks\/(.+)$/.exec(route)?.[1];
  return (
    <>
      <header>
        <strong>Sloth Runner</strong>
        <nav>
          <a href="#/overview" class={route === '/overview' ? 'current' : ''}>
            Overview
          </a>
          <a href="#/agents" class={route.startsWith('/agents') ? 'current' : ''}>
            Agents
          </a>
          <a href="#/runs" class={route.startsWith('/runs') ? 'current' : ''}>
            Runs
          </a>
          <a href="#/stacks" class={route.startsWith('/stacks') ? 'current' : ''}>
            Stacks
          </a>
          <a href="#/events" class={route.startsWith('/events') ? 'current' : ''}>
            Events
          </a>
          <a href="#/hooks" class={route === '/hooks' ? 'current' : ''}>
            Hooks
          </a>
          <a href="#/secrets" class={route === '/secrets' ? 'current' : ''}>
            Secrets
          </a>
          <a href="#/audit" class={route === '/audit' ? 'current' : ''}>
            Audit
          </a>
        </nav>
        {tokenRequired && (
          <button type="button" onClick={() => void logOut().then(() => setPhase('login'))}>
            Log out
          </button>
        )}
      </header>
      <main>
        {agentRoute ? (
          <AgentPage
            name={decodeURIComponent(agentRoute[1] as string)}
            tab={agentTab(agentRoute[2] ?? '')}
            workId={agentRoute[3] === undefined ? undefined : decodeURIComponent(agentRoute[3])}
            control={control}
            onUnauthenticated={lost}
          />
        ) : eventId !== undefined ? (
          <EventPage id={decodeURIComponent(eventId)} onUnauthenticated={lost} />
        ) : stackName !== undefined ? (
          <StackPage name={decodeURIComponent(stackName)} onUnauthenticated={lost} />
        ) : runId !== undefined ? (
          <RunPage id={decodeURIComponent(runId)} onUnauthenticated={lost} />
        ) : route.startsWith('/runs') ? (
          <Runs onUnauthenticated={lost} />
        ) : route.startsWith('/stacks') ? (
          <Stacks onUnauthenticated={lost} />
        ) : eventsRoute ? (
          <Events key={route} run={new URLSearchParams(eventsRoute[1]).get('run') ?? ''} onUnauthenticated={lost} />
        ) : route === '/hooks' ? (
          <Hooks onUnauthenticated={lost} />
        ) : route === '/secrets' ? (
          <Secrets onUnauthenticated={lost} />
        ) : route === '/audit' ? (
          <Audit onUnauthenticated={lost} />
        ) : route.startsWith('/agents') ? (
          <Agents control={control} onUnauthenticated={lost} />
        ) : (
          <Overview onUnauthenticated={lost} />
        )}
      </main>
    </>
  );
}
