import type { ServiceImpl } from '@connectrpc/connect';
import { SlothError } from '@sloth/core';
import type { DashboardService } from '@sloth/proto';
import { checkSecretName, type Store, secretRepo } from '@sloth/store-sqlite';
import { audited, dashboardActor } from './audit.js';
import { changes, stateKey } from './change-feed.js';

/**
 * The Secrets screen: names and dates (`secret list`), set and delete, through the CLI's own secret store on the same
 * data directory. Its key comes as the CLI's does without --passphrase-file: the key file next to the database, or a
 * passphrase from SLOTH_SECRET_PASSPHRASE (or SLOTH_SECRET_PASSPHRASE_FILE) in this server's environment. A value is
 * never sent back, logged or audited: the audit log names the secret only, and no error of the store carries a value.
 */
export function secretsService(store: Store): Partial<ServiceImpl<typeof DashboardService>> {
  const entry = (action: string, target: string, actor: string) => ({ actor, action, target });
  return {
    async *watchSecrets(_req, ctx) {
      const list = () =>
        secretRepo(store)
          .list()
          .map((s) => ({ name: s.name, createdAtMs: BigInt(s.createdAt), updatedAtMs: BigInt(s.updatedAt) }));
      for await (const secrets of changes(store, list, stateKey, ctx.signal)) yield { secrets };
    },
    setSecret(req, ctx) {
      audited(store, entry('secret.set', req.name, ctx.values.get(dashboardActor)), () => {
        checkSecretName(req.name, 'secret set');
        if (req.value === '') throw new SlothError('invalid_argument', `secret set: the value of '${req.name}' is empty`);
        try {
          secretRepo(store).set(req.name, req.value);
        } catch (err) {
          // The store's advice is the CLI's (--passphrase-file): the dashboard's server reads the environment only.
          if (err instanceof SlothError && err.code === 'usage' && err.message.includes('passphrase'))
            throw new SlothError(
              'conflict',
              `${err.message}: start this dashboard's server (\`sloth-runner ui\` or the master) with SLOTH_SECRET_PASSPHRASE or SLOTH_SECRET_PASSPHRASE_FILE set, as \`secret set\` reads it, or use \`sloth-runner secret set\``,
            );
          throw err;
        }
      });
      return {};
    },
    deleteSecret(req, ctx) {
      audited(store, entry('secret.delete', req.name, ctx.values.get(dashboardActor)), () => {
        if (!secretRepo(store).delete(req.name)) throw new SlothError('not_found', `no secret '${req.name}' in ${store.dataDir}`);
      });
      return {};
    },
  };
}
