// Zod issues as "path: message" lines that name the field a person has to fix.
import type { z } from 'zod';

export function describeZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${path || '(value)'}: ${issue.message}`;
  });
}
