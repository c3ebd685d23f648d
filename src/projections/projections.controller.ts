import { Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequiresRole } from '../auth/access.decorators.js';
import { ProjectionRunner, UnknownProjectionError } from './projection-runner.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/projections')
export class ProjectionsController {
  constructor(private readonly runner: ProjectionRunner) {}

  @Get()
  @RequiresRole('admin')
  @ApiOperation({ summary: 'Each projection’s status, checkpoint and lag (events and seconds behind the ledger), and whether it is being rebuilt.' })
  async list() {
    return { projections: await this.runner.status() };
  }

  @Post(':name/rebuild')
  @HttpCode(200)
  @RequiresRole('admin')
  @ApiOperation({ summary: 'Rebuild a projection from position zero into fresh tables and swap them in; answers when done.' })
  async rebuild(@Param('name') name: string) {
    try {
      const [rebuilt] = await this.runner.rebuild(name);
      return rebuilt;
    } catch (error) {
      if (error instanceof UnknownProjectionError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
