import type { Role } from '@keyward/keys';
import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE } from '../openapi-examples';

export class RoleResource {
  @ApiProperty({ description: "The role's name, shaped like a scope", example: 'support' }) name: string;
  @ApiProperty({ type: [String], example: ['billing:read', 'orders:*'] }) scopes: string[];
  @ApiProperty({ type: String, nullable: true, example: 'Support staff' }) description: string | null;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.createdAt }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: EXAMPLE.updatedAt }) updatedAt: string;
}

export class RolePage {
  @ApiProperty({ type: [RoleResource] }) data: RoleResource[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

/** The single place that turns a stored role into the API's JSON (docs/api.md, Roles). */
export function toRoleResource(role: Role): RoleResource {
  return {
    name: role.name,
    scopes: role.scopes,
    description: role.description,
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  };
}
