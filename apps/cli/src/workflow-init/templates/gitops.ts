import type { ProjectTemplate } from '../project-template.js';

/** Pull a configuration repository and apply what changed, with a handler reacting to changes. */
export const gitops: ProjectTemplate = {
  name: 'gitops',
  summary: 'GitOps: clone or update a configuration repository, copy its files into place, reload when they changed',
  workflow: ({
    workflow,
  }) => `-- ${workflow}: keep a directory in line with a git repository. repo (a URL, or a path on this machine) and
-- branch come from values.yaml; every run fetches, and only a change of the files reloads.
local repo_url = params.repo or values.repo
local checkout = params.checkout or values.checkout
local target = params.target or values.target

local sync = task("sync")
    :description("Clone the repository, or bring the clone up to date")
    :command(function()
        local repo = git.clone(repo_url, checkout, { branch = values.branch })
        log.info("at " .. repo.commit .. (repo.changed and " (moved)" or " (unchanged)"))
        return true, "synced", { commit = repo.commit }
    end)
    :timeout("5m")
    :build()

local apply = task("apply")
    :description("Copy the repository's files into place")
    :depends_on({ sync })
    :notify({ "reload" })
    :command(function(this, params, deps)
        file_ops.file({ path = target, state = "directory" })
        for _, name in ipairs(values.files) do
            file_ops.copy({ src = checkout .. "/" .. name, dest = target .. "/" .. name })
        end
        log.info("files of " .. deps.sync.commit .. " in place")
    end)
    :build()

-- A handler: runs after the others, and only when apply changed a file. Put your reload here.
local reload = task("reload")
    :handler()
    :command(function()
        fs.append(target .. "/.reloads", "reloaded\\n")
        log.info("reloaded")
    end)
    :build()

workflow.define("${workflow}", {
    description = "Apply a git repository's files",
    tasks = { sync, apply, reload },
})
`,
  values: ({ workflow }) =>
    `# The repository: a URL (https://..., git@...) or a path on this machine.\nrepo: https://github.com/your-org/your-config.git\nbranch: main\n# Where it is cloned, and where its files go.\ncheckout: /tmp/${workflow}-checkout\ntarget: /tmp/${workflow}-applied\nfiles:\n  - app.conf\n`,
  usage: ({ workflow }) => [
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml`,
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml --check   # what a pull would change`,
    `sloth-runner scheduler add ${workflow} --cron "@every 5m" -f workflow.sloth -v values.yaml   # keep it in line`,
  ],
  notes: 'Needs `git` and a repository: set `repo`, `branch` and `files` in values.yaml first.',
};
