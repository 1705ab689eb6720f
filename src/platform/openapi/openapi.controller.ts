import { Controller, Get } from '@nestjs/common';
import { type OpenApiDocument, openApiDocument } from './openapi.document.js';

/** Public on purpose: the description of the API holds no data and no secret. */
@Controller()
export class OpenApiController {
  @Get('openapi.json')
  document(): OpenApiDocument {
    return openApiDocument();
  }
}
