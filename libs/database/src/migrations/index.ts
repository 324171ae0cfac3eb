import { Init1764144000000 } from './1764144000000-init.js';

/** Every migration, in order. */
export const migrations = [Init1764144000000];
