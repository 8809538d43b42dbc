import type { ProjectTemplate } from '../project-template.js';

/** build -> test and lint in parallel -> package, with outputs passed along and a retried step. */
export const pipeline: ProjectTemplate = {
  name: 'pipeline',
  summary: 'a CI-style pipeline: build, parallel checks with retries, package (outputs passed between tasks)',
  workflow: ({ workflow }) => `-- ${workflow}: build, then lint and test in parallel, then package what was built.
local app = values.app or "app"
local version = params.version or values.version or "0.1.0"

local build = task("build")
    :description("Build the artifact")
    :command(function(this)
        local r = exec.run("echo " .. app .. "-" .. version)
        if not r.success then return false, r.stderr end
        return true, "built", { artifact = (r.stdout:gsub("%s+$", "")) .. ".tar.gz" }
    end)
    :timeout("5m")
    :build()

local lint = task("lint")
    :depends_on({ "build" })
    :command("echo 'lint ok'")
    :timeout("1m")
    :build()

-- A flaky step: retried up to twice, with a short back-off.
local test = task("test")
    :depends_on({ "build" })
    :retries(2, "linear", "100ms")
    :command(function(this, params, deps)
        log.info("testing " .. deps.build.artifact .. " (attempt " .. this.attempt .. ")")
        return true, "tests passed", { passed = 3 }
    end)
    :timeout("5m")
    :build()

local package = task("package")
    :depends_on({ "lint", "test" })
    :command(function(this, params, deps)
        log.info("packaging " .. deps.build.artifact .. ": " .. deps.test.passed .. " tests passed")
        return true, "packaged", { artifact = deps.build.artifact }
    end)
    :build()

workflow.define("${workflow}", {
    description = "Build, check and package",
    tasks = { build, lint, test, package },
    config = { max_parallel_tasks = 4 },
})
`,
  values: () => 'app: app\nversion: 0.1.0\n',
  usage: ({ workflow }) => [
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml`,
    `sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml --param version=1.2.0 --output json`,
  ],
  notes: 'Needs a POSIX shell (the commands are `echo`s to replace with your build).',
};
