import { WEBHOOK_EVENT_TYPES, WEBHOOK_URL_MAX_LENGTH, type WebhookEventType } from '@keyward/webhooks';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsString, MaxLength } from 'class-validator';

export class CreateWebhookDto {
  @ApiProperty({
    format: 'uri',
    maxLength: WEBHOOK_URL_MAX_LENGTH,
    example: 'https://hooks.example.com/keyward',
    description: 'https: (http: only where the deployment allows it), no credentials; must resolve to public addresses only',
  })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url: string;

  @ApiProperty({
    type: [String],
    enum: WEBHOOK_EVENT_TYPES,
    minItems: 1,
    maxItems: 20,
    uniqueItems: true,
    example: ['key.expiring', 'key.revoked'],
  })
  // class-validator checks these bottom-up and stops at the first failure: the shape, then the size,
  // then each item, then repeats, so each refusal names what is actually wrong.
  @ArrayUnique({ message: 'must not repeat an event type' })
  @IsIn(WEBHOOK_EVENT_TYPES as readonly string[] as string[], {
    each: true,
    message: `each must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
  })
  @ArrayMaxSize(20)
  @ArrayNotEmpty()
  @IsArray()
  events: WebhookEventType[];
}
