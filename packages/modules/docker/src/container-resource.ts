import {
  arg,
  type Changes,
  changeResult,
  converge,
  defineResource,
  fn,
  luaList,
  luaTable,
  type ModuleCallContext,
  SlothError,
  sha256Hex,
  strictTable,
  toolJson,
  z,
} from '@sloth/core';
import { commandArgs, commandField, DOCKER, docker, dockerOrFail, envArgs, isMissing } from './docker-cli.js';

/** The label holding a hash of the settings docker.container made a container with (env may hold secrets). */
export const SPEC_LABEL = 'sloth.spec';

const containerOptions = strictTable({
  name: z.string().min(1),
  image: z.string().min(1).optional(),
  command: commandField.optional(),
  ports: luaList(z.array(z.string().min(1))).optional(),
  env: luaTable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
  volumes: luaList(z.array(z.string().min(1))).optional(),
  network: z.string().min(1).optional(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).optional(),
  state: z.enum(['started', 'stopped', 'absent']).default('started'),
});
type ContainerOptions = z.output<typeof containerOptions>;

/** What the container should be: its image, whether it runs, and a hash of everything else it is created with. */
interface Desired {
  image: string | undefined;
  state: 'started' | 'stopped' | 'absent';
  spec: string;
  create: string[];
}
interface Actual {
  image: string;
  state: 'started' | 'stopped';
  spec: string | undefined;
}

/** The `docker create` settings (env sorted, so the same table gives the same arguments), then the command. */
function settingsOf(o: ContainerOptions): { settings: string[]; command: string[] } {
  const settings: string[] = [];
  for (const p of o.ports ?? []) settings.push('-p', p);
  for (const v of o.volumes ?? []) settings.push('-v', v);
  settings.push(...envArgs(o.env));
  if (o.network) settings.push('--network', o.network);
  if (o.restart) settings.push('--restart', o.restart);
  return { settings, command: commandArgs(o.command) };
}

const hashOf = (args: unknown) => `sha256:${sha256Hex(JSON.stringify(args)).slice(0, 16)}`;

const containerResource = defineResource({
  type: 'docker_container',
  desired: z.custom<Desired>(),
  async read(ctx, name): Promise<Actual | undefined> {
    const r = await docker(ctx, ['container', 'inspect', name], { quiet: true });
    if (isMissing(r)) return undefined;
    const [c] = toolJson(ctx, DOCKER, 'container inspect', r) as {
      Config: { Image: string; Labels?: Record<string, string> | null };
      State: { Running: boolean };
    }[];
    if (!c) return undefined;
    return { image: c.Config.Image, state: c.State.Running ? 'started' : 'stopped', spec: c.Config.Labels?.[SPEC_LABEL] };
  },
  diff(want, actual): Changes {
    if (want.state === 'absent') return actual ? { state: { old: actual.state, new: 'absent' } } : {};
    const changes: Changes = {};
    if (actual?.image !== want.image) changes.image = { old: actual?.image, new: want.image };
    // A container made by hand has no label: its settings are unknown, so it is recreated once to be sure.
    if (actual?.spec !== want.spec) changes.spec = { old: actual?.spec, new: want.spec };
    if (actual?.state !== want.state) changes.state = { old: actual?.state, new: want.state };
    return changes;
  },
  async apply(ctx, name, changes, want) {
    // Only a container that does not exist has no old state.
    const exists = !(changes.state && changes.state.old === undefined);
    if (want.state === 'absent' || ((changes.image || changes.spec) && exists)) {
      await dockerOrFail(ctx, ['rm', '-f', name]);
      if (want.state === 'absent') return;
    }
    if (changes.image || changes.spec) {
      await pullIfMissing(ctx, want.image as string);
      await dockerOrFail(ctx, ['create', '--name', name, '--label', `${SPEC_LABEL}=${want.spec}`, ...want.create]);
    }
    if (want.state === 'started') await dockerOrFail(ctx, ['start', name]);
    else if (changes.state?.old === 'started') await dockerOrFail(ctx, ['stop', name]);
  },
  record: (_name, want) => ({ image: want.image, state: want.state, spec: want.spec }),
});

/** docker create does not pull with a progress worth showing: pull first when the image is not here. */
async function pullIfMissing(ctx: ModuleCallContext, image: string) {
  const found = await docker(ctx, ['image', 'inspect', '--format', '{{.Id}}', image], { quiet: true });
  if (!found.success) await dockerOrFail(ctx, ['pull', image]);
}

export const container = fn({
  doc:
    'A container in a wanted state (the change contract): created from image with ports, env, volumes, network, ' +
    'restart and command, and started (state = "started", the default), stopped, or removed ("absent"). It is ' +
    'recreated only when the image or those settings differ from what it was made with (a label holds their hash), ' +
    'and changed = false when nothing differs. In check mode it reports what would be created or recreated and ' +
    "changes nothing. Recorded in the run's stack.",
  args: [
    arg(
      'opts',
      luaTable(containerOptions),
      '{ name, image, ports, env, volumes, network, restart, command, state = "started"|"stopped"|"absent" }',
    ),
  ],
  returns: 'table: changed, changes ({ image, spec, state = { old, new } }), check_mode, name',
  examples: [
    'docker.container({\n  name = "web", image = "nginx:1.27", ports = { "8080:80" },\n  env = { TZ = "UTC" }, restart = "unless-stopped",\n})',
  ],
  run: async ([o], ctx) => {
    if (o.state !== 'absent' && o.image === undefined) {
      throw new SlothError('invalid_argument', `${ctx.fn}: image is required unless state = "absent"`);
    }
    const { settings, command } = settingsOf(o);
    const create = [...settings, o.image ?? '', ...command];
    const desired: Desired = { image: o.image, state: o.state, spec: hashOf({ settings, command }), create };
    const outcome = await converge(containerResource, o.name, desired, ctx);
    return changeResult(outcome, { name: o.name });
  },
});
