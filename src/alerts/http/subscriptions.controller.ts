import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { RequiresRole } from '../../auth/access.decorators.js';
import type { AuthenticatedRequest } from '../../auth/api-key.guard.js';
import { newId, type WriteRequest } from '../../event-store/handle-command.js';
import { ApiQueryParams } from '../../http/api-query-params.decorator.js';
import { EntityId } from '../../http/entity-id.pipe.js';
import { Valid } from '../../http/validation.js';
import { etag, expectedVersion, Write } from '../../http/write-request.js';
import { WriteRoute } from '../../http/write-route.decorator.js';
import { Subscriptions } from '../subscriptions/subscriptions.js';
import { CreateSubscriptionRequest, PageRequest, UpdateSubscriptionRequest } from './subscription.requests.js';

// Editors and admins subscribe; each key sees and manages its own subscriptions, admins all
// (src/alerts/subscriptions/subscriptions.ts). Another key's subscription is a 404, as if absent.
@ApiTags('alerts')
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: Subscriptions) {}

  @Post()
  @WriteRoute(
    'Subscribe to alerts when a casualty range, a contested flag or a claim changes: in the desk of the key that subscribes, or as signed webhooks (Standard Webhooks). A webhook’s `secret` is answered here only.',
    CreateSubscriptionRequest,
  )
  async create(@Body(new Valid(CreateSubscriptionRequest)) body: z.output<typeof CreateSubscriptionRequest>, @Write() request: WriteRequest, @Req() http: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const { id = newId(request, 'subscription'), ...subscription } = body;
    const created = await this.subscriptions.create(http.principal, id, subscription);
    void reply.status(201).header('etag', etag(created.version)).send(created);
  }

  @Get()
  @RequiresRole('editor')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The key’s subscriptions, oldest first (an admin’s: everyone’s), as `{ items }`.' })
  async list(@Req() request: AuthenticatedRequest) {
    return { items: await this.subscriptions.list(request.principal) };
  }

  @Get(':subscriptionId')
  @RequiresRole('editor')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A subscription: its target, filters, triggers and status; its version as ETag.' })
  async get(@Param('subscriptionId', EntityId) id: string, @Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const subscription = await this.subscriptions.get(request.principal, id);
    void reply.header('etag', etag(subscription.version));
    return subscription;
  }

  @Patch(':subscriptionId')
  @WriteRoute('Change a subscription: its webhook URL, filters, triggers, description, or status (pause it, or resume it: what waited is sent, in order).', UpdateSubscriptionRequest)
  async update(
    @Param('subscriptionId', EntityId) id: string,
    @Body(new Valid(UpdateSubscriptionRequest)) body: z.output<typeof UpdateSubscriptionRequest>,
    @Write() request: WriteRequest,
    @Req() http: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ) {
    const updated = await this.subscriptions.update(http.principal, id, request.expectedVersion, body);
    void reply.status(200).header('etag', etag(updated.version)).send(updated);
  }

  @Delete(':subscriptionId')
  @HttpCode(204)
  @RequiresRole('editor')
  @ApiBearerAuth()
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you last read: 412 if the subscription changed since.' })
  @ApiOperation({ summary: 'End a subscription: no more alerts, and its delivery log goes with it.' })
  async remove(@Param('subscriptionId', EntityId) id: string, @Req() request: AuthenticatedRequest) {
    await this.subscriptions.remove(request.principal, id, expectedVersion(request.headers['if-match']));
  }

  @Get(':subscriptionId/deliveries')
  @RequiresRole('editor')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The subscription’s delivery log, newest first: each alert, its status, and every attempt (when, the receiver’s status, latency, error, an excerpt of its answer). `{ items, nextBefore }`.' })
  @ApiQueryParams(PageRequest)
  deliveries(@Param('subscriptionId', EntityId) id: string, @Query(new Valid(PageRequest, 'query')) page: z.output<typeof PageRequest>, @Req() request: AuthenticatedRequest) {
    return this.subscriptions.deliveries(request.principal, id, page.limit, page.before);
  }

  @Post(':subscriptionId/deliveries/:deliveryId/redelivery')
  @HttpCode(202)
  @RequiresRole('editor')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Send a webhook delivery again (with the same webhook-id), in its place in the subscription’s queue.' })
  async redeliver(@Param('subscriptionId', EntityId) id: string, @Param('deliveryId', EntityId) deliveryId: string, @Req() request: AuthenticatedRequest) {
    await this.subscriptions.redeliver(request.principal, id, deliveryId);
    return { id: deliveryId };
  }
}
