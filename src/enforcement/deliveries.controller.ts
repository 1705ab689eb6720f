import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { uuid } from '../platform/validation/route-input.js';
import { DELIVERY_STATUSES, type DeliveryView } from './delivery.js';
import { DeliveriesService } from './deliveries.service.js';
import { ReviewerOrAdminGuard } from '../platform/auth/reviewer-or-admin.guard.js';

export const deliveryIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-v\d{1,9}$/i, {
      error: 'must be a delivery id (<reportId>-v<version>)',
    }),
});

export const deliveryListQuery = z.object({
  status: z.enum(DELIVERY_STATUSES, { error: `must be one of ${DELIVERY_STATUSES.join(', ')}` }).optional(),
  reportId: uuid('a report id').optional(),
  limit: z.coerce.number({ error: 'must be an integer from 1 to 500' }).int().min(1).max(500).default(100),
});

/** Enforcement deliveries for reviewers and the operator: what was sent, what failed, send it again. */
@Controller('v1/deliveries')
@UseGuards(ReviewerOrAdminGuard)
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  /** Newest first, up to `limit`; `?status=failed` is the operator's to-do list. */
  @Get()
  list(@Query({ schema: deliveryListQuery }) query: z.infer<typeof deliveryListQuery>): Promise<{ items: DeliveryView[] }> {
    return this.deliveries.list(query);
  }

  @Get(':id')
  get(@Param({ schema: deliveryIdParams }) params: z.infer<typeof deliveryIdParams>): Promise<DeliveryView> {
    return this.deliveries.get(params.id);
  }

  /** A failed delivery goes back to pending with a fresh set of attempts; anything else answers 409. */
  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param({ schema: deliveryIdParams }) params: z.infer<typeof deliveryIdParams>): Promise<DeliveryView> {
    return this.deliveries.retry(params.id);
  }
}
