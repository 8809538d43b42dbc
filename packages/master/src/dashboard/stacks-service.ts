import type { ServiceImpl } from '@connectrpc/connect';
import { SlothError } from '@sloth/core';
import type { DashboardService } from '@sloth/proto';
import { deleteIdleStack, importStackJson, type Store, stackExportJson, stackRepo } from '@sloth/store-sqlite';
import { audited, dashboardActor } from './audit.js';

/** The largest export document the page may import (characters of its JSON text). */
export const MAX_IMPORT_CHARS = 32 * 1024 * 1024;

/**
 * The Stacks screen's actions, each the CLI's own (`stack new|delete|export|import`, through the same store functions)
 * and each recorded in the audit log, done or failed. Export is audited too: it hands properties, attributes and
 * outputs to the browser.
 */
export function stacksService(store: Store): Partial<ServiceImpl<typeof DashboardService>> {
  const entry = (action: string, target: string, actor: string) => ({ actor, action, target });
  return {
    createStack(req, ctx) {
      audited(
        store,
        entry('stack.create', req.name, ctx.values.get(dashboardActor)),
        () => stackRepo(store).createStack(req.name, req.description || undefined),
        () => req.description || null,
      );
      return {};
    },
    deleteStack(req, ctx) {
      audited(store, entry('stack.delete', req.name, ctx.values.get(dashboardActor)), () => deleteIdleStack(store, req.name));
      return {};
    },
    exportStack(req, ctx) {
      const json = audited(store, entry('stack.export', req.name, ctx.values.get(dashboardActor)), () =>
        stackExportJson(store, req.name),
      );
      // What `stack export NAME > FILE` writes: the document and a newline.
      return { json: `${json}\n` };
    },
    importStack(req, ctx) {
      const target = req.name || '(the name in the file)';
      const stack = audited(
        store,
        entry('stack.import', target, ctx.values.get(dashboardActor)),
        () => {
          if (req.json.length > MAX_IMPORT_CHARS)
            throw new SlothError(
              'usage',
              `the file is larger than ${MAX_IMPORT_CHARS / 1024 / 1024} MiB: import it with \`sloth-runner stack import FILE\``,
            );
          return importStackJson(store, req.json, 'the file', { as: req.name || undefined });
        },
        (s) => `imported as '${s.name}'`,
      );
      return { name: stack.name };
    },
  };
}
