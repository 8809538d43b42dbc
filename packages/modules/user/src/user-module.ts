import { defineModule } from '@sloth/core';
import { addToGroup, groupCreate, groupRemove } from './group-functions.js';
import { readUserResource } from './read-resource.js';
import { create, exists, info, remove } from './user-functions.js';

/** The `user` module: local users, groups and SSH keys through the system's tools (useradd, usermod, getent...). */
export const userModule = defineModule({
  name: 'user',
  importFrom: import.meta.url,
  doc: 'Users, groups and SSH authorized keys, idempotently (useradd/usermod/groupadd; facts from getent).',
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
