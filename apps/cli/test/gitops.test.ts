import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sh } from '../../../packages/modules/git/src/git.test-helper.js';
import { runCli, writeFiles } from './cli.test-helper.js';

// The product README's "first GitOps workflow", as the seed writes it: only the repository URL and the directory
// (a temp one instead of /tmp/infrastructure) are the user's. The repository is a local bare one holding a terraform
// configuration that needs no provider download; terraform is the real one.
const MAIN_TF = `
variable "environment" { type = string }
variable "instance_type" { type = string }
variable "region" { type = string }
resource "terraform_data" "server" {
  input = "\${var.environment}/\${var.instance_type}/\${var.region}"
}
output "server" { value = terraform_data.server.output }
`;

function infraRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'sloth-gitops-repo-'));
  const bare = join(root, 'terraform-infrastructure.git');
  sh(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const work = join(root, 'work');
  sh(root, 'clone', '-q', bare, work);
  mkdirSync(join(work, 'environments/prod'), { recursive: true });
  writeFileSync(join(work, 'environments/prod/main.tf'), MAIN_TF);
  sh(work, 'add', '.');
  sh(work, 'commit', '-q', '-m', 'prod environment');
  sh(work, 'push', '-q', 'origin', 'main');
  return `file://${bare}`;
}

const deploySloth = (url: string, dir: string) => `-- Complete GitOps Workflow with Git + Terraform
local clone_repo_task = task("clone_repo")
    :description("Clone Git repository with infrastructure code")
    :workdir("${dir}")
    :command(function(this, params)
        log.info("📡 Cloning repository...")
        local repository = git.clone(
            "${url}",
            this.workdir.get()
        )

        return true, "Repository cloned successfully", {
            repository_url = "${url}",
            clone_destination = this.workdir.get()
        }
    end)
    :timeout("5m")
    :build()

local deploy_infrastructure = task("deploy_terraform")
    :description("Deploy infrastructure using Terraform")
    :workdir("${dir}/environments/prod/")
    :command(function(this, params)
        log.info("🔄 Initializing Terraform...")
        local client = terraform.init(this.workdir:get())

        local terraform_config = {
            environment = values.terraform.environment or "prod",
            instance_type = values.terraform.instance_type or "t3.micro",
            region = values.terraform.region or "us-east-1"
        }

        local tfvars = client:create_tfvars("terraform.tfvars", terraform_config)

        local plan_result = client:plan({ var_file = tfvars.filename })
        if plan_result.success then
            log.info("🚀 Applying Terraform changes...")
            local apply_result = client:apply({
                var_file = tfvars.filename,
                auto_approve = true
            })

            return apply_result.success, "Infrastructure deployment", {
                terraform_used = true,
                plan_success = true,
                apply_success = apply_result.success
            }
        end

        return false, "Terraform plan failed"
    end)
    :timeout("15m")
    :build()

workflow.define("gitops_deploy")
    :description("Complete GitOps workflow: Git clone + Terraform deploy")
    :version("1.0.0")
    :tasks({ clone_repo_task, deploy_infrastructure })
    :config({
        timeout = "20m",
        max_parallel_tasks = 1
    })
`;

const VALUES = `terraform:
  environment: "production"
  instance_type: "t3.small"
  region: "us-west-2"

workflow:
  timeout: "30m"
  environment: "prod"
`;

describe("the README's GitOps workflow (real git, real terraform)", () => {
  it('clones and applies the first time, changes nothing the second, and --check only plans', async () => {
    const url = infraRepo();
    const dir = join(mkdtempSync(join(tmpdir(), 'sloth-gitops-')), 'infrastructure');
    const project = writeFiles({ 'deploy.sloth': deploySloth(url, dir), 'values.yaml': VALUES });
    const run = async (...extra: string[]) => {
      const r = await runCli(
        ['workflow', 'run', 'gitops_deploy', '-f', 'deploy.sloth', '-v', 'values.yaml', '--output', 'json', ...extra],
        {
          cwd: project,
          timeoutMs: 180_000,
        },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const state = () => JSON.parse(readFileSync(join(dir, 'environments/prod/terraform.tfstate'), 'utf8'));

    const first = await run();
    expect(first.tasks.clone_repo).toMatchObject({ status: 'success', changed: true });
    expect(first.tasks.deploy_terraform).toMatchObject({ status: 'success', changed: true, output: { apply_success: true } });
    expect(state().outputs.server.value).toBe('production/t3.small/us-west-2');
    const serial = state().serial;

    const second = await run();
    expect(second.tasks.clone_repo.changed).toBe(false);
    expect(second.tasks.deploy_terraform).toMatchObject({ status: 'success', changed: false });
    expect(state().serial).toBe(serial);

    // Check mode: a new value would rewrite terraform.tfvars (not written, so the plan cannot see it, as in
    // Ansible); a configuration edited by hand would be applied. Nothing is written or applied.
    writeFileSync(join(project, 'values.yaml'), VALUES.replace('us-west-2', 'eu-west-1'));
    const tf = join(dir, 'environments/prod/main.tf');
    writeFileSync(tf, readFileSync(tf, 'utf8').replace('${var.region}"', '${var.region}/v2"'));
    const check = await run('--check');
    expect(check.check_mode).toBe(true);
    const changes = check.tasks.deploy_terraform.changes.map((c: { function: string; changes: object }) => [
      c.function,
      c.changes,
    ]);
    expect(changes).toEqual([
      ['create_tfvars', { content: { old: expect.stringMatching(/^sha256:/), new: expect.stringMatching(/^sha256:/) } }],
      ['apply', { change: { old: 0, new: 1 } }],
    ]);
    expect(readFileSync(join(dir, 'environments/prod/terraform.tfvars'), 'utf8')).toContain('region = "us-west-2"');
    expect(state().serial).toBe(serial);
  });

  it('a syntax error in the configuration: the plan fails, and the task says so with the .tf file and line', async () => {
    const dir = writeFiles({
      'tf/main.tf': 'resource "terraform_data" "x" {\n  input = \n}\n',
      'bad.sloth': `task("t"):command(function()\n  local c = terraform.init("tf")\n  local p = c:plan({})\n  if not p.success then error(p.error) end\nend):build()\n`,
    });
    const r = await runCli(['workflow', 'run', '-f', 'bad.sloth', '--output', 'json'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stdout).tasks.t.error as string;
    expect(error).toMatch(/^bad\.sloth:4: /);
    expect(error).toMatch(/main\.tf line 2/);
  });
});
