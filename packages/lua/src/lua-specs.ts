/** The plain specs the Lua prelude exports (`__sloth.export()`); functions are referred to by id. */
export interface LuaFnOrShell {
  fn?: number;
  shell?: string;
}

export interface LuaTaskSpec {
  name: string;
  location?: string;
  description?: string;
  command?: LuaFnOrShell;
  depends_on?: string[];
  timeout_ms?: number;
  retries?: { count: number; strategy?: string; delay_ms?: number };
  workdir?: string;
  run_if?: LuaFnOrShell;
  abort_if?: LuaFnOrShell;
  on_success?: number;
  on_failure?: number;
  on_timeout?: number;
  pre_hook?: number;
  post_hook?: number;
  artifacts?: string[];
  consumes?: string[];
  tags?: string[];
  user?: string;
  env?: Record<string, string>;
  delegate_to?: { fn?: number; agents?: string[]; replaceable?: boolean };
  handler?: boolean;
  notify?: string[];
}

export interface LuaWorkflowSpec {
  name: string;
  location?: string;
  description?: string;
  version?: string;
  metadata?: Record<string, unknown>;
  tasks?: string[];
  config?: { timeout_ms?: number; max_parallel_tasks?: number; fail_fast?: boolean; [key: string]: unknown };
  on_start?: number;
  on_complete?: number;
  delegate_to?: { fn?: number; agents?: string[]; replaceable?: boolean };
}

export interface LuaExport {
  tasks?: LuaTaskSpec[];
  workflows?: LuaWorkflowSpec[];
}
