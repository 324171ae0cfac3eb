import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Public } from '@app/common';

/** `GET /health`: the process is up and PostgreSQL answers. No API key needed. */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('database');
        try {
          await this.dataSource.query('SELECT 1');
          return indicator.up();
        } catch {
          // unauthenticated callers learn that it is down, not why (host names, roles)
          return indicator.down({ message: 'unreachable' });
        }
      },
    ]);
  }
}
