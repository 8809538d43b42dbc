import { durationField, type ModuleCallContext, runTool, type ToolResult, type ToolSpec, toolOutcome, z } from '@sloth/core';

/** The kubectl CLI: `SLOTH_KUBECTL_BIN` in the task's environment when set, else `kubectl` from PATH. */
export const KUBECTL: ToolSpec = {
  command: 'kubectl',
  envVar: 'SLOTH_KUBECTL_BIN',
  install: 'https://kubernetes.io/docs/tasks/tools/',
};

/** Options every kubernetes function takes: which cluster (kubeconfig, context), namespace, and a time limit. */
export const clusterOptions = {
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  timeout: durationField.optional(),
};
export type ClusterOptions = {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
  timeout?: number | undefined;
};

/** Runs `kubectl [cluster flags] ARGS`, streamed to the task log unless quiet. */
export async function kubectl(
  ctx: ModuleCallContext,
  o: ClusterOptions,
  args: readonly string[],
  options: { quiet?: boolean; stdin?: string | undefined } = {},
): Promise<ToolResult> {
  const flags: string[] = [];
  if (o.kubeconfig) flags.push('--kubeconfig', o.kubeconfig);
  if (o.context) flags.push('--context', o.context);
  if (o.namespace) flags.push('--namespace', o.namespace);
  return toolOutcome(
    await runTool(ctx, KUBECTL, [...flags, ...args], {
      quiet: options.quiet,
      stdin: options.stdin,
      timeoutMs: o.timeout,
      label: args[0],
      errorStart: /^(error|Error from server)/,
    }),
  );
}

/** kubectl's answer for an object that does not exist. */
export const isNotFound = (r: ToolResult) => !r.success && /\(NotFound\)|not found/.test(r.stderr);
