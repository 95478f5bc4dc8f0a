/** A service answered with an error, or could not be reached: shown to the operator as such. */
export class UpstreamError extends Error {
  constructor(
    readonly service: string,
    /** null when there was no answer (refused, timed out). */
    readonly status: number | null,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

/** Builds a path from literal parts and parameters, each parameter URL-encoded. */
export function path(strings: TemplateStringsArray, ...params: Array<string | number>): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < params.length ? encodeURIComponent(params[i]!) : ''),
    '',
  );
}

/** `?a=1&b=2` from the defined values, or '' when none is. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * JSON over HTTP to one service's API with the admin token as Bearer. Errors come back as the
 * services' `{"error":{"code","message"}}` bodies, turned into UpstreamError.
 */
export class ApiClient {
  constructor(
    readonly service: string,
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  get<T>(to: string): Promise<T> {
    return this.request<T>('GET', to);
  }

  /** GET that answers null for 404. */
  async find<T>(to: string): Promise<T | null> {
    try {
      return await this.get<T>(to);
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) return null;
      throw err;
    }
  }

  post<T>(to: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', to, body);
  }

  /** The service's own /readyz, without the token. */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(this.timeoutMs) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  private async request<T>(method: string, to: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${to}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new UpstreamError(this.service, null, 'unreachable', `${this.service} did not answer`, {
        cause: err,
      });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new UpstreamError(
        this.service,
        res.status,
        error?.code ?? `http_${res.status}`,
        error?.message ?? `${this.service} answered ${res.status}`,
      );
    }
    return parsed as T;
  }
}
