import { arg, changeResult, converge, fn, luaTable, SlothError, strictTable, z } from '@sloth/core';
import { unitNameSchema } from './names.js';
import { ensureSystemd } from './systemctl.js';
import { oneLine, renderUnit } from './unit-file.js';
import { unitResource } from './unit-resource.js';

/** The unit types systemd has: a name ending in another one is not a service ("my.app" is). */
const UNIT_SUFFIX = /\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)$/;
const RESTART = ['no', 'always', 'on-success', 'on-failure', 'on-abnormal', 'on-abort', 'on-watchdog'] as const;

const serviceOptions = luaTable(
  strictTable({
    name: unitNameSchema,
    description: oneLine('description').optional(),
    exec_start: oneLine('exec_start').pipe(z.string().min(1, 'expected the command line of the service')),
    user: oneLine('user').optional(),
    working_directory: oneLine('working_directory').optional(),
    environment: luaTable(
      // Names checked here rather than by the key schema, whose error would only say "Invalid key in record".
      z
        .record(
          z.string(),
          z.union([z.string(), z.number(), z.boolean()]).pipe(z.coerce.string()).pipe(oneLine('an environment value')),
        )
        .superRefine((env, issues) => {
          const bad = Object.keys(env).find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
          if (bad !== undefined) {
            issues.addIssue({ code: 'custom', message: `'${bad}' is not a variable name: use letters, digits and _` });
          }
        }),
    ).optional(),
    restart: z.enum(RESTART).optional(),
    wanted_by: oneLine('wanted_by').optional(),
    enabled: z.boolean().optional(),
    state: z.enum(['started', 'stopped']).optional(),
    unit_dir: z.string().startsWith('/', 'expected an absolute path').optional(),
  }),
  'expected a table of options like { name = "app", exec_start = "/usr/local/bin/app" }, got a list',
);

export const service = fn({
  doc:
    'Deploys a service in one call: writes its unit file (unit_dir/NAME.service, atomically, with a diff), runs ' +
    'daemon-reload only when the file changed (or systemd has not loaded it yet), then enables (enabled = true/false; left alone when not given) and ' +
    'starts or stops it (state). A changed unit file takes effect at the next restart of a running service: notify ' +
    'a handler that calls systemd.restart.',
  args: [
    arg(
      'opts',
      serviceOptions,
      '{ name, description, exec_start, user, working_directory, environment = {...}, restart = "on-failure", wanted_by = "multi-user.target", enabled, state = "started", unit_dir = "/etc/systemd/system" }',
    ),
  ],
  returns: '{ changed, changes = { unit_file, unit_loaded, enabled, state = { old, new } }, diff, check_mode, name, unit_path }',
  examples: [
    'systemd.service({\n  name = "webapp",\n  description = "Web application",\n  exec_start = "/usr/local/bin/webapp --port 8080",\n  user = "webuser",\n  working_directory = "/srv/webapp",\n  environment = { NODE_ENV = "production" },\n  enabled = true,\n})',
  ],
  run: async ([opts], ctx) => {
    const name = UNIT_SUFFIX.test(opts.name) ? opts.name : `${opts.name}.service`;
    if (!name.endsWith('.service')) {
      throw new SlothError('invalid_argument', `${ctx.fn}: '${opts.name}' is not a service unit`, {
        hint: 'systemd.service writes .service units: name it "app" or "app.service"',
      });
    }
    await ensureSystemd(ctx);
    const unitPath = `${(opts.unit_dir ?? '/etc/systemd/system').replace(/\/+$/, '')}/${name}`;
    const content = renderUnit({
      description: opts.description,
      exec_start: opts.exec_start,
      user: opts.user,
      working_directory: opts.working_directory,
      environment: opts.environment ?? {},
      restart: opts.restart ?? 'on-failure',
      wanted_by: opts.wanted_by ?? 'multi-user.target',
    });
    const desired = { content, state: opts.state ?? 'started', ...(opts.enabled === undefined ? {} : { enabled: opts.enabled }) };
    const outcome = await converge(unitResource({ unitPath }), name, desired, ctx);
    return changeResult(outcome, { name, unit_path: unitPath });
  },
});
