import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { ValidationFailedError, type FieldError } from '../errors/domain-error';
import { createValidationPipe } from './validation.pipe';

class WindowDto {
  @Min(1)
  @Max(60)
  @IsInt()
  limit: number;
}

/** Decorators listed the way that used to hide the type check behind a range check. */
class SampleDto {
  @IsString()
  @Length(1, 20)
  name: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  remaining?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  tags?: string[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WindowDto)
  window?: WindowDto;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => WindowDto)
  windows?: WindowDto[];
}

async function refusal(body: unknown): Promise<FieldError[]> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: SampleDto });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as ValidationFailedError).fieldErrors;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('validation pipe messages', () => {
  it.each([
    [{ name: 'x', remaining: '5' }, 'remaining', 'must be an integer number'],
    [{ name: 'x', remaining: 5.5 }, 'remaining', 'must be an integer number'],
    [{ name: 42 }, 'name', 'must be a string'],
    [{}, 'name', 'must be a string'],
    [{ name: 'x', tags: 'a' }, 'tags', 'must be an array'],
    [{ name: 'x', window: 'soon' }, 'window', 'must be an object'],
    [{ name: 'x', window: { limit: '5' } }, 'window.limit', 'must be an integer number'],
    [{ name: 'x', windows: [{ limit: 5 }, { limit: '5' }] }, 'windows[1].limit', 'must be an integer number'],
  ])('reports the type of %j before any range', async (body, field, message) => {
    expect(await refusal(body)).toEqual([{ field, message }]);
  });

  it('still reports a range or length when the type is right, once per field', async () => {
    expect(await refusal({ name: '', remaining: 101, tags: ['a', 'b', 'c'] })).toEqual([
      { field: 'name', message: 'must be longer than or equal to 1 characters' },
      { field: 'remaining', message: 'must not be greater than 100' },
      { field: 'tags', message: 'must contain no more than 2 elements' },
    ]);
  });

  it('names an unknown field', async () => {
    expect(await refusal({ name: 'x', extra: 1 })).toEqual([{ field: 'extra', message: 'is not an allowed field' }]);
  });
});
