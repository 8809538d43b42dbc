import { type Agent, Agent_Status } from '@sloth/proto';

/** An agent's status as a badge: Active or Inactive. */
export function AgentStatus({ agent }: { agent: Agent }) {
  const active = agent.status === Agent_Status.ACTIVE;
  return (
    <span class={`status ${active ? 'active' : 'inactive'}`} data-status>
      {active ? 'Active' : 'Inactive'}
    </span>
  );
}

/** An agent's labels as key=value badges, by key. */
export function AgentLabels({ agent }: { agent: Agent }) {
  return (
    <>
      {Object.entries(agent.labels)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, v]) => (
          <span class="label" key={k}>
            {k}={v}
          </span>
        ))}
    </>
  );
}
