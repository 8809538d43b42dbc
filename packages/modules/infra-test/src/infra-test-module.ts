import { arg, defineModule, type FunctionSpec, luaSideFunction, z } from '@sloth/core/internal';
import type { CheckSpec } from './check.js';
import {
  fileContains,
  fileExists,
  fileMode,
  fileOwner,
  fileSha256,
  isDirectory,
  kernelParam,
  mountExists,
} from './file-checks.js';
import { canConnect, dnsResolves, httpBodyContains, httpStatus, ping } from './network-checks.js';
import { portIsListening, portIsTcp, portIsUdp } from './port-checks.js';
import { internals, publicFunctions } from './runner.js';
import {
  commandStdoutContains,
  commandSucceeds,
  groupExists,
  packageIsInstalled,
  processCount,
  processIsRunning,
  serviceIsEnabled,
  serviceIsRunning,
  userExists,
} from './system-checks.js';

/** Every check, by its Lua name, in the order the reference lists them. */
const checks: Record<string, CheckSpec> = {
  file_exists: fileExists,
  is_directory: isDirectory,
  file_mode: fileMode,
  file_owner: fileOwner,
  file_contains: fileContains,
  file_sha256: fileSha256,
  mount_exists: mountExists,
  kernel_param: kernelParam,
  port_is_listening: portIsListening,
  port_is_tcp: portIsTcp,
  port_is_udp: portIsUdp,
  can_connect: canConnect,
  ping,
  dns_resolves: dnsResolves,
  http_status: httpStatus,
  http_body_contains: httpBodyContains,
  service_is_running: serviceIsRunning,
  service_is_enabled: serviceIsEnabled,
  process_is_running: processIsRunning,
  process_count: processCount,
  command_succeeds: commandSucceeds,
  command_stdout_contains: commandStdoutContains,
  package_is_installed: packageIsInstalled,
  user_exists: userExists,
  group_exists: groupExists,
};

/** A function of the module's Lua side (`M._lua`). */
const inLua = (name: string, spec: Omit<FunctionSpec, 'run' | 'lua'>) => luaSideFunction('infra_test', name, spec);

const soft = inLua('soft', {
  doc:
    'Runs fn with its checks made softly: a failed check returns false and why instead of raising, and fn goes on. ' +
    "Returns the list of the checks made and how many failed; failed ones are counted in the task's assertions but do " +
    'not fail it (raise yourself when they should). An error that is not a failed check (a wrong argument) still raises.',
  args: [arg('fn', z.unknown(), 'a function making checks')],
  returns: '{ { name, passed, message }, ... }, failed (the number of failed checks)',
  examples: [
    'local results, failed = infra_test.soft(function()\n  infra_test.file_exists("/etc/hosts")\n  infra_test.port_is_listening(8080)\nend)\nfor _, r in ipairs(results) do log.info(r.name .. ": " .. (r.passed and "ok" or r.message)) end\nif failed > 0 then error(failed .. " checks failed") end',
  ],
});

const eventually = inLua('eventually', {
  doc:
    'Runs fn until every check in it passes, again every `interval` (default 1s) until `timeout` (default 30s): wait ' +
    "until the host has converged. Each attempt makes all its checks (softly); only the last attempt's are counted. " +
    'When the time is up it raises with the last failures and how long it tried. The wait stops with the task.',
  args: [
    arg('opts', z.unknown(), '{ timeout = "30s", interval = "1s" } (seconds or durations)'),
    arg('fn', z.unknown(), 'a function making checks'),
  ],
  returns: 'true',
  examples: [
    'infra_test.eventually({ timeout = "30s", interval = "1s" }, function()\n  infra_test.port_is_listening(8080)\n  infra_test.http_status("http://127.0.0.1:8080/health", 200)\nend)',
  ],
});

/** The `infra_test` module: assertions about the host that fail the task with a clear message. */
export const infraTestModule = defineModule({
  name: 'infra_test',
  importFrom: import.meta.url,
  doc:
    'Checks that a machine is as it should be (files, ports, services, processes, commands, packages, users, URLs). A ' +
    "passed check returns true; a failed one raises an error naming what failed at the caller's line, which fails the " +
    "task. Each task's checks are counted (--output json, the summary, --junit). The optional last argument of every " +
    "check names an agent to run it on, through the run's master.",
  functions: { ...publicFunctions(checks), soft, eventually },
  internals: internals(checks),
});
