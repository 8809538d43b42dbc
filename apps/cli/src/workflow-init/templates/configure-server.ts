import type { ProjectTemplate } from '../project-template.js';

/** Idempotent file configuration with a handler, under a root directory so it runs without root. */
export const configureServer: ProjectTemplate = {
  name: 'configure-server',
  summary: 'configure a machine idempotently: a directory, a templated file, a line in a file, and a reload handler',
  workflow: ({
    workflow,
  }) => `-- ${workflow}: configure a server idempotently. Every path is under root (values.yaml, or --param root=...),
-- so it runs without root access; --check shows what it would change, --diff how.
local root = params.root or values.root

local config_dir = task("config_dir")
    :description("The service's configuration directory")
    :command(function()
        file_ops.file({ path = root .. "/etc/app", state = "directory", mode = "0755" })
    end)
    :build()

local config_file = task("config_file")
    :description("The service's configuration, from a template")
    :depends_on({ config_dir })
    :notify({ "reload_service" })
    :command(function()
        file_ops.template({
            src = "templates/app.conf.j2",
            dest = root .. "/etc/app/app.conf",
            vars = { port = values.port, workers = values.workers },
            mode = "0644",
        })
    end)
    :build()

local environment = task("environment")
    :description("One line of the environment file, whatever else it holds")
    :depends_on({ config_dir })
    :notify({ "reload_service" })
    :command(function()
        file_ops.lineinfile({ path = root .. "/etc/environment", regexp = "^APP_PORT=", line = "APP_PORT=" .. values.port, create = true })
    end)
    :build()

-- Runs once, after the others, and only when one of them changed something.
local reload_service = task("reload_service")
    :handler()
    :command(function()
        fs.append(root .. "/reloads.log", "reloaded\\n")
        log.info("service reloaded")
    end)
    :build()

workflow.define("${workflow}", {
    description = "Idempotent server configuration",
    tasks = { config_dir, config_file, environment, reload_service },
})
`,
  values: ({ workflow }) => `root: /tmp/${workflow}-server\nport: 8080\nworkers: 4\n`,
  extraFiles: () => ({
    'templates/app.conf.j2': 'listen {{ port }}\nworkers {{ workers }}\n',
  }),
  usage: ({ workflow }) => [
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml            # changes, reloads`,
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml            # changes nothing`,
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml --check --diff`,
  ],
  notes:
    'Writes only under `root` (values.yaml). Point it at `/` and add `pkg`, `user` and `systemd` calls to configure a real machine (as root).',
};
