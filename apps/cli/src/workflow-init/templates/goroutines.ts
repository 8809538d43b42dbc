import type { ProjectTemplate } from '../project-template.js';

/** Parallel work inside one task: chunks processed by goroutines on worker threads, then merged. */
export const goroutines: ProjectTemplate = {
  name: 'goroutines',
  summary: 'parallel work in one task: goroutines process chunks on worker threads, results merged',
  workflow: ({ workflow }) => `-- ${workflow}: split a list into chunks, process them at once with goroutines, merge the results.
-- Helpers are local functions: a goroutine takes the locals it uses with it (globals would not be visible there).
local function square_sum(chunk)
    local sum = 0
    for _, v in ipairs(chunk) do sum = sum + v * v end
    return { count = #chunk, sum = sum }
end

local process = task("process")
    :description("Process chunks in parallel")
    :command(function(this, params)
        local goroutine = require("goroutine")
        local size, chunks = values.items, values.chunks
        local handles = {}
        for c = 1, chunks do
            local chunk = {}
            for i = c, size, chunks do chunk[#chunk + 1] = i end
            handles[#handles + 1] = goroutine.async(function() return square_sum(chunk) end)
        end
        local total, count = 0, 0
        for _, r in ipairs(goroutine.await_all(handles)) do
            if not r.success then return false, r.error end
            total, count = total + r.value.sum, count + r.value.count
        end
        log.info(count .. " items in " .. chunks .. " chunks: sum of squares " .. total)
        return true, "processed", { count = count, sum_of_squares = total }
    end)
    :timeout("1m")
    :build()

workflow.define("${workflow}", {
    description = "Parallel processing with goroutines",
    tasks = { process },
})
`,
  values: () => 'items: 1000\nchunks: 8\n',
  usage: ({ workflow }) => [`sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml --output json`],
  notes: 'Needs nothing but sloth-runner.',
};
