/** Upper-snake prefix the real API puts before its messages (`BAD_REQUEST: …`); an observed convention. */
const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
};

export function errorCode(status: number): string {
  return CODES[status] ?? 'ERROR';
}

/** An error answer: the server turns it into `{ status, error: "<CODE>: <message>", requestId }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }

  get error(): string {
    return `${errorCode(this.status)}: ${this.message}`;
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, message);
export const notFound = (message: string): ApiError => new ApiError(404, message);
