import type { ProjectTemplate } from '../project-template.js';

/** A task prepared here, then run on every agent named in values, with the results gathered back. */
export const distributed: ProjectTemplate = {
  name: 'distributed',
  summary: "tasks delegated to a master's agents (names in values.yaml), results gathered back here",
  workflow: ({
    workflow,
  }) => `-- ${workflow}: prepare here, run on every agent of values.agents (through a master: --master HOST:PORT, or
-- one saved with \`sloth-runner master add\`), and report here.
local agents = values.agents

local prepare = task("prepare")
    :description("Decide what every agent does")
    :command(function(this, params)
        return true, "prepared", { version = params.version or values.version }
    end)
    :build()

-- Runs on each agent at once; its outputs come back per agent.
local deploy = task("deploy")
    :description("Run on every agent")
    :depends_on({ prepare })
    :delegate_to(agents)
    :command(function(this, params, deps)
        local r = exec.run("uname -n")
        log.info("deploying " .. deps.prepare.version .. " on " .. this.agent.get())
        return true, "deployed", { host = (r.stdout:gsub("%s+$", "")) }
    end)
    :timeout("10m")
    :build()

local report = task("report")
    :description("Report here what the agents did")
    :depends_on({ deploy })
    :command(function(this, params, deps)
        log.info("deployed on " .. #agents .. " agent(s)")
        return true, "done"
    end)
    :build()

workflow.define("${workflow}", {
    description = "Delegate to agents",
    tasks = { prepare, deploy, report },
})
`,
  values: () => 'version: 1.0.0\n# The agents deploy runs on (as `sloth-runner agent list` names them).\nagents:\n  - agent-01\n',
  usage: ({ workflow }) => [
    'sloth-runner master start --daemon                          # a master (loopback, no token)',
    'sloth-runner agent start --name agent-01 --master 127.0.0.1:50053 --daemon',
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml --master 127.0.0.1:50053`,
  ],
  notes: 'Needs a master and the agents named in values.yaml (see "Master and agents" in the sloth-runner README).',
};
