import type { ModuleCallContext } from '@sloth/core';
import type { DpkgPackage } from './dpkg-facts.js';

/** A package as a package database knows it (dpkg's shape: other databases have no removed-with-config state). */
export type PackageFact = DpkgPackage;

/** A package a call installs: what the installer is given for it, and whether that is a local package file. */
export interface InstallArg {
  arg: string;
  file: boolean;
}

/** How an install runs, from the call's options. */
export interface InstallFlags {
  /** install_recommends as the call gave it (undefined: the manager's default). */
  recommends: boolean | undefined;
  downgrade: boolean;
  lockTimeout: number | undefined;
}

/** A command line and the environment it adds. */
export interface Command {
  argv: string[];
  env?: Record<string, string>;
  /** Exit codes besides 0 that mean it succeeded (zypper's "reboot needed" and the like). */
  okExit?: number[];
}

/**
 * What pkg needs of a package manager other than apt: facts from its package database, and the command lines that
 * change packages (non-interactive). Options the manager cannot honour throw an error naming the option and the manager.
 */
export interface Driver {
  /** The manager, for messages ("dnf"). */
  name: string;
  /** The kind of local package file it installs (".rpm"). */
  fileKind: string;
  /** What its package database says of each name (names not installed are left out). */
  query(ctx: ModuleCallContext, names: readonly string[]): Promise<Map<string, PackageFact>>;
  /** Name and version of a local package file. */
  readPackageFile(ctx: ModuleCallContext, path: string): Promise<{ name: string; version: string }>;
  /** Newer versions its index has for installed packages (of `names`, or of all): name -> version. */
  updates(ctx: ModuleCallContext, names?: readonly string[]): Promise<Map<string, string>>;
  /** The installer's argument for a version pin (throws where the manager cannot pin). */
  pin(ctx: ModuleCallContext, name: string, version: string): string;
  /** The installer's argument that upgrades an installed package to a newer version its index has. */
  upgradeArg(name: string, version: string): string;
  /** The command lines of one install (one, except pacman: repository names and files are two). */
  install(ctx: ModuleCallContext, args: readonly InstallArg[], flags: InstallFlags): Command[];
  remove(ctx: ModuleCallContext, names: readonly string[], purge: boolean, lockTimeout: number | undefined): Command;
  /** Refreshes its index. */
  refresh(ctx: ModuleCallContext, lockTimeout: number | undefined): Command;
  upgrade(ctx: ModuleCallContext, dist: boolean, lockTimeout: number | undefined): Command;
  /** Where its index lives: path patterns ('*' within a segment) of files that change when it is refreshed. */
  indexFiles: readonly string[];
}
