import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequiresRole } from './access.decorators.js';
import type { AuthenticatedRequest } from './api-key.guard.js';
import type { Principal } from './api-keys.js';

/** Who the API key belongs to, so that a client (the desk) can show what its role allows. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  @Get()
  @RequiresRole('reader')
  @ApiOperation({ summary: 'The API key’s principal: `{ name, role }`.' })
  me(@Req() request: AuthenticatedRequest): Principal {
    const { name, role } = request.principal;
    return { name, role };
  }
}
