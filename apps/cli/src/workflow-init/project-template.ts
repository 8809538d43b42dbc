/** What a project's files are made from: the name of the project (and of its workflow). */
export interface TemplateContext {
  /** The workflow name: the project directory's name made a Lua-friendly identifier. */
  workflow: string;
}

/** A `workflow init` template: the files of a ready-to-run project, and how to run it. */
export interface ProjectTemplate {
  name: string;
  summary: string;
  /** workflow.sloth. */
  workflow(ctx: TemplateContext): string;
  /** values.yaml. */
  values(ctx: TemplateContext): string;
  /** Files besides workflow.sloth, values.yaml and README.md (path relative to the project -> content). */
  extraFiles?(ctx: TemplateContext): Record<string, string>;
  /** The commands that run it, for the README (run from the project directory). */
  usage(ctx: TemplateContext): string[];
  /** What it needs and does, for the README. */
  notes: string;
}
