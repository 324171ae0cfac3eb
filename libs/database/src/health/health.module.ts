import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';

/** `GET /health` for the API and the worker. */
@Module({ imports: [TerminusModule], controllers: [HealthController] })
export class HealthModule {}
