import type { ProjectTemplate } from '../project-template.js';

/** A workflow that dispatches events, and a hook that reacts to them. */
export const hooks: ProjectTemplate = {
  name: 'hooks',
  summary: 'events and hooks: a workflow dispatches deploy events, a Lua hook records them',
  workflow: ({
    workflow,
  }) => `-- ${workflow}: dispatch events that hooks react to (add the hook once: sloth-runner hook add hooks/record_deploys.lua).
local deploy = task("deploy")
    :description("Deploy, telling hooks when it starts and ends")
    :command(function(this, params)
        local event = require("event")
        local version = params.version or values.version
        event.dispatch("deploy.started", { version = version, environment = values.environment })
        log.info("deploying " .. version .. " to " .. values.environment)
        event.dispatch("deploy.completed", { version = version, environment = values.environment })
        return true, "deployed " .. version
    end)
    :build()

workflow.define("${workflow}", {
    description = "Dispatch deploy events",
    tasks = { deploy },
})
`,
  values: () => 'version: 1.0.0\nenvironment: staging\n',
  extraFiles: () => ({
    'hooks/record_deploys.lua': `-- Appends every deploy event to deploys.log, next to this file (relative paths resolve here).
local hook = {
    name = "record_deploys",
    event_type = "deploy.*",
}

function hook.execute(event)
    fs.append("deploys.log", string.format("%s %s %s %s\\n", event.created_at, event.type, event.data.version, event.data.environment))
    return true, "recorded " .. event.type
end

return hook
`,
  }),
  usage: ({ workflow }) => [
    'sloth-runner hook add hooks/record_deploys.lua',
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml   # its hooks run after it`,
    'cat hooks/deploys.log && sloth-runner hook history record_deploys',
  ],
  notes: 'The hook is stored in the data directory by `hook add`; `workflow run` runs the hooks of its events after the run.',
};
