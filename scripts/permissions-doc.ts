// Regenerates docs/permissions.md from the permission matrix the tests run.
import { writeFileSync } from 'node:fs';
import { renderPermissionsMarkdown } from '../test/http/permission-matrix.js';

writeFileSync(new URL('../docs/permissions.md', import.meta.url), renderPermissionsMarkdown());
