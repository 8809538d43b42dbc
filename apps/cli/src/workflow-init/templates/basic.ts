import type { ProjectTemplate } from '../project-template.js';

/** One task reading values and params: the smallest useful workflow. */
export const basic: ProjectTemplate = {
  name: 'basic',
  summary: 'one task that reads values.yaml and --param: the smallest workflow',
  workflow: ({ workflow }) => `-- ${workflow}: a first workflow. Values come from values.yaml (-v), parameters from --param.
local greeting = values.greeting or "Hello"

local hello = task("hello")
    :description("Say hello to whoever --param who= names")
    :command(function(this, params)
        local who = params.who or values.who or "world"
        log.info(greeting .. ", " .. who .. "!")
        return true, "said hello", { message = greeting .. ", " .. who }
    end)
    :timeout("30s")
    :build()

workflow.define("${workflow}", {
    description = "A first workflow",
    tasks = { hello },
})
`,
  values: () => 'greeting: Hello\nwho: world\n',
  usage: ({ workflow }) => [
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml`,
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml --param who=sloth`,
  ],
  notes: 'Needs nothing but sloth-runner.',
};
