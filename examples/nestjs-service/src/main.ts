// An orders service whose routes need a Keyward API key: KeywardModule gives the guard its
// connection to the verify service, and one decorator per route says what the key must grant
// (docs/sdk.md, NestJS). Run with KEYWARD_VERIFY_URL, KEYWARD_VERIFIER_TOKEN and PORT set.
import 'reflect-metadata';
import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { KeywardModule, KeywardPrincipal, RequireKey, RequireScopes } from '@keyward/sdk/nestjs';

interface Order {
  id: number;
  ownerId: string | null;
  item: string;
}

@Controller()
class OrdersController {
  private readonly orders: Order[] = [];

  /** Open to anyone: no decorator, no guard. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** Any key granting orders:read; the caller's own orders only. */
  @Get('orders')
  @RequireScopes('orders:read')
  list(@KeywardPrincipal('ownerId') ownerId: string | null) {
    return { ownerId, orders: this.orders.filter((order) => order.ownerId === ownerId) };
  }

  /** A key granting orders:write; each order costs 5 of the key's credits. */
  @Post('orders')
  @RequireKey({ scopes: ['orders:write'], cost: 5 })
  create(@KeywardPrincipal() caller: KeywardPrincipal, @Body() body: { item?: string }) {
    const order = { id: this.orders.length + 1, ownerId: caller.ownerId ?? null, item: String(body?.item ?? 'unnamed') };
    this.orders.push(order);
    return { order, creditsLeft: caller.remaining };
  }
}

@Module({
  imports: [
    KeywardModule.forRoot({
      baseUrl: process.env.KEYWARD_VERIFY_URL ?? 'http://127.0.0.1:3001',
      token: process.env.KEYWARD_VERIFIER_TOKEN ?? '',
    }),
  ],
  controllers: [OrdersController],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
}

void main();
