// Ansible over real SSH to the throwaway sshd hosts of ssh-hosts.mjs: its inventory and fastest settings, one run,
// and the per-host recap it prints.
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { failure, hasTool, runChild } from './measure.mjs';
import { skipAnsible } from './options.mjs';
import { haveSshd } from './ssh-hosts.mjs';

/** host01, host02, ... hostNN: the hosts' names on both sides. */
export const hostNames = (n) => Array.from({ length: n }, (_, i) => `host${String(i + 1).padStart(2, '0')}`);

/**
 * The inventory (the hosts of `group` on their sshd ports, as the current user with `keyFile`) and an ansible.cfg with
 * Ansible's fastest SSH settings (forks=32, pipelining, ControlPersist for `controlPersist`), written to `dir`.
 */
export function ansibleFiles(dir, ports, keyFile, group, { controlPersist = '60s' } = {}) {
  const inventory = join(dir, 'inventory.ini');
  const names = hostNames(ports.length);
  writeFileSync(
    inventory,
    `[${group}]\n${ports.map((p, i) => `${names[i]} ansible_host=127.0.0.1 ansible_port=${p}`).join('\n')}\n\n[${group}:vars]\nansible_user=${userInfo().username}\nansible_ssh_private_key_file=${keyFile}\nansible_python_interpreter=/usr/bin/python3\n`,
  );
  const cfg = join(dir, 'ansible.cfg');
  // control_path_dir in the short temp dir: Unix socket paths are limited to ~107 bytes.
  writeFileSync(
    cfg,
    `[defaults]
forks = 32
host_key_checking = False
retry_files_enabled = False
[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=${controlPersist} -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
control_path_dir = ${join(dir, 'cp')}
`,
  );
  mkdirSync(join(dir, 'cp'), { recursive: true });
  return { inventory, cfg };
}

/** The play recap: host -> { ok, changed, unreachable, failed }. */
export function recapOf(stdout) {
  const recap = {};
  for (const m of stdout.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm))
    recap[m[1]] = { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
  return recap;
}

/** One `ansible-playbook` run in `dir` with `files` (ansibleFiles); throws when it fails. Its wall time and recap. */
export async function runPlaybook(dir, files, playbook, timeoutMs) {
  const r = await runChild('ansible-playbook', ['-i', files.inventory, playbook], {
    timeoutMs,
    cwd: dir,
    env: {
      ...process.env,
      ANSIBLE_CONFIG: files.cfg,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
    },
  });
  const why = failure(r, 'ansible-playbook');
  if (why) throw new Error(`${why}\n${r.stdout.slice(-1500)}`);
  return { wallMs: r.wallMs, recap: recapOf(r.stdout), stdout: r.stdout };
}

/** Why the Ansible-over-SSH reference cannot run here, or undefined when it can. */
export function ansibleUnavailable() {
  if (skipAnsible) return 'skipped (BENCH_SKIP_ANSIBLE=1)';
  if (!hasTool('ansible-playbook')) return 'ansible-playbook not installed';
  if (!haveSshd()) return 'needs openssh-server (apt-get install -y openssh-server)';
  return undefined;
}
