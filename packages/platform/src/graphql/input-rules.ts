import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { visit, type DocumentNode } from 'graphql';
import { ErrorCode } from '../errors/error-code';
import { AppError, BadInputError } from '../errors/errors';

/**
 * Control characters no text a caller sends may hold (NUL, escapes, DEL, C1): tab, line feed and
 * carriage return stay allowed for multi-line text; single-line fields refuse them too
 * ({@link checkText}).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAKS_AND_TABS = /[\t\n\r]/;

/** Whether `value` holds a control character other than tab, line feed or carriage return. */
export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/**
 * Trimmed text of 1 to `max` characters without control characters (and, unless `multiline`,
 * without line breaks or tabs): BAD_USER_INPUT naming the field otherwise.
 */
export function checkText(
  value: string,
  field: string,
  max: number,
  options: { multiline?: boolean } = {},
): string {
  const v = value.trim();
  if (!v || [...v].length > max) throw new BadInputError(`${field} must be 1 to ${max} characters`, field);
  if (CONTROL.test(v) || (!options.multiline && LINE_BREAKS_AND_TABS.test(v))) {
    throw new BadInputError(`${field} must not contain control characters`, field);
  }
  return v;
}

/** The years an operator's dates (campaign windows, validity changes) may fall in: 2000 to 2100. */
export const SANE_DATES = {
  from: new Date('2000-01-01T00:00:00Z'),
  to: new Date('2101-01-01T00:00:00Z'),
} as const;

/** A date within `[from, to)`: BAD_USER_INPUT naming the field otherwise. */
export function checkDateWithin(
  value: Date,
  field: string,
  range: { from: Date; to: Date } = SANE_DATES,
  message = `${field} must be between ${range.from.toISOString()} and ${range.to.toISOString()}`,
): Date {
  const t = value.getTime();
  if (Number.isNaN(t) || t < range.from.getTime() || t >= range.to.getTime())
    throw new BadInputError(message, field);
  return value;
}

/** Every string a request carries, in its variables (any depth) and in its literals. */
function* stringsOf(value: unknown, depth = 0): Generator<string> {
  if (depth > 20) return;
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* stringsOf(v, depth + 1);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) yield* stringsOf(v, depth + 1);
}

/**
 * Whether a document's string literals hold control characters. Apollo Server hands every request
 * of one query text the same parsed document (its document cache), so the walk happens once per
 * text, not per request (2–3 % of the gateway's CPU).
 */
const literalsRefused = new WeakMap<DocumentNode, boolean>();

function hasControlLiterals(document: DocumentNode): boolean {
  let refused = literalsRefused.get(document);
  if (refused === undefined) {
    refused = false;
    visit(document, {
      StringValue(node) {
        if (hasControlCharacters(node.value)) refused = true;
      },
    });
    literalsRefused.set(document, refused);
  }
  return refused;
}

/**
 * Refuses, before anything runs, a request whose strings hold control characters (a NUL in a
 * display name, an escape sequence in an order id): no field of the graph takes them, and
 * refusing them in one place means no resolver can forget to. Internal requests (a service
 * relaying what it stored) pass: they are not where such text comes in.
 */
export function rejectControlCharacters<Ctx extends BaseContext>(): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if ((ctx.contextValue as { internal?: boolean }).internal) return;
          const refused =
            hasControlLiterals(ctx.document) ||
            [...stringsOf(ctx.request.variables)].some(hasControlCharacters);
          if (refused) {
            throw new AppError(ErrorCode.BAD_USER_INPUT, 'Text must not contain control characters', {
              http: { status: 400 },
            });
          }
        },
      };
    },
  };
}
