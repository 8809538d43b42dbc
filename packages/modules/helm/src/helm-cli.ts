import { durationField, type ModuleCallContext, runTool, type ToolResult, type ToolSpec, toolOutcome, z } from '@sloth/core';

/** The helm CLI: `SLOTH_HELM_BIN` in the task's environment when set, else `helm` from PATH. */
export const HELM: ToolSpec = { command: 'helm', envVar: 'SLOTH_HELM_BIN', install: 'https://helm.sh/docs/intro/install/' };

/** Options every helm function takes: which cluster (kubeconfig, kube_context), namespace, and a time limit. */
export const clusterOptions = {
  namespace: z.string().min(1).optional(),
  kubeconfig: z.string().min(1).optional(),
  kube_context: z.string().min(1).optional(),
  timeout: durationField.optional(),
};
export type ClusterOptions = {
  namespace?: string | undefined;
  kubeconfig?: string | undefined;
  kube_context?: string | undefined;
  timeout?: number | undefined;
};

/** Runs `helm ARGS [cluster flags]`, streamed to the task log unless quiet. */
export async function helm(
  ctx: ModuleCallContext,
  o: ClusterOptions,
  args: readonly string[],
  options: { quiet?: boolean; stdin?: string | undefined } = {},
): Promise<ToolResult> {
  const flags: string[] = [];
  if (o.namespace) flags.push('--namespace', o.namespace);
  if (o.kubeconfig) flags.push('--kubeconfig', o.kubeconfig);
  if (o.kube_context) flags.push('--kube-context', o.kube_context);
  return toolOutcome(
    await runTool(ctx, HELM, [...args, ...flags], {
      quiet: options.quiet,
      stdin: options.stdin,
      timeoutMs: o.timeout,
      errorStart: /^Error/,
    }),
  );
}

/** helm's answer for a release that does not exist. */
export const isMissingRelease = (r: ToolResult) => !r.success && /release: not found|not found/.test(r.stderr);
