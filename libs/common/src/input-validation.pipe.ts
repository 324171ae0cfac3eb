import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { AppError } from './app-error.js';
import { isUuid } from './uuid.util.js';

/**
 * Validates GraphQL arguments (class-validator decorators on input types);
 * the first failure becomes BAD_USER_INPUT naming the field, e.g. `input.email`.
 */
@Injectable()
export class InputValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (!type || value === null || value === undefined || typeof value !== 'object' || !hasValidation(type))
      return value;
    const instance = plainToInstance<object, unknown>(type as new () => object, value);
    const errors = await validate(instance, { forbidUnknownValues: false });
    if (errors.length > 0) {
      // @Args('input') names its argument; a whole @ArgsType() class does not (its fields are the arguments)
      const [path, message] = firstFailure(errors[0], metadata.data);
      throw AppError.badInput(path, message);
    }
    return instance;
  }
}

/** Checks that an ID argument is a UUID, so a malformed one is BAD_USER_INPUT, not a database error. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isUuid(value)) throw AppError.badInput(metadata.data ?? 'id', 'must be a UUID');
    return value.toLowerCase();
  }
}

/**
 * Bounds a list argument of scalars, e.g. `tags: [String!]!` (class-validator only sees input classes): how many
 * values, and how long each text may be.
 */
export class ListPipe implements PipeTransform<unknown, unknown> {
  constructor(
    private readonly maxSize: number,
    private readonly maxLength?: number,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!Array.isArray(value)) return value;
    const name = metadata.data ?? 'list';
    if (value.length > this.maxSize) throw AppError.badInput(name, `${name} takes at most ${this.maxSize} values`);
    const max = this.maxLength;
    const long = max === undefined ? -1 : value.findIndex((item) => typeof item === 'string' && item.length > max);
    if (long >= 0) throw AppError.badInput(`${name}.${long}`, `${name}.${long} is longer than ${max} characters`);
    return value;
  }
}

/** Bounds the length of a text argument that is not in an input class. */
export class TextPipe implements PipeTransform<unknown, unknown> {
  constructor(private readonly maxLength: number) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const name = metadata.data ?? 'text';
    if (typeof value === 'string' && value.length > this.maxLength)
      throw AppError.badInput(name, `${name} is longer than ${this.maxLength} characters`);
    return value;
  }
}

/** Whether a class declares class-validator rules, remembered per class (parents of field resolvers declare none). */
const validated = new Map<unknown, boolean>();
function hasValidation(type: NonNullable<ArgumentMetadata['metatype']>): boolean {
  let answer = validated.get(type);
  if (answer === undefined) {
    answer = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;
    validated.set(type, answer);
  }
  return answer;
}

function firstFailure(error: ValidationError, parent: string | undefined): [string, string] {
  const path = parent ? `${parent}.${error.property}` : error.property;
  if (error.constraints) {
    const message = Object.values(error.constraints)[0].replace(error.property, path);
    return [path, message];
  }
  const child = error.children?.[0];
  return child ? firstFailure(child, path) : [path, `${path} is invalid`];
}
