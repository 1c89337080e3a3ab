import { inject } from 'vitest';
import { TEST_WORKSPACE_ENV } from '../../electron/core/store/pg/open-workspace';

// Every store this test file (and any engine process it starts) opens is a PostgreSQL workspace.
process.env[TEST_WORKSPACE_ENV] = inject('pgAdminUrl');
