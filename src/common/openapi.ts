import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';

type Schema = Parameters<typeof ApiBody>[0] extends infer O ? O extends { schema?: infer S } ? S : never : never;

/** OpenAPI request-body schema generated from the same zod schema that validates it. */
export const ApiZodBody = (schema: z.ZodType) =>
  ApiBody({ schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema });

/** One OpenAPI query parameter per key of a zod object schema. */
export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Schema> };
  const decorators = Object.entries(json.properties ?? {}).map(([name, property]) =>
    ApiQuery({ name, required: false, schema: property }),
  );
  return (target, key, descriptor) => {
    for (const decorate of decorators) decorate(target, key, descriptor);
  };
}
