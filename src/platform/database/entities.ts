import { ApiKey } from '../auth/api-key.entity.js';
import { REPORTS_ENTITIES } from '../../reports/reports.entities.js';

/** Every TypeORM entity of the service; feature modules add theirs here. */
export const ALL_ENTITIES = [ApiKey, ...REPORTS_ENTITIES];
