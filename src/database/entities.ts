import { ApiKey } from '../auth/api-key.entity.js';

/** Every TypeORM entity of the service; feature modules add theirs here. */
export const ALL_ENTITIES = [ApiKey];
