import { Controller, Get, Redirect } from '@nestjs/common';
import { CurrentPrincipal, RequireRole } from '../platform/auth/auth.guard.js';
import type { ApiKeyRole } from '../platform/auth/api-key.js';
import type { Principal } from '../platform/auth/principal.js';

export interface Whoami {
  role: ApiKeyRole;
  merchantId: string | null;
  /** Extension (issue 17): the key's id, and its name or prefix. */
  keyId: string;
  label: string;
}

@Controller()
export class ConsoleController {
  /** People open the service's root in a browser; send them to the console. */
  @Get()
  @Redirect('/console/', 302)
  root(): void {}

  /** Which console a key opens (the reviewer queue or the merchant's streams), and who it is: the desk marks "your" claims by `keyId`. */
  @Get('v1/whoami')
  @RequireRole('ingest', 'reviewer', 'merchant')
  whoami(@CurrentPrincipal() principal: Principal): Whoami {
    return { role: principal.role, merchantId: principal.merchantId, keyId: principal.keyId, label: principal.label ?? principal.keyId };
  }
}
