import { GraphQLError } from 'graphql';
import { ErrorCode } from './error-code';

/** An expected failure whose message is safe to show to the caller. */
export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...details, code } });
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required: send a valid Bearer token') {
    super(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed for this caller') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(ErrorCode.NOT_FOUND, id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

/** Invalid arguments. `field` names the offending input path for forms. */
export class BadInputError extends AppError {
  constructor(message: string, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
  }
}

/** An idempotency key, order id or unique value reused with different data. */
export class ConflictError extends AppError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}

export class InsufficientPointsError extends AppError {
  constructor(message = 'Not enough points') {
    super(ErrorCode.INSUFFICIENT_POINTS, message);
  }
}

export class OutOfStockError extends AppError {
  constructor(message = 'Out of stock') {
    super(ErrorCode.OUT_OF_STOCK, message);
  }
}

export class LimitReachedError extends AppError {
  constructor(message: string) {
    super(ErrorCode.LIMIT_REACHED, message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message);
  }
}
