import { signature } from '@sloth/core/internal';
import { describe, expect, it } from 'vitest';
import { builtinModules } from './index.js';

describe('builtinModules', () => {
  it('holds log, exec, fs, file_ops (also as file), json, yaml, data, ..., secret, pkg, user, systemd, git, ssh, terraform, docker, kubernetes, helm, pulumi, salt, incus, http (also as net), crypto, infra_test, load_balancer and metrics, once each', () => {
    expect(builtinModules.map((m) => m.name)).toEqual([
      'log',
      'exec',
      'fs',
      'file_ops',
      'file',
      'json',
      'yaml',
      'data',
      'state',
      'secret',
      'stack',
      'goroutine',
      'event',
      'pkg',
      'user',
      'systemd',
      'git',
      'ssh',
      'terraform',
      'docker',
      'kubernetes',
      'helm',
      'pulumi',
      'salt',
      'incus',
      'http',
      'net',
      'crypto',
      'infra_test',
      'load_balancer',
      'metrics',
    ]);
  });

  // This metadata is what `modules list`, the README's module reference and editor stubs are made from.
  it('documents every function: doc, named args, returns and a Lua example that calls it', () => {
    for (const module of builtinModules) {
      expect(module.doc.length, module.name).toBeGreaterThan(10);
      for (const [name, spec] of Object.entries(module.functions)) {
        const where = `${module.name}.${name}`;
        expect(spec.doc.length, where).toBeGreaterThan(10);
        expect(spec.returns.length, where).toBeGreaterThan(0);
        expect(spec.examples?.length, where).toBeGreaterThan(0);
        expect(
          spec.examples?.some((e) => e.includes(`${where}(`)),
          `${where} example calls it`,
        ).toBe(true);
        for (const a of spec.args) expect(a.name, where).toMatch(/^[a-z_]+$/);
        expect(signature(module.name, name, spec), where).toMatch(new RegExp(`^${module.name}\\.${name}\\(`));
      }
    }
  });
});
