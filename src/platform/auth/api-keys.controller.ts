import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { API_KEY_ROLES } from './api-key.js';
import { ApiKeysService, type ApiKeyView, type CreatedApiKey } from './api-keys.service.js';
import { identifier, storableText, uuid } from '../validation/route-input.js';
import { RequireAdmin } from './auth.guard.js';

export const createApiKeyBody = z
  .object({
    role: z.enum(API_KEY_ROLES, { error: `must be one of ${API_KEY_ROLES.join(', ')}` }),
    merchantId: identifier.optional(),
    /** Who holds it, shown on the desk's claims and decisions. */
    name: storableText({ min: 1, max: 80 }).optional(),
  })
  .refine((body) => (body.role === 'merchant') === (body.merchantId !== undefined), {
    path: ['merchantId'],
    error: 'is required for a merchant key and not allowed for other roles',
  });

export const apiKeyIdParams = z.object({ id: uuid('an api key id') });

@Controller('v1/api-keys')
@RequireAdmin()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** The secret `key` is in this answer only; it is stored as a hash. */
  @Post()
  create(@Body({ schema: createApiKeyBody }) body: z.infer<typeof createApiKeyBody>): Promise<CreatedApiKey> {
    return this.apiKeys.create(body.role, body.merchantId ?? null, body.name ?? null);
  }

  @Get()
  async list(): Promise<{ items: ApiKeyView[] }> {
    return { items: await this.apiKeys.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param({ schema: apiKeyIdParams }) params: z.infer<typeof apiKeyIdParams>): Promise<void> {
    return this.apiKeys.revoke(params.id);
  }
}
