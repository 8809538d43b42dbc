import { copyFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '@oclif/core';
import { parseDuration, SlothError } from '@sloth/core';
import { type MasterFlags, masterConnection, resolveMasterAddress, withControl } from '../fleet-cli/connect.js';
import { agentPayload } from './agent-payload.js';
import { installAgent, uninstallAgent } from './install-agent.js';
import { installTarget, knownHostsOf, layoutOf } from './install-flags.js';

type InstallFlags = MasterFlags & {
  name: string;
  inventory?: string | undefined;
  'key-file'?: string | undefined;
  sudo: boolean;
  prefix: string;
  'unit-dir': string;
  'config-dir': string;
  'agent-data-dir': string;
  'data-dir'?: string | undefined;
};

/** Stops on SIGINT/SIGTERM: what is half sent is left for the next install (it unpacks to a fresh directory). */
function interruptible(): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    done: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/** `agent install HOST`: install, then wait until the master lists the agent as Active (with systemd there). */
export async function runAgentInstall(
  cmd: Command,
  hostText: string,
  flags: InstallFlags & { labels?: string[] | undefined; wait: string },
): Promise<void> {
  const waitMs = parseDuration(flags.wait, '--wait');
  const token = masterConnection(flags).token;
  if (token === undefined) {
    throw new SlothError('usage', "agent install needs the master's token for the agent", {
      hint: 'pass --token-file FILE (or set $SLOTH_TOKEN)',
    });
  }
  const target = await installTarget(hostText, flags);
  const payload = agentPayload(cmd.config.root);
  const { signal, done } = interruptible();
  try {
    const outcome = await installAgent(
      {
        ...target,
        name: flags.name,
        master: resolveMasterAddress(flags),
        token,
        ca: flags.ca === undefined ? undefined : readFileSync(flags.ca, 'utf8'),
        labels: (flags.labels ?? []).flatMap((l) => l.split(',')).filter(Boolean),
        layout: layoutOf(flags),
        knownHostsFile: knownHostsOf(flags['data-dir']),
        signal,
        log: (line) => process.stderr.write(`${line}\n`),
      },
      payload,
    );
    cmd.log(
      outcome.changed
        ? `agent ${flags.name} installed on ${hostText} (${outcome.unitFile})`
        : `agent ${flags.name} on ${hostText}: nothing to change`,
    );
    if (!outcome.systemd) {
      cmd.log(
        `${hostText} has no systemd (/run/systemd/system is missing): the unit is written but nothing started it.\n${outcome.upgraded ? 'An agent running there keeps its old release until restarted. ' : ''}Run the agent there by hand (or from your init system):\n  ${outcome.command}`,
      );
      return;
    }
    if (waitMs > 0) {
      const { Agent_Status } = await import('@sloth/client');
      const deadline = Date.now() + waitMs;
      for (;;) {
        const { agents } = await withControl(flags, (c) => c.listAgents({}));
        if (agents.some((a) => a.name === flags.name && a.status === Agent_Status.ACTIVE)) break;
        if (Date.now() > deadline || signal.aborted) {
          throw new SlothError(
            'timeout',
            `agent ${flags.name} was installed and started, but is not Active at the master after ${flags.wait}`,
            {
              hint: `check that ${hostText} reaches the master at ${resolveMasterAddress(flags)}, and the agent's log: journalctl -u sloth-agent-${flags.name}`,
            },
          );
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      cmd.log(`agent ${flags.name} is Active`);
    }
  } finally {
    done();
    payload.dispose();
  }
}

/** `agent uninstall HOST`. */
export async function runAgentUninstall(cmd: Command, hostText: string, flags: InstallFlags): Promise<void> {
  const target = await installTarget(hostText, flags);
  const { signal, done } = interruptible();
  try {
    const { changed } = await uninstallAgent({
      ...target,
      name: flags.name,
      layout: layoutOf(flags),
      knownHostsFile: knownHostsOf(flags['data-dir']),
      signal,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    cmd.log(
      changed
        ? `agent ${flags.name} removed from ${hostText}`
        : `agent ${flags.name} is not installed on ${hostText}: nothing to change`,
    );
  } finally {
    done();
  }
}

/**
 * `agent package`: the release `agent install` sends (this machine's Node, sloth-agent and the packages it loads) as
 * one .tar.gz, for machines set up another way (an image, configuration management, a copy by hand).
 */
export async function runAgentPackage(cmd: Command, out: string | undefined): Promise<void> {
  const payload = agentPayload(cmd.config.root);
  const target = resolve(out ?? `sloth-agent-${payload.id}-${process.platform}-${process.arch}.tar.gz`);
  const { signal, done } = interruptible();
  try {
    copyFileSync(await payload.archive(signal), target);
  } catch (err) {
    if (signal.aborted) throw new SlothError('aborted', 'agent package: stopped before the archive was written');
    throw err;
  } finally {
    done();
    payload.dispose();
  }
  cmd.log(
    `wrote ${target} (release ${payload.id}: Node ${process.version} and sloth-agent for ${process.platform}/${process.arch})\n` +
      'Unpack it (e.g. tar -xzf FILE -C /opt/sloth-agent) and run: /opt/sloth-agent/node /opt/sloth-agent/agent/bin/sloth-agent.js --name NAME --master HOST:PORT --token-file FILE',
  );
}
