import { MAX_SCOPES } from '@keyward/keys';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { SCOPE_ITEM_SCHEMA } from '../../keys/dto/key-examples';
import { AreScopes } from '../../keys/dto/key-validators';

export class PutRoleDto {
  @ApiProperty({
    type: 'array',
    items: SCOPE_ITEM_SCHEMA,
    maxItems: MAX_SCOPES,
    description: "What the role grants, as a key's scopes: `billing:*` grants every scope that begins with `billing:`",
    example: ['billing:read', 'orders:*'],
  })
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @AreScopes()
  scopes: string[];

  @ApiPropertyOptional({ maxLength: 500, description: 'What the role is for; absent: none', example: 'Support staff' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}
