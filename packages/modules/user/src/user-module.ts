import { defineModule } from '@sloth/core';
import { addToGroup, groupCreate, groupRemove } from './group-functions.js';
import { readUserResource } from './read-resource.js';
import { create, exists, info, remove } from './user-functions.js';

/** The `user` module: local users, groups and SSH keys through the system's tools (useradd, usermod, getent...). */
export const userModule = defineModule({
  name: 'user',
  importFrom: import.meta.url,
  // Every function also runs on an agent: `target = "agent-name"` in its options.
  targetable: true,
  doc:
    'Users, groups and SSH authorized keys, on the change contract: facts from getent and id, changes through ' +
    'useradd, usermod, userdel, groupadd, groupdel and gpasswd (BusyBox adduser, on a bare Alpine, is not supported ' +
    'yet). In check mode a group that does not exist yet is a warning: an earlier step may create it.',
  functions: {
    create,
    remove,
    exists,
    info,
    group_create: groupCreate,
    group_remove: groupRemove,
    add_to_group: addToGroup,
  },
  // `stack drift` reads back users, groups and memberships recorded by these functions.
  readResource: readUserResource,
});
