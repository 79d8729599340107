/** Removes anything that looks like a bearer token from text we show or keep (az output, SDK errors). */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const ACCESS_TOKEN_FIELD = /("access_?token"\s*:\s*")[^"]*(")/gi;

export function redactTokens(text: string): string {
  return text.replace(ACCESS_TOKEN_FIELD, '$1[redacted]$2').replace(JWT_LIKE, '[redacted token]');
}
