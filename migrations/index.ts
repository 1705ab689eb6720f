import { InitialSchema1764000000000 } from './1764000000000-InitialSchema.js';

/**
 * Every migration, oldest first. Listed explicitly (not globbed) so the
 * compiled ESM build and the TypeORM CLI load exactly the same set.
 */
export const ALL_MIGRATIONS = [InitialSchema1764000000000];
