import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, errorBody } from './errors.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

/** The rows of the error table: `| code | status | error | message | when | what to do |`. */
const rows = new Map(
  doc
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [code = '', status, error, message, when = '', todo = '', ...extra] = line
        .slice(2, -2)
        .split(' | ');
      return [
        code.replace(/^`|`$/g, ''),
        { status: Number(status), error, message, when, todo, extra: extra.length },
      ] as const;
    }),
);

describe('docs/errors.md', () => {
  it('has the table this test reads', () => {
    expect(doc).toContain('| code | status | error | message | when | what to do |');
    expect(rows.size).toBeGreaterThan(0);
  });

  it.each(Object.entries(ERRORS))('documents %s with its status, error and exact message', (code, entry) => {
    const row = rows.get(code);
    expect(row, `add a row for \`${code}\` to docs/errors.md`).toBeDefined();
    expect({ status: row?.status, error: row?.error, message: row?.message }).toEqual({
      status: entry.status,
      error: errorBody(code as keyof typeof ERRORS).error,
      message: entry.message,
    });
    expect(row?.extra, 'a row has exactly six cells').toBe(0);
    // Say when it happens and what the client should do, in words.
    expect(row?.when.length).toBeGreaterThan(15);
    expect(row?.todo.length).toBeGreaterThan(5);
  });

  it('documents no code the registry does not have, and each code once', () => {
    expect([...rows.keys()].filter((code) => !(code in ERRORS))).toEqual([]);
    const listed = doc.split('\n').filter((line) => line.startsWith('| `')).length;
    expect(listed).toBe(Object.keys(ERRORS).length);
  });

  it('builds bodies with the reason phrase of the status', () => {
    expect(errorBody('invalid_credential')).toEqual({
      statusCode: 401,
      code: 'invalid_credential',
      error: 'Unauthorized',
      message: 'Invalid API key',
    });
    for (const code of Object.keys(ERRORS) as (keyof typeof ERRORS)[]) {
      expect(errorBody(code).error).not.toBe('Error');
    }
  });
});
