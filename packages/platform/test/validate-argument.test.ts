import 'reflect-metadata';
import { IsEmail, IsOptional, Length } from 'class-validator';
import { ArgumentValidationError, type ResolverData } from 'type-graphql';
import { validateArgument } from '@loyalty/platform';

class Input {
  @Length(1, 5)
  name!: string;

  @IsOptional()
  @IsEmail()
  email?: string;
}

const input = (fields: Partial<Input>) => Object.assign(new Input(), fields);
const validate = async (value: unknown) => validateArgument(value, Input, {} as ResolverData);

describe('validateArgument (class-validator on resolver arguments)', () => {
  it('passes a valid object, and one whose optional and missing properties are left out', async () => {
    await expect(validate(input({ name: 'Ann', email: 'ann@example.com' }))).resolves.toBeUndefined();
    await expect(validate(input({ name: 'Ann' }))).resolves.toBeUndefined();
  });

  it('refuses an invalid object with the BAD_USER_INPUT error type-graphql would throw', async () => {
    const error = await validate(input({ name: 'far too long', email: 'nope' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentValidationError);
    const { code, validationErrors } = (error as ArgumentValidationError).extensions;
    expect(code).toBe('BAD_USER_INPUT');
    expect(validationErrors.map((e) => e.property).sort()).toEqual(['email', 'name']);
  });

  it('validates each object of a list', async () => {
    await expect(validate([input({ name: 'Ann' }), input({ name: 'Bob' })])).resolves.toBeUndefined();
    await expect(validate([input({ name: 'Ann' }), input({ name: '' })])).rejects.toBeInstanceOf(
      ArgumentValidationError,
    );
  });

  it('passes what is not an object: scalars and absent arguments are the schema’s to check', async () => {
    for (const value of [null, undefined, 'x', 3, true])
      await expect(validate(value)).resolves.toBeUndefined();
  });
});
